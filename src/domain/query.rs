//! The query language, one grammar for the search box and `list --query`:
//!
//! ```text
//! cat:billing pri:>=high st:open,in_progress assignee:me age:<2d "card declined" refund -st:closed #42
//! ```
//!
//! Terms are separated by whitespace and combine with AND. A qualifier is
//! `name:value`; `-` before a term negates it; `"…"` is a phrase; `#42` and
//! `id:42` name one ticket; anything else is a bare word, matched by the
//! literal search rule ([`super::search`]). Nothing typed is ever SQL or FTS
//! syntax: a query becomes a [`Term`] list, and only that reaches the store.
//!
//! Parsing never fails on text alone except for a qualifier it cannot read,
//! and then it says which part, by byte range, so a screen can point at it.

use std::ops::Range;
use time::{Date, Duration, Month, OffsetDateTime, PrimitiveDateTime, Time};

use super::ticket::{Category, Priority, Status};

/// One term of a query, with where it was written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Term {
    pub negated: bool,
    pub kind: TermKind,
    /// Byte range of the whole term in the query text.
    pub span: Range<usize>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TermKind {
    Categories(Vec<Category>),
    Priorities(Vec<Priority>),
    Statuses(Vec<Status>),
    Assignee(Who),
    /// Created before or after a moment (`age:<2d`, `created:>=2026-11-01`).
    Created(Bound),
    /// Created within `[from, until)` (`created:2026-11-01`: that day).
    CreatedWithin {
        from: OffsetDateTime,
        until: OffsetDateTime,
    },
    Id(i64),
    Word(String),
    Phrase(String),
}

/// Whose ticket: a named account, the agent at the keyboard, or nobody's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Who {
    Account(String),
    Me,
    Nobody,
}

/// One side of a time range.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Bound {
    /// Created at or after this moment.
    From(OffsetDateTime),
    /// Created strictly before this moment.
    Before(OffsetDateTime),
}

/// A qualifier the query cannot read, and where.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct QueryError {
    pub message: String,
    /// Byte range of the offending text in the query.
    pub span: Range<usize>,
}

impl QueryError {
    fn new(message: impl Into<String>, span: Range<usize>) -> QueryError {
        QueryError { message: message.into(), span }
    }
}

/// Names a qualifier may be written with, and what each one is.
const QUALIFIERS: &[(&str, Qualifier)] = &[
    ("cat", Qualifier::Category),
    ("category", Qualifier::Category),
    ("pri", Qualifier::Priority),
    ("priority", Qualifier::Priority),
    ("st", Qualifier::Status),
    ("status", Qualifier::Status),
    ("assignee", Qualifier::Assignee),
    ("age", Qualifier::Age),
    ("created", Qualifier::Created),
    ("id", Qualifier::Id),
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Qualifier {
    Category,
    Priority,
    Status,
    Assignee,
    Age,
    Created,
    Id,
}

/// Reads a query. `now` anchors `age:` (the caller's clock, so this stays pure).
pub fn parse(query: &str, now: OffsetDateTime) -> Result<Vec<Term>, QueryError> {
    let mut terms = Vec::new();
    let mut rest = 0;
    while let Some(start) = query[rest..].find(|c: char| !c.is_whitespace()).map(|i| rest + i) {
        let (term, end) = read_term(query, start, now)?;
        terms.extend(term);
        rest = end;
    }
    Ok(terms)
}

/// Reads the term starting at `start`; returns it (if it asks anything) and
/// where the next one may begin.
fn read_term(query: &str, start: usize, now: OffsetDateTime) -> Result<(Option<Term>, usize), QueryError> {
    let text = &query[start..];
    let negated = text.starts_with('-') && text[1..].starts_with(|c: char| !c.is_whitespace());
    let body = start + usize::from(negated);
    if query[body..].starts_with('"') {
        let Some(close) = query[body + 1..].find('"').map(|i| body + 1 + i) else {
            return Err(QueryError::new("a phrase needs a closing \"", body..body + 1));
        };
        let phrase = &query[body + 1..close];
        let term = (!phrase.trim().is_empty()).then(|| Term {
            negated,
            kind: TermKind::Phrase(phrase.to_owned()),
            span: start..close + 1,
        });
        return Ok((term, close + 1));
    }
    let end = query[body..].find(char::is_whitespace).map_or(query.len(), |i| body + i);
    let word = &query[body..end];
    let kind = match word.split_once(':') {
        _ if word.len() > 1 && word.starts_with('#') && word[1..].bytes().all(|b| b.is_ascii_digit()) => {
            TermKind::Id(ticket_id(&word[1..], body + 1..end)?)
        }
        Some((name, value)) if !name.is_empty() && name.bytes().all(|b| b.is_ascii_alphabetic()) => {
            let Some(qualifier) = qualifier(name) else {
                let known: Vec<&str> = QUALIFIERS.iter().map(|(n, _)| *n).collect();
                return Err(QueryError::new(
                    format!(
                        "unknown qualifier {name}: (known: {}; to search for the text itself, put it in quotes)",
                        known.join(", ")
                    ),
                    body..body + name.len(),
                ));
            };
            let value_span = body + name.len() + 1..end;
            if value.is_empty() {
                return Err(QueryError::new(format!("{name}: needs a value"), body..end));
            }
            qualified(qualifier, value, value_span, now)?
        }
        _ => TermKind::Word(word.to_owned()),
    };
    Ok((Some(Term { negated, kind, span: start..end }), end))
}

/// Reads `value` as the value of the qualifier `name` (`cat`, `priority`,
/// `age`, …) exactly as written, spaces and all: what a `list --category …`
/// flag means. Spans point into `value`.
pub fn parse_qualifier(name: &str, value: &str, now: OffsetDateTime) -> Result<Term, QueryError> {
    let Some(qualifier) = qualifier(name) else {
        return Err(QueryError::new(format!("unknown qualifier {name}:"), 0..0));
    };
    if value.is_empty() {
        return Err(QueryError::new(format!("{name}: needs a value"), 0..0));
    }
    let kind = qualified(qualifier, value, 0..value.len(), now)?;
    Ok(Term { negated: false, kind, span: 0..value.len() })
}

fn qualifier(name: &str) -> Option<Qualifier> {
    QUALIFIERS.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, q)| *q)
}

