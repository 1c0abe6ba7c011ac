//! Nothing acknowledged is lost while a team works one desk: full-screen
//! desks, scripts, readers and reports opening and closing the file, and
//! processes killed with `kill -9`.

mod torture;

use std::time::Duration;
use torture::actors::{backup, screen_ticket};
use torture::cli::Writer;
use torture::ledger::{Change, Ledger, TicketState, Via};
use torture::screen::Screen;
use torture::site::Site;
use torture::verify::{self, Mode};

/// Two agents at full-screen desks on one file while others add tickets,
/// list, back up and run a report in `sqlite3` between their saves: every
/// `Saved #N` is in the file at once, for any process that opens it, and is
/// still there after both screens quit.
#[test]
fn every_ticket_a_screen_saves_reaches_a_fresh_reader_while_others_open_and_close_the_desk() {
    let site = Site::new();
    let ledger = Ledger::default();
    let mut rng = fastrand::Rng::with_seed(7);
    let mut screens = [Screen::open(&site, "s0").unwrap(), Screen::open(&site, "s1").unwrap()];
    let mut script = Writer::new(&site, &ledger, 0, 7, 0.0);
    for round in 1..=3 {
        for screen in &mut screens {
            let ticket = screen_ticket(&mut rng, &screen.name, round);
            let (id, latency) = screen.save(&ticket).unwrap();
            ledger.ack(Via::Screen, &Change::created(TicketState { id, ..ticket }), latency);
            let verdict = verify::checkpoint(&site, &ledger.snapshot(), Mode::During);
            assert!(
                verdict.passed(),
                "after {} showed Saved #{id} (round {round}): {verdict:#?}",
                screen.name
            );

            // Other agents open and close the desk before the next save.
            script.add().unwrap();
            site.run(&["list", "--limit", "5"]).unwrap();
            backup(&site, round).unwrap();
            site.sqlite3("SELECT category, count(*) FROM tickets GROUP BY category;").unwrap();
        }
    }
    for screen in screens {
        screen.quit().unwrap();
    }
    let verdict = verify::checkpoint(&site, &ledger.snapshot(), Mode::Final);
    assert!(verdict.passed(), "after both screens quit: {verdict:#?}");
    assert_eq!(ledger.tally().acked_screen, 6);
}

/// What the other tests stand on: a checkpoint sees an acknowledged ticket
/// that is gone, a value changed behind the ledger's back, and running totals
/// that no longer match the table.
#[test]
fn a_checkpoint_notices_a_lost_ticket_a_changed_value_and_drifted_totals() {
    let site = Site::new();
    let ledger = Ledger::default();
    let mut script = Writer::new(&site, &ledger, 0, 1, 0.0);
    let (kept, gone) = (script.add().unwrap(), script.add().unwrap());
    let verdict = verify::checkpoint(&site, &ledger.snapshot(), Mode::Final);
    assert!(verdict.passed(), "{verdict:#?}");

    site.sqlite3(&format!(
        "DELETE FROM tickets WHERE id = {}; UPDATE tickets SET title = 'changed behind its back' WHERE id = {};
         UPDATE ticket_counts SET n = n + 1 WHERE category = 'general' AND priority = 'low' AND status = 'closed';",
        gone.id, kept.id
    ))
    .unwrap();
    let verdict = verify::checkpoint(&site, &ledger.snapshot(), Mode::Final);
    let said = |id: i64, what: &str| verdict.lost.iter().any(|(lost, l)| *lost == id && l.contains(what));
    assert!(said(gone.id, "not in the database"), "{verdict:#?}");
    assert!(said(kept.id, "changed behind its back"), "{verdict:#?}");
    assert!(verdict.problems.iter().any(|p| p.contains("ticket_counts disagree")), "{verdict:#?}");
}

/// The whole team for about 50 s, with kills: CLI writers, two screens (one
/// killed mid-work and replaced), readers, backups, checks and an import.
/// Its own test binary keeps other suites off the cores while it runs
/// (under nextest, its own group); `TORTURE_SEED` replays a run.
#[test]
fn torture_a_team_at_work_with_kills_loses_no_acknowledged_write() {
    let config = torture::Config {
        work: Duration::from_secs(50),
        seed: torture::Config::seed_from_env(),
        writers: 3,
        screens: 2,
        checkpoint_every: Duration::from_secs(9),
        kill_chance: 0.1,
    };
    let summary = torture::run(&config);
    eprintln!("{summary}");
    assert!(summary.passed(), "{summary}");
    let tally = &summary.tally;
    assert!(tally.kills_cli >= 1, "no kill of a CLI writer landed:\n{summary}");
    assert_eq!(tally.kills_screen, 1, "the screen kill did not land:\n{summary}");
    assert!(summary.checkpoints >= 5, "too few checkpoints:\n{summary}");
    assert!(tally.acked_screen >= 10 && tally.acked_cli >= 100, "too little work done:\n{summary}");
    assert_eq!(tally.imported_rows, 300, "the import did not run:\n{summary}");
}
