//! The command-line contract, driven through the real binary on a temp file.

mod common;

use common::Desk;
use serde_json::Value;

const TICKET_KEYS: [&str; 10] = [
    "id",
    "title",
    "description",
    "category",
    "priority",
    "status",
    "created_at",
    "updated_at",
    "assignee",
    "version",
];

fn is_stored_timestamp(v: &Value) -> bool {
    let s = v.as_str().unwrap_or("");
    s.len() == 24 && s.ends_with('Z') && s.as_bytes()[10] == b'T' && s.as_bytes()[19] == b'.'
}

fn add_prints_the_stored_ticket_as_json(desk: &Desk) {
    let v = desk.json(&[
        "add",
        "--title",
        "  Refund please  ",
        "--description",
        "\n charged twice \n",
        "--category",
        "billing",
        "--priority",
        "high",
    ]);
    let keys: Vec<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(keys, TICKET_KEYS);
    assert_eq!(v["title"], "Refund please");
    assert_eq!(v["description"], "charged twice");
    assert_eq!(v["category"], "billing");
    assert_eq!(v["priority"], "high");
    assert_eq!(v["status"], "open");
    assert!(is_stored_timestamp(&v["created_at"]), "{}", v["created_at"]);
    assert_eq!(v["created_at"], v["updated_at"]);
}

fn add_without_category_or_priority_takes_the_suggestion(desk: &Desk) {
    let v = desk.json(&["add", "--title", "Refund", "--description", "I was charged twice, refund please"]);
    assert_eq!(v["category"], "billing");
    assert_eq!(v["suggestion"]["source"], "local");
    assert!(v["suggestion"]["fallback_reason"].as_str().unwrap().contains("no API key"), "{v}");
    assert!(["high", "medium", "low"].contains(&v["suggestion"]["confidence"].as_str().unwrap()));

    // A value given by hand is kept; only the missing one is suggested.
    let v = desk.json(&[
        "add",
        "--title",
        "Refund",
        "--description",
        "charged twice",
        "--category",
        "general",
        "--classifier",
        "local",
    ]);
    assert_eq!(v["category"], "general");
    assert_eq!(v["suggestion"]["source"], "local");
    assert!(v["suggestion"].get("fallback_reason").is_none(), "local by choice: {v}");

    // Suggestions off: the defaults, and no suggestion key.
    let v = desk.json(&["add", "--title", "Q", "--description", "refund", "--classifier", "off"]);
    assert_eq!((v["category"].as_str(), v["priority"].as_str()), (Some("general"), Some("medium")));
    assert!(v.get("suggestion").is_none());

    // Both given: no suggestion at all.
    let v = desk.json(&[
        "add",
        "--title",
        "Q",
        "--description",
        "d",
        "--category",
        "account",
        "--priority",
        "low",
    ]);
    assert!(v.get("suggestion").is_none());
}

fn add_reads_the_description_from_a_file_or_stdin(desk: &Desk) {
    let file = desk.write_file("desc.txt", "line one\n\tline two\n");
    let v = desk.json(&["add", "--title", "From file", "--description-file", file.to_str().unwrap()]);
    assert_eq!(v["description"], "line one\n\tline two");

    let out = desk
        .cmd()
        .args(["add", "--title", "From stdin", "--description-file", "-", "--json"])
        .write_stdin("piped text\n")
        .output()
        .unwrap();
    assert!(out.status.success());
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["description"], "piped text");
}

#[test]
fn list_is_newest_first_and_filters_combine() {
    let desk = Desk::new();
    let a = desk.add("A", "first", "billing", "high");
    let b = desk.add("B", "second", "billing", "low");
    let c = desk.add("C", "third", "technical", "high");
    // Same created_at: the id breaks the tie, newest (highest) first.
    desk.conn().execute("UPDATE tickets SET created_at = '2026-01-01T00:00:00.000Z'", []).unwrap();

    let ids = |args: &[&str]| -> Vec<i64> {
        let mut all = vec!["list"];
        all.extend_from_slice(args);
        desk.json(&all).as_array().unwrap().iter().map(|t| t["id"].as_i64().unwrap()).collect()
    };
    assert_eq!(ids(&[]), vec![c, b, a]);
    assert_eq!(ids(&["--category", "billing"]), vec![b, a]);
    assert_eq!(ids(&["--priority", "high"]), vec![c, a]);
    assert_eq!(ids(&["--category", "billing", "--priority", "high"]), vec![a]);
    assert_eq!(ids(&["--status", "closed"]), Vec::<i64>::new());
    assert_eq!(ids(&["--limit", "2"]), vec![c, b]);
}

