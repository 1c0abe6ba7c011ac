//! The database enforces the rules itself: proven with raw SQL, as a
//! reporting tool or the sqlite3 shell would write.

mod common;

use common::Desk;
use rusqlite::{Connection, params};
use std::process::Command as Process;

fn created(desk: &Desk) -> Connection {
    desk.ok(&["stats"]);
    desk.conn()
}

fn insert(
    conn: &Connection,
    title: &str,
    description: &str,
    category: &str,
    priority: &str,
) -> rusqlite::Result<usize> {
    conn.execute(
        "INSERT INTO tickets (title, description, category, priority) VALUES (?1, ?2, ?3, ?4)",
        params![title, description, category, priority],
    )
}

fn check_failure(result: rusqlite::Result<usize>, constraint: &str) {
    let err = result.expect_err("the database must refuse this row");
    assert!(err.to_string().contains(constraint), "expected {constraint}, got {err}");
}

#[test]
fn raw_insert_of_the_four_fields_gets_every_default() {
    let desk = Desk::new();
    let conn = created(&desk);
    insert(&conn, "t", "d", "billing", "low").unwrap();
    let (status, created_at, updated_at): (String, String, String) = conn
        .query_row("SELECT status, created_at, updated_at FROM tickets", [], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
        })
        .unwrap();
    assert_eq!(status, "open");
    assert_eq!(created_at.len(), 24, "{created_at}");
    assert!(created_at.ends_with('Z') && created_at.contains('T'));
    assert_eq!(created_at, updated_at);
    // And the CLI sees it, stats included (kept by triggers).
    assert_eq!(desk.json(&["stats"])["total_tickets"], 1);
}

#[test]
fn every_rule_is_a_constraint() {
    let desk = Desk::new();
    let conn = created(&desk);
    check_failure(insert(&conn, "", "d", "billing", "low"), "title_1_to_200_chars");
    check_failure(insert(&conn, &"x".repeat(201), "d", "billing", "low"), "title_1_to_200_chars");
    check_failure(insert(&conn, " padded ", "d", "billing", "low"), "title_trimmed");
    check_failure(insert(&conn, "two\nlines", "d", "billing", "low"), "title_no_control_chars");
    check_failure(insert(&conn, "esc\u{1b}[2J", "d", "billing", "low"), "title_no_control_chars");
    check_failure(insert(&conn, "c1\u{9b}", "d", "billing", "low"), "title_no_control_chars");
    check_failure(insert(&conn, "t", " \n\t ", "billing", "low"), "description_not_blank");
    check_failure(insert(&conn, "t", "d", "Billing", "low"), "category_known");
    check_failure(insert(&conn, "t", "d", "billing", "urgent"), "priority_known");
    check_failure(
        conn.execute(
            "INSERT INTO tickets (title, description, category, priority, status) VALUES ('t','d','billing','low','done')",
            [],
        ),
        "status_known",
    );
    check_failure(
        conn.execute(
            "INSERT INTO tickets (title, description, category, priority, created_at) VALUES ('t','d','billing','low','2024-01-01')",
            [],
        ),
        "created_at_utc_millis",
    );
    check_failure(
        conn.execute("INSERT INTO tickets (title, description, category) VALUES ('t','d','billing')", []),
        "NOT NULL",
    );
    // STRICT: a blob is not text.
    check_failure(
        conn.execute("INSERT INTO tickets (title, description, category, priority) VALUES ('t', X'00', 'billing', 'low')", []),
        "cannot store BLOB value in TEXT column",
    );
    let count: i64 = conn.query_row("SELECT count(*) FROM tickets", [], |r| r.get(0)).unwrap();
    assert_eq!(count, 0);
}

