//! The rest of the team: agents at full-screen desks, readers that open and
//! close the file, and the upkeep (backups, checks, one import).

use std::time::{Duration, Instant};

use super::common::jsonl;
use super::ledger::{Change, Ledger, TicketState, Via};
use super::make::{self, CATEGORIES, PRIORITIES, STATUSES};
use super::screen::Screen;
use super::site::{Clock, Site};
use super::verify;

/// A ticket as a screen agent types it (the id comes with `Saved #N`).
pub fn screen_ticket(rng: &mut fastrand::Rng, name: &str, n: usize) -> TicketState {
    TicketState {
        id: 0,
        title: format!("{} {}", make::token(name, n), make::phrase(rng, 3)),
        description: make::phrase(rng, 10),
        category: CATEGORIES[rng.usize(..4)].to_owned(),
        priority: PRIORITIES[rng.usize(..4)].to_owned(),
        status: "open".to_owned(),
        assignee: None,
        version: 1,
    }
}

/// A screen agent: saves tickets and changes the status of its own. At
/// `kill_at` its program is killed with SIGKILL in the middle of something
/// and a fresh screen takes its place.
pub fn screen_work(
    site: &Site,
    ledger: &Ledger,
    name: &str,
    seed: u64,
    clock: &Clock,
    mut kill_at: Option<Instant>,
) -> Result<(), String> {
    let mut rng = fastrand::Rng::with_seed(seed);
    let mut screen = Screen::open(site, name)?;
    let mut owned: Vec<TicketState> = Vec::new();
    let mut made = 0;
    while clock.running() {
        let kill = kill_at.is_some_and(|at| Instant::now() >= at);
        if owned.is_empty() || rng.bool() {
            made += 1;
            let ticket = screen_ticket(&mut rng, name, made);
            if kill {
                kill_at = None;
                let found = kill_while_saving(site, &mut screen, ledger, &ticket, &mut rng)?;
                owned.extend(found);
                continue;
            }
            let (id, latency) = screen.save(&ticket)?;
            let saved = TicketState { id, ..ticket };
            ledger.ack(Via::Screen, &Change::created(saved.clone()), latency);
            owned.push(saved);
        } else {
            let at = rng.usize(..owned.len());
            let to = make::other(&mut rng, &STATUSES, &owned[at].status);
            let want =
                TicketState { status: to.to_owned(), version: owned[at].version + 1, ..owned[at].clone() };
            let change = Change {
                ticket_id: want.id,
                ticket: Some(want.clone()),
                events: vec![("status", to.into())],
            };
            ledger.begin(want.id);
            if kill {
                kill_at = None;
                screen.pick_status(&owned[at], to)?;
                screen.keys(&["Enter"]);
                kill_and_restart(&mut screen, ledger, &mut rng)?;
                let found = verify::committed(site, Some(&owned[at]), &want)?;
                ledger.resolve(Some(want.id), found.is_some().then_some(&change));
                owned[at] = found.unwrap_or_else(|| owned[at].clone());
                continue;
            }
            let latency = screen.set_status(&owned[at], to)?;
            ledger.ack(Via::Screen, &change, latency);
            owned[at] = want;
        }
    }
    screen.quit()
}

/// Kills the screen halfway through typing a ticket or just after Ctrl-S;
/// the ticket when the save turns out to have committed.
fn kill_while_saving(
    site: &Site,
    screen: &mut Screen,
    ledger: &Ledger,
    ticket: &TicketState,
    rng: &mut fastrand::Rng,
) -> Result<Option<TicketState>, String> {
    if rng.bool() {
        screen.start_typing(ticket)?;
        kill_and_restart(screen, ledger, rng)?;
        return Ok(None);
    }
    screen.fill(ticket)?;
    screen.keys(&["C-s"]);
    kill_and_restart(screen, ledger, rng)?;
    let found = verify::committed(site, None, ticket)?;
    ledger.resolve(None, found.clone().map(Change::created).as_ref());
    Ok(found)
}

/// Kills the screen's program at a random moment soon after the last key
/// and starts a fresh one in its place.
fn kill_and_restart(screen: &mut Screen, ledger: &Ledger, rng: &mut fastrand::Rng) -> Result<(), String> {
    // An arbitrary moment of the write's life: a timer picks it.
    std::thread::sleep(Duration::from_millis(rng.u64(0..=40)));
    let landed = screen.kill()?;
    ledger.killed(Via::Screen, landed);
    if !landed {
        return Err(format!("{}: kill -9 did not end a running program", screen.name));
    }
    screen.restart()
}