fn list_defaults_to_fifty(desk: &Desk) {
    let lines: Vec<String> =
        (0..60).map(|i| common::jsonl(&format!("t{i}"), "d", "general", "low")).collect();
    let file = desk.write_file("many.jsonl", &lines.join("\n"));
    desk.ok(&["import", file.to_str().unwrap()]);
    assert_eq!(desk.json(&["list"]).as_array().unwrap().len(), 50);
    assert_eq!(desk.json(&["list", "--limit", "55"]).as_array().unwrap().len(), 55);
}

fn human_list_is_an_aligned_table_within_the_width(desk: &Desk) {
    desk.add(&"Long title ".repeat(15), "d", "billing", "critical");
    desk.add("漢字のタイトル", "d", "account", "low");
    let mut cmd = desk.std_cmd();
    cmd.arg("list");
    let out = common::pty::run_on_terminal_of_width(cmd, 60);
    let text = String::from_utf8(out.stdout).unwrap();
    let text = regex::Regex::new("\x1b\\[[0-9;]*m").unwrap().replace_all(&text, "").into_owned();
    let lines: Vec<&str> = text.lines().collect();
    assert!(lines[0].starts_with("ID"), "{text}");
    let title_col = lines[0].find("TITLE").unwrap();
    for line in &lines {
        assert!(unicode_width::UnicodeWidthStr::width(*line) <= 60, "too wide: {line}");
    }
    assert!(lines[2].contains('…'), "long title is cut: {}", lines[2]);
    // Columns line up: every row's category starts where the header's does.
    let cat_col = lines[0].find("CATEGORY").unwrap();
    assert_eq!(&lines[1][cat_col..cat_col + 7], "account");
    assert!(title_col > cat_col);
}

fn show_status_and_edit(desk: &Desk) {
    let id = desk.add("Printer", "jammed", "technical", "low");
    let id_s = id.to_string();
    let shown = desk.json(&["show", &id_s]);
    assert_eq!(shown["title"], "Printer");

    let closed = desk.json(&["status", &id_s, "in_progress"]);
    assert_eq!(closed["status"], "in_progress");
    assert!(closed["updated_at"].as_str() >= shown["updated_at"].as_str());

    let edited = desk.json(&["edit", &id_s, "--title", " Printer on fire ", "--priority", "critical"]);
    assert_eq!(edited["title"], "Printer on fire");
    assert_eq!(edited["priority"], "critical");
    assert_eq!(edited["description"], "jammed");
    assert_eq!(desk.json(&["show", &id_s]), edited);

    let human = desk.ok(&["show", &id_s]);
    assert!(human.contains("Printer on fire") && human.contains("critical"), "{human}");
}

#[test]
fn stats_count_in_sql_with_every_key() {
    let desk = Desk::new();
    let empty = desk.json(&["stats"]);
    assert_eq!(empty["total_tickets"], 0);
    assert_eq!(empty["avg_tickets_per_day"], 0.0);
    assert_eq!(empty["priority_breakdown"], serde_json::json!({"low":0,"medium":0,"high":0,"critical":0}));
    assert_eq!(
        empty["category_breakdown"],
        serde_json::json!({"billing":0,"technical":0,"account":0,"general":0})
    );

    let a = desk.add("a", "d", "billing", "high");
    desk.add("b", "d", "billing", "low");
    desk.add("c", "d", "account", "high");
    desk.ok(&["status", &a.to_string(), "in_progress"]);
    // The oldest ticket is 9 days old: 10 calendar days through today, inclusive.
    desk.conn()
        .execute(
            "UPDATE tickets SET created_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now', '-9 days') WHERE id = ?1",
            [a],
        )
        .unwrap();
    let s = desk.json(&["stats"]);
    assert_eq!(s["total_tickets"], 3);
    assert_eq!(s["open_tickets"], 2, "in_progress is not open");
    assert_eq!(s["avg_tickets_per_day"], 0.3);
    assert_eq!(s["priority_breakdown"]["high"], 2);
    assert_eq!(s["priority_breakdown"]["critical"], 0);
    assert_eq!(s["category_breakdown"]["billing"], 2);
    assert_eq!(s["category_breakdown"]["technical"], 0);
    let keys: Vec<&str> = s.as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(
        keys,
        [
            "total_tickets",
            "open_tickets",
            "avg_tickets_per_day",
            "priority_breakdown",
            "category_breakdown",
            "suggestions"
        ]
    );
}

