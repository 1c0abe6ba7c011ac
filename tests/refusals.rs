//! A refused file, a refused import and a read-only command leave the file
//! and its folder exactly as they were: no journal-mode switch, no `-wal` or
//! `-shm` left behind, no folders made, no bytes changed.

mod common;

use common::Desk;
use std::collections::BTreeMap;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Every file in the folder with its bytes: equal snapshots mean nothing
/// was written, created or removed.
fn snapshot(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.is_file())
        .map(|path| (path.file_name().unwrap().to_string_lossy().into_owned(), std::fs::read(&path).unwrap()))
        .collect()
}

fn names(snapshot: &BTreeMap<String, Vec<u8>>) -> Vec<&str> {
    snapshot.keys().map(String::as_str).collect()
}

/// A closed desk with a few tickets (no `-wal` or `-shm` beside it).
fn closed_desk() -> Desk {
    let desk = Desk::new();
    desk.add("Refund please", "charged twice", "billing", "high");
    desk.add("Login loop", "cannot sign in", "account", "low");
    assert_eq!(names(&snapshot(desk.dir.path())), ["tickets.db"]);
    desk
}

#[test]
fn read_only_commands_on_an_up_to_date_desk_write_nothing() {
    let desk = closed_desk();
    let before = snapshot(desk.dir.path());
    for args in [
        &["list"][..],
        &["list", "--search", "refund", "--json"],
        &["show", "1"],
        &["stats", "--json"],
        &["history", "1"],
        &["db", "check"],
        &["db", "path"],
        &["export"],
        &["classify", "--show-request", "my card was charged twice"],
    ] {
        desk.ok(args);
        assert!(snapshot(desk.dir.path()) == before, "ticketdesk {args:?} changed the folder");
    }
}

#[test]
fn a_desk_from_a_newer_version_is_refused_untouched() {
    let desk = closed_desk();
    {
        let conn = desk.conn();
        conn.execute(
            "INSERT INTO refinery_schema_history (version, name, applied_on, checksum) VALUES (99, 'future', '', '0')",
            [],
        )
        .unwrap();
        // Leave the file in rollback-journal mode, as a newer build might.
        conn.pragma_update(None, "journal_mode", "DELETE").unwrap();
    }
    let before = snapshot(desk.dir.path());
    let stderr = desk.fails(&["list"], 1);
    assert!(stderr.contains("newer ticketdesk"), "{stderr}");
    assert!(snapshot(desk.dir.path()) == before, "the refused file was changed");
}

#[test]
fn a_truncated_desk_is_refused_and_nothing_is_left_beside_it() {
    let desk = closed_desk();
    let rows: Vec<String> = (0..400)
        .map(|i| common::jsonl(&format!("ticket {i}"), &"words ".repeat(40), "general", "low"))
        .collect();
    let file = desk.write_file("rows.jsonl", &rows.join("\n"));
    desk.ok(&["import", file.to_str().unwrap()]);
    std::fs::remove_file(&file).unwrap();
    let bytes = std::fs::read(&desk.db).unwrap();
    std::fs::write(&desk.db, &bytes[..bytes.len() / 2]).unwrap();
    let before = snapshot(desk.dir.path());
    let stderr = desk.fails(&["list"], 1);
    assert!(stderr.contains("cut short"), "{stderr}");
    assert!(snapshot(desk.dir.path()) == before, "{:?}", names(&snapshot(desk.dir.path())));
}

#[test]
fn another_programs_wal_database_is_refused_with_no_log_left_behind() {
    let desk = Desk::new();
    let out = common::tool("sqlite3")
        .arg(&desk.db)
        .arg("PRAGMA journal_mode = WAL; CREATE TABLE photos (id INTEGER PRIMARY KEY); INSERT INTO photos DEFAULT VALUES;")
        .output()
        .unwrap();
    assert!(out.status.success());
    let before = snapshot(desk.dir.path());
    assert_eq!(names(&before), ["tickets.db"]);
    let stderr = desk.fails(&["list"], 1);
    assert!(stderr.contains("not a ticketdesk database"), "{stderr}");
    assert!(snapshot(desk.dir.path()) == before, "{:?}", names(&snapshot(desk.dir.path())));
}