#[test]
fn characters_not_bytes() {
    let desk = Desk::new();
    let conn = created(&desk);
    insert(&conn, &"é".repeat(200), "d", "billing", "low").expect("200 characters of é are valid");
    check_failure(insert(&conn, &"é".repeat(201), "d", "billing", "low"), "title_1_to_200_chars");
    // The CLI agrees, and counts the same way.
    let v = desk.json(&["add", "--title", &"é".repeat(200), "--description", "d"]);
    assert_eq!(v["title"].as_str().unwrap().chars().count(), 200);
}

#[test]
fn updates_move_updated_at_and_keep_counts() {
    let desk = Desk::new();
    let conn = created(&desk);
    insert(&conn, "t", "d", "billing", "low").unwrap();
    conn.execute("UPDATE tickets SET updated_at = '2020-01-01T00:00:00.000Z'", []).unwrap();
    conn.execute("UPDATE tickets SET status = 'closed', category = 'account'", []).unwrap();
    let updated: String = conn.query_row("SELECT updated_at FROM tickets", [], |r| r.get(0)).unwrap();
    assert!(updated.as_str() > "2025", "trigger moved updated_at: {updated}");
    let s = desk.json(&["stats"]);
    assert_eq!(s["open_tickets"], 0);
    assert_eq!(s["category_breakdown"]["account"], 1);
    assert_eq!(s["category_breakdown"]["billing"], 0);
    conn.execute("DELETE FROM tickets", []).unwrap();
    assert_eq!(desk.json(&["stats"])["total_tickets"], 0);
}

#[test]
fn new_database_is_marked_ours_in_wal_mode() {
    let desk = Desk::new();
    let conn = created(&desk);
    let app_id: i64 = conn.pragma_query_value(None, "application_id", |r| r.get(0)).unwrap();
    assert_eq!(app_id as u32, ticketdesk::store::APPLICATION_ID);
    let mode: String = conn.pragma_query_value(None, "journal_mode", |r| r.get(0)).unwrap();
    assert_eq!(mode, "wal");
    let strict: i64 = conn
        .query_row("SELECT strict FROM pragma_table_list WHERE name = 'tickets'", [], |r| r.get(0))
        .unwrap();
    assert_eq!(strict, 1);
}

#[test]
fn migrations_are_idempotent_on_an_existing_database() {
    let desk = Desk::new();
    desk.add("kept", "d", "billing", "low");
    let before = desk.dump();
    for _ in 0..3 {
        desk.ok(&["list"]);
    }
    assert_eq!(desk.dump(), before);
    let versions: i64 =
        desk.conn().query_row("SELECT count(*) FROM refinery_schema_history", [], |r| r.get(0)).unwrap();
    assert!(versions >= 1);
}

/// A desk from before V3 (a full assignee index) upgrades on its next open:
/// the index becomes partial, the tickets stay, and filters still find them.
#[test]
fn a_desk_from_before_the_partial_assignee_index_upgrades_in_place() {
    let desk = Desk::new();
    for title in ["mine", "theirs", "nobody's"] {
        desk.add(title, "d", "billing", "low");
    }
    desk.ok(&["assign", "1", "alice"]);
    desk.ok(&["assign", "2", "bob"]);
    // Wind the file back to version 2, as an older binary left it.
    desk.conn()
        .execute_batch(
            "DROP INDEX tickets_by_assignee;
             CREATE INDEX tickets_by_assignee ON tickets (assignee, created_at);
             DROP TRIGGER tickets_rules_insert;
             DROP TRIGGER tickets_rules_update;
             DROP TRIGGER ticket_events_rules;
             DROP TRIGGER ticket_events_never_deleted;
             DROP TRIGGER ticket_suggestions_follow_edits;
             DROP TRIGGER ticket_suggestions_forgotten;
             DROP TABLE ticket_suggestions;
             DROP TABLE suggestion_counts;
             DELETE FROM refinery_schema_history WHERE version >= 3;",
        )
        .unwrap();
    let before = desk.dump();

    let mine = desk.json(&["list", "--assignee", "alice"]);
    let nobody = desk.json(&["list", "--assignee", "none"]);
    assert_eq!(mine.as_array().unwrap().len(), 1);
    assert_eq!(mine[0]["title"], "mine");
    assert_eq!(nobody.as_array().unwrap().len(), 1);
    assert_eq!(nobody[0]["title"], "nobody's");
    let conn = desk.conn();
    let index: String = conn
        .query_row("SELECT sql FROM sqlite_schema WHERE name = 'tickets_by_assignee'", [], |r| r.get(0))
        .unwrap();
    assert!(index.ends_with("WHERE assignee IS NOT NULL"), "{index}");
    let latest: i64 =
        conn.query_row("SELECT max(version) FROM refinery_schema_history", [], |r| r.get(0)).unwrap();
    assert_eq!(latest, 5);
    let plan: Vec<String> = conn
        .prepare(
            "EXPLAIN QUERY PLAN
             SELECT id FROM tickets WHERE assignee = ?1 ORDER BY created_at DESC, id DESC LIMIT 50",
        )
        .unwrap()
        .query_map(["alice"], |r| r.get(3))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    let plan = plan.join("; ");
    assert!(plan.contains("tickets_by_assignee"), "{plan}");
    assert_eq!(desk.dump(), before, "every ticket kept as it was");
}