fn qualified(
    qualifier: Qualifier,
    value: &str,
    span: Range<usize>,
    now: OffsetDateTime,
) -> Result<TermKind, QueryError> {
    Ok(match qualifier {
        Qualifier::Category => TermKind::Categories(one_of(value, span, "category", Category::ALL)?),
        Qualifier::Status => TermKind::Statuses(one_of(value, span, "status", Status::ALL)?),
        Qualifier::Priority => TermKind::Priorities(priorities(value, span)?),
        Qualifier::Assignee => TermKind::Assignee(who(value, span)?),
        Qualifier::Age => TermKind::Created(age(value, span, now)?),
        Qualifier::Created => created(value, span)?,
        Qualifier::Id => TermKind::Id(ticket_id(value, span)?),
    })
}

/// A comma list of names, each one of `all` (case-insensitive; `in-progress`
/// reads as `in_progress`).
fn one_of<T: Copy + std::fmt::Display>(
    value: &str,
    span: Range<usize>,
    what: &str,
    all: &[T],
) -> Result<Vec<T>, QueryError> {
    let mut found = Vec::new();
    let mut at = span.start;
    for name in value.split(',') {
        let here = at..at + name.len();
        at += name.len() + 1;
        let wanted = name.to_ascii_lowercase().replace('-', "_");
        match all.iter().find(|v| v.to_string() == wanted) {
            Some(v) => found.push(*v),
            None => {
                let names: Vec<String> = all.iter().map(ToString::to_string).collect();
                let here = if name.is_empty() { span.clone() } else { here };
                return Err(QueryError::new(format!("{what} must be one of {}", names.join(", ")), here));
            }
        }
    }
    Ok(found)
}

