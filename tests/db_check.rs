//! `db check` finds what a hand in the `sqlite3` shell broke, and
//! `db check --repair` puts back what can be put back.

mod common;

use common::Desk;

/// Runs SQL through the stock shell, as a reporting tool or a careless
/// colleague would.
fn shell(desk: &Desk, sql: &str) -> String {
    let out = common::tool("sqlite3").arg(&desk.db).arg(sql).output().expect("sqlite3 is installed");
    assert!(out.status.success(), "sqlite3 {sql}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap().trim().to_owned()
}

/// A desk with a few tickets, checked healthy.
fn desk_with_tickets() -> Desk {
    let desk = Desk::new();
    desk.add("Refund for order 4411", "charged twice", "billing", "high");
    desk.add("Login loop", "cannot sign in", "account", "medium");
    assert!(desk.ok(&["db", "check"]).starts_with("ok:"));
    desk
}

/// `db check` fails with exit 1 and returns what it printed.
fn check_fails(desk: &Desk) -> String {
    let out = desk.cmd().args(["db", "check"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", String::from_utf8_lossy(&out.stdout));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("is damaged") && stderr.lines().count() == 1, "{stderr}");
    String::from_utf8(out.stdout).unwrap()
}

fn repair(desk: &Desk) -> String {
    let out = desk.ok(&["db", "check", "--repair"]);
    assert!(out.lines().last().unwrap().starts_with("ok:"), "{out}");
    out
}

fn search_titles(desk: &Desk, term: &str) -> Vec<String> {
    let found = desk.json(&["list", "--search", term]);
    found.as_array().unwrap().iter().map(|t| t["title"].as_str().unwrap().to_owned()).collect()
}

#[test]
fn a_dropped_search_trigger_and_the_rows_it_missed_are_found_and_mended() {
    let desk = desk_with_tickets();
    shell(&desk, "DROP TRIGGER tickets_fts_insert");
    shell(
        &desk,
        "INSERT INTO tickets (title, description, category, priority) VALUES ('Invoice zebra', 'x', 'billing', 'low')",
    );
    let report = check_fails(&desk);
    assert!(report.contains("schema: trigger tickets_fts_insert is missing"), "{report}");
    assert!(report.contains("search index: does not match the tickets table"), "{report}");

    let repaired = repair(&desk);
    assert!(repaired.contains("repaired: made trigger tickets_fts_insert anew"), "{repaired}");
    assert!(repaired.contains("repaired: rebuilt the search index"), "{repaired}");
    assert_eq!(search_titles(&desk, "zebra"), ["Invoice zebra"], "the missed row is found again");
    desk.add("Another zebra", "y", "general", "low");
    assert_eq!(search_titles(&desk, "zebra").len(), 2, "the trigger indexes new rows again");
}

#[test]
fn a_missing_index_and_updated_at_trigger_are_named_and_put_back() {
    let desk = desk_with_tickets();
    shell(&desk, "DROP INDEX tickets_by_status; DROP TRIGGER tickets_touch");
    let report = check_fails(&desk);
    assert!(report.contains("schema: index tickets_by_status is missing"), "{report}");
    assert!(report.contains("schema: trigger tickets_touch is missing"), "{report}");
    assert_eq!(report.lines().count(), 2, "one line per problem: {report}");

    repair(&desk);
    let plan =
        shell(&desk, "EXPLAIN QUERY PLAN SELECT id FROM tickets WHERE status = 'open' ORDER BY created_at");
    assert!(plan.contains("tickets_by_status"), "{plan}");
    let before = shell(&desk, "SELECT version FROM tickets WHERE id = 1");
    shell(&desk, "UPDATE tickets SET priority = 'low' WHERE id = 1");
    assert_ne!(
        shell(&desk, "SELECT version FROM tickets WHERE id = 1"),
        before,
        "the touch trigger works again"
    );
}

#[test]
fn an_altered_trigger_is_put_back_as_defined() {
    let desk = desk_with_tickets();
    shell(
        &desk,
        "DROP TRIGGER ticket_events_append_only;
         CREATE TRIGGER ticket_events_append_only BEFORE UPDATE ON ticket_events BEGIN SELECT 1; END;",
    );
    let report = check_fails(&desk);
    assert!(report.contains("schema: trigger ticket_events_append_only differs"), "{report}");
    let repaired = repair(&desk);
    assert!(repaired.contains("put trigger ticket_events_append_only back"), "{repaired}");
    let out =
        common::tool("sqlite3").arg(&desk.db).arg("UPDATE ticket_events SET actor = 'x'").output().unwrap();
    assert!(!out.status.success(), "history is append-only again");
}

#[test]
fn drifted_running_totals_are_counted_afresh() {
    let desk = desk_with_tickets();
    // Both ways: a total too high, and a total for tickets that do not exist.
    shell(&desk, "DROP TRIGGER ticket_counts_insert");
    shell(
        &desk,
        "INSERT INTO tickets (title, description, category, priority) VALUES ('uncounted', 'x', 'general', 'critical')",
    );
    shell(
        &desk,
        "UPDATE ticket_counts SET n = 7 WHERE category = 'technical' AND priority = 'low' AND status = 'closed'",
    );
    let report = check_fails(&desk);
    assert!(report.contains("stats: 2 running totals differ from a fresh count"), "{report}");
    let repaired = repair(&desk);
    assert!(repaired.contains("counted the running totals afresh (2 were off)"), "{repaired}");
    assert_eq!(desk.json(&["stats"])["total_tickets"], 3);
    let grouped = shell(&desk, "SELECT count(*) FROM tickets");
    let summed = shell(&desk, "SELECT sum(n) FROM ticket_counts");
    assert_eq!(grouped, summed);
}

#[test]
fn a_dropped_search_index_is_made_anew_with_its_settings() {
    let desk = desk_with_tickets();
    let hashsize = shell(&desk, "SELECT v FROM tickets_fts_config WHERE k = 'hashsize'");
    shell(
        &desk,
        "DROP TRIGGER tickets_fts_insert; DROP TRIGGER tickets_fts_delete; DROP TRIGGER tickets_fts_update;
         DROP TABLE tickets_fts;",
    );
    let report = check_fails(&desk);
    assert!(report.contains("schema: table tickets_fts is missing"), "{report}");
    repair(&desk);
    assert_eq!(shell(&desk, "SELECT v FROM tickets_fts_config WHERE k = 'hashsize'"), hashsize);
    assert_eq!(search_titles(&desk, "refund"), ["Refund for order 4411"]);
}

#[test]
fn objects_a_team_added_are_neither_reported_nor_touched() {
    let desk = desk_with_tickets();
    shell(
        &desk,
        "CREATE INDEX \"by title\" ON tickets (title); CREATE VIEW open_billing AS SELECT * FROM tickets",
    );
    assert!(desk.ok(&["db", "check"]).starts_with("ok:"));
    repair(&desk);
    assert_eq!(
        shell(&desk, "SELECT count(*) FROM sqlite_schema WHERE name IN ('by title', 'open_billing')"),
        "2"
    );
}

#[test]
fn repair_of_a_healthy_desk_changes_nothing() {
    let desk = desk_with_tickets();
    let before = desk.dump();
    let out = repair(&desk);
    assert_eq!(out.lines().count(), 1, "{out}");
    assert_eq!(desk.dump(), before);
}

#[test]
fn imports_never_touch_indexes_a_team_added() {
    let desk = desk_with_tickets();
    desk.ok(&["note", "1", "called back"]);
    // Names that broke an import built with format!, or ran a statement of their own.
    shell(
        &desk,
        "CREATE INDEX \"by title\" ON tickets (title);
         CREATE INDEX \"x; DELETE FROM ticket_events\" ON tickets (priority);",
    );
    let before = shell(
        &desk,
        "SELECT name, sql FROM sqlite_schema WHERE name IN ('by title', 'x; DELETE FROM ticket_events')",
    );
    let events = shell(&desk, "SELECT count(*) FROM ticket_events");
    let rows: Vec<String> =
        (0..20).map(|i| common::jsonl(&format!("imported {i}"), "d", "general", "low")).collect();
    let file = desk.write_file("rows.jsonl", &rows.join("\n"));
    desk.ok(&["import", file.to_str().unwrap()]);
    assert_eq!(shell(&desk, "SELECT count(*) FROM tickets"), "22");
    assert_eq!(
        shell(
            &desk,
            "SELECT name, sql FROM sqlite_schema WHERE name IN ('by title', 'x; DELETE FROM ticket_events')"
        ),
        before
    );
    let events_after: i64 = shell(&desk, "SELECT count(*) FROM ticket_events").parse().unwrap();
    assert_eq!(
        events_after,
        events.parse::<i64>().unwrap() + 20,
        "history kept, one entry per imported ticket"
    );
    assert!(desk.ok(&["db", "check"]).starts_with("ok:"));
}

#[test]
fn rows_written_before_a_rule_existed_are_kept_and_named() {
    let desk = desk_with_tickets();
    // Rows an older version or a shell let in, with the rules' triggers out of the way.
    shell(
        &desk,
        "DROP TRIGGER tickets_rules_insert;
         INSERT INTO tickets (title, description, category, priority, created_at)
         VALUES ('bad date', 'd', 'billing', 'low', '2024-02-30T10:00:00.000Z'),
                ('two' || char(8232) || 'lines', 'd', 'billing', 'low', '2024-03-01T10:00:00.000Z');",
    );
    let report = check_fails(&desk);
    assert!(
        report.contains("rule: 1 tickets whose created_at or updated_at is not a real UTC time"),
        "{report}"
    );
    assert!(report.contains("the first is on #3"), "{report}");
    assert!(report.contains("rule: 1 tickets whose title holds separators"), "{report}");
    let repaired = desk.cmd().args(["db", "check", "--repair"]).output().unwrap();
    assert_eq!(repaired.status.code(), Some(1), "rows are never rewritten, so the desk stays flagged");
    assert_eq!(shell(&desk, "SELECT count(*) FROM tickets"), "4", "the rows are kept");
    assert_eq!(shell(&desk, "SELECT count(*) FROM sqlite_schema WHERE name = 'tickets_rules_insert'"), "1");
}
