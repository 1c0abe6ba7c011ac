//! Checkpoints: what a `sqlite3` process started after the acknowledgements
//! sees, against the ledger, and the desk's own invariants.

use serde::Deserialize;
use std::collections::BTreeMap;

use super::ledger::{EventKey, Snapshot, TicketState};
use super::site::Site;

/// A ticket row as JSON, in the shape `--json` prints.
const TICKET_JSON: &str = "json_object('id', id, 'title', title, 'description', description, \
     'category', category, 'priority', priority, 'status', status, 'assignee', assignee, 'version', version)";

/// Tickets matching an SQL condition, read by a fresh `sqlite3`.
pub fn tickets_where(site: &Site, condition: &str) -> Result<Vec<TicketState>, String> {
    let out = site.sqlite3(&format!("SELECT {TICKET_JSON} FROM tickets WHERE {condition} ORDER BY id;"))?;
    out.lines()
        .map(|line| serde_json::from_str(line).map_err(|e| format!("ticket row {line:?}: {e}")))
        .collect()
}

/// The whole desk as one read transaction sees it, then the integrity
/// checks: SQLite's own, and the search index against the table (FTS5's
/// `integrity-check` command with rank 1 compares it with the content).
const READ_ALL: &str = "BEGIN;
SELECT json_group_array(json(TICKET_JSON)) FROM tickets;
SELECT json_group_array(json_array(ticket_id, field, new_value, n))
  FROM (SELECT ticket_id, field, new_value, count(*) AS n FROM ticket_events GROUP BY 1, 2, 3);
SELECT json_group_array(json_array(side, category, priority, status, n)) FROM (
  SELECT 'ticket_counts' AS side, * FROM (
    SELECT category, priority, status, n FROM ticket_counts WHERE n > 0
    EXCEPT SELECT category, priority, status, count(*) FROM tickets GROUP BY 1, 2, 3)
  UNION ALL
  SELECT 'GROUP BY', * FROM (
    SELECT category, priority, status, count(*) FROM tickets GROUP BY 1, 2, 3
    EXCEPT SELECT category, priority, status, n FROM ticket_counts WHERE n > 0));
COMMIT;
INSERT INTO tickets_fts (tickets_fts, rank) VALUES ('integrity-check', 1);
PRAGMA integrity_check;";

struct View {
    tickets: BTreeMap<i64, TicketState>,
    events: BTreeMap<EventKey, usize>,
    /// Totals in `ticket_counts` that a `GROUP BY` over `tickets` disagrees with.
    counts_off: Vec<serde_json::Value>,
    integrity: String,
}

fn read(site: &Site) -> Result<View, String> {
    let out = site.sqlite3(&READ_ALL.replace("TICKET_JSON", TICKET_JSON))?;
    let mut lines = out.lines();
    let mut next = |what: &str| lines.next().ok_or_else(|| format!("sqlite3 printed no {what}"));
    let parse = |what: &str, line: &str| -> Result<serde_json::Value, String> {
        serde_json::from_str(line).map_err(|e| format!("{what}: {e}: {line:.200}"))
    };
    let tickets: Vec<TicketState> =
        serde_json::from_value(parse("tickets", next("tickets")?)?).map_err(|e| format!("tickets: {e}"))?;
    #[derive(Deserialize)]
    struct EventCount(i64, String, Option<String>, usize);
    let events: Vec<EventCount> =
        serde_json::from_value(parse("events", next("events")?)?).map_err(|e| format!("events: {e}"))?;
    let counts_off = match parse("totals", next("totals")?)? {
        serde_json::Value::Array(rows) => rows,
        other => return Err(format!("totals: {other}")),
    };
    let integrity = lines.collect::<Vec<_>>().join("; ");
    Ok(View {
        tickets: tickets.into_iter().map(|t| (t.id, t)).collect(),
        events: events
            .into_iter()
            .filter_map(|EventCount(id, field, value, n)| Some(((id, field, value?), n)))
            .collect(),
        counts_off,
        integrity,
    })
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Writers are still at work: each acknowledged ticket is at its
    /// acknowledged version or later (and exactly as acknowledged when at it).
    During,
    /// Everything has stopped: exactly the acknowledged values and versions,
    /// and no ticket nobody accounts for.
    Final,
}