/// Readers that open and close the desk: the CLI's list, stats and history,
/// and a report in the stock `sqlite3` shell. Every one must succeed.
pub fn read_work(site: &Site, ledger: &Ledger, seed: u64, clock: &Clock) -> Result<usize, String> {
    let mut rng = fastrand::Rng::with_seed(seed);
    let mut reads = 0;
    while clock.running() {
        // Ticket-specific reads only once some ticket is acknowledged.
        let some = ledger.any_ticket(&mut rng);
        match (rng.u8(..5), some) {
            (0, Some(ticket)) => find_by_search(site, &ticket),
            (1, Some(ticket)) => site.run(&["history", &ticket.id.to_string()]).map(drop),
            (2, _) => site.run(&["stats", "--json"]).map(drop),
            (3, _) => site.sqlite3("SELECT status, count(*) FROM tickets GROUP BY status;").map(drop),
            _ => site.run(&["list", "--limit", "20"]).map(drop),
        }?;
        reads += 1;
        // Readers come and go at a human pace, leaving the two cores to the writers.
        std::thread::sleep(Duration::from_millis(rng.u64(20..=80)));
    }
    Ok(reads)
}

/// `list --search` with a ticket's unique first word must find it (titles
/// keep that word through every edit).
fn find_by_search(site: &Site, ticket: &TicketState) -> Result<(), String> {
    let token = ticket.title.split(' ').next().unwrap_or_default();
    let found = site.run(&["list", "--search", token, "--json"])?;
    let found: Vec<TicketState> = serde_json::from_str(&found).map_err(|e| format!("list --json: {e}"))?;
    match found.as_slice() {
        [one] if one.id == ticket.id => Ok(()),
        _ => Err(format!("searching {token:?} found {found:?}, not #{} alone", ticket.id)),
    }
}

/// Backups and checks in turn, and one import at `import_at`.
pub fn upkeep_work(
    site: &Site,
    ledger: &Ledger,
    seed: u64,
    clock: &Clock,
    import_at: Instant,
) -> Result<(), String> {
    let mut rng = fastrand::Rng::with_seed(seed);
    let mut imported = false;
    let mut round = 0;
    while clock.running() {
        if !imported && Instant::now() >= import_at {
            import(site, ledger, 300, &mut rng)?;
            imported = true;
        }
        round += 1;
        if round % 2 == 0 {
            backup(site, round)?;
        } else {
            site.run(&["db", "check"]).map_err(|e| format!("db check failed mid-run: {e}"))?;
        }
        std::thread::sleep(Duration::from_millis(rng.u64(300..=700)));
    }
    Ok(())
}

/// `db backup` while others write; the copy must pass SQLite's integrity check.
pub fn backup(site: &Site, n: usize) -> Result<(), String> {
    let file = site.path(&format!("backup-{n}.db"));
    site.run(&["db", "backup", file.to_str().expect("utf-8 path")])?;
    let verdict = site.sqlite3_on(&file, "PRAGMA integrity_check;")?;
    std::fs::remove_file(&file).map_err(|e| format!("cannot remove {}: {e}", file.display()))?;
    match verdict.trim() {
        "ok" => Ok(()),
        other => Err(format!("backup {n} is damaged: {other}")),
    }
}

/// Imports `rows` tickets from a JSONL file; once it exits 0 every row is
/// acknowledged, each found by its unique title.
pub fn import(site: &Site, ledger: &Ledger, rows: usize, rng: &mut fastrand::Rng) -> Result<(), String> {
    let tickets: Vec<TicketState> = (1..=rows)
        .map(|n| TicketState {
            id: 0,
            title: format!("{} {}", make::token("imp", n), make::text(rng, 4)),
            description: make::text(rng, 15),
            category: CATEGORIES[rng.usize(..4)].to_owned(),
            priority: PRIORITIES[rng.usize(..4)].to_owned(),
            status: "open".to_owned(),
            assignee: None,
            version: 1,
        })
        .collect();
    let lines: Vec<String> =
        tickets.iter().map(|t| jsonl(&t.title, &t.description, &t.category, &t.priority)).collect();
    let file = site.desk.write_file("import.jsonl", &(lines.join("\n") + "\n"));
    let started = Instant::now();
    site.run(&["import", file.to_str().expect("utf-8 path")])?;
    let latency = started.elapsed();
    let found = verify::tickets_where(site, "title GLOB 'impt*z *'")?;
    if found.len() != rows {
        return Err(format!("the import exited 0 but {} of {rows} rows are in the desk", found.len()));
    }
    let ids: std::collections::HashMap<_, _> = found.iter().map(|t| (t.title.as_str(), t.id)).collect();
    let mut changes = Vec::new();
    for ticket in tickets {
        let id =
            *ids.get(ticket.title.as_str()).ok_or_else(|| format!("imported {:?} missing", ticket.title))?;
        changes.push(Change::imported(TicketState { id, ..ticket }));
    }
    ledger.ack_all(Via::Cli, &changes, latency);
    ledger.imported(rows);
    Ok(())
}