/// `pri:high`, `pri:low,medium`, or a comparison in the order low < medium <
/// high < critical: `>=high`, `>medium`, `<=low`, `<critical`.
fn priorities(value: &str, span: Range<usize>) -> Result<Vec<Priority>, QueryError> {
    let (op, name) = comparison(value);
    let name_span = span.start + (value.len() - name.len())..span.end;
    if op.is_none() {
        return one_of(name, name_span, "priority", Priority::ALL);
    }
    let [pivot] = one_of(name, name_span, "priority", Priority::ALL)?[..] else {
        return Err(QueryError::new("a priority comparison takes one priority", span));
    };
    Ok(Priority::ALL
        .iter()
        .copied()
        .filter(|p| match op {
            Some(Op::Less) => *p < pivot,
            Some(Op::AtMost) => *p <= pivot,
            Some(Op::More) => *p > pivot,
            Some(Op::AtLeast) => *p >= pivot,
            None => *p == pivot,
        })
        .collect())
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Op {
    Less,
    AtMost,
    More,
    AtLeast,
}

/// Splits a leading `<`, `<=`, `>`, `>=` (or `=`, which is none) off a value.
fn comparison(value: &str) -> (Option<Op>, &str) {
    for (prefix, op) in [("<=", Op::AtMost), (">=", Op::AtLeast), ("<", Op::Less), (">", Op::More)] {
        if let Some(rest) = value.strip_prefix(prefix) {
            return (Some(op), rest);
        }
    }
    (None, value.strip_prefix('=').unwrap_or(value))
}

fn who(value: &str, span: Range<usize>) -> Result<Who, QueryError> {
    Ok(match value.to_ascii_lowercase().as_str() {
        "me" => Who::Me,
        "none" => Who::Nobody,
        _ if crate::actor::is_account_name(value) => Who::Account(value.to_owned()),
        _ => {
            return Err(QueryError::new(
                "assignee takes an account name (letters, digits, '.', '_', '@', '-'), me or none",
                span,
            ));
        }
    })
}

/// `age:<2d` (younger than two days), `age:>1w`, `age:<=36h`, units m h d w.
fn age(value: &str, span: Range<usize>, now: OffsetDateTime) -> Result<Bound, QueryError> {
    let (op, amount) = comparison(value);
    let Some(op) = op else {
        return Err(QueryError::new("age needs < or > before it (age:<2d, age:>1w)", span));
    };
    let amount_span = span.start + (value.len() - amount.len())..span.end;
    let bad =
        || QueryError::new("an age is a number and a unit: m, h, d or w (age:<36h)", amount_span.clone());
    let unit_at = amount.find(|c: char| !c.is_ascii_digit()).ok_or_else(bad)?;
    let (number, unit) = amount.split_at(unit_at);
    let number: i64 = number.parse().map_err(|_| bad())?;
    let minutes = match unit {
        "m" => 1,
        "h" => 60,
        "d" => 60 * 24,
        "w" => 60 * 24 * 7,
        _ => return Err(bad()),
    };
    let ago = number
        .checked_mul(minutes)
        .filter(|m| *m <= 10_000 * 366 * 24 * 60)
        .ok_or_else(|| QueryError::new("that age is longer than ten thousand years", amount_span.clone()))?;
    let moment = now.checked_sub(Duration::minutes(ago)).unwrap_or(OffsetDateTime::UNIX_EPOCH);
    // Younger than the age means created after the moment.
    Ok(match op {
        Op::Less => Bound::From(moment + Duration::milliseconds(1)),
        Op::AtMost => Bound::From(moment),
        Op::More => Bound::Before(moment),
        Op::AtLeast => Bound::Before(moment + Duration::milliseconds(1)),
    })
}

/// `created:>=2026-11-01`, `created:<2026-11-28T12:00Z`, or a day alone
/// (`created:2026-11-01`). Dates and times are UTC.
fn created(value: &str, span: Range<usize>) -> Result<TermKind, QueryError> {
    let (op, when) = comparison(value);
    let when_span = span.start + (value.len() - when.len())..span.end;
    let (moment, whole_day) = moment(when).ok_or_else(|| {
        QueryError::new(
            "a date is YYYY-MM-DD, or YYYY-MM-DDTHH:MM[:SS][Z] for a time (UTC)",
            when_span.clone(),
        )
    })?;
    let next = if whole_day { moment + Duration::days(1) } else { moment + Duration::milliseconds(1) };
    Ok(match op {
        None if whole_day => TermKind::CreatedWithin { from: moment, until: next },
        None => {
            return Err(QueryError::new(
                "a time needs <, <=, > or >= before it (created:<2026-11-28T12:00Z)",
                span,
            ));
        }
        Some(Op::AtLeast) => TermKind::Created(Bound::From(moment)),
        Some(Op::More) => TermKind::Created(Bound::From(next)),
        Some(Op::Less) => TermKind::Created(Bound::Before(moment)),
        Some(Op::AtMost) => TermKind::Created(Bound::Before(next)),
    })
}

/// A UTC moment from `YYYY-MM-DD` (and whether it named a whole day) or
/// `YYYY-MM-DDTHH:MM[:SS[.sss]][Z]`.
fn moment(text: &str) -> Option<(OffsetDateTime, bool)> {
    let (day, time) = match text.split_once(['T', 't']) {
        Some((day, time)) => (day, Some(time.strip_suffix(['Z', 'z']).unwrap_or(time))),
        None => (text, None),
    };
    let mut parts = day.split('-');
    let year: i32 = parts.next().filter(|y| y.len() == 4)?.parse().ok()?;
    let month: u8 = parts.next().filter(|m| m.len() == 2)?.parse().ok()?;
    let day_of_month: u8 = parts.next().filter(|d| d.len() == 2)?.parse().ok()?;
    if parts.next().is_some() {
        return None;
    }
    let date = Date::from_calendar_date(year, Month::try_from(month).ok()?, day_of_month).ok()?;
    let Some(time) = time else {
        return Some((PrimitiveDateTime::new(date, Time::MIDNIGHT).assume_utc(), true));
    };
    let mut fields = time.split(':');
    let hour: u8 = fields.next().filter(|h| h.len() == 2)?.parse().ok()?;
    let minute: u8 = fields.next().filter(|m| m.len() == 2)?.parse().ok()?;
    let (second, milli) = match fields.next() {
        None => (0, 0),
        Some(s) => {
            let (whole, fraction) = s.split_once('.').unwrap_or((s, ""));
            let second: u8 = Some(whole).filter(|w| w.len() == 2)?.parse().ok()?;
            let milli: u16 = match fraction {
                "" => 0,
                f if f.len() <= 3 && f.bytes().all(|b| b.is_ascii_digit()) => {
                    format!("{f:0<3}").parse().ok()?
                }
                _ => return None,
            };
            (second, milli)
        }
    };
    if fields.next().is_some() {
        return None;
    }
    let time = Time::from_hms_milli(hour, minute, second, milli).ok()?;
    Some((PrimitiveDateTime::new(date, time).assume_utc(), false))
}

fn ticket_id(digits: &str, span: Range<usize>) -> Result<i64, QueryError> {
    digits
        .parse::<i64>()
        .ok()
        .filter(|id| *id >= 1)
        .ok_or_else(|| QueryError::new("a ticket id is a whole number from 1", span))
}

#[cfg(test)]
mod tests;