#[test]
fn a_mistyped_path_makes_no_folders() {
    let desk = Desk::new();
    let typo = desk.dir.path().join("suport").join("tickets.db");
    let out = Command::new(assert_cmd::cargo::cargo_bin!("ticketdesk"))
        .env("HOME", desk.dir.path())
        .arg("--db")
        .arg(&typo)
        .arg("list")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(!desk.dir.path().join("suport").exists(), "a folder was made for a mistyped path");
}

#[test]
fn a_named_pipe_is_refused_at_once() {
    let desk = Desk::new();
    let fifo = desk.dir.path().join("pipe.db");
    assert!(Command::new("mkfifo").arg(&fifo).status().unwrap().success());
    let mut child = Command::new(assert_cmd::cargo::cargo_bin!("ticketdesk"))
        .env("HOME", desk.dir.path())
        .arg("--db")
        .arg(&fifo)
        .arg("list")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if Instant::now() > deadline {
            child.kill().unwrap();
            panic!("ticketdesk waited on a named pipe");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    assert_eq!(status.code(), Some(1));
    let mut stderr = String::new();
    std::io::Read::read_to_string(child.stderr.as_mut().unwrap(), &mut stderr).unwrap();
    assert!(stderr.contains("is a named pipe, not a database file"), "{stderr}");
}

#[test]
fn an_import_with_no_rows_or_a_bad_first_row_creates_nothing() {
    let desk = Desk::new();
    let header_only = desk.write_file("empty.csv", "title,description,category,priority\n");
    let bad_first = desk.write_file("bad.jsonl", "{\"title\": \"\"}\n");
    let before = snapshot(desk.dir.path());
    assert!(desk.cmd().args(["import", header_only.to_str().unwrap()]).output().unwrap().status.success());
    desk.fails(&["import", bad_first.to_str().unwrap()], 1);
    assert!(snapshot(desk.dir.path()) == before, "{:?}", names(&snapshot(desk.dir.path())));
    assert!(!desk.db.exists());
}

/// The file with SQLite's change counter and its copy (header bytes 24–27
/// and 92–95) blanked out.
fn without_change_counter(mut bytes: Vec<u8>) -> Vec<u8> {
    bytes[24..28].fill(0);
    bytes[92..96].fill(0);
    bytes
}

#[test]
fn a_rejected_import_leaves_the_desk_byte_for_byte() {
    for tickets in [0, 2] {
        let desk = Desk::new();
        desk.ok(&["list"]);
        for i in 0..tickets {
            desk.add(&format!("kept {i}"), "d", "billing", "low");
        }
        let mut rows: Vec<String> =
            (0..300).map(|i| common::jsonl(&format!("new {i}"), "d", "general", "low")).collect();
        rows.push(common::jsonl("bad", "d", "general", "urgent"));
        let file = desk.write_file("rows.jsonl", &rows.join("\n"));
        let before = snapshot(desk.dir.path());
        let stderr = desk.fails(&["import", file.to_str().unwrap()], 1);
        assert!(stderr.contains("line 301"), "{stderr}");
        let after = snapshot(desk.dir.path());
        if tickets > 0 {
            assert!(after == before, "a desk with {tickets} tickets was written to");
        } else {
            // An empty desk nobody has open loads through a rollback journal:
            // leaving WAL and coming back moves SQLite's change counter, and
            // nothing else.
            assert_eq!(names(&after), names(&before));
            let [was, now] = [&before, &after].map(|s| without_change_counter(s["tickets.db"].clone()));
            assert!(was == now, "an empty desk was written to");
        }
    }
}
