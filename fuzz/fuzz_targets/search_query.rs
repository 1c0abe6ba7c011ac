//! A search query and a ticket's text, from one UTF-8 input laid out as
//! `query NUL title NUL description` (missing parts are empty).
//!
//! Hard invariants:
//! - `SearchQuery::parse`, `fts_expression` and `matches` never panic;
//! - `parse` is `None` exactly when the query has no non-whitespace text;
//! - `fts_expression()` is only quoted runs of alphanumeric characters, each
//!   `"…"` or `"…"*`, joined by " AND ": nothing typed can act as FTS5 syntax.
//!
//! Report-only (see common.rs):
//! - `fts_miss`: the rule accepts the ticket but FTS5, with the table and
//!   tokenizer of migrations/V1__tickets.sql (the app's migrations applied to
//!   an in-memory database), does not return it (the index
//!   path of a search would return fewer rows than the walk);
//! - `fts_other_error`: the MATCH fails with an error that is not an `fts5:`
//!   one, which the store propagates instead of falling back to the walk;
//! - `rule_self_miss`: a query does not match a ticket whose title is the
//!   query itself (every term is then a word or a substring of the text).

#![no_main]

mod common;

use libfuzzer_sys::fuzz_target;
use std::cell::RefCell;
use ticketdesk::domain::SearchQuery;
use ticketdesk::domain::ticket::{validate_description, validate_title};

thread_local! {
    static DB: RefCell<common::Db> = RefCell::new(common::Db::new());
}

fuzz_target!(|data: &[u8]| {
    let Ok(input) = std::str::from_utf8(data) else { return };
    let mut parts = input.splitn(3, '\0');
    let query = parts.next().unwrap_or("");
    let title = parts.next().unwrap_or("");
    let description = parts.next().unwrap_or("");

    let Some(parsed) = SearchQuery::parse(query) else {
        if !query.trim().is_empty() {
            common::fail("parse_none_for_text", data, format!("parse({query:?}) is None"));
        }
        return;
    };
    if query.trim().is_empty() {
        common::fail("parse_some_for_blank", data, format!("parse({query:?}) is Some"));
    }

    let expression = parsed.fts_expression();
    if let Some(expr) = &expression {
        check_fts_shape(expr, query, data);
    }

    // The rule on the raw text, then on a ticket the store could hold.
    let _ = parsed.matches(title, description);
    let stored_title = validate_title(title).unwrap_or_else(|_| ".".to_owned());
    let stored_description = validate_description(description).unwrap_or_else(|_| ".".to_owned());
    let hit = parsed.matches(&stored_title, &stored_description);

    if let Ok(own) = validate_title(query)
        && !parsed.matches(&own, ".")
    {
        common::note("rule_self_miss", data, format!("query {query:?} does not match the title {own:?}"));
    }

    if hit && let Some(expr) = &expression {
        fts_agrees(expr, query, &stored_title, &stored_description, data);
    }
});

/// `"tok"` or `"tok"*` with `tok` one or more alphanumeric chars, joined by " AND ".
fn check_fts_shape(expr: &str, query: &str, data: &[u8]) {
    for token in expr.split(" AND ") {
        let body = token.strip_suffix('*').unwrap_or(token);
        let inner = body.strip_prefix('"').and_then(|b| b.strip_suffix('"'));
        match inner {
            None => common::fail(
                "fts_unquoted_token",
                data,
                format!("query {query:?} -> {expr:?}: token {token:?} is not quoted"),
            ),
            Some(inner) if inner.is_empty() => common::fail(
                "fts_empty_token",
                data,
                format!("query {query:?} -> {expr:?}: empty token {token:?}"),
            ),
            Some(inner) if inner.contains('"') || inner.chars().any(char::is_whitespace) => common::fail(
                "fts_quote_escape",
                data,
                format!("query {query:?} -> {expr:?}: token {token:?} breaks out of its quotes"),
            ),
            Some(inner) if !inner.chars().all(char::is_alphanumeric) => common::fail(
                "fts_token_not_alphanumeric",
                data,
                format!(
                    "query {query:?} -> {expr:?}: token {token:?} has non-alphanumeric {:?}",
                    inner.chars().filter(|c| !c.is_alphanumeric()).collect::<String>()
                ),
            ),
            Some(_) => {}
        }
    }
}

/// A ticket the rule accepts should be among FTS5's candidates, unless FTS5
/// refuses the expression with an `fts5:` error (the store then walks).
fn fts_agrees(expr: &str, query: &str, title: &str, description: &str, data: &[u8]) {
    DB.with_borrow_mut(|db| {
        let conn = db.conn();
        if let Err(e) = conn.execute(
            "INSERT INTO tickets (title, description, category, priority) VALUES (?1, ?2, 'general', 'low')",
            rusqlite::params![title, description],
        ) {
            common::note(
                "schema_refuses_valid_text",
                data,
                format!("title {title:?} / description {description:?} refused: {e}"),
            );
            return;
        }
        let id = conn.last_insert_rowid();
        let found: rusqlite::Result<Vec<i64>> = conn
            .prepare_cached("SELECT rowid FROM tickets_fts WHERE tickets_fts MATCH ?1")
            .and_then(|mut stmt| stmt.query_map([expr], |row| row.get(0))?.collect());
        conn.execute("DELETE FROM tickets", []).expect("delete");
        match found {
            Ok(ids) if ids.contains(&id) => {}
            Ok(ids) => common::note(
                "fts_miss",
                data,
                format!(
                    "query {query:?} -> {expr:?} matches title {title:?} / description {description:?} \
                     by the rule, but FTS5 returned {ids:?}"
                ),
            ),
            Err(rusqlite::Error::SqliteFailure(_, Some(message))) if message.starts_with("fts5:") => {}
            Err(e) => common::note(
                "fts_other_error",
                data,
                format!("query {query:?} -> {expr:?}: MATCH failed with a non-fts5 error: {e}"),
            ),
        }
    });
}
