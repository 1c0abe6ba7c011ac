//! One database, many agents: versions, conflicts, assignment, notes,
//! history and the operations commands, through the real binary.

mod common;

use common::Desk;
use serde_json::Value;

fn me() -> String {
    ticketdesk::actor::current()
}

fn every_change_bumps_the_version_once(desk: &Desk) {
    let id = desk.add("Printer", "jammed", "technical", "low").to_string();
    assert_eq!(desk.json(&["show", &id])["version"], 1);
    assert_eq!(desk.json(&["show", &id])["assignee"], Value::Null);
    assert_eq!(desk.json(&["status", &id, "in_progress"])["version"], 2);
    let edited = desk.json(&["edit", &id, "--title", "Printer on fire", "--priority", "critical"]);
    assert_eq!(edited["version"], 3, "two fields, one change");
    // A change to the same value is no change.
    assert_eq!(desk.json(&["status", &id, "in_progress"])["version"], 3);
    // A reporting tool's raw UPDATE is counted too.
    desk.execute(&format!("UPDATE tickets SET status = 'closed' WHERE id = {id}"));
    assert_eq!(desk.json(&["show", &id])["version"], 4);
}

fn two_stale_writers_one_wins_and_the_other_is_told(desk: &Desk) {
    let id = desk.add("Refund", "charged twice", "billing", "high").to_string();
    let seen = desk.json(&["show", &id])["version"].as_i64().unwrap().to_string();
    let first = desk.json(&["status", &id, "resolved", "--if-version", &seen]);
    assert_eq!(first["status"], "resolved");
    let before = desk.dump();
    let stderr = desk.fails(&["status", &id, "closed", "--if-version", &seen], 1);
    assert!(stderr.contains(&format!("#{id} was changed by {}", me())), "{stderr}");
    assert!(stderr.contains("s ago"), "{stderr}");
    assert_eq!(desk.dump(), before, "the stale write changed nothing");
    assert_eq!(desk.json(&["show", &id])["status"], "resolved");
    // Without --if-version a one-shot command reads and writes in one transaction.
    assert_eq!(desk.json(&["status", &id, "closed"])["status"], "closed");
    desk.fails(&["assign", &id, "bob", "--if-version", &seen], 1);
    desk.fails(&["edit", &id, "--title", "x", "--if-version", &seen], 1);
}

fn assignment_take_and_the_assignee_filter(desk: &Desk) {
    let a = desk.add("A", "d", "billing", "low").to_string();
    let b = desk.add("B", "d", "billing", "low").to_string();
    desk.add("C", "d", "billing", "low");
    assert_eq!(desk.json(&["assign", &a, "bob"])["assignee"], "bob");
    assert_eq!(desk.json(&["take", &b])["assignee"], me());
    let titles = |who: &str| -> Vec<String> {
        desk.json(&["list", "--assignee", who])
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["title"].as_str().unwrap().to_owned())
            .collect()
    };
    assert_eq!(titles("bob"), ["A"]);
    assert_eq!(titles("me"), ["B"]);
    assert_eq!(titles("none"), ["C"]);
    assert_eq!(desk.json(&["assign", &a, "--none"])["assignee"], Value::Null);
    assert_eq!(titles("none"), ["C", "A"]);
    let rows = desk.ok(&["list", "--header"]);
    assert!(rows.starts_with("id\tstatus\tpriority\tcategory\tassignee\t") && rows.contains(&me()), "{rows}");
    desk.fails(&["assign", &a, "not a name"], 2);
    desk.fails(&["assign", &a], 2);
    desk.fails(&["list", "--assignee", "bad name"], 2);
}

fn history_records_who_what_and_where_values_came_from(desk: &Desk) {
    // Category and priority from the offline model, the rest by hand.
    let added = desk.json(&["add", "--title", "Refund", "--description", "charged twice, refund please"]);
    let id = added["id"].as_i64().unwrap().to_string();
    desk.ok(&["status", &id, "in_progress"]);
    desk.ok(&["take", &id]);
    desk.ok(&["note", &id, "Called the customer; refund queued"]);
    let history = desk.json(&["history", &id]);
    let rows = history.as_array().unwrap();
    let keys: Vec<&str> = rows[0].as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(keys, ["id", "ticket_id", "at", "actor", "field", "old_value", "new_value", "source"]);
    let fields: Vec<(&str, &str)> =
        rows.iter().map(|r| (r["field"].as_str().unwrap(), r["source"].as_str().unwrap())).collect();
    assert_eq!(
        fields,
        [
            ("created", "person"),
            ("category", "local"),
            ("priority", "local"),
            ("status", "person"),
            ("assignee", "person"),
            ("note", "person"),
        ]
    );
    assert!(rows.iter().all(|r| r["actor"] == me()));
    assert_eq!(rows[3]["old_value"], "open");
    assert_eq!(rows[3]["new_value"], "in_progress");
    assert_eq!(rows[5]["new_value"], "Called the customer; refund queued");
    let human = desk.ok(&["history", &id]);
    assert!(human.contains("status open → in_progress") && human.contains("(local)"), "{human}");
    // Notes are append-only, and blank ones are refused.
    desk.fails(&["note", &id, "   "], 2);
    let err = desk.try_execute("UPDATE ticket_events SET new_value = 'rewritten'").unwrap_err();
    assert!(err.contains("append-only"), "{err}");
    desk.fails(&["history", "999"], 1);
}

