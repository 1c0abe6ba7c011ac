//! The query language end to end: the store answers every query exactly as
//! the rule applied to every row would, the CLI speaks it with flags for
//! each qualifier, and many tickets change at once with a conflicting agent.

mod common;
#[path = "common/query_terms.rs"]
mod query_terms;

use common::Desk;
use proptest::prelude::*;
use std::sync::OnceLock;
use ticketdesk::domain::{Filter, Ticket};
use ticketdesk::store::Store;

const WORDS: &[&str] =
    &["refund", "invoice", "card", "declined", "printer", "login", "timeout", "charged", "twice", "zebra"];

/// A desk of 1,500 tickets over 60 days, with every category, priority,
/// status and owner, and texts built from a small vocabulary (so phrases and
/// negations hit and miss). Built once for all cases.
fn desk() -> &'static (Desk, Vec<Ticket>) {
    static DESK: OnceLock<(Desk, Vec<Ticket>)> = OnceLock::new();
    DESK.get_or_init(|| {
        let desk = Desk::new();
        let mut rows = Vec::new();
        let mut seed = 7u64;
        let mut next = move |n: usize| {
            seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            (seed >> 33) as usize % n
        };
        for i in 0..1500 {
            let words: Vec<&str> = (0..6).map(|_| WORDS[next(WORDS.len())]).collect();
            let day = 1 + next(60);
            let category = ["billing", "technical", "account", "general"][next(4)];
            let priority = ["low", "medium", "high", "critical"][next(4)];
            let status = ["open", "in_progress", "resolved", "closed"][next(4)];
            // On the hour half the time, so bounds at a whole hour meet rows exactly.
            let minute = if i % 2 == 0 { 0 } else { i % 60 };
            let created =
                format!("2026-{:02}-{:02}T{:02}:{:02}:00Z", 9 + day / 31, 1 + day % 28, next(24), minute);
            rows.push(
                serde_json::json!({
                    "title": format!("{} {}", words[0], words[1]),
                    "description": words[2..].join(" "),
                    "category": category,
                    "priority": priority,
                    "status": status,
                    "created_at": created,
                })
                .to_string(),
            );
        }
        let file = desk.write_file("rows.jsonl", &rows.join("\n"));
        desk.ok(&["import", file.to_str().unwrap()]);
        let conn = desk.conn();
        conn.execute("UPDATE tickets SET assignee = 'alice' WHERE id % 5 = 0", []).unwrap();
        conn.execute("UPDATE tickets SET assignee = 'bob' WHERE id % 7 = 0 AND assignee IS NULL", [])
            .unwrap();
        let mut store = Store::open(&desk.db).unwrap();
        let mut all = Vec::new();
        store
            .for_each_ticket(|t| {
                all.push(t);
                Ok(())
            })
            .unwrap();
        (desk, all)
    })
}

/// What the rule says, ticket by ticket, newest first.
fn by_the_rule(filter: &Filter, all: &[Ticket]) -> Vec<i64> {
    let mut hits: Vec<&Ticket> = all
        .iter()
        .filter(|t| filter.matches_fields(t))
        .filter(|t| filter.search.as_ref().is_none_or(|q| q.matches(&t.title, &t.description)))
        .collect();
    hits.sort_by(|a, b| (b.created_at.as_str(), b.id).cmp(&(a.created_at.as_str(), a.id)));
    hits.into_iter().map(|t| t.id).collect()
}

const NOW: time::OffsetDateTime = time::macros::datetime!(2026-11-15 12:00 UTC);

fn check(query: &str) -> Result<(), TestCaseError> {
    let (desk, all) = desk();
    let filter = match Filter::from_query(query, NOW, "alice") {
        Ok(filter) => filter,
        Err(_) => return Ok(()),
    };
    let mut store = Store::open(&desk.db).unwrap();
    let found: Vec<i64> = store.list(&filter, 10_000, None).unwrap().iter().map(|t| t.id).collect();
    prop_assert_eq!(found, by_the_rule(&filter, all), "query {:?}", query);
    Ok(())
}

#[test]
fn the_readme_queries_give_what_the_rule_gives() {
    let (_, all) = desk();
    let mut empty = 0;
    for query in [
        "cat:billing pri:>=high st:open,in_progress assignee:me age:<2w \"card declined\" refund",
        "-st:closed -refund",
        "\"charged twice\" -cat:general",
        "assignee:none pri:<high",
        "-assignee:alice assignee:bob",
        "created:>=2026-10-01 created:<2026-10-15T12:00Z",
        "created:>2026-10-01T05:00Z created:<=2026-10-20T06:00Z",
        "created:2026-10-03",
        "-assignee:bob",
        "-assignee:none -assignee:me",
        "age:>1w zebra",
        "#42",
        "id:42 -#42",
        "cat:billing,account -cat:account",
    ] {
        check(query).unwrap();
        let filter = Filter::from_query(query, NOW, "alice").unwrap();
        empty += usize::from(by_the_rule(&filter, all).is_empty());
    }
    assert!(empty <= 2, "{empty} queries found nothing: the desk does not exercise them");
}

fn term() -> impl Strategy<Value = String> {
    prop_oneof![query_terms::word_terms(WORDS), query_terms::qualifier()]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]
    #[test]
    fn any_query_gives_what_the_rule_gives(terms in proptest::collection::vec(term(), 1..4)) {
        check(&terms.join(" "))?;
    }
}