/// What a checkpoint found: acknowledged writes missing, and anything else wrong.
#[derive(Debug, Default)]
pub struct Verdict {
    /// Acknowledged states or history rows not found, by ticket.
    pub lost: Vec<(i64, String)>,
    pub problems: Vec<String>,
    /// The desk could not be read at all: no acknowledged write is confirmed.
    pub unreadable: bool,
}

impl Verdict {
    pub fn passed(&self) -> bool {
        self.lost.is_empty() && self.problems.is_empty()
    }
}

/// Checks `acked` (taken before this call, so before the reader started)
/// against a fresh `sqlite3` process and `ticketdesk db check`.
pub fn checkpoint(site: &Site, acked: &Snapshot, mode: Mode) -> Verdict {
    let mut verdict = Verdict::default();
    match read(site) {
        Ok(view) => compare(&view, acked, mode, &mut verdict),
        Err(e) => {
            verdict.unreadable = true;
            verdict.problems.push(format!("reading the desk failed: {e}"));
        }
    }
    if let Err(e) = site.run(&["db", "check"]) {
        verdict.problems.push(format!("db check failed: {e}"));
    }
    verdict
}

fn compare(view: &View, acked: &Snapshot, mode: Mode, verdict: &mut Verdict) {
    for (id, want) in &acked.tickets {
        let said = format!("#{id} {:?} acknowledged at version {}", want.title, want.version);
        // A write under way (or abandoned) may already have moved the ticket on.
        let settled = mode == Mode::Final && !acked.pending.contains(id);
        match view.tickets.get(id) {
            None => verdict.lost.push((*id, format!("{said}: not in the database"))),
            Some(seen) if seen.version < want.version => verdict
                .lost
                .push((*id, format!("{said}: the database has version {}: {seen:?}", seen.version))),
            Some(seen) if seen != want && (seen.version == want.version || settled) => {
                verdict.lost.push((*id, format!("{said}: acknowledged {want:?}, the database has {seen:?}")))
            }
            Some(_) => {}
        }
    }
    for (key, &times) in &acked.events {
        let seen = view.events.get(key).copied().unwrap_or(0);
        if seen < times {
            let (id, field, value) = key;
            verdict.lost.push((
                *id,
                format!(
                    "#{id}: history event {field} = {value:?} acknowledged {times}×, the database has {seen}"
                ),
            ));
        }
    }
    if !acked.pending.is_empty() && mode == Mode::Final {
        verdict.problems.push(format!("writes never resolved, to tickets {:?}", acked.pending));
    }
    if mode == Mode::Final {
        let unknown: Vec<_> = view.tickets.keys().filter(|id| !acked.tickets.contains_key(id)).collect();
        if !unknown.is_empty() {
            verdict.problems.push(format!("tickets nobody acknowledged or resolved: {unknown:?}"));
        }
    }
    if !view.counts_off.is_empty() {
        verdict.problems.push(format!("ticket_counts disagree with the table: {:?}", view.counts_off));
    }
    if view.integrity != "ok" {
        verdict.problems.push(format!("integrity_check: {}", view.integrity));
    }
}

/// After a kill: whether the write that would leave `want` committed, whole.
/// `before` is the ticket as last known (`None` for a new ticket, found by its
/// unique title). Anything but "as before" or "exactly as wanted" is an error.
pub fn committed(
    site: &Site,
    before: Option<&TicketState>,
    want: &TicketState,
) -> Result<Option<TicketState>, String> {
    let condition = match before {
        None => format!("title = {}", super::site::quote(&want.title)),
        Some(before) => format!("id = {}", before.id),
    };
    let found = tickets_where(site, &condition)?;
    match (before, found.as_slice()) {
        (None, []) => Ok(None),
        (None, [now]) if *now == TicketState { id: now.id, ..want.clone() } => Ok(Some(now.clone())),
        (Some(before), [now]) if now == before => Ok(None),
        (Some(_), [now]) if now == want => Ok(Some(now.clone())),
        _ => Err(format!("a killed write of {want:?} (before: {before:?}) left {found:?}")),
    }
}
