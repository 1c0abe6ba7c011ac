//! The append-only history of each ticket, and internal notes (history
//! entries of their own), on the server.

use postgres::GenericClient;

use super::rows::{EVENT_COLUMNS, event_from_row};
use super::{PgContext, PgDesk};
use crate::domain::{Event, EventField, EventSource};
use crate::store::StoreError;

pub(super) fn log_event(
    client: &mut impl GenericClient,
    ctx: &PgContext,
    ticket_id: i64,
    field: EventField,
    old_value: Option<&str>,
    new_value: Option<&str>,
    source: EventSource,
) -> Result<(), StoreError> {
    client
        .execute(
            "INSERT INTO ticket_events (ticket_id, actor, field, old_value, new_value, source)
             VALUES ($1, $2, $3, $4, $5, $6)",
            &[&ticket_id, &ctx.actor, &field.as_str(), &old_value, &new_value, &source.as_str()],
        )
        .map(drop)
        .map_err(|e| ctx.fail(e))
}

/// Who made the latest change to a ticket's fields, and when (notes aside).
pub(super) fn last_change(
    client: &mut impl GenericClient,
    ctx: &PgContext,
    ticket_id: i64,
) -> Result<Option<(String, String)>, StoreError> {
    let row = client
        .query_opt(
            "SELECT actor, at FROM ticket_events WHERE ticket_id = $1 AND field <> 'note' ORDER BY id DESC LIMIT 1",
            &[&ticket_id],
        )
        .map_err(|e| ctx.fail(e))?;
    let Some(row) = row else { return Ok(None) };
    let actor = row.try_get(0).map_err(|e| ctx.fail(e))?;
    let at = row.try_get(1).map(crate::domain::timestamp::format).map_err(|e| ctx.fail(e))?;
    Ok(Some((actor, at)))
}

impl PgDesk {
    /// Appends an internal note to a ticket.
    pub fn note(&mut self, ticket_id: i64, text: &str) -> Result<Event, StoreError> {
        let text = crate::domain::ticket::validate_note(text)?;
        let ctx = &self.ctx;
        // One statement: the ticket's existence and the note, atomically (the
        // foreign key holds the ticket until the note commits).
        let row = self
            .client
            .query_opt(
                &format!(
                    "INSERT INTO ticket_events (ticket_id, actor, field, new_value, source)
                     SELECT id, $2, 'note', $3, 'person' FROM tickets WHERE id = $1
                     RETURNING {EVENT_COLUMNS}"
                ),
                &[&ticket_id, &ctx.actor, &text],
            )
            .map_err(|e| ctx.fail(e))?
            .ok_or(StoreError::NotFound(ticket_id))?;
        event_from_row(&row, ctx)
    }

    /// Every event of a ticket, oldest first.
    pub fn history(&mut self, ticket_id: i64) -> Result<Vec<Event>, StoreError> {
        self.get(ticket_id)?;
        let ctx = &self.ctx;
        self.client
            .query(
                &format!("SELECT {EVENT_COLUMNS} FROM ticket_events WHERE ticket_id = $1 ORDER BY id"),
                &[&ticket_id],
            )
            .map_err(|e| ctx.fail(e))?
            .iter()
            .map(|row| event_from_row(row, ctx))
            .collect()
    }
}