fn imports_start_every_history(desk: &Desk) {
    let file = desk.write_file(
        "in.jsonl",
        &[common::jsonl("one", "d", "billing", "low"), common::jsonl("two", "d", "account", "high")]
            .join("\n"),
    );
    desk.ok(&["import", file.to_str().unwrap()]);
    for id in ["1", "2"] {
        let history = desk.json(&["history", id]);
        assert_eq!(history[0]["field"], "created");
        assert_eq!(history[0]["source"], "import");
    }
}

fn db_path_check_and_backup(desk: &Desk) {
    desk.add("kept", "d", "billing", "low");
    let path = desk.ok(&["db", "path"]);
    match &desk.server {
        // The server desk's URL, without its password.
        Some(database) => {
            assert!(path.starts_with("postgres://") && path.trim().ends_with(&database.name), "{path}");
            assert!(!path.contains("desk-admin-"), "{path}");
        }
        None => assert_eq!(path.trim(), desk.db.to_str().unwrap()),
    }
    assert!(desk.ok(&["db", "check"]).starts_with("ok:"));
    let copy = desk.dir.path().join("backup.db");
    desk.ok(&["db", "backup", copy.to_str().unwrap()]);
    let restored = assert_cmd::Command::cargo_bin("ticketdesk")
        .unwrap()
        .arg("--db")
        .arg(&copy)
        .args(["list", "--json"])
        .output()
        .unwrap();
    let list: Value = serde_json::from_slice(&restored.stdout).unwrap();
    assert_eq!(list[0]["title"], "kept");

    // A damaged totals row is found and reported with a non-zero exit.
    desk.execute(
        "UPDATE ticket_counts SET n = n + 5 WHERE category = 'billing' AND priority = 'low' AND status = 'open'",
    );
    let out = desk.cmd().args(["db", "check"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stdout).contains("running totals"));
}

#[test]
fn a_new_database_in_a_team_folder_is_group_writable_with_its_wal_and_shm() {
    use std::os::unix::fs::PermissionsExt;
    let desk = Desk::new();
    let team = desk.dir.path().join("support");
    std::fs::create_dir(&team).unwrap();
    std::fs::set_permissions(&team, std::fs::Permissions::from_mode(0o2770)).unwrap();
    let db = team.join("tickets.db");
    let run = |db: &std::path::Path, args: &[&str]| {
        assert_cmd::Command::cargo_bin("ticketdesk")
            .unwrap()
            .arg("--db")
            .arg(db)
            .env("HOME", desk.dir.path())
            .env("TICKETDESK_HOST_CONFIG", desk.dir.path().join("none.toml"))
            .args(args)
            .output()
            .unwrap()
    };
    let out = run(
        &db,
        &["add", "--title", "t", "--description", "d", "--category", "billing", "--priority", "low"],
    );
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&db) & 0o060, 0o060, "group read-write: {:o}", mode(&db));
    // Another agent's connection brings the WAL and shared-memory files back.
    let agent = rusqlite::Connection::open(&db).unwrap();
    agent.query_row("SELECT count(*) FROM tickets", [], |r| r.get::<_, i64>(0)).unwrap();
    for suffix in ["-wal", "-shm"] {
        let side = team.join(format!("tickets.db{suffix}"));
        assert_eq!(mode(&side) & 0o060, 0o060, "{suffix}: {:o}", mode(&side));
    }
    // In a private folder nothing is opened up.
    let private = desk.dir.path().join("mine.db");
    assert!(run(&private, &["stats"]).status.success());
    assert_eq!(mode(&private) & 0o020, 0, "{:o}", mode(&private));
}

