//! Reading and writing single tickets.

use rusqlite::types::{FromSql, FromSqlError, FromSqlResult, ToSql, ToSqlOutput, ValueRef};
use rusqlite::{OptionalExtension, Row, TransactionBehavior, params};

use super::events::{last_change, log_event};
use super::{SqliteDesk, StoreError};
pub(super) use crate::domain::change::Change;
use crate::domain::change::Write;
use crate::domain::{
    Category, EventField, EventSource, NewTicket, Origins, Priority, Status, Ticket, TicketEdit,
};

/// The columns every ticket query selects, in the order [`ticket_from_row`] reads.
pub(super) const TICKET_COLUMNS: &str =
    "id, title, description, category, priority, status, created_at, updated_at, assignee, version";

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
        assignee: row.get(8)?,
        version: row.get(9)?,
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

/// The columns a new ticket sets; the rest take their defaults.
const INSERT: &str =
    "INSERT INTO tickets (title, description, category, priority, status, created_at, assignee)
     VALUES (?1, ?2, ?3, ?4, ?5, coalesce(?6, strftime('%Y-%m-%dT%H:%M:%fZ', 'now')), ?7)";

fn insert_values(ticket: &NewTicket) -> impl rusqlite::Params + '_ {
    (
        &ticket.title,
        &ticket.description,
        ticket.category,
        ticket.priority,
        ticket.status(),
        &ticket.created_at,
        &ticket.assignee,
    )
}

/// Inserts a ticket and reads it back as stored (id, defaults, timestamps).
fn insert_on(conn: &rusqlite::Connection, ticket: &NewTicket) -> rusqlite::Result<Ticket> {
    let returning = format!("{INSERT} RETURNING {TICKET_COLUMNS}");
    conn.prepare_cached(&returning)?.query_row(insert_values(ticket), ticket_from_row)
}

/// Inserts without reading the row back (bulk imports need no echo).
pub(super) fn insert_quietly(conn: &rusqlite::Connection, ticket: &NewTicket) -> rusqlite::Result<()> {
    conn.prepare_cached(INSERT)?.execute(insert_values(ticket)).map(drop)
}

pub(super) fn get_on(conn: &rusqlite::Connection, id: i64) -> rusqlite::Result<Option<Ticket>> {
    conn.prepare_cached(&format!("SELECT {TICKET_COLUMNS} FROM tickets WHERE id = ?1"))?
        .query_row([id], ticket_from_row)
        .optional()
}

/// One change to apply: all set fields in one statement, so one command is
/// one version step; the trigger bumps `version` and `updated_at`.
const UPDATE: &str = "UPDATE tickets SET
        title = coalesce(?1, title),
        description = coalesce(?2, description),
        category = coalesce(?3, category),
        priority = coalesce(?4, priority),
        status = coalesce(?5, status)
     WHERE id = ?6";

const SET_ASSIGNEE: &str = "UPDATE tickets SET assignee = ?1 WHERE id = ?2";

impl SqliteDesk {
    /// Writes a new ticket with its history (created, and where its category
    /// and priority came from), and returns it as stored.
    pub fn add(&mut self, ticket: &NewTicket, origins: Origins) -> Result<Ticket, StoreError> {
        let ctx = &self.ctx;
        let tx =
            self.conn.transaction_with_behavior(TransactionBehavior::Immediate).map_err(|e| ctx.fail(e))?;
        let stored = insert_on(&tx, ticket).map_err(|e| ctx.fail(e))?;
        let log = |field, value: &str, source| {
            log_event(&tx, stored.id, &ctx.actor, field, None, Some(value), source).map_err(|e| ctx.fail(e))
        };
        log(EventField::Created, &stored.title, EventSource::Person)?;
        log(EventField::Category, stored.category.as_str(), origins.category)?;
        log(EventField::Priority, stored.priority.as_str(), origins.priority)?;
        if let Some(offered) = origins.suggested {
            tx.prepare_cached(
                "INSERT INTO ticket_suggestions (ticket_id, source, category, priority) VALUES (?1, ?2, ?3, ?4)",
            )
            .and_then(|mut stmt| {
                stmt.execute(params![stored.id, offered.source.as_str(), offered.category, offered.priority])
            })
            .map_err(|e| ctx.fail(e))?;
        }
        tx.commit().map_err(|e| ctx.fail(e))?;
        self.check_in_place()?;
        Ok(stored)
    }