#[test]
fn an_empty_file_becomes_a_database() {
    let desk = Desk::new();
    std::fs::write(&desk.db, b"").unwrap();
    desk.add("t", "d", "general", "low");
    assert_eq!(desk.json(&["stats"])["total_tickets"], 1);
}

#[test]
fn foreign_and_broken_files_are_refused_untouched() {
    let desk = Desk::new();
    type MakeFile = Box<dyn Fn(&std::path::Path)>;
    let cases: Vec<(&str, MakeFile, &str)> = vec![
        ("text", Box::new(|p| std::fs::write(p, "just some notes\n").unwrap()), "not a SQLite database"),
        (
            "truncated",
            Box::new(|p| std::fs::write(p, b"SQLite format 3\0garbage garbage").unwrap()),
            "not a SQLite database",
        ),
        (
            "other app",
            Box::new(|p| {
                let c = Connection::open(p).unwrap();
                c.execute_batch("PRAGMA application_id = 42; CREATE TABLE notes (x);").unwrap();
            }),
            "another application",
        ),
        (
            "other tables",
            Box::new(|p| {
                Connection::open(p)
                    .unwrap()
                    .execute_batch("CREATE TABLE notes (x); INSERT INTO notes VALUES (1);")
                    .unwrap();
            }),
            "not a ticketdesk database",
        ),
    ];
    for (name, make, expected) in cases {
        let path = desk.dir.path().join(format!("{}.db", name.replace(' ', "_")));
        make(&path);
        let before = std::fs::read(&path).unwrap();
        let out = assert_cmd::Command::cargo_bin("ticketdesk")
            .unwrap()
            .arg("--db")
            .arg(&path)
            .args(["add", "--title", "t", "--description", "d"])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(1), "{name}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains(expected), "{name}: {stderr}");
        assert_eq!(stderr.trim().lines().count(), 1, "{name}: one line: {stderr}");
        assert_eq!(std::fs::read(&path).unwrap(), before, "{name} was modified");
        assert!(!path.with_extension("db-wal").exists(), "{name} got a WAL file");
    }
}

#[test]
fn a_directory_is_not_a_database() {
    let desk = Desk::new();
    std::fs::create_dir(&desk.db).unwrap();
    let stderr = desk.fails(&["list"], 1);
    assert!(stderr.contains("directory"), "{stderr}");
}

#[test]
fn a_newer_schema_is_refused() {
    let desk = Desk::new();
    desk.add("t", "d", "general", "low");
    desk.conn()
        .execute(
            "INSERT INTO refinery_schema_history (version, name, applied_on, checksum) VALUES (999, 'future', '2030-01-01T00:00:00Z', '1')",
            [],
        )
        .unwrap();
    let stderr = desk.fails(&["list"], 1);
    assert!(stderr.contains("newer ticketdesk"), "{stderr}");
}

