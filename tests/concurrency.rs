//! Many agents at once, and writers killed at any moment: nothing fails,
//! nothing is lost, nothing is half-applied.

mod common;

use common::{Desk, jsonl};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn bin() -> std::path::PathBuf {
    assert_cmd::cargo::cargo_bin("ticketdesk")
}

fn count(desk: &Desk, sql: &str) -> i64 {
    desk.scalar(sql)
}

fn check_ok(desk: &Desk) {
    let out = desk.cmd().args(["db", "check"]).output().unwrap();
    assert!(
        out.status.success(),
        "db check: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// 16 processes at once, each 100 writes: 25 adds, then a status change, an
/// assignment and a note on each of its tickets.
fn sixteen_processes_writing_at_once_lose_nothing(desk: &Desk) {
    const AGENTS: usize = 16;
    const ADDS: usize = 25;
    desk.ok(&["stats"]); // create the desk once, as the host's set-up would
    let db = desk.location.clone();
    let started = Instant::now();
    let workers: Vec<_> = (0..AGENTS)
        .map(|agent| {
            let db = db.clone();
            std::thread::spawn(move || {
                let run = |args: &[&str]| -> (bool, Duration, String) {
                    let begun = Instant::now();
                    let out = Command::new(bin()).arg("--db").arg(&db).args(args).output().unwrap();
                    (out.status.success(), begun.elapsed(), String::from_utf8_lossy(&out.stderr).into_owned())
                };
                let mut failures = Vec::new();
                let mut latencies = Vec::new();
                let mut ids = Vec::new();
                for n in 0..ADDS {
                    let title = format!("agent {agent} ticket {n}");
                    let begun = Instant::now();
                    let out = Command::new(bin())
                        .arg("--db")
                        .arg(&db)
                        .args([
                            "add",
                            "--title",
                            &title,
                            "--description",
                            "d",
                            "--category",
                            "billing",
                            "--priority",
                            "low",
                            "--json",
                        ])
                        .output()
                        .unwrap();
                    latencies.push(begun.elapsed());
                    if out.status.success() {
                        let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
                        ids.push(v["id"].as_i64().unwrap().to_string());
                    } else {
                        failures.push(String::from_utf8_lossy(&out.stderr).into_owned());
                    }
                }
                let owner = format!("agent{agent}");
                for id in &ids {
                    for args in [
                        vec!["status", id.as_str(), "in_progress"],
                        vec!["assign", id.as_str(), owner.as_str()],
                        vec!["note", id.as_str(), "looked at it"],
                    ] {
                        let (ok, took, stderr) = run(&args);
                        latencies.push(took);
                        if !ok {
                            failures.push(stderr);
                        }
                    }
                }
                (failures, latencies)
            })
        })
        .collect();
    let mut failures = Vec::new();
    let mut latencies = Vec::new();
    for worker in workers {
        let (f, l) = worker.join().unwrap();
        failures.extend(f);
        latencies.extend(l);
    }
    let elapsed = started.elapsed();
    assert!(failures.is_empty(), "{} writes failed, first: {}", failures.len(), failures[0]);
    let writes = AGENTS * ADDS * 4;
    assert_eq!(latencies.len(), writes);
    let tickets = (AGENTS * ADDS) as i64;
    assert_eq!(count(desk, "SELECT count(*) FROM tickets"), tickets);
    assert_eq!(
        count(
            desk,
            "SELECT count(*) FROM tickets WHERE status = 'in_progress' AND assignee LIKE 'agent%' AND version = 3"
        ),
        tickets
    );
    assert_eq!(count(desk, "SELECT count(*) FROM ticket_events"), tickets * 6);
    assert_eq!(count(desk, "SELECT count(*) FROM ticket_events WHERE field = 'note'"), tickets);
    check_ok(desk);
    latencies.sort();
    eprintln!(
        "{writes} writes by {AGENTS} processes in {:.1}s ({:.0}/s); per command p50 {:?} p99 {:?} max {:?}",
        elapsed.as_secs_f64(),
        writes as f64 / elapsed.as_secs_f64(),
        latencies[latencies.len() / 2],
        latencies[latencies.len() * 99 / 100],
        latencies[latencies.len() - 1]
    );
}

/// Starts an import of `file` and lets it run for `running` before returning.
fn import_for(desk: &Desk, file: &std::path::Path, running: Duration) -> std::process::Child {
    let child = Command::new(bin())
        .arg("--db")
        .arg(&desk.db)
        .args(["import", file.to_str().unwrap()])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    // The point of the tests is an arbitrary moment, so a timer picks it.
    std::thread::sleep(running);
    child
}

/// Whether a write transaction is open on the desk at this instant: a
/// connection of our own cannot take the write lock without waiting.
fn write_lock_held(desk: &Desk) -> bool {
    let probe = desk.conn();
    probe.busy_timeout(Duration::ZERO).unwrap();
    match probe.execute_batch("BEGIN IMMEDIATE") {
        Ok(()) => {
            probe.execute_batch("ROLLBACK").unwrap();
            false
        }
        Err(e) if e.sqlite_error_code() == Some(rusqlite::ErrorCode::DatabaseBusy) => true,
        Err(e) => panic!("probing the write lock: {e}"),
    }
}

/// Polls `seen` until it holds, or panics once the import has ended or 30 s
/// have passed: the moment to kill is a state, not a guess.
fn wait_until(child: &mut std::process::Child, what: &str, mut seen: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while !seen() {
        assert!(child.try_wait().unwrap().is_none(), "the import ended before {what}");
        assert!(Instant::now() < deadline, "never saw {what}");
        std::thread::sleep(Duration::from_millis(2));
    }
}

/// Kills an import at different moments: each time the database passes its
/// checks and holds either none or all of the file. A kill only tests the
/// rollback if it lands inside the import's transaction, so each round notes
/// whether the import held the desk's write lock (from `BEGIN IMMEDIATE` to
/// `COMMIT`) when it was killed, and the last round waits for that state
/// before killing: at least one round must have rolled back a transaction.
#[test]
fn kill_9_during_an_import_leaves_all_or_nothing() {
    const ROWS: i64 = 20_000;
    let desk = Desk::new();
    desk.add("before", "d", "general", "low");
    let lines: Vec<String> = (0..ROWS)
        .map(|i| jsonl(&format!("row {i}"), &format!("imported description {i}"), "technical", "medium"))
        .collect();
    let file = desk.write_file("big.jsonl", &lines.join("\n"));
    let mut expected = 1;
    let mut rolled_back = 0;
    for delay_ms in [Some(30u64), Some(120), Some(250), Some(400), Some(700), None] {
        let mut child = import_for(&desk, &file, Duration::from_millis(delay_ms.unwrap_or(0)));
        if delay_ms.is_none() {
            wait_until(&mut child, "the import holding the write lock", || write_lock_held(&desk));
        }
        let mid_transaction = write_lock_held(&desk);
        let finished = child.try_wait().unwrap().is_some();
        child.kill().ok();
        let status = child.wait().unwrap();
        let total = count(&desk, "SELECT count(*) FROM tickets");
        assert!(total == expected || total == expected + ROWS, "after {delay_ms:?} ms: {total} tickets");
        if total == expected + ROWS {
            expected = total;
        } else {
            assert!(!finished || !status.success(), "an import that finished well left nothing");
            rolled_back += usize::from(mid_transaction);
        }
        check_ok(&desk);
        assert_eq!(count(&desk, "SELECT count(*) FROM ticket_events WHERE field = 'created'"), expected);
        let indexed = count(&desk, "SELECT count(*) FROM tickets_fts WHERE tickets_fts MATCH 'imported'");
        assert_eq!(indexed, expected - 1, "the search index holds exactly the committed rows");
    }
    assert!(rolled_back >= 1, "no kill landed inside an import's transaction");
}

/// An import into an empty desk writes through a rollback journal. Killed at
/// any moment, the next open rolls the journal back and the desk is empty,
/// checked and in WAL again; or the import had committed, whole. The journal
/// exists only while the import's transaction has written pages (it is
/// deleted at commit), so a journal left behind by the kill is the proof
/// that the kill landed mid-transaction; the last round waits for it, and at
/// least one round must have rolled such a journal back.
#[test]
fn kill_9_during_an_import_into_an_empty_desk_leaves_all_or_nothing() {
    const ROWS: i64 = 20_000;
    let lines: Vec<String> = (0..ROWS)
        .map(|i| jsonl(&format!("row {i}"), &format!("imported description {i}"), "technical", "medium"))
        .collect();
    let mut rolled_back = 0;
    for delay_ms in [Some(30u64), Some(120), Some(250), Some(400), None] {
        let desk = Desk::new();
        desk.ok(&["stats"]);
        let file = desk.write_file("big.jsonl", &lines.join("\n"));
        let journal = desk.dir.path().join("tickets.db-journal");
        let hot_journal = || std::fs::metadata(&journal).is_ok_and(|m| m.len() > 0);
        let mut child = import_for(&desk, &file, Duration::from_millis(delay_ms.unwrap_or(0)));
        if delay_ms.is_none() {
            wait_until(&mut child, "the import's journal", hot_journal);
        }
        child.kill().ok();
        child.wait().unwrap();
        let killed_mid_transaction = hot_journal();
        // Our own open is the first to meet whatever the kill left behind.
        check_ok(&desk);
        let mode: String = desk.conn().pragma_query_value(None, "journal_mode", |r| r.get(0)).unwrap();
        assert_eq!(mode, "wal", "after {delay_ms:?} ms");
        let total = count(&desk, "SELECT count(*) FROM tickets");
        assert!(total == 0 || total == ROWS, "after {delay_ms:?} ms: {total} tickets");
        if killed_mid_transaction {
            assert_eq!(total, 0, "a journal left by the kill is rolled back");
            assert!(!journal.exists(), "and gone once it is");
            rolled_back += 1;
        }
        assert_eq!(count(&desk, "SELECT coalesce(sum(n), 0) FROM ticket_counts"), total);
        assert_eq!(count(&desk, "SELECT count(*) FROM ticket_events WHERE field = 'created'"), total);
        let indexed = count(&desk, "SELECT count(*) FROM tickets_fts WHERE tickets_fts MATCH 'imported'");
        assert_eq!(indexed, total, "the search index holds exactly the committed rows");
    }
    assert!(rolled_back >= 1, "no kill landed inside an import's transaction");
}

/// Kills writers in the middle of bursts: every ticket that exists was
/// written whole, with its history; nothing else.
#[test]
fn kill_9_during_bursts_of_writes_leaves_no_half_changes() {
    let desk = Desk::new();
    desk.ok(&["stats"]);
    for round in 0..4u64 {
        let children: Vec<_> = (0..8)
            .map(|i| {
                Command::new("sh")
                    .arg("-c")
                    .arg(format!(
                        "for n in $(seq 1 40); do '{}' --db '{}' add --title \"burst {round}-{i}-$n\" --description d --category account --priority high >/dev/null 2>&1 || exit 1; done",
                        bin().display(),
                        desk.db.display()
                    ))
                    .stdout(Stdio::null())
                    .stderr(Stdio::null())
                    .spawn()
                    .unwrap()
            })
            .collect();
        std::thread::sleep(Duration::from_millis(150 + 100 * round));
        // Stop the loops first (so nothing new starts), then kill -9 every
        // writer still running, wherever it is in its write.
        for mut child in children {
            child.kill().ok();
            child.wait().ok();
        }
        let pattern = format!("{} add --title burst", desk.db.display());
        let _ = Command::new("pkill").args(["-9", "-f", "--", &pattern]).status();
        let deadline = Instant::now() + Duration::from_secs(10);
        while common::tool("pgrep")
            .args(["-f", "--", &pattern])
            .stdout(Stdio::null())
            .status()
            .unwrap()
            .success()
        {
            assert!(Instant::now() < deadline, "writers survived kill -9");
            std::thread::sleep(Duration::from_millis(20));
        }
        check_ok(&desk);
        let tickets = count(&desk, "SELECT count(*) FROM tickets");
        assert_eq!(count(&desk, "SELECT count(*) FROM ticket_events WHERE field = 'created'"), tickets);
        assert_eq!(count(&desk, "SELECT count(*) FROM ticket_events"), tickets * 3, "each add is whole");
        assert_eq!(desk.json(&["stats"])["total_tickets"], tickets);
    }
    assert!(count(&desk, "SELECT count(*) FROM tickets") > 0, "some writes got through");
}

on_each_engine!(sixteen_processes_writing_at_once_lose_nothing);
