//! Reading and writing single tickets on the server. A change locks its
//! ticket's row first (`FOR NO KEY UPDATE`: what the UPDATE itself takes, so
//! notes may still be added meanwhile), then checks the version it was asked
//! to build on, so two agents changing one ticket at once meet the same
//! conflict as on SQLite. A lock wait ends at the session's `lock_timeout`.

use postgres::Transaction;

use super::events::{last_change, log_event};
use super::rows::{TICKET_COLUMNS, broken, created_instant, ticket_from_row};
use super::{PgContext, PgDesk};
use crate::domain::change::{Change, Write};
use crate::domain::{EventField, EventSource, NewTicket, Origins, Ticket, TicketEdit};
use crate::store::conflict::conflict;
use crate::store::{Labelled, StoreError};

/// The new ticket; `created_at` and `status` take the schema's defaults when
/// the ticket brings none (the statement's time, `open`).
fn insert_sql(with_time: bool) -> String {
    let (column, value) = if with_time { (", created_at", ", $7") } else { ("", "") };
    format!(
        "INSERT INTO tickets (title, description, category, priority, status, assignee{column})
         VALUES ($1, $2, $3, $4, $5, $6{value}) RETURNING {TICKET_COLUMNS}"
    )
}

/// One change: all set fields in one statement, so one command is one
/// version step; the trigger bumps `version` and `updated_at`.
const UPDATE: &str = "UPDATE tickets SET
        title = coalesce($1, title),
        description = coalesce($2, description),
        category = coalesce($3, category),
        priority = coalesce($4, priority),
        status = coalesce($5, status)
     WHERE id = $6";

const SET_ASSIGNEE: &str = "UPDATE tickets SET assignee = $1 WHERE id = $2";

/// Text the server cannot hold: PostgreSQL refuses NUL in any text, where
/// SQLite stores it and its schema refuses it by rule. Refused here with
/// the rule SQLite names, before the server's own (unnamed) refusal.
fn refuse_nul(title: Option<&str>, description: Option<&str>) -> Result<(), StoreError> {
    if title.is_some_and(|t| t.contains('\0')) {
        return Err(broken("title_no_control_chars"));
    }
    if description.is_some_and(|d| d.contains('\0')) {
        return Err(broken("description_no_nul"));
    }
    Ok(())
}

impl PgDesk {
    /// Writes a new ticket with its history (created, and where its category
    /// and priority came from) and what was suggested for it, in one
    /// transaction, and returns it as stored.
    pub fn add(&mut self, ticket: &NewTicket, origins: Origins) -> Result<Ticket, StoreError> {
        refuse_nul(Some(&ticket.title), Some(&ticket.description))?;
        let created = ticket.created_at.as_deref().map(created_instant).transpose()?;
        let ctx = &self.ctx;
        let fail = |e| ctx.fail(e);
        let mut tx = self.client.transaction().map_err(fail)?;
        let names = [ticket.category.as_str(), ticket.priority.as_str(), ticket.status().as_str()];
        let mut values: Vec<&(dyn postgres::types::ToSql + Sync)> =
            vec![&ticket.title, &ticket.description, &names[0], &names[1], &names[2], &ticket.assignee];
        if let Some(at) = &created {
            values.push(at);
        }
        let row = tx.query_one(&insert_sql(created.is_some()), &values).map_err(fail)?;
        let stored = ticket_from_row(&row, ctx)?;
        let mut log =
            |field, value: &str, source| log_event(&mut tx, ctx, stored.id, field, None, Some(value), source);
        log(EventField::Created, &stored.title, EventSource::Person)?;
        log(EventField::Category, stored.category.as_str(), origins.category)?;
        log(EventField::Priority, stored.priority.as_str(), origins.priority)?;
        if let Some(offered) = origins.suggested {
            tx.execute(
                "INSERT INTO ticket_suggestions (ticket_id, source, category, priority) VALUES ($1, $2, $3, $4)",
                &[&stored.id, &offered.source.as_str(), &offered.category.as_str(), &offered.priority.as_str()],
            )
            .map_err(fail)?;
        }
        tx.commit().map_err(fail)?;
        Ok(stored)
    }

    pub fn get(&mut self, id: i64) -> Result<Ticket, StoreError> {
        let ctx = &self.ctx;
        let row = self
            .client
            .query_opt(&format!("SELECT {TICKET_COLUMNS} FROM tickets WHERE id = $1"), &[&id])
            .map_err(|e| ctx.fail(e))?
            .ok_or(StoreError::NotFound(id))?;
        ticket_from_row(&row, ctx)
    }