#[test]
fn many_processes_can_create_the_same_new_database_at_once() {
    let bin = assert_cmd::cargo::cargo_bin("ticketdesk");
    let desk = Desk::new();
    let mut running: Vec<_> = (0..8)
        .map(|i| {
            Process::new(&bin)
                .arg("--db")
                .arg(&desk.db)
                .args(["add", "--title", &format!("racer {i}"), "--description", "d"])
                .stdout(std::process::Stdio::null())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    for child in running.drain(..) {
        let out = child.wait_with_output().unwrap();
        assert!(out.status.success(), "a racer failed: {}", String::from_utf8_lossy(&out.stderr));
    }
    assert_eq!(desk.json(&["stats"])["total_tickets"], 8);
    let history: i64 =
        desk.conn().query_row("SELECT count(*) FROM refinery_schema_history", [], |r| r.get(0)).unwrap();
    assert_eq!(history as usize, std::fs::read_dir("migrations/sqlite").unwrap().count());
}

/// The stock shell (3.40 on our hosts) can read and write the file, and its
/// writes obey the same rules and keep the indexes and totals in step.
#[test]
fn the_stock_sqlite3_shell_can_use_the_file() {
    let desk = Desk::new();
    desk.add("from the app", "d", "general", "low");
    let shell =
        |sql: &str| common::tool("sqlite3").arg(&desk.db).arg(sql).output().expect("sqlite3 is installed");
    let ok = shell(
        "INSERT INTO tickets (title, description, category, priority) VALUES ('from the shell', 'refund wanted', 'billing', 'high');",
    );
    assert!(ok.status.success(), "{}", String::from_utf8_lossy(&ok.stderr));
    let bad = shell(
        "INSERT INTO tickets (title, description, category, priority) VALUES ('x', 'y', 'billing', 'urgent');",
    );
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("priority_known"));
    let read = shell("SELECT count(*) FROM tickets;");
    assert_eq!(String::from_utf8_lossy(&read.stdout).trim(), "2");
    assert_eq!(desk.json(&["stats"])["total_tickets"], 2);
    let found = desk.json(&["list", "--search", "refu"]);
    assert_eq!(found[0]["title"], "from the shell");
}

/// The timestamps the application writes, and the ones it refuses, are the
/// ones the schema writes and refuses: an export always imports back.
#[test]
fn timestamps_must_be_real_instants() {
    let desk = Desk::new();
    let conn = created(&desk);
    let at = |created_at: &str| {
        conn.execute(
            "INSERT INTO tickets (title, description, category, priority, created_at) VALUES ('t', 'd', 'billing', 'low', ?1)",
            [created_at],
        )
    };
    for bad in [
        "2024-02-30T10:00:00.000Z",
        "2024-01-01T24:00:00.000Z",
        "2024-01-01T23:59:60.000Z",
        "2023-02-29T00:00:00.000Z",
    ] {
        check_failure(at(bad), "created_at_utc_millis");
        assert!(
            ticketdesk::domain::timestamp::parse_stored(bad).is_none(),
            "the application refuses {bad} too"
        );
    }
    at("2024-02-29T23:59:59.999Z").unwrap();
    check_failure(
        conn.execute("UPDATE tickets SET updated_at = '2024-04-31T00:00:00.000Z'", []),
        "updated_at_utc_millis",
    );
    assert_eq!(desk.json(&["show", "1"])["created_at"], "2024-02-29T23:59:59.999Z");
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(64))]
    /// Every millisecond the application can write from 1970 to 2999 passes
    /// the schema's rule.
    #[test]
    fn every_timestamp_the_application_writes_is_accepted(millis in 0i64..32_503_680_000_000) {
        let when = time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(millis) * 1_000_000).unwrap();
        let text = ticketdesk::domain::timestamp::format(when);
        let conn = Connection::open_in_memory().unwrap();
        let ok: bool = conn
            .query_row("SELECT strftime('%Y-%m-%dT%H:%M:%fZ', julianday(?1)) IS ?1", [&text], |r| r.get(0))
            .unwrap();
        proptest::prop_assert!(ok, "{}", text);
    }
}

