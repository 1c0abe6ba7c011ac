//! Arbitrary UTF-8 through the terminal-safety sanitiser and the JSON writer.
//!
//! Hard invariants:
//! - `text::sanitize` and `text::sanitize_line` never panic, keep the char
//!   count and change exactly the characters `find_unsafe` reports (one for
//!   one; `sanitize` keeps '\n' and '\t');
//! - `sanitize` leaves nothing `find_unsafe` reports except '\n' and '\t';
//! - `sanitize_line` leaves nothing `find_unsafe` reports (so no '\n');
//! - `output::json::write_line` of `{"t": s}` is one line (ending in a single
//!   '\n'), leaves nothing `find_unsafe` reports, and parses back to `s`; the
//!   same for `write_pretty`, whose only reported chars are its layout newlines.

#![no_main]

mod common;

use libfuzzer_sys::fuzz_target;
use ticketdesk::domain::text::{find_unsafe, sanitize, sanitize_line};
use ticketdesk::output::json;

fuzz_target!(|data: &[u8]| {
    let Ok(s) = std::str::from_utf8(data) else { return };
    let count = s.chars().count();

    let found: Vec<usize> = find_unsafe(s).iter().map(|&(at, _)| at).collect();
    let shown = sanitize(s);
    if shown.chars().count() != count {
        common::fail("sanitize_len", data, format!("{s:?} -> {shown:?}"));
    }
    if let Some((_, c)) = find_unsafe(&shown).into_iter().find(|&(_, c)| c != '\n' && c != '\t') {
        common::fail("sanitize_unsafe", data, format!("{s:?} -> {shown:?} keeps {c:?}"));
    }
    for ((at, a), b) in s.char_indices().zip(shown.chars()) {
        if a != b && (found.binary_search(&at).is_err() || a == '\n' || a == '\t') {
            common::fail("sanitize_changed_safe", data, format!("{s:?} -> {shown:?}: {a:?} became {b:?}"));
        }
    }

    let line = sanitize_line(s);
    if line.chars().count() != count {
        common::fail("sanitize_line_len", data, format!("{s:?} -> {line:?}"));
    }
    if let Some((_, c)) = find_unsafe(&line).first() {
        common::fail("sanitize_line_unsafe", data, format!("{s:?} -> {line:?} keeps {c:?}"));
    }
    for ((at, a), b) in s.char_indices().zip(line.chars()) {
        if a != b && found.binary_search(&at).is_err() {
            common::fail(
                "sanitize_line_changed_safe",
                data,
                format!("{s:?} -> {line:?}: {a:?} became {b:?}"),
            );
        }
    }

    let value = serde_json::json!({ "t": s });
    for pretty in [false, true] {
        let mut out = Vec::new();
        let written =
            if pretty { json::write_pretty(&mut out, &value) } else { json::write_line(&mut out, &value) };
        if let Err(e) = written {
            common::fail("json_write_error", data, format!("{s:?}: {e}"));
            continue;
        }
        let Ok(printed) = String::from_utf8(out) else {
            common::fail("json_not_utf8", data, format!("{s:?}"));
            continue;
        };
        let Some(body) = printed.strip_suffix('\n') else {
            common::fail("json_no_newline", data, format!("{s:?} -> {printed:?}"));
            continue;
        };
        let layout_newline_ok = |c: char| pretty && c == '\n';
        if let Some((_, c)) = find_unsafe(body).into_iter().find(|&(_, c)| !layout_newline_ok(c)) {
            common::fail("json_unsafe", data, format!("{s:?} -> {printed:?} keeps {c:?} (pretty: {pretty})"));
        }
        match serde_json::from_str::<serde_json::Value>(&printed) {
            Ok(back) if back["t"].as_str() == Some(s) => {}
            other => common::fail(
                "json_round_trip",
                data,
                format!("{s:?} -> {printed:?} -> {other:?} (pretty: {pretty})"),
            ),
        }
    }
});