/// While another process holds the desk's lock (as the first import into an
/// empty desk does), a command says it is waiting instead of sitting silent,
/// then goes on once the lock frees.
#[test]
fn a_command_kept_waiting_says_so_then_goes_on() {
    use std::io::{BufRead, BufReader};
    use std::process::Stdio;

    let desk = Desk::new();
    desk.add("kept", "d", "billing", "low");
    let holder = desk.hold_exclusive_lock();
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("ticketdesk"))
        .arg("--db")
        .arg(&desk.db)
        .args(["--busy-timeout", "60", "stats", "--json"])
        .env("HOME", desk.dir.path())
        .env("XDG_CONFIG_HOME", desk.dir.path().join("config"))
        .env("TICKETDESK_HOST_CONFIG", desk.dir.path().join("host-config.toml"))
        .env_remove("TICKETDESK_CONFIG")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stderr = BufReader::new(child.stderr.take().unwrap());
    let mut line = String::new();
    stderr.read_line(&mut line).unwrap();
    assert!(line.starts_with("ticketdesk: waiting for "), "{line}");
    assert!(line.contains("another process holds it") && line.contains("up to 60 s"), "{line}");
    holder.execute_batch("COMMIT").unwrap();
    drop(holder);
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success());
    let stats: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(stats["total_tickets"], 1);
}

#[test]
fn notes_follow_the_description_rules_and_say_so_once() {
    let desk = Desk::new();
    let id = desk.add("Refund", "charged twice", "billing", "high").to_string();
    let before = desk.dump();
    for (text, says) in [
        ("   ", "note: must not be empty"),
        ("\0\0", "note: must not contain NUL characters"),
        ("call\0back", "note: must not contain NUL characters"),
        (&"n".repeat(65_537)[..], "note: must be at most 65536 characters"),
    ] {
        // Through standard input: an argument cannot carry NUL.
        let out = desk.cmd().args(["note", &id, "-"]).write_stdin(text.as_bytes().to_vec()).output().unwrap();
        assert_eq!(out.status.code(), Some(2));
        let stderr = String::from_utf8(out.stderr).unwrap();
        assert_eq!(stderr.lines().count(), 1, "{stderr}");
        assert!(stderr.contains(says), "{stderr}");
        assert_eq!(stderr.matches("note").count(), 1, "the field is named once: {stderr}");
    }
    assert_eq!(desk.dump(), before);
    assert!(desk.cmd().args(["note", &id, &"n".repeat(65_536)]).output().unwrap().status.success());
}

#[test]
fn descriptions_are_capped_everywhere_they_come_in() {
    let desk = Desk::new();
    let long = "x".repeat(65_537);
    let stderr = desk.fails(
        &["add", "--title", "t", "--description", &long, "--category", "billing", "--priority", "low"],
        2,
    );
    assert!(stderr.contains("description: must be at most 65536 characters"), "{stderr}");
    let id = desk.add("t", "d", "billing", "low").to_string();
    desk.fails(&["edit", &id, "--description", &long], 2);
    let file = desk.write_file("long.jsonl", &common::jsonl("t", &long, "billing", "low"));
    let stderr = desk.fails(&["import", file.to_str().unwrap()], 1);
    assert!(stderr.contains("line 1") && stderr.contains("65536"), "{stderr}");
}

/// An agent whose uid has no account name (a container, say) still gets a
/// name the assignee rule accepts, so taking a ticket works.
#[test]
fn an_account_without_a_name_can_still_take_tickets() {
    use std::os::unix::process::CommandExt;
    if !uzers_is_root() {
        eprintln!("skipped: needs root to run as an unnamed uid");
        return;
    }
    let desk = Desk::new();
    desk.add("Refund", "charged twice", "billing", "high");
    // The other uid must be able to write the desk and its folder.
    let dir = desk.dir.path();
    for path in [dir.to_path_buf(), desk.db.clone()] {
        std::fs::set_permissions(&path, std::os::unix::fs::PermissionsExt::from_mode(0o777)).unwrap();
    }
    let unnamed = 54_321;
    let out = std::process::Command::new(assert_cmd::cargo::cargo_bin!("ticketdesk"))
        .env_clear()
        .env("HOME", dir)
        .arg("--db")
        .arg(&desk.db)
        .args(["take", "1", "--json"])
        .uid(unnamed)
        .gid(unnamed)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let taken: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(taken["assignee"], format!("uid-{unnamed}"));
    assert_eq!(desk.json(&["list", "--assignee", &format!("uid-{unnamed}")]).as_array().unwrap().len(), 1);
}

fn uzers_is_root() -> bool {
    std::process::Command::new("id").arg("-u").output().is_ok_and(|o| o.stdout.trim_ascii() == b"0")
}

on_each_engine!(
    every_change_bumps_the_version_once,
    two_stale_writers_one_wins_and_the_other_is_told,
    assignment_take_and_the_assignee_filter,
    history_records_who_what_and_where_values_came_from,
    imports_start_every_history,
    db_path_check_and_backup,
);