#[test]
fn long_or_nul_text_is_refused_by_the_database() {
    let desk = Desk::new();
    let conn = created(&desk);
    check_failure(
        insert(&conn, "t", &"x".repeat(65_537), "billing", "low"),
        "description_at_most_65536_chars",
    );
    insert(&conn, "t", &"x".repeat(65_536), "billing", "low").unwrap();
    check_failure(insert(&conn, "t", "before\0after", "billing", "low"), "description_no_nul");
    check_failure(
        conn.execute("UPDATE tickets SET description = 'a' || char(0) || 'b' WHERE id = 1", []),
        "description_no_nul",
    );
    let note = |text: &str| {
        conn.execute(
            "INSERT INTO ticket_events (ticket_id, actor, field, new_value) VALUES (1, 'alice', 'note', ?1)",
            [text],
        )
    };
    check_failure(note("\0\0"), "note_no_nul");
    check_failure(note(&"n".repeat(65_537)), "note_at_most_65536_chars");
    check_failure(
        conn.execute(
            "INSERT INTO ticket_events (ticket_id, at, actor, field, new_value) VALUES (1, '2024-13-01T00:00:00.000Z', 'a', 'note', 'x')",
            [],
        ),
        "event_at_utc_millis",
    );
}

#[test]
fn history_and_notes_are_never_deleted_while_their_ticket_lives() {
    let desk = Desk::new();
    let id = desk.add("Refund", "charged twice", "billing", "high").to_string();
    desk.ok(&["note", &id, "called the customer back"]);
    let conn = desk.conn();
    conn.pragma_update(None, "foreign_keys", "ON").unwrap();
    check_failure(conn.execute("DELETE FROM ticket_events WHERE field = 'note'", []), "append-only");
    check_failure(conn.execute("DELETE FROM ticket_events", []), "append-only");
    let count = |sql: &str| -> i64 { conn.query_row(sql, [], |r| r.get(0)).unwrap() };
    assert_eq!(count("SELECT count(*) FROM ticket_events WHERE field = 'note'"), 1);
    // Erasing a whole ticket (a customer's request to be forgotten) takes its history along.
    conn.execute("DELETE FROM tickets WHERE id = ?1", [&id]).unwrap();
    assert_eq!(count("SELECT count(*) FROM ticket_events"), 0);
}

/// The schema's title rule refuses exactly what the application's does:
/// every refused range's ends, the characters just outside them, and a
/// stride through all of Unicode.
#[test]
fn the_title_rule_matches_the_applications() {
    use ticketdesk::domain::ticket::{is_refused_in_title, title_refused_ranges};
    let desk = Desk::new();
    let conn = created(&desk);
    let mut probes: Vec<u32> = (1..0x11_0000).step_by(251).collect();
    for range in title_refused_ranges() {
        let (start, end) = (u32::from(*range.start()), u32::from(*range.end()));
        probes.extend([start.saturating_sub(1), start, end, end + 1]);
    }
    conn.execute_batch("BEGIN").unwrap();
    for code in probes {
        let Some(c) = char::from_u32(code).filter(|c| *c != '\0') else { continue };
        let title = format!("a{c}b");
        let refused = insert(&conn, &title, "d", "billing", "low").is_err();
        assert_eq!(refused, is_refused_in_title(c), "U+{code:04X}");
        let updated = conn.execute("UPDATE tickets SET title = ?1 WHERE id = 1", [&title]);
        if conn.query_row("SELECT count(*) FROM tickets", [], |r| r.get::<_, i64>(0)).unwrap() > 0 {
            assert_eq!(updated.is_err(), is_refused_in_title(c), "update, U+{code:04X}");
        }
    }
    conn.execute_batch("ROLLBACK").unwrap();
}
