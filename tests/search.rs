//! Search semantics through the CLI, for hostile input and at a size where
//! the store switches from walking recent rows to the full-text index.

mod common;

use common::{Desk, jsonl};
use ticketdesk::domain::SearchQuery;

fn found(desk: &Desk, query: &str, extra: &[&str]) -> Vec<String> {
    let mut args = vec!["list", "--search", query, "--limit", "1000"];
    args.extend_from_slice(extra);
    desk.json(&args).as_array().unwrap().iter().map(|t| t["title"].as_str().unwrap().to_owned()).collect()
}

fn small_desk() -> Desk {
    let desk = Desk::new();
    for (title, description) in [
        ("Refund request", "I was charged twice in March"),
        ("C++ SDK crash", "Segfault in the c++ client when reconnecting"),
        ("Config key", "the value a:b is rejected by the multi-agent scheduler"),
        ("Who's on call?", "need someone who's awake, 100% urgent"),
        ("Quotes", "the error says \"permission denied\" AND then NEAR(crash)"),
        ("Ünicode", "Überweisung fehlgeschlagen, café crème"),
        ("Plain", "nothing special here, just a refurbished laptop"),
    ] {
        desk.add(title, description, "general", "low");
    }
    desk
}

#[test]
fn terms_match_word_starts_and_all_must_match() {
    let desk = small_desk();
    assert_eq!(found(&desk, "refu", &[]), ["Plain", "Refund request"]);
    assert_eq!(found(&desk, "REFUND", &[]), ["Refund request"]);
    assert!(found(&desk, "harged", &[]).is_empty());
    assert_eq!(found(&desk, "march charged", &[]), ["Refund request"]);
    assert!(found(&desk, "march laptop", &[]).is_empty());
    assert_eq!(found(&desk, "überw", &[]), ["Ünicode"]);
    assert_eq!(found(&desk, "CAFÉ", &[]), ["Ünicode"]);
}

#[test]
fn punctuated_terms_match_as_written() {
    let desk = small_desk();
    assert_eq!(found(&desk, "C++", &[]), ["C++ SDK crash"]);
    assert_eq!(found(&desk, "a:b", &[]), ["Config key"]);
    assert_eq!(found(&desk, "multi-agent", &[]), ["Config key"]);
    assert_eq!(found(&desk, "who's", &[]), ["Who's on call?"]);
    assert_eq!(found(&desk, "%", &[]), ["Who's on call?"]);
    assert_eq!(found(&desk, "\"permission", &[]), ["Quotes"]);
}

#[test]
fn no_input_is_an_error_and_nothing_is_an_operator() {
    let desk = small_desk();
    for query in [
        "\"",
        "\"\"\"",
        "AND",
        "OR",
        "NOT",
        "NEAR(",
        "NEAR(a b)",
        "*",
        "-",
        "%",
        "_",
        "'",
        "(",
        ")",
        "^",
        ":",
        "title:refund",
        "{a b}",
        "a AND",
        "-refund",
        "refund*",
        "\\",
        "\u{1}",
        "🎫",
        "ǅ",
        "ß",
        "\u{202e}",
        "   ",
        "'; DROP TABLE tickets; --",
    ] {
        let out = desk.cmd().args(["list", "--search", query, "--json"]).output().unwrap();
        assert!(out.status.success(), "{query:?}: {}", String::from_utf8_lossy(&out.stderr));
        serde_json::from_slice::<serde_json::Value>(&out.stdout).expect("valid json");
    }
    // Operators are plain words: "AND" is the start of a word like "and".
    assert_eq!(found(&desk, "AND", &[]), ["Quotes"]);
    assert_eq!(found(&desk, "NEAR(", &[]), ["Quotes"]);
    assert_eq!(found(&desk, "refund*", &[]), Vec::<String>::new());
    assert_eq!(found(&desk, "   ", &[]).len(), 7, "a blank search is no search");
    assert_eq!(desk.json(&["stats"])["total_tickets"], 7, "still all there");
}

fn search_composes_with_filters(desk: &Desk) {
    desk.add("refund one", "d", "billing", "high");
    desk.add("refund two", "d", "account", "high");
    desk.add("other", "refund", "billing", "low");
    assert_eq!(found(desk, "refund", &["--category", "billing"]), ["other", "refund one"]);
    assert_eq!(found(desk, "refund", &["--category", "billing", "--priority", "high"]), ["refund one"]);
}

/// Over 10,000 rows the store walks recent rows first and turns to the index
/// for rare terms; every strategy must give what the rule itself gives.
#[test]
fn large_desk_results_equal_the_rule_applied_to_every_row() {
    let desk = Desk::new();
    let words =
        ["error", "refund", "login", "export", "slow", "crash", "invoice", "password", "sync", "report"];
    let mut lines = Vec::new();
    for i in 0..12_000u32 {
        let a = words[(i % 10) as usize];
        let b = words[(i / 10 % 10) as usize];
        let rare = if i < 3 {
            " zyxorbium"
        } else if i % 997 == 0 {
            " quux-42 c++"
        } else {
            ""
        };
        let category = ["billing", "technical", "account", "general"][(i % 4) as usize];
        let mut line =
            jsonl(&format!("{a} problem {i}"), &format!("the {b} is broken{rare}"), category, "low");
        // Oldest first in the file; the rare word lives only in the oldest rows.
        line = line.replacen(
            '{',
            &format!("{{\"created_at\":\"2025-01-01T00:00:{:02}.{:03}Z\",", i / 1000, i % 1000),
            1,
        );
        lines.push(line);
    }
    let file = desk.write_file("big.jsonl", &lines.join("\n"));
    desk.ok(&["import", file.to_str().unwrap()]);

    let conn = desk.conn();
    let mut stmt = conn
        .prepare("SELECT title, description, category FROM tickets ORDER BY created_at DESC, id DESC")
        .unwrap();
    let all: Vec<(String, String, String)> =
        stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?))).unwrap().map(Result::unwrap).collect();

    for (query, category) in [
        ("zyxorbium", None),
        ("zyxo", Some("billing")),
        ("quux-42", None),
        ("c++", Some("account")),
        ("err", None),
        ("re", None),
        ("refund sync", Some("technical")),
        ("nothingmatches", None),
        ("istanbul", None),
        ("İstanbul", None),
        ("ΟΔΟΣ", None),
        ("alpha", None),
        ("ა", None),
        ("überw", None),
        ("🙂refund", None),
        ("café", Some("general")),
    ] {
        let rule = SearchQuery::parse(query).unwrap();
        let expected: Vec<String> = all
            .iter()
            .filter(|(t, d, c)| rule.matches(t, d) && category.is_none_or(|want| want == c))
            .take(1000)
            .map(|(t, _, _)| t.clone())
            .collect();
        let extra: Vec<&str> = category.map(|c| vec!["--category", c]).unwrap_or_default();
        assert_eq!(found(&desk, query, &extra), expected, "query {query:?} {category:?}");
    }
    assert_eq!(found(&desk, "zyxorbium", &[]).len(), 3);
}

on_each_engine!(search_composes_with_filters,);
