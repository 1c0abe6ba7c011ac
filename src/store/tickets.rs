//! Reading and writing single tickets.

use rusqlite::types::{FromSql, FromSqlError, FromSqlResult, ToSql, ToSqlOutput, ValueRef};
use rusqlite::{OptionalExtension, Row, TransactionBehavior, params};

use super::{Store, StoreError};
use crate::domain::{Category, NewTicket, Priority, Status, Ticket, TicketEdit};

/// The columns every ticket query selects, in the order [`ticket_from_row`] reads.
pub(super) const TICKET_COLUMNS: &str =
    "id, title, description, category, priority, status, created_at, updated_at";

pub(super) fn ticket_from_row(row: &Row<'_>) -> rusqlite::Result<Ticket> {
    Ok(Ticket {
        id: row.get(0)?,
        title: row.get(1)?,
        description: row.get(2)?,
        category: row.get(3)?,
        priority: row.get(4)?,
        status: row.get(5)?,
        created_at: row.get(6)?,
        updated_at: row.get(7)?,
    })
}

macro_rules! sql_text_enum {
    ($($name:ident),+) => {$(
        impl ToSql for $name {
            fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
                Ok(ToSqlOutput::from(self.as_str()))
            }
        }
        impl FromSql for $name {
            fn column_result(value: ValueRef<'_>) -> FromSqlResult<Self> {
                value.as_str()?.parse().map_err(|e: String| FromSqlError::Other(e.into()))
            }
        }
    )+};
}
sql_text_enum!(Category, Priority, Status);

const INSERT: &str = "INSERT INTO tickets (title, description, category, priority, status, created_at)
     VALUES (?1, ?2, ?3, ?4, ?5, coalesce(?6, strftime('%Y-%m-%dT%H:%M:%fZ', 'now')))
     RETURNING id, title, description, category, priority, status, created_at, updated_at";

pub(super) fn insert_on(conn: &rusqlite::Connection, ticket: &NewTicket) -> rusqlite::Result<Ticket> {
    conn.prepare_cached(INSERT)?.query_row(
        params![
            ticket.title,
            ticket.description,
            ticket.category,
            ticket.priority,
            ticket.status.unwrap_or(Status::Open),
            ticket.created_at,
        ],
        ticket_from_row,
    )
}

/// Inserts without reading the row back (bulk imports need no echo).
pub(super) fn insert_quietly(conn: &rusqlite::Connection, ticket: &NewTicket) -> rusqlite::Result<()> {
    const INSERT_QUIETLY: &str =
        "INSERT INTO tickets (title, description, category, priority, status, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, coalesce(?6, strftime('%Y-%m-%dT%H:%M:%fZ', 'now')))";
    conn.prepare_cached(INSERT_QUIETLY)?.execute(params![
        ticket.title,
        ticket.description,
        ticket.category,
        ticket.priority,
        ticket.status.unwrap_or(Status::Open),
        ticket.created_at,
    ])?;
    Ok(())
}

fn get_on(conn: &rusqlite::Connection, id: i64) -> rusqlite::Result<Option<Ticket>> {
    conn.prepare_cached(&format!("SELECT {TICKET_COLUMNS} FROM tickets WHERE id = ?1"))?
        .query_row([id], ticket_from_row)
        .optional()
}

impl Store {
    /// Writes a new ticket and returns it as stored (id, defaults, timestamps).
    pub fn add(&mut self, ticket: &NewTicket) -> Result<Ticket, StoreError> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(|e| self.ctx.fail(e))?;
        let stored = insert_on(&tx, ticket).map_err(|e| self.ctx.fail(e))?;
        tx.commit().map_err(|e| self.ctx.fail(e))?;
        Ok(stored)
    }

    pub fn get(&self, id: i64) -> Result<Ticket, StoreError> {
        get_on(&self.conn, id).map_err(|e| self.ctx.fail(e))?.ok_or(StoreError::NotFound(id))
    }

    /// Applies the fields of `edit` that differ from the stored ticket, in one
    /// write transaction, and returns the ticket as it now is. An edit that
    /// changes nothing writes nothing.
    pub fn edit(&mut self, id: i64, edit: &TicketEdit) -> Result<Ticket, StoreError> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(|e| self.ctx.fail(e))?;
        let current = get_on(&tx, id).map_err(|e| self.ctx.fail(e))?.ok_or(StoreError::NotFound(id))?;
        let run = |sql: &str, value: &dyn ToSql| -> Result<(), StoreError> {
            tx.prepare_cached(sql)
                .and_then(|mut stmt| stmt.execute(params![value, id]))
                .map(drop)
                .map_err(|e| self.ctx.fail(e))
        };
        let mut changed = false;
        if let Some(title) = edit.title.as_ref().filter(|t| **t != current.title) {
            run("UPDATE tickets SET title = ?1 WHERE id = ?2", title)?;
            changed = true;
        }
        if let Some(description) = edit.description.as_ref().filter(|d| **d != current.description) {
            run("UPDATE tickets SET description = ?1 WHERE id = ?2", description)?;
            changed = true;
        }
        if let Some(category) = edit.category.filter(|c| *c != current.category) {
            run("UPDATE tickets SET category = ?1 WHERE id = ?2", &category)?;
            changed = true;
        }
        if let Some(priority) = edit.priority.filter(|p| *p != current.priority) {
            run("UPDATE tickets SET priority = ?1 WHERE id = ?2", &priority)?;
            changed = true;
        }
        if let Some(status) = edit.status.filter(|s| *s != current.status) {
            run("UPDATE tickets SET status = ?1 WHERE id = ?2", &status)?;
            changed = true;
        }
        if !changed {
            return Ok(current);
        }
        // updated_at is moved by the schema's trigger; read the row back to see it.
        let updated = get_on(&tx, id).map_err(|e| self.ctx.fail(e))?.ok_or(StoreError::NotFound(id))?;
        tx.commit().map_err(|e| self.ctx.fail(e))?;
        Ok(updated)
    }
}

/// A ticket's text and the labels an agent gave it, for training.
pub type Labelled = (String, String, Category, Priority);

impl Store {
    /// The newest `limit` tickets' text and labels, newest first: what the
    /// local classifier learns from (bounded, so it never reads the table).
    pub fn recent_labelled(&self, limit: usize) -> Result<Vec<Labelled>, StoreError> {
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        self.conn
            .prepare_cached(
                "SELECT title, description, category, priority FROM tickets
                 ORDER BY created_at DESC, id DESC LIMIT ?1",
            )
            .and_then(|mut stmt| {
                stmt.query_map([limit], |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?)))?
                    .collect()
            })
            .map_err(|e| self.ctx.fail(e))
    }
}
