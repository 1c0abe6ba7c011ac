//! The log file: what a fallback leaves there (and what it never does), the
//! spans `--log-level debug` adds, and that nothing of it reaches the
//! terminal.

mod common;

use common::Desk;
use std::path::PathBuf;

const FAKE_KEY: &str = "sk-ant-api03-Zq9FakeKeyForTestsOnly-0000000000AA";

fn log_file(desk: &Desk) -> PathBuf {
    desk.dir.path().join("state").join("ticketdesk").join("ticketdesk.log")
}

#[test]
fn a_fallback_is_logged_with_its_reason_but_never_the_key_or_the_text() {
    let desk = Desk::new();
    let text = "Zebrafish invoice 4111 1111 1111 1111 was charged twice";
    let out = desk
        .cmd()
        .env("ANTHROPIC_API_KEY", FAKE_KEY)
        // Nothing listens on the discard port: the connection is refused at once.
        .env("ANTHROPIC_BASE_URL", "http://127.0.0.1:9")
        .args(["classify", text])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(
        out.stderr.is_empty(),
        "nothing logged to the terminal: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let log = std::fs::read_to_string(log_file(&desk)).expect("a log file");
    let fallback = log
        .lines()
        .find(|l| l.contains("suggestion from the local model instead of claude"))
        .unwrap_or_else(|| panic!("no fallback line in:\n{log}"));
    assert!(
        fallback.contains("WARN")
            && fallback.contains("fallback_reason=connection to 127.0.0.1:9 was refused")
    );
    let failure = log.lines().find(|l| l.contains("claude failed")).expect("the failed call");
    assert!(failure.contains("latency_ms="), "{failure}");
    assert!(log.contains("claude breaker breaker=\"closed\" failures=1"), "{log}");
    for secret in [FAKE_KEY, "Zebrafish", "4111", "charged"] {
        assert!(!log.contains(secret), "{secret} in the log:\n{log}");
    }
}

#[test]
fn debug_shows_where_a_list_spent_its_time() {
    let desk = Desk::new();
    desk.add("One", "first", "general", "low");
    let out = desk.cmd().args(["--log-level", "debug", "list"]).output().unwrap();
    assert!(out.status.success());
    assert!(out.stderr.is_empty(), "{}", String::from_utf8_lossy(&out.stderr));
    let log = std::fs::read_to_string(log_file(&desk)).unwrap();
    for span in ["open: ", "query: ", "print{rows=1}: "] {
        let line = log.lines().find(|l| l.contains(span)).unwrap_or_else(|| panic!("no {span} in:\n{log}"));
        assert!(line.contains("close time.busy="), "{line}");
    }
}

#[test]
fn the_level_comes_from_the_flag_or_ticketdesk_log_and_is_checked() {
    let desk = Desk::new();
    desk.add("One", "first", "general", "low");
    let quiet = desk.cmd().args(["list"]).output().unwrap();
    assert!(quiet.status.success());
    assert!(!log_file(&desk).exists(), "a plain list logs nothing at the default level");
    let out = desk.cmd().env("TICKETDESK_LOG", "ticketdesk=debug").args(["list"]).output().unwrap();
    assert!(out.status.success());
    assert!(std::fs::read_to_string(log_file(&desk)).unwrap().contains("query: "));
    let stderr = desk.fails(&["--log-level", "ticketdesk=loud", "list"], 2);
    assert!(stderr.starts_with("ticketdesk: invalid value 'ticketdesk=loud' for '--log-level"), "{stderr}");
}

#[test]
fn a_refused_change_is_logged() {
    let desk = Desk::new();
    let id = desk.add("One", "first", "general", "low").to_string();
    desk.ok(&["status", &id, "resolved"]);
    desk.fails(&["status", &id, "closed", "--if-version", "1"], 1);
    let log = std::fs::read_to_string(log_file(&desk)).unwrap();
    assert!(log.contains("change refused: the ticket changed since it was read"), "{log}");
}

#[test]
fn a_refused_file_is_logged() {
    let mut desk = Desk::new();
    desk.move_to(desk.write_file("notes.txt", "not a database\n"));
    desk.fails(&["list"], 1);
    let log = std::fs::read_to_string(log_file(&desk)).unwrap();
    let line = log.lines().find(|l| l.contains("desk not opened")).unwrap_or_else(|| panic!("{log}"));
    assert!(line.contains("WARN") && line.contains("is not a SQLite database"), "{line}");
}
