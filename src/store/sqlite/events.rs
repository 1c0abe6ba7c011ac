//! The append-only history of each ticket, and internal notes (which are
//! history entries of their own).

use rusqlite::{Connection, OptionalExtension, Row, TransactionBehavior, params};

use super::tickets::get_on;
use super::{SqliteDesk, StoreError};
use crate::domain::{Event, EventField, EventSource};

pub(super) fn log_event(
    conn: &Connection,
    ticket_id: i64,
    actor: &str,
    field: EventField,
    old_value: Option<&str>,
    new_value: Option<&str>,
    source: EventSource,
) -> rusqlite::Result<()> {
    conn.prepare_cached(
        "INSERT INTO ticket_events (ticket_id, actor, field, old_value, new_value, source)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?
    .execute(params![ticket_id, actor, field.as_str(), old_value, new_value, source.as_str()])?;
    Ok(())
}

/// Who made the latest change to a ticket's fields, and when (notes aside).
pub(super) fn last_change(conn: &Connection, ticket_id: i64) -> rusqlite::Result<Option<(String, String)>> {
    conn.prepare_cached(
        "SELECT actor, at FROM ticket_events WHERE ticket_id = ?1 AND field <> 'note' ORDER BY id DESC LIMIT 1",
    )?
    .query_row([ticket_id], |row| Ok((row.get(0)?, row.get(1)?)))
    .optional()
}

pub(super) fn event_from_row(row: &Row<'_>) -> rusqlite::Result<Event> {
    let text = |i| row.get::<_, String>(i);
    let field = text(4)?;
    let source = text(7)?;
    let unknown = |what: &str, value: &str| {
        rusqlite::Error::FromSqlConversionFailure(
            4,
            rusqlite::types::Type::Text,
            format!("unknown {what} {value:?}").into(),
        )
    };
    Ok(Event {
        id: row.get(0)?,
        ticket_id: row.get(1)?,
        at: text(2)?,
        actor: text(3)?,
        field: EventField::named(&field).ok_or_else(|| unknown("field", &field))?,
        old_value: row.get(5)?,
        new_value: row.get(6)?,
        source: EventSource::named(&source).ok_or_else(|| unknown("source", &source))?,
    })
}

impl SqliteDesk {
    /// Appends an internal note to a ticket.
    pub fn note(&mut self, ticket_id: i64, text: &str) -> Result<Event, StoreError> {
        let text = crate::domain::ticket::validate_note(text)?;
        let text = text.as_str();
        let ctx = &self.ctx;
        let tx =
            self.conn.transaction_with_behavior(TransactionBehavior::Immediate).map_err(|e| ctx.fail(e))?;
        get_on(&tx, ticket_id).map_err(|e| ctx.fail(e))?.ok_or(StoreError::NotFound(ticket_id))?;
        log_event(&tx, ticket_id, &ctx.actor, EventField::Note, None, Some(text), EventSource::Person)
            .map_err(|e| ctx.fail(e))?;
        let id = tx.last_insert_rowid();
        let event = tx
            .query_row(
                "SELECT id, ticket_id, at, actor, field, old_value, new_value, source FROM ticket_events WHERE id = ?1",
                [id],
                event_from_row,
            )
            .map_err(|e| ctx.fail(e))?;
        tx.commit().map_err(|e| ctx.fail(e))?;
        self.check_in_place()?;
        Ok(event)
    }

    /// Every event of a ticket, oldest first.
    pub fn history(&self, ticket_id: i64) -> Result<Vec<Event>, StoreError> {
        self.get(ticket_id)?;
        self.conn
            .prepare_cached(
                "SELECT id, ticket_id, at, actor, field, old_value, new_value, source
                 FROM ticket_events WHERE ticket_id = ?1 ORDER BY id",
            )
            .and_then(|mut stmt| stmt.query_map([ticket_id], event_from_row)?.collect())
            .map_err(|e| self.ctx.fail(e))
    }
}
