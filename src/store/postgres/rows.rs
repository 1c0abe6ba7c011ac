//! Rows of `tickets` and `ticket_events` as the desk's tickets and events,
//! `LIKE` patterns, and the stored timestamp text both ways: the server keeps
//! `timestamptz(3)`, the rest of the desk sees the SQLite desk's
//! `YYYY-MM-DDTHH:MM:SS.sssZ`.

use postgres::Row;
use time::OffsetDateTime;

use super::PgContext;
use crate::domain::{Event, EventField, EventSource, Field, Ticket, ValidationError, timestamp};
use crate::store::StoreError;
use crate::store::error::constraint_field;

/// The columns every ticket query selects, in the order [`ticket_from_row`] reads.
pub(super) const TICKET_COLUMNS: &str =
    "id, title, description, category, priority, status, created_at, updated_at, assignee, version";

pub(super) fn ticket_from_row(row: &Row, ctx: &PgContext) -> Result<Ticket, StoreError> {
    let fail = |e| ctx.fail(e);
    let name = |i: usize| -> Result<&str, StoreError> { row.try_get(i).map_err(fail) };
    let at = |i: usize| -> Result<String, StoreError> {
        row.try_get::<_, OffsetDateTime>(i).map(timestamp::format).map_err(fail)
    };
    let known = |e: String| StoreError::Postgres(e);
    Ok(Ticket {
        id: row.try_get(0).map_err(fail)?,
        title: row.try_get(1).map_err(fail)?,
        description: row.try_get(2).map_err(fail)?,
        category: name(3)?.parse().map_err(known)?,
        priority: name(4)?.parse().map_err(known)?,
        status: name(5)?.parse().map_err(known)?,
        created_at: at(6)?,
        updated_at: at(7)?,
        assignee: row.try_get(8).map_err(fail)?,
        version: row.try_get(9).map_err(fail)?,
    })
}

/// The columns every event query selects, in the order [`event_from_row`] reads.
pub(super) const EVENT_COLUMNS: &str = "id, ticket_id, at, actor, field, old_value, new_value, source";

pub(super) fn event_from_row(row: &Row, ctx: &PgContext) -> Result<Event, StoreError> {
    let fail = |e| ctx.fail(e);
    let name = |i: usize| -> Result<&str, StoreError> { row.try_get(i).map_err(fail) };
    let unknown = |what: &str, value: &str| StoreError::Postgres(format!("unknown event {what} {value:?}"));
    let (field, source) = (name(4)?, name(7)?);
    Ok(Event {
        id: row.try_get(0).map_err(fail)?,
        ticket_id: row.try_get(1).map_err(fail)?,
        at: row.try_get::<_, OffsetDateTime>(2).map(timestamp::format).map_err(fail)?,
        actor: row.try_get(3).map_err(fail)?,
        field: EventField::named(field).ok_or_else(|| unknown("field", field))?,
        old_value: row.try_get(5).map_err(fail)?,
        new_value: row.try_get(6).map_err(fail)?,
        source: EventSource::named(source).ok_or_else(|| unknown("source", source))?,
    })
}

/// A ticket's creation time, given in the stored form, as the instant the
/// server keeps. Any other text breaks the rule the SQLite schema holds it
/// to (the server's own parser would take forms the desk never writes).
pub(super) fn created_instant(stored: &str) -> Result<OffsetDateTime, StoreError> {
    timestamp::parse_stored(stored)
        .filter(|at| timestamp::format(*at) == stored)
        .ok_or_else(|| broken("created_at_utc_millis"))
}

/// The store's error for the schema rule `rule` (a constraint name).
pub(super) fn broken(rule: &str) -> StoreError {
    match constraint_field(rule) {
        Some(invalid) => StoreError::Invalid(invalid),
        None => StoreError::Postgres(format!("rule {rule} broken")),
    }
}

/// A stored timestamp (a filter's bound, a cursor's position) as the
/// instant the server compares.
pub(super) fn instant(stored: &str) -> Result<OffsetDateTime, StoreError> {
    timestamp::parse_stored(stored).ok_or_else(|| {
        StoreError::Invalid(ValidationError::new(
            Field::CreatedAt,
            format!(
                "{:?} is not a time YYYY-MM-DDTHH:MM:SS.sssZ",
                crate::domain::text::sanitize_line(stored)
            ),
        ))
    })
}

/// `text` as a `LIKE` pattern matching it anywhere: `%`, `_` and the escape
/// character itself stand for themselves.
pub(super) fn contains_pattern(text: &str) -> String {
    in_order_pattern(&[text])
}

/// A `LIKE` pattern matching text that holds each of `pieces`, in this
/// order, anywhere (each piece taken literally).
pub(super) fn in_order_pattern<S: AsRef<str>>(pieces: &[S]) -> String {
    let mut pattern = String::from("%");
    for piece in pieces {
        for c in piece.as_ref().chars() {
            if matches!(c, '%' | '_' | '\\') {
                pattern.push('\\');
            }
            pattern.push(c);
        }
        pattern.push('%');
    }
    pattern
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_creation_time_must_be_in_the_stored_form() {
        let at = created_instant("2026-10-01T05:06:07.089Z").unwrap();
        assert_eq!(timestamp::format(at), "2026-10-01T05:06:07.089Z");
        for bad in
            ["2026-10-01T05:06:07Z", "2026-10-01T07:06:07.089+02:00", "2026-02-30T00:00:00.000Z", "now"]
        {
            match created_instant(bad) {
                Err(StoreError::Invalid(e)) => assert_eq!(e.field, Field::CreatedAt, "{bad}"),
                other => panic!("{bad}: {other:?}"),
            }
        }
    }

    #[test]
    fn like_patterns_take_every_character_literally() {
        assert_eq!(contains_pattern("50%_off\\"), "%50\\%\\_off\\\\%");
        assert_eq!(contains_pattern(""), "%%");
        assert_eq!(in_order_pattern(&["credit", "c_rd"]), "%credit%c\\_rd%");
    }

    #[test]
    fn a_stored_time_is_an_instant_and_anything_else_is_refused() {
        assert_eq!(
            timestamp::format(instant("2026-10-01T05:06:07.089Z").unwrap()),
            "2026-10-01T05:06:07.089Z"
        );
        assert!(matches!(instant("yesterday"), Err(StoreError::Invalid(_))));
    }
}