    pub fn get(&self, id: i64) -> Result<Ticket, StoreError> {
        get_on(&self.conn, id).map_err(|e| self.ctx.fail(e))?.ok_or(StoreError::NotFound(id))
    }

    /// Applies the fields of `edit` that differ from the stored ticket, in one
    /// write transaction, recording each change, and returns the ticket as it
    /// now is. With `expected_version`, refuses (with who changed it) if the
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
    /// version check and history as [`SqliteDesk::edit`].
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
        let tx =
            self.conn.transaction_with_behavior(TransactionBehavior::Immediate).map_err(|e| ctx.fail(e))?;
        let (ticket, changed) = apply(&tx, ctx, id, change, expected_version)?;
        if changed {
            tx.commit().map_err(|e| ctx.fail(e))?;
            self.check_in_place()?;
        }
        Ok(ticket)
    }

    /// The account this store writes as.
    pub fn actor(&self) -> &str {
        &self.ctx.actor
    }
}

/// Applies `change` to ticket `id` inside `tx`: the version check, the one
/// UPDATE, one history event per changed field. Returns the ticket as it now
/// is, and whether anything changed (a change to the same value writes nothing).
pub(super) fn apply(
    tx: &rusqlite::Connection,
    ctx: &super::ErrorContext,
    id: i64,
    change: Change<'_>,
    expected_version: Option<i64>,
) -> Result<(Ticket, bool), StoreError> {
    let current = current_checked(tx, id, expected_version).map_err(|e| e.or_sqlite(ctx))?;
    let Some(plan) = change.plan(&current) else { return Ok((current, false)) };
    match plan.write {
        Write::Fields { title, description, category, priority, status } => tx
            .prepare_cached(UPDATE)
            .and_then(|mut stmt| stmt.execute(params![title, description, category, priority, status, id])),
        Write::Assignee(assignee) => {
            tx.prepare_cached(SET_ASSIGNEE).and_then(|mut stmt| stmt.execute(params![assignee, id]))
        }
    }
    .map_err(|e| ctx.fail(e))?;
    for (field, old, new) in plan.entries {
        log_event(tx, id, &ctx.actor, field, old, new, EventSource::Person).map_err(|e| ctx.fail(e))?;
    }
    let updated = get_on(tx, id).map_err(|e| ctx.fail(e))?.ok_or(StoreError::NotFound(id))?;
    Ok((updated, true))
}

/// Why a checked read failed: the row is gone, it moved on, or SQLite failed.
pub(super) enum CheckFailed {
    Store(StoreError),
    Sqlite(rusqlite::Error),
}

impl CheckFailed {
    pub(super) fn or_sqlite(self, ctx: &super::ErrorContext) -> StoreError {
        match self {
            CheckFailed::Store(e) => e,
            CheckFailed::Sqlite(e) => ctx.fail(e),
        }
    }
}

impl From<rusqlite::Error> for CheckFailed {
    fn from(e: rusqlite::Error) -> Self {
        CheckFailed::Sqlite(e)
    }
}

/// The ticket as it is inside the write transaction, refusing a stale view.
fn current_checked(
    tx: &rusqlite::Connection,
    id: i64,
    expected_version: Option<i64>,
) -> Result<Ticket, CheckFailed> {
    let current = get_on(tx, id)?.ok_or(CheckFailed::Store(StoreError::NotFound(id)))?;
    match expected_version {
        Some(seen) if seen != current.version => {
            Err(CheckFailed::Store(crate::store::conflict::conflict(&current, seen, last_change(tx, id)?)))
        }
        _ => Ok(current),
    }
}

impl SqliteDesk {
    /// The newest `limit` tickets' text and labels, newest first: what the
    /// local classifier learns from (bounded, so it never reads the table).
    pub fn recent_labelled(&self, limit: usize) -> Result<Vec<crate::store::Labelled>, StoreError> {
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        self.conn
            .prepare_cached(
                // The model reads the first few hundred words of each; a
                // huge description is not worth loading whole.
                "SELECT title, substr(description, 1, 8192), category, priority FROM tickets
                 ORDER BY created_at DESC, id DESC LIMIT ?1",
            )
            .and_then(|mut stmt| {
                stmt.query_map([limit], |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?)))?
                    .collect()
            })
            .map_err(|e| self.ctx.fail(e))
    }
}
