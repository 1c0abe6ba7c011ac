//! Import is all or nothing and names the line and field it rejects; export
//! writes what import reads.

mod common;

use common::{Desk, jsonl};

fn jsonl_import_takes_status_and_created_at(desk: &Desk) {
    let file = desk.write_file(
        "in.jsonl",
        &[
            r#"{"title":"old","description":"d","category":"billing","priority":"low","status":"closed","created_at":"2024-03-01T10:00:00+02:00"}"#,
            "",
            r#"{"id":77,"title":" new ","description":"d","category":"account","priority":"high","updated_at":"ignored"}"#,
        ]
        .join("\n"),
    );
    let out = desk.cmd().args(["import", file.to_str().unwrap()]).output().unwrap();
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("Imported 2 tickets"));
    let list = desk.json(&["list"]);
    assert_eq!(list[0]["title"], "new");
    assert_ne!(list[0]["id"], 77, "ids are assigned, not imported");
    assert_eq!(list[1]["created_at"], "2024-03-01T08:00:00.000Z");
    assert_eq!(list[1]["status"], "closed");
}

#[test]
fn one_bad_row_imports_nothing_and_names_line_and_field() {
    let cases = [
        ("bad.jsonl", format!("{}\n{}\n{}", jsonl("a", "d", "billing", "low"), jsonl("b", "d", "billing", "low"), jsonl("c", "d", "refunds", "low")), "line 3", "category"),
        ("bad.jsonl", format!("{}\n{{not json", jsonl("a", "d", "billing", "low")), "line 2", "JSON"),
        ("bad.jsonl", format!("{}\n{}", jsonl("a", "d", "billing", "low"), jsonl(&"x".repeat(201), "d", "billing", "low")), "line 2", "title"),
        ("bad.jsonl", format!("{}\n{}", jsonl("a", "  ", "billing", "low"), jsonl("b", "d", "billing", "low")), "line 1", "description"),
        ("bad.jsonl", r#"{"title":"a","description":"d","category":"billing","priority":"low","owner":"bob"}"#.to_owned(), "line 1", "owner"),
        ("bad.jsonl", r#"{"title":"a","description":"d","category":"billing","priority":"low","created_at":"last week"}"#.to_owned(), "line 1", "created_at"),
        ("bad.jsonl", r#"{"title":"a","description":"d","category":"billing","priority":"low","status":"done"}"#.to_owned(), "line 1", "status"),
        ("bad.jsonl", r#"{"title":"a","description":"d","category":"billing"}"#.to_owned(), "line 1", "priority"),
        ("bad.jsonl", r#"{"title":"a","description":5,"category":"billing","priority":"low"}"#.to_owned(), "line 1", "description"),
        ("bad.csv", "title,description,category,priority\na,d,billing,low\nb,d,billing,urgent\n".to_owned(), "line 3", "priority"),
        ("bad.csv", "title,description,category,priority\na,\"multi\nline\",billing,low\nb,,billing,low\n".to_owned(), "line 4", "description"),
        ("bad.csv", "title,description,category\na,d,billing\n".to_owned(), "line 1", "priority"),
        ("bad.csv", "title,description,category,priority,owner\na,d,billing,low,bob\n".to_owned(), "line 1", "owner"),
        ("bad.csv", "title,description,category,priority\na,d,billing,low\nb,d,billing\n".to_owned(), "line 3", "CSV"),
        ("bad.jsonl", format!("{}\n{}", jsonl("a", "d", "billing", "low"), r#"{"title":"a","description":"d","category":"billing","priority":"low","title":"b"}"#), "line 2", "duplicate field \"title\""),
        ("bad.jsonl", r#"{"title":"a","description":"d","category":"billing","priority":"low","ti\u0074le":"b"}"#.to_owned(), "line 1", "duplicate field \"title\""),
        ("bad.csv", "title,description,category,priority,description\na,d,billing,low,e\n".to_owned(), "line 1", "duplicate column \"description\""),
    ];
    for (name, contents, line, field) in cases {
        let desk = Desk::new();
        desk.add("existing", "kept as is", "general", "low");
        let before = desk.dump();
        let file = desk.write_file(name, &contents);
        let stderr = desk.fails(&["import", file.to_str().unwrap()], 1);
        assert!(stderr.contains(line) && stderr.contains(field), "{contents:?}: {stderr}");
        assert!(stderr.contains("nothing was imported"), "{stderr}");
        assert_eq!(stderr.trim().lines().count(), 1, "{stderr}");
        assert_eq!(desk.dump(), before, "{contents:?} changed the database");
    }
}

fn import_needs_a_known_format_and_a_readable_file(desk: &Desk) {
    let file = desk.write_file("tickets.txt", "whatever");
    let stderr = desk.fails(&["import", file.to_str().unwrap()], 2);
    assert!(stderr.contains(".csv or .jsonl"), "{stderr}");
    let stderr = desk.fails(&["import", "/nonexistent/x.jsonl"], 1);
    assert!(stderr.contains("cannot open"), "{stderr}");
    let out = desk
        .cmd()
        .args(["import", "-", "--format", "jsonl"])
        .write_stdin(jsonl("from stdin", "d", "general", "low"))
        .output()
        .unwrap();
    assert!(out.status.success());
    assert_eq!(desk.json(&["list"])[0]["title"], "from stdin");
}

#[test]
fn export_then_import_gives_the_same_tickets() {
    for format in ["csv", "jsonl"] {
        let source = Desk::new();
        source.add("Plain", "one line", "billing", "low");
        source.add(
            "Multi, with \"quotes\"",
            "line one\nline two,\ttabbed\n\"quoted\"",
            "technical",
            "critical",
        );
        let hostile = source.add(
            "Hostile",
            "esc \u{1b}]0;x\u{7} c1 \u{9b} bidi \u{202e} del \u{7f}",
            "account",
            "high",
        );
        source.add("Ünïcode 漢字 🎫", "é".repeat(50).as_str(), "general", "medium");
        source.ok(&["status", &hostile.to_string(), "resolved"]);
        source
            .conn()
            .execute("UPDATE tickets SET created_at = '2023-05-06T07:08:09.123Z' WHERE id = 1", [])
            .unwrap();
        let file = source.dir.path().join(format!("out.{format}"));
        source.ok(&["export", "--output", file.to_str().unwrap()]);

        let target = Desk::new();
        target.ok(&["import", file.to_str().unwrap()]);
        let strip = |v: serde_json::Value| -> Vec<serde_json::Value> {
            v.as_array()
                .unwrap()
                .iter()
                .map(|t| {
                    let mut t = t.clone();
                    let o = t.as_object_mut().unwrap();
                    o.remove("id");
                    o.remove("updated_at");
                    o.remove("version");
                    t
                })
                .collect()
        };
        assert_eq!(strip(target.json(&["list"])), strip(source.json(&["list"])), "{format}");
    }
}

fn export_to_stdout_is_safe_jsonl_by_default(desk: &Desk) {
    desk.add("a", "esc \u{1b}[2J here", "billing", "low");
    desk.add("b", "d", "billing", "low");
    let out = desk.ok(&["export"]);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 2);
    assert!(!out.contains('\u{1b}'));
    let first: serde_json::Value = serde_json::from_str(lines[0]).unwrap();
    let keys: Vec<&str> = first.as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(
        keys,
        [
            "id",
            "title",
            "description",
            "category",
            "priority",
            "status",
            "created_at",
            "updated_at",
            "assignee",
            "version"
        ]
    );
    let csv = desk.ok(&["export", "--format", "csv"]);
    assert!(csv.starts_with(
        "id,title,description,category,priority,status,created_at,updated_at,assignee,version\n"
    ));
}

fn a_failed_export_leaves_no_partial_file(desk: &Desk) {
    desk.add("a", "d", "billing", "low");
    let stderr = desk.fails(&["export", "--output", "/nonexistent-dir/out.jsonl"], 1);
    assert!(stderr.contains("nonexistent-dir"), "{stderr}");
}

/// Into a desk that already holds tickets (the import writes through WAL) and
/// into an empty one (it writes through a rollback journal), an import leaves
/// the schema, the running totals, the search index and the settings as if
/// every row had been added one by one.
#[test]
fn import_keeps_the_schema_totals_and_index_in_step() {
    for already_there in [1, 0] {
        let desk = Desk::new();
        if already_there == 1 {
            desk.add("before", "already here", "account", "high");
        } else {
            desk.ok(&["stats"]);
        }
        check_bulk_import(&desk, already_there);
    }
}

fn check_bulk_import(desk: &Desk, already_there: i64) {
    let schema = |desk: &Desk| -> Vec<String> {
        let conn = desk.conn();
        let mut stmt = conn
            .prepare(
                "SELECT type || ' ' || name || ' ' || coalesce(sql, '') FROM sqlite_schema ORDER BY name",
            )
            .unwrap();
        stmt.query_map([], |r| r.get(0)).unwrap().map(Result::unwrap).collect()
    };
    let settings = |desk: &Desk| -> Vec<(String, i64)> {
        let conn = desk.conn();
        let mut stmt = conn.prepare("SELECT k, v FROM tickets_fts_config ORDER BY k").unwrap();
        stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?))).unwrap().map(Result::unwrap).collect()
    };
    let before = (schema(desk), settings(desk));
    let lines: Vec<String> = (0..300)
        .map(|i| {
            let category = ["billing", "technical", "account", "general"][i % 4];
            let priority = ["low", "medium", "high", "critical"][i % 3];
            let status = ["open", "in_progress", "resolved", "closed"][i % 5 % 4];
            let mut row: serde_json::Value = serde_json::from_str(&jsonl(
                &format!("imported {i}"),
                &format!("word{i} shared"),
                category,
                priority,
            ))
            .unwrap();
            row["status"] = status.into();
            row.to_string()
        })
        .collect();
    let file = desk.write_file("bulk.jsonl", &lines.join("\n"));
    desk.ok(&["import", file.to_str().unwrap()]);
    assert_eq!((schema(desk), settings(desk)), before, "indexes, triggers and settings are back, unchanged");

    // Running totals equal a fresh count; the full-text index knows every row.
    let conn = desk.conn();
    let mismatches: i64 = conn
        .query_row(
            "SELECT count(*) FROM (SELECT category, priority, status, count(*) AS n FROM tickets GROUP BY 1, 2, 3
             EXCEPT SELECT category, priority, status, n FROM ticket_counts WHERE n > 0)",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(mismatches, 0);
    let journal: String = conn.pragma_query_value(None, "journal_mode", |r| r.get(0)).unwrap();
    assert_eq!(journal, "wal", "every desk is back in WAL after an import");
    let indexed: i64 = conn
        .query_row("SELECT count(*) FROM tickets_fts WHERE tickets_fts MATCH 'shared'", [], |r| r.get(0))
        .unwrap();
    assert_eq!(indexed, 300);
    assert_eq!(desk.json(&["stats"])["total_tickets"], 300 + already_there);
    assert_eq!(desk.json(&["stats"])["open_tickets"], 120 + already_there);
    assert_eq!(desk.json(&["list", "--search", "word299"])[0]["title"], "imported 299");
    // New rows after the import are indexed by the restored triggers.
    desk.add("after", "zebra", "general", "low");
    assert_eq!(desk.json(&["list", "--search", "zebra"])[0]["title"], "after");
}

/// Ticket text that would drive a terminal: retitle it, clear it, ring it,
/// reorder what follows, hide characters.
const TERMINAL_HOSTILE: &str =
    "retitle \u{1b}]2;owned\u{7} clear \u{1b}[2J c1 \u{9b}31m bidi \u{202e}x\u{200f} sep\u{2028}end \u{200b}";

fn hostile_desk() -> Desk {
    let desk = Desk::new();
    let id = desk.add("Printer", TERMINAL_HOSTILE, "technical", "high");
    desk.add("plain", "nothing odd", "general", "low");
    // A title written by another tool, past the application's rules.
    desk.set_title_past_the_rules(id, HOSTILE_TITLE);
    desk
}

const HOSTILE_TITLE: &str = "Printer \u{200f}on\u{2028}fire";

/// Bytes a terminal would act on: ESC, BEL, C1 controls (as UTF-8), and the
/// BiDi, separator and zero-width characters the sanitiser replaces.
fn drives_a_terminal(bytes: &[u8]) -> Option<String> {
    let text = String::from_utf8_lossy(bytes);
    ticketdesk::domain::text::find_unsafe(&text)
        .into_iter()
        .find(|&(_, c)| !matches!(c, '\n' | '\r' | '\t'))
        .map(|(at, c)| format!("U+{:04X} at byte {at}", u32::from(c)))
}

#[test]
fn csv_export_to_a_terminal_shows_stand_ins() {
    let desk = hostile_desk();
    let mut cmd = desk.std_cmd();
    cmd.args(["export", "--format", "csv"]);
    let out = common::pty::run_on_terminal(cmd);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(drives_a_terminal(&out.stdout), None, "{:?}", String::from_utf8_lossy(&out.stdout));
    let shown = String::from_utf8(out.stdout).unwrap();
    assert!(shown.starts_with("id,title,description,"), "{shown:?}");
    assert!(shown.contains("retitle ␛]2;owned␇ clear ␛[2J c1 �31m bidi �x� sep\nend �"), "{shown:?}");
    assert!(shown.contains("\"Printer �on\nfire\""), "{shown:?}");
}

#[test]
fn jsonl_export_to_a_terminal_is_escaped() {
    let desk = hostile_desk();
    let mut cmd = desk.std_cmd();
    cmd.args(["export", "--format", "jsonl"]);
    let out = common::pty::run_on_terminal(cmd);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(drives_a_terminal(&out.stdout), None, "{:?}", String::from_utf8_lossy(&out.stdout));
    let rows: Vec<serde_json::Value> =
        String::from_utf8(out.stdout).unwrap().lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(rows[0]["description"], TERMINAL_HOSTILE, "escaping loses nothing");
    assert_eq!(rows[0]["title"], HOSTILE_TITLE);
}

#[test]
fn export_to_a_pipe_keeps_the_exact_text() {
    let desk = hostile_desk();
    let csv = desk.cmd().args(["export", "--format", "csv"]).output().unwrap();
    assert!(csv.status.success());
    let mut reader = csv::Reader::from_reader(csv.stdout.as_slice());
    let descriptions: Vec<String> = reader.records().map(|r| r.unwrap()[2].to_owned()).collect();
    assert_eq!(descriptions, [TERMINAL_HOSTILE, "nothing odd"]);
    assert!(csv.stdout.windows(4).any(|w| w == b"\x1b]2;"), "the raw bytes are there");
    let jsonl = desk.ok(&["export", "--format", "jsonl"]);
    let first: serde_json::Value = serde_json::from_str(jsonl.lines().next().unwrap()).unwrap();
    assert_eq!(first["description"], TERMINAL_HOSTILE);
}

fn a_repeated_column_or_field_is_refused_by_name(desk: &Desk) {
    desk.add("existing", "kept as is", "general", "low");
    let before = desk.dump();
    let cases = [
        (
            "twice.jsonl",
            format!(
                "{}\n{}\n",
                jsonl("a", "d", "billing", "low"),
                r#"{"id":1,"title":"a","id":2,"description":"d","category":"billing","priority":"low"}"#
            ),
            r#"line 2: duplicate field "id""#,
        ),
        (
            "twice.csv",
            "title,description,category,priority,priority\na,d,billing,low,high\n".to_owned(),
            r#"line 1: duplicate column "priority""#,
        ),
    ];
    for (name, contents, error) in cases {
        let file = desk.write_file(name, &contents);
        let stderr = desk.fails(&["import", file.to_str().unwrap()], 1);
        assert!(stderr.trim().ends_with(&format!("{error}; nothing was imported")), "{stderr}");
        assert_eq!(stderr.trim().lines().count(), 1, "{stderr}");
        assert_eq!(desk.dump(), before, "{name} changed the database");
    }
}

fn a_byte_order_mark_before_the_first_line_is_accepted(desk: &Desk) {
    let bom = "\u{feff}";
    let jsonl_file =
        desk.write_file("bom.jsonl", &format!("{bom}{}\n", jsonl("from jsonl", "d", "billing", "low")));
    let csv_file = desk.write_file(
        "bom.csv",
        &format!("{bom}title,description,category,priority\nfrom csv,d,account,high\n"),
    );
    desk.ok(&["import", jsonl_file.to_str().unwrap()]);
    desk.ok(&["import", csv_file.to_str().unwrap()]);
    let out = desk
        .cmd()
        .args(["import", "-", "--format", "jsonl"])
        .write_stdin(format!("{bom}{}", jsonl("from stdin", "d", "general", "low")))
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let titles: Vec<String> = desk
        .json(&["list"])
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["title"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(titles, ["from stdin", "from csv", "from jsonl"]);
    // Only before the first line: anywhere else it is part of the text.
    let late = desk.write_file(
        "late.jsonl",
        &format!("{}\n{bom}{}\n", jsonl("a", "d", "billing", "low"), jsonl("b", "d", "billing", "low")),
    );
    let stderr = desk.fails(&["import", late.to_str().unwrap()], 1);
    assert!(stderr.contains("line 2"), "{stderr}");
}

on_each_engine!(
    jsonl_import_takes_status_and_created_at,
    import_needs_a_known_format_and_a_readable_file,
    export_to_stdout_is_safe_jsonl_by_default,
    a_failed_export_leaves_no_partial_file,
    a_repeated_column_or_field_is_refused_by_name,
    a_byte_order_mark_before_the_first_line_is_accepted,
);