    /// Applies the fields of `edit` that differ from the stored ticket, in one
    /// transaction, recording each change, and returns the ticket as it now
    /// is. With `expected_version`, refuses (with who changed it) if the
    /// ticket moved on since that version. An edit that changes nothing
    /// writes nothing.
    pub fn edit(
        &mut self,
        id: i64,
        edit: &TicketEdit,
        expected_version: Option<i64>,
    ) -> Result<Ticket, StoreError> {
        self.change_one(id, Change::Fields(edit), expected_version)
    }

    /// Gives the ticket to `assignee` (`None`: to nobody), with the same
    /// version check and history as [`PgDesk::edit`].
    pub fn assign(
        &mut self,
        id: i64,
        assignee: Option<&str>,
        expected_version: Option<i64>,
    ) -> Result<Ticket, StoreError> {
        self.change_one(id, Change::Assignee(assignee), expected_version)
    }

    fn change_one(
        &mut self,
        id: i64,
        change: Change<'_>,
        expected_version: Option<i64>,
    ) -> Result<Ticket, StoreError> {
        let ctx = &self.ctx;
        let mut tx = self.client.transaction().map_err(|e| ctx.fail(e))?;
        let (ticket, changed) = apply(&mut tx, ctx, id, change, expected_version)?;
        if changed {
            tx.commit().map_err(|e| ctx.fail(e))?;
        }
        Ok(ticket)
    }

    /// The newest `limit` tickets' text and labels, newest first: what the
    /// local classifier learns from (bounded, so it never reads the table).
    pub fn recent_labelled(&mut self, limit: usize) -> Result<Vec<Labelled>, StoreError> {
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let ctx = &self.ctx;
        let rows = self
            .client
            .query(
                // The model reads the first few hundred words of each; a
                // huge description is not worth loading whole.
                "SELECT title, left(description, 8192), category, priority FROM tickets
                 ORDER BY created_at DESC, id DESC LIMIT $1",
                &[&limit],
            )
            .map_err(|e| ctx.fail(e))?;
        rows.iter()
            .map(|row| {
                let text = |i| row.try_get::<_, String>(i).map_err(|e| ctx.fail(e));
                let known = StoreError::Postgres;
                Ok((text(0)?, text(1)?, text(2)?.parse().map_err(known)?, text(3)?.parse().map_err(known)?))
            })
            .collect()
    }
}

/// Applies `change` to ticket `id` inside `tx`: the row lock, the version
/// check, the one UPDATE, one history event per changed field. Returns the
/// ticket as it now is, and whether anything changed (a change to the same
/// value writes nothing).
pub(super) fn apply(
    tx: &mut Transaction<'_>,
    ctx: &PgContext,
    id: i64,
    change: Change<'_>,
    expected_version: Option<i64>,
) -> Result<(Ticket, bool), StoreError> {
    let fail = |e| ctx.fail(e);
    let locked = format!("SELECT {TICKET_COLUMNS} FROM tickets WHERE id = $1 FOR NO KEY UPDATE");
    let row = tx.query_opt(&locked, &[&id]).map_err(fail)?.ok_or(StoreError::NotFound(id))?;
    let current = ticket_from_row(&row, ctx)?;
    if let Some(seen) = expected_version.filter(|seen| *seen != current.version) {
        let last = last_change(tx, ctx, id)?;
        return Err(conflict(&current, seen, last));
    }
    let Some(plan) = change.plan(&current) else { return Ok((current, false)) };
    let returning = |sql: &str| format!("{sql} RETURNING {TICKET_COLUMNS}");
    if let Write::Fields { title, description, .. } = plan.write {
        refuse_nul(title, description)?;
    }
    let row = match plan.write {
        Write::Fields { title, description, category, priority, status } => tx.query_one(
            &returning(UPDATE),
            &[
                &title,
                &description,
                &category.map(|c| c.as_str()),
                &priority.map(|p| p.as_str()),
                &status.map(|s| s.as_str()),
                &id,
            ],
        ),
        Write::Assignee(assignee) => tx.query_one(&returning(SET_ASSIGNEE), &[&assignee, &id]),
    }
    .map_err(fail)?;
    // The version trigger runs before the row is written: RETURNING sees its bump.
    let updated = ticket_from_row(&row, ctx)?;
    for (field, old, new) in plan.entries {
        log_event(tx, ctx, id, field, old, new, EventSource::Person)?;
    }
    Ok((updated, true))
}
