//! Arbitrary bytes through both import readers (JSON Lines and CSV), every row
//! consumed.
//!
//! Hard invariants:
//! - no panic;
//! - every `Err` names a line number >= 1 (every `Ok` too);
//! - every `Ok` ticket is what validation would produce: title and
//!   description unchanged by `validate_title` / `validate_description`
//!   (trimmed, title at most 200 chars, no control characters in the title);
//! - an `assignee`, when present, is an account name (`actor::is_account_name`);
//! - a `created_at`, when present, is 24 chars, ends in 'Z', is accepted by
//!   `timestamp::parse_stored`, and is a fixed point of `timestamp::normalize`.
//!
//! Report-only (see common.rs): `schema_refuses_valid_row`, a row that import
//! accepts but the schema's CHECK constraints (the migrations, applied to an
//! in-memory database) refuse: the import would then fail as a store error,
//! not a line-numbered one.

#![no_main]

mod common;

use libfuzzer_sys::fuzz_target;
use std::cell::RefCell;
use ticketdesk::domain::ticket::{TITLE_MAX_CHARS, validate_description, validate_title};
use ticketdesk::domain::{Status, text, timestamp};
use ticketdesk::store::ImportRow;
use ticketdesk::transfer::{self, RowError};

thread_local! {
    static DB: RefCell<common::Db> = RefCell::new(common::Db::new());
}

fuzz_target!(|data: &[u8]| {
    for row in transfer::read_jsonl(data) {
        check(row, "jsonl", data);
    }
    match transfer::read_csv(data) {
        Ok(rows) => {
            for row in rows {
                check(row, "csv", data);
            }
        }
        Err(e) => check_err(&e, "csv header", data),
    }
});

fn check_err(e: &RowError, source: &str, data: &[u8]) {
    if e.line < 1 {
        common::fail("error_line_zero", data, format!("{source}: error without a line number: {e:?}"));
    }
}

fn check(row: Result<ImportRow, RowError>, source: &str, data: &[u8]) {
    let row = match row {
        Ok(row) => row,
        Err(e) => return check_err(&e, source, data),
    };
    let t = &row.ticket;
    if row.line < 1 {
        common::fail("row_line_zero", data, format!("{source}: row without a line number: {row:?}"));
    }
    match validate_title(&t.title) {
        Ok(v) if v == t.title => {}
        other => common::fail(
            "title_not_valid",
            data,
            format!("{source} line {}: title {:?} -> validate_title {other:?}", row.line, t.title),
        ),
    }
    let chars = t.title.chars().count();
    if chars == 0
        || chars > TITLE_MAX_CHARS
        || t.title.chars().any(text::is_control)
        || t.title.trim() != t.title
    {
        common::fail("title_rule", data, format!("{source} line {}: title {:?}", row.line, t.title));
    }
    match validate_description(&t.description) {
        Ok(v) if v == t.description => {}
        other => common::fail(
            "description_not_valid",
            data,
            format!("{source} line {}: description {:?} -> {other:?}", row.line, t.description),
        ),
    }
    if let Some(assignee) = &t.assignee
        && !ticketdesk::actor::is_account_name(assignee)
    {
        common::fail(
            "assignee_not_account",
            data,
            format!("{source} line {}: assignee {assignee:?}", row.line),
        );
    }
    if let Some(at) = &t.created_at {
        let shape_ok = at.len() == 24 && at.chars().count() == 24 && at.ends_with('Z');
        if !shape_ok || timestamp::parse_stored(at).is_none() {
            common::fail("created_at_shape", data, format!("{source} line {}: created_at {at:?}", row.line));
        }
        if timestamp::normalize(at).as_deref() != Ok(at.as_str()) {
            common::fail(
                "created_at_not_fixed_point",
                data,
                format!("{source} line {}: created_at {at:?} -> {:?}", row.line, timestamp::normalize(at)),
            );
        }
    }
    schema_accepts(&row, source, data);
}

/// The schema is the last word on every rule; a row import validated should
/// never be refused by it.
fn schema_accepts(row: &ImportRow, source: &str, data: &[u8]) {
    let t = &row.ticket;
    DB.with_borrow_mut(|db| {
        let conn = db.conn();
        conn.execute_batch("BEGIN").expect("begin");
        let result = conn.execute(
            "INSERT INTO tickets (title, description, category, priority, status, created_at, assignee)
             VALUES (?1, ?2, ?3, ?4, coalesce(?5, 'open'), coalesce(?6, strftime('%Y-%m-%dT%H:%M:%fZ', 'now')), ?7)",
            rusqlite::params![
                t.title,
                t.description,
                t.category.as_str(),
                t.priority.as_str(),
                t.status.map(Status::as_str),
                t.created_at,
                t.assignee
            ],
        );
        conn.execute_batch("ROLLBACK").expect("rollback");
        if let Err(e) = result {
            common::note(
                "schema_refuses_valid_row",
                data,
                format!("{source} line {}: {t:?} refused by the schema: {e}", row.line),
            );
        }
    });
}
