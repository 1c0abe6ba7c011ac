//! Every bad input: a clear one-line message, the contract's exit code, and
//! the database exactly as it was.

mod common;

use common::Desk;

fn invalid_values_exit_2_and_change_nothing(desk: &Desk) {
    let id = desk.add("existing", "kept", "billing", "low").to_string();
    let before = desk.dump();
    let long = "x".repeat(201);
    let cases: Vec<Vec<&str>> = vec![
        vec!["add", "--title", &long, "--description", "d"],
        vec!["add", "--title", "   ", "--description", "d"],
        vec!["add", "--title", "t", "--description", " \n "],
        vec!["add", "--title", "two\nlines", "--description", "d"],
        vec!["add", "--title", "t"],
        vec!["add", "--title", "t", "--description", "d", "--category", "refunds"],
        vec!["add", "--title", "t", "--description", "d", "--priority", "urgent"],
        vec!["add", "--title", "t", "--description", "d", "--bogus"],
        vec!["add", "--title", "t", "--description", "d", "--description-file", "x"],
        vec!["list", "--status", "done"],
        vec!["list", "--limit", "0"],
        vec!["list", "--limit", "many"],
        vec!["show", "abc"],
        vec!["show", "0"],
        vec!["status", &id, "finished"],
        vec!["edit", &id],
        vec!["edit", &id, "--title", ""],
        vec!["edit", "x1", "--title", "t"],
        vec!["export", "--format", "xml"],
        vec!["frobnicate"],
    ];
    for args in cases {
        let stderr = desk.fails(&args, 2);
        assert!(!stderr.trim().is_empty(), "{args:?} said nothing");
        assert_eq!(desk.dump(), before, "{args:?} changed the database");
    }
}

fn validation_messages_name_the_field_and_rule(desk: &Desk) {
    let stderr = desk.fails(&["add", "--title", &"é".repeat(201), "--description", "d"], 2);
    assert_eq!(stderr.trim(), "ticketdesk: title: must be at most 200 characters (got 201)");
    let stderr = desk.fails(&["add", "--title", "t", "--description", "  "], 2);
    assert_eq!(stderr.trim(), "ticketdesk: description: must not be empty");
}

fn missing_tickets_exit_1(desk: &Desk) {
    desk.add("only", "d", "billing", "low");
    let before = desk.dump();
    for args in [vec!["show", "99"], vec!["status", "99", "closed"], vec!["edit", "99", "--title", "t"]] {
        let stderr = desk.fails(&args, 1);
        assert_eq!(stderr.trim(), "ticketdesk: no ticket #99", "{args:?}");
    }
    assert_eq!(desk.dump(), before);
}

fn an_unreadable_description_file_is_named(desk: &Desk) {
    let stderr = desk.fails(&["add", "--title", "t", "--description-file", "/nonexistent/desc.txt"], 1);
    assert!(stderr.contains("/nonexistent/desc.txt"), "{stderr}");
}

#[test]
fn a_busy_database_fails_cleanly_after_the_wait() {
    let desk = Desk::new();
    desk.add("t", "d", "billing", "low");
    let conn = desk.conn();
    conn.busy_timeout(std::time::Duration::ZERO).unwrap();
    conn.execute_batch("BEGIN IMMEDIATE").unwrap();
    // Readers are never blocked by a writer.
    assert_eq!(desk.json(&["list"]).as_array().unwrap().len(), 1);
    let started = std::time::Instant::now();
    let stderr = desk.fails(&["--busy-timeout", "1", "add", "--title", "t2", "--description", "d"], 1);
    assert!(stderr.contains("busy"), "{stderr}");
    assert!(started.elapsed() >= std::time::Duration::from_millis(900), "it waited before giving up");
    conn.execute_batch("ROLLBACK").unwrap();
    assert_eq!(desk.json(&["stats"])["total_tickets"], 1);
}

fn control_characters_in_messages_are_made_safe(desk: &Desk) {
    let stderr =
        desk.fails(&["add", "--title", "t", "--description", "d", "--category", "\u{1b}]0;pwn\u{7}"], 2);
    assert!(!stderr.contains('\u{1b}'), "{stderr:?}");
}

fn a_description_with_nul_is_refused_by_name(desk: &Desk) {
    desk.add("kept", "d", "billing", "low");
    let file = desk.write_file("nul.txt", "\0\0hidden after NUL");
    let before = desk.dump();
    let stderr = desk.fails(&["add", "--title", "t", "--description-file", file.to_str().unwrap()], 2);
    assert!(stderr.contains("description: must not contain NUL"), "{stderr}");
    assert_eq!(desk.dump(), before);
}

on_each_engine!(
    invalid_values_exit_2_and_change_nothing,
    validation_messages_name_the_field_and_rule,
    missing_tickets_exit_1,
    an_unreadable_description_file_is_named,
    control_characters_in_messages_are_made_safe,
    a_description_with_nul_is_refused_by_name,
);
