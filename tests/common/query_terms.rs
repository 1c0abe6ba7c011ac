//! Generated terms of the query language, for the property tests that
//! compare what a query lists with the search rule applied to every row.
#![allow(dead_code)]

use proptest::prelude::*;

/// A word from `words`, negated, or two of them as a phrase.
pub fn word_terms(words: &'static [&'static str]) -> impl Strategy<Value = String> {
    let word = proptest::sample::select(words).prop_map(str::to_owned);
    prop_oneof![
        word.clone(),
        word.clone().prop_map(|w| format!("-{w}")),
        (word.clone(), word).prop_map(|(a, b)| format!("\"{a} {b}\"")),
    ]
}

/// Every qualifier, with lists, comparisons and negations.
pub fn qualifier() -> impl Strategy<Value = String> {
    prop_oneof![
        proptest::sample::select(&["billing", "technical", "account", "general", "billing,account"][..])
            .prop_map(|c| format!("cat:{c}")),
        proptest::sample::select(&[">=high", "<medium", "low,critical", ">low"][..])
            .prop_map(|p| format!("pri:{p}")),
        proptest::sample::select(&["open", "closed", "open,in_progress", "resolved"][..])
            .prop_map(|s| format!("-st:{s}")),
        proptest::sample::select(&["me", "none", "bob", "-me", "-none", "-bob"][..]).prop_map(|a| format!(
            "{}assignee:{}",
            if a.starts_with('-') { "-" } else { "" },
            a.trim_start_matches('-')
        )),
        (1u32..28, 0u32..24, proptest::sample::select(&["<", "<=", ">", ">="][..]))
            .prop_map(|(day, hour, op)| format!("created:{op}2026-10-{day:02}T{hour:02}:00Z")),
        proptest::sample::select(&["<2w", ">3w", "<=40d"][..]).prop_map(|a| format!("age:{a}")),
        (1i64..1600).prop_map(|id| format!("#{id}")),
    ]
}