#[test]
fn hostile_text_never_reaches_the_terminal_raw() {
    let desk = Desk::new();
    let nasty = "pay \u{1b}]52;c;aGk=\u{7} now \u{1b}[2J\u{9b}31m \u{202e}gnp.exe \u{7f}\u{2066} \
                 rlm\u{200f} alm\u{61c} line\u{2028}para\u{2029} zwj x\u{200d}y \u{200b}\u{feff}\u{e0041}";
    let id = desk.add("Invoice", nasty, "billing", "low");
    // A title written by another tool, past the application's rules.
    desk.set_title_past_the_rules(id, "raw\u{2028}sep \u{200f}rlm x\u{200d}y");
    let id = id.to_string();
    let unsafe_char = |c: char| {
        (c.is_control() && c != '\n' && c != '\t')
            || ('\u{202a}'..='\u{202e}').contains(&c)
            || ('\u{2066}'..='\u{2069}').contains(&c)
            || ['\u{200f}', '\u{61c}', '\u{2028}', '\u{2029}', '\u{200d}', '\u{200b}', '\u{feff}']
                .contains(&c)
            || ('\u{e0000}'..='\u{e0fff}').contains(&c)
    };
    for args in [vec!["show", &id], vec!["show", &id, "--json"], vec!["list", "--json"], vec!["list"]] {
        let out = desk.ok(&args);
        assert!(!out.chars().any(unsafe_char), "{args:?} printed {out:?}");
    }
    let list = desk.ok(&["list"]);
    assert_eq!(list.lines().count(), 1, "the title stays on its row: {list:?}");
    assert!(list.contains("raw sep �rlm x�y"), "{list:?}");
    // And the table a terminal gets (without colour, whose escapes are ours).
    let mut cmd = desk.std_cmd();
    cmd.args(["--color=never", "list"]);
    let table = String::from_utf8(common::pty::run_on_terminal_of_width(cmd, 100).stdout).unwrap();
    assert!(!table.chars().any(unsafe_char), "the table printed {table:?}");
    assert_eq!(table.lines().count(), 2, "a header and the row: {table:?}");
    assert!(table.contains("raw sep �rlm x�y"), "{table:?}");
    // JSON stays lossless.
    assert_eq!(desk.json(&["show", &id])["description"], nasty);
    assert_eq!(desk.json(&["show", &id])["title"], "raw\u{2028}sep \u{200f}rlm x\u{200d}y");
}

fn titles_refuse_separators_bidi_marks_and_invisible_characters(desk: &Desk) {
    for title in ["one\u{2028}two", "pay \u{200f}now", "alm\u{61c}", "zero\u{200b}width", "\u{3164}"] {
        let stderr = desk.fails(&["add", "--title", title, "--description", "d"], 2);
        assert!(stderr.starts_with("ticketdesk: title: must be one line without control"), "{stderr}");
        assert_eq!(stderr.trim().lines().count(), 1, "{stderr}");
    }
    let id = desk.add("👩\u{200d}💻 laptop won't boot", "d", "technical", "high").to_string();
    assert_eq!(desk.json(&["show", &id])["title"], "👩\u{200d}💻 laptop won't boot");
    desk.fails(&["edit", &id, "--title", "x\u{2029}y"], 2);
}

#[test]
fn db_comes_from_the_environment_and_the_default_location() {
    let desk = Desk::new();
    let env_db = desk.dir.path().join("env.db");
    let mut cmd = assert_cmd::Command::cargo_bin("ticketdesk").unwrap();
    cmd.env("TICKETDESK_DB", &env_db).args(["add", "--title", "t", "--description", "d"]).assert().success();
    assert!(env_db.exists());

    // No --db and no TICKETDESK_DB: <data dir>/ticketdesk/tickets.db, parents created.
    let home = desk.dir.path().join("home");
    let mut cmd = assert_cmd::Command::cargo_bin("ticketdesk").unwrap();
    cmd.env_remove("TICKETDESK_DB")
        .env_remove("XDG_DATA_HOME")
        .env("HOME", &home)
        .args(["stats"])
        .assert()
        .success();
    assert!(home.join(".local/share/ticketdesk/tickets.db").exists());
}

on_each_engine!(
    add_prints_the_stored_ticket_as_json,
    add_without_category_or_priority_takes_the_suggestion,
    add_reads_the_description_from_a_file_or_stdin,
    list_defaults_to_fifty,
    human_list_is_an_aligned_table_within_the_width,
    show_status_and_edit,
    titles_refuse_separators_bidi_marks_and_invisible_characters,
);
