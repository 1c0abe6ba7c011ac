//! How often suggestions are kept: recorded when a ticket is saved, followed
//! through later edits by the schema, and read from running totals.

mod common;

use common::Desk;
use serde_json::Value;

/// What the offline model suggests for a text.
fn local_suggestion(desk: &Desk, text: &str) -> (String, String) {
    let v = desk.json(&["--classifier", "local", "classify", text]);
    (
        v["suggested_category"].as_str().unwrap().to_owned(),
        v["suggested_priority"].as_str().unwrap().to_owned(),
    )
}

fn add(desk: &Desk, title: &str, description: &str, extra: &[&str]) -> i64 {
    let mut args = vec!["--classifier", "local", "add", "--title", title, "--description", description];
    args.extend_from_slice(extra);
    desk.json(&args)["id"].as_i64().unwrap()
}

fn local(desk: &Desk) -> Value {
    desk.json(&["stats"])["suggestions"]["local"].clone()
}

fn other(value: &str, all: &[&str]) -> String {
    all.iter().find(|v| **v != value).unwrap().to_string()
}

#[test]
fn kept_and_changed_suggestions_are_counted_at_save_and_after_edits() {
    let desk = Desk::new();
    let text = "I was charged twice for my subscription, please refund";
    let (category, priority) = local_suggestion(&desk, text);

    // Taken as suggested.
    let kept = add(&desk, "Charged twice", text, &[]);
    // Category overridden before saving; the priority still suggested.
    let category_changed = other(&category, &["billing", "technical", "account", "general"]);
    add(&desk, "Charged twice again", text, &["--category", &category_changed]);
    let stats = local(&desk);
    assert_eq!(stats["category"], serde_json::json!({"kept": 1, "changed": 1}), "{stats}");
    assert_eq!(stats["priority"], serde_json::json!({"kept": 2, "changed": 0}), "{stats}");
    // Both given by hand: nothing was suggested, nothing is counted.
    add(&desk, "By hand", text, &["--category", "general", "--priority", "low"]);
    assert_eq!(local(&desk)["priority"]["kept"], 2);

    // Edited afterwards, from the CLI or a shell: the totals follow.
    let priority_changed = other(&priority, &["low", "medium", "high", "critical"]);
    desk.ok(&["edit", &kept.to_string(), "--priority", &priority_changed]);
    assert_eq!(local(&desk)["priority"], serde_json::json!({"kept": 1, "changed": 1}));
    desk.conn()
        .execute("UPDATE tickets SET priority = ?1 WHERE id = ?2", rusqlite::params![priority, kept])
        .unwrap();
    assert_eq!(local(&desk)["priority"], serde_json::json!({"kept": 2, "changed": 0}));
    assert_eq!(
        desk.json(&["stats"])["suggestions"]["claude"]["category"],
        serde_json::json!({"kept": 0, "changed": 0})
    );

    let human = desk.ok(&["stats"]);
    assert!(human.contains("local kept:   category 1 of 2 (50%) · priority 2 of 2 (100%)"), "{human}");
    assert!(human.contains("claude kept:  no suggestions saved yet"), "{human}");

    // A ticket removed takes its suggestion out of the totals.
    let conn = desk.conn();
    conn.pragma_update(None, "foreign_keys", "ON").unwrap();
    conn.execute("DELETE FROM tickets WHERE id = ?1", [kept]).unwrap();
    assert_eq!(local(&desk)["category"], serde_json::json!({"kept": 0, "changed": 1}));
    assert!(desk.ok(&["db", "check"]).starts_with("ok:"));
}

#[test]
fn what_was_suggested_is_written_once() {
    let desk = Desk::new();
    let id = add(&desk, "Login loop", "cannot sign in to my account", &[]);
    let conn = desk.conn();
    conn.pragma_update(None, "foreign_keys", "ON").unwrap();
    for sql in ["UPDATE ticket_suggestions SET category = 'general'", "DELETE FROM ticket_suggestions"] {
        let err = conn.execute(sql, []).unwrap_err();
        assert!(err.to_string().contains("written once"), "{sql}: {err}");
    }
    assert_eq!(
        conn.query_row("SELECT count(*) FROM ticket_suggestions WHERE ticket_id = ?1", [id], |r| r
            .get::<_, i64>(0))
            .unwrap(),
        1
    );
}

#[test]
fn drifted_suggestion_totals_are_found_and_counted_afresh() {
    let desk = Desk::new();
    add(&desk, "Login loop", "cannot sign in to my account", &[]);
    desk.conn().execute("UPDATE suggestion_counts SET kept = kept + 3 WHERE source = 'local'", []).unwrap();
    let out = desk.cmd().args(["db", "check"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stdout).contains("stats: 2 suggestion totals differ"));
    let repaired = desk.ok(&["db", "check", "--repair"]);
    assert!(repaired.contains("counted the suggestion totals afresh (2 were off)"), "{repaired}");
    assert_eq!(local(&desk)["category"], serde_json::json!({"kept": 1, "changed": 0}));
}