fn list_speaks_the_query_and_its_flags(desk: &Desk) {
    let refund = desk.add("Refund for March", "card declined at checkout", "billing", "high");
    desk.add("Printer jam", "the card reader too", "technical", "low");
    desk.add("a:b literal", "text with cat:billing in it", "general", "medium");
    let ids = |args: &[&str]| -> Vec<i64> {
        desk.json(args).as_array().unwrap().iter().map(|t| t["id"].as_i64().unwrap()).collect()
    };
    assert_eq!(ids(&["list", "--query", "cat:billing pri:>=high \"card declined\""]), [refund]);
    assert_eq!(ids(&["list", "--query", "card -declined"]), [2]);
    assert_eq!(ids(&["list", "--priority", ">=high"]), [refund]);
    assert_eq!(ids(&["list", "--category", "billing,technical", "--status", "open"]), [2, refund]);
    assert_eq!(ids(&["list", "--query", &format!("#{refund}")]), [refund]);
    assert_eq!(ids(&["list", "--id", "2"]), [2]);
    // --search stays literal: a qualifier there is just text.
    assert_eq!(ids(&["list", "--search", "cat:billing"]), [3]);
    assert_eq!(
        ids(&["list", "--query", "cat:general", "--priority", "low"]),
        Vec::<i64>::new(),
        "flags AND the query"
    );
}

#[test]
fn a_query_mistake_points_at_itself_and_exits_2() {
    let desk = Desk::new();
    let stderr = desk.fails(&["list", "--query", "cat:billing pri:>=urgent"], 2);
    assert_eq!(
        stderr.trim(),
        "ticketdesk: --query: priority must be one of low, medium, high, critical (at \"urgent\", column 19) (see --help)"
    );
    let stderr = desk.fails(&["list", "--assignee", "bad name"], 2);
    assert!(stderr.contains("--assignee: assignee takes an account name"), "{stderr}");
    desk.fails(&["list", "--age", "2d"], 2);
    desk.fails(&["status", "--query", "foo:bar", "--to", "closed"], 2);
    assert!(!desk.db.exists(), "a mistake in a query never creates a desk");
}

fn status_and_assign_change_every_selected_ticket(desk: &Desk) {
    for i in 0..4 {
        desk.add(&format!("billing {i}"), "d", "billing", "low");
    }
    desk.add("other", "d", "technical", "low");
    desk.ok(&["status", "2", "resolved"]);
    let report = desk.json(&["status", "--query", "cat:billing", "--to", "resolved"]);
    assert_eq!(report["changed"], serde_json::json!([4, 3, 1]));
    assert_eq!(report["already"], serde_json::json!([2]));
    assert_eq!(report["skipped"], serde_json::json!([]));
    let human = desk.ok(&["assign", "--query", "st:resolved", "--to", "me"]);
    assert!(human.starts_with("Changed 4 tickets"), "{human}");
    let me = ticketdesk::actor::current();
    assert_eq!(desk.json(&["list", "--assignee", "me"]).as_array().unwrap().len(), 4);
    let history = desk.json(&["history", "1"]);
    let assigned: Vec<_> = history.as_array().unwrap().iter().filter(|e| e["field"] == "assignee").collect();
    assert_eq!(assigned.len(), 1, "one history event per ticket");
    assert_eq!(assigned[0]["new_value"], me);
    assert_eq!(desk.json(&["show", "5"])["status"], "open", "outside the query, untouched");
}

#[test]
fn a_ticket_another_agent_changes_meanwhile_is_skipped_and_named() {
    let desk = Desk::new();
    for i in 0..3 {
        desk.add(&format!("billing {i}"), "d", "billing", "low");
    }
    // Another agent holds the write lock with a change of #2 not yet committed.
    let other = desk.conn();
    other.busy_timeout(std::time::Duration::from_secs(5)).unwrap();
    other.execute_batch("BEGIN IMMEDIATE; UPDATE tickets SET priority = 'high' WHERE id = 2;").unwrap();
    let child = desk
        .std_cmd()
        .args(["--log-level", "info", "status", "--query", "cat:billing", "--to", "closed"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // Once the command has chosen its tickets (as they were), the change lands.
    let log = desk.dir.path().join("state").join("ticketdesk").join("ticketdesk.log");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(15);
    while !std::fs::read_to_string(&log).is_ok_and(|l| l.contains("tickets selected")) {
        assert!(std::time::Instant::now() < deadline, "the command never selected its tickets");
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    other.execute_batch("COMMIT").unwrap();
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(1), "a skipped ticket makes the exit 1");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("Changed 2 tickets"), "{stdout}");
    assert!(stdout.contains("Skipped #2 was changed by"), "{stdout}");
    assert!(String::from_utf8_lossy(&out.stderr).contains("1 of 3 tickets were skipped"));
    assert_eq!(desk.json(&["show", "2"])["status"], "open");
    assert_eq!(desk.json(&["show", "2"])["priority"], "high", "the other agent's change stands");
    assert_eq!(desk.json(&["show", "1"])["status"], "closed");
}

on_each_engine!(list_speaks_the_query_and_its_flags, status_and_assign_change_every_selected_ticket,);
