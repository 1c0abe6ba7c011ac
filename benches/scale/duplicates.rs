//! The possible-duplicates lookup at scale: near-copies of tickets on the
//! big desk, looked up through the store in this process, as the screen's
//! reader thread does at each pause in typing.
//!
//! The generated text draws on a small vocabulary, so most drafts share only
//! words found on thousands of tickets: the lookup counts each of them up to
//! its cap and finds little (the originals are rarely offered, unlike on the
//! sample tickets, see `tests/duplicates.rs`). Near-copies of the tickets
//! holding the planted rare word time the other path, where a rare word's
//! tickets become candidates.

use anyhow::Result;
use std::time::{Duration, Instant};

use ticketdesk::domain::{Status, Ticket};
use ticketdesk::store::{DEFAULT_BUSY_TIMEOUT, Location, Store};

use crate::data::{RARE, RARE_COUNT};
use crate::units::{millis, thousands};
use crate::{Row, yes_no};

/// Drafts looked up that copy open tickets (besides the copies of the
/// tickets holding the rare word).
const DRAFTS: usize = 30;
/// Timed passes over the drafts, after one warm-up pass.
const PASSES: usize = 3;
/// What a lookup may take, at the 95th percentile.
const GOAL: Duration = Duration::from_millis(20);
/// Each of the warm-up and the timed passes stops once it has taken this
/// long (a slow lookup must not hold up the whole report); the row then
/// says how many lookups it timed.
const BUDGET: Duration = Duration::from_secs(60);

struct Lookups {
    drafts: usize,
    /// Drafts looked up in the warm-up, and lookups timed, within [`BUDGET`].
    warmed: usize,
    timed: usize,
    /// Of which copies of open tickets, which can be offered.
    open: usize,
    median: Duration,
    p95: Duration,
    worst: Duration,
    /// Drafts whose original was listed first, and in the top three.
    first: usize,
    listed: usize,
}

/// The report's row: the lookup timed in this process (it runs on the
/// screen's reader thread, never as a command of its own), so there is no
/// shell floor to compare with.
pub fn row(desk: &Location, rows: usize) -> Result<Row> {
    eprintln!("[scale] possible duplicates of near-copies ({} rows) ...", thousands(rows));
    let d = measure(desk, rows)?;
    eprintln!(
        "[scale]   median {}, p95 {}, worst {} of {} lookups; of {} copies of open tickets, the original first \
         for {}, in the top three for {} (generated text: see benches/scale/duplicates.rs)",
        millis(d.median),
        millis(d.p95),
        millis(d.worst),
        d.timed,
        d.open,
        d.first,
        d.listed
    );
    let cut = if d.timed < d.drafts * PASSES || d.warmed < d.drafts {
        format!("; cut at {}s: {} drafts warmed, {} lookups timed", BUDGET.as_secs(), d.warmed, d.timed)
    } else {
        String::new()
    };
    Ok(Row::new(
        format!(
            "possible duplicates of a draft (in process; {} near-copies: {} of open tickets, {} holding a rare \
             word{cut})",
            d.drafts,
            d.open,
            d.drafts - d.open
        ),
        format!("median {}, p95 {}, worst {}", millis(d.median), millis(d.p95), millis(d.worst)),
        "—",
        "—",
        format!("p95 < {}", millis(GOAL)),
        yes_no(d.p95 < GOAL),
    ))
}

/// Times `Store::similar` on near-copies of open tickets spread over the desk.
fn measure(desk: &Location, rows: usize) -> Result<Lookups> {
    let mut store = Store::open_at(desk, DEFAULT_BUSY_TIMEOUT)?;
    let mut originals = open_tickets(&mut store, rows)?;
    let open = originals.len();
    originals.extend(rare_tickets(&mut store, rows)?);
    let drafts: Vec<(i64, String)> = originals.iter().map(|t| (t.id, near_copy(t))).collect();
    // The warm-up pass, which also counts how often an open original is found.
    let (mut first, mut listed, mut warmed) = (0, 0, 0);
    let started = Instant::now();
    for (id, draft) in drafts.iter().take_while(|_| started.elapsed() < BUDGET) {
        warmed += 1;
        let found = store.similar(draft, 3, None)?;
        if originals.iter().take(open).any(|t| t.id == *id) {
            first += usize::from(found.first().is_some_and(|s| s.ticket.id == *id));
            listed += usize::from(found.iter().any(|s| s.ticket.id == *id));
        }
    }
    let mut times = Vec::new();
    let passes = Instant::now();
    for _ in 0..PASSES {
        for (_, draft) in drafts.iter().take_while(|_| passes.elapsed() < BUDGET) {
            let started = Instant::now();
            std::hint::black_box(store.similar(draft, 3, None)?);
            times.push(started.elapsed());
        }
    }
    times.sort();
    let at = |share: f64| times[((times.len() - 1) as f64 * share).round() as usize];
    Ok(Lookups {
        drafts: drafts.len(),
        warmed,
        timed: times.len(),
        open,
        median: at(0.5),
        p95: at(0.95),
        worst: at(1.0),
        first,
        listed,
    })
}

/// Up to [`DRAFTS`] open or in-progress tickets, read at ids spread over
/// the whole desk (only those can be offered as duplicates).
fn open_tickets(store: &mut Store, rows: usize) -> Result<Vec<Ticket>> {
    let step = (rows / (DRAFTS * 20)).max(1);
    let mut found = Vec::new();
    for id in (1..=rows).rev().step_by(step) {
        let ticket = store.get(id as i64)?;
        if matches!(ticket.status, Status::Open | Status::InProgress) {
            found.push(ticket);
            if found.len() == DRAFTS {
                break;
            }
        }
    }
    Ok(found)
}

/// The tickets holding the planted rare word, where the generator puts
/// them: one in the middle of each of [`RARE_COUNT`] equal runs of rows.
fn rare_tickets(store: &mut Store, rows: usize) -> Result<Vec<Ticket>> {
    let step = rows / RARE_COUNT;
    let mut found = Vec::new();
    for run in 0..RARE_COUNT {
        let ticket = store.get((run * step + step / 2 + 1) as i64)?;
        if format!("{} {}", ticket.title, ticket.description).to_lowercase().contains(RARE) {
            found.push(ticket);
        }
    }
    Ok(found)
}

/// A customer writing in again: the title reworded (its first word
/// dropped), every fourth word of the description left out.
fn near_copy(ticket: &Ticket) -> String {
    let title: Vec<&str> = ticket.title.split_whitespace().skip(1).collect();
    let kept: Vec<&str> = ticket
        .description
        .split_whitespace()
        .enumerate()
        .filter(|(i, _)| i % 4 != 3)
        .map(|(_, w)| w)
        .collect();
    format!("Re: {}\n\nWriting again about this. {}", title.join(" "), kept.join(" "))
}
