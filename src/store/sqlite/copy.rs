//! Both sides of copying a whole desk (see `store::copy`) on SQLite.

use rusqlite::{OptionalExtension, TransactionBehavior, params};

use super::events::event_from_row;
use super::tickets::{TICKET_COLUMNS, ticket_from_row};
use super::{SqliteDesk, StoreError};
use crate::domain::{Source, Suggested};
use crate::store::copy::{CopyCounts, DeskRecord};

const EVENT_COLUMNS: &str = "id, ticket_id, at, actor, field, old_value, new_value, source";

impl SqliteDesk {
    /// Every ticket with its history and suggestion, in id order, from one
    /// snapshot; stops early when `each` says so.
    pub fn read_records(&mut self, each: &mut dyn FnMut(DeskRecord) -> bool) -> Result<(), StoreError> {
        let ctx = &self.ctx;
        let fail = |e| ctx.fail(e);
        let tx = self.conn.transaction().map_err(fail)?;
        let mut tickets =
            tx.prepare(&format!("SELECT {TICKET_COLUMNS} FROM tickets ORDER BY id")).map_err(fail)?;
        let mut events = tx
            .prepare(&format!("SELECT {EVENT_COLUMNS} FROM ticket_events ORDER BY ticket_id, id"))
            .map_err(fail)?;
        let mut suggestions = tx
            .prepare(
                "SELECT ticket_id, source, category, priority FROM ticket_suggestions ORDER BY ticket_id",
            )
            .map_err(fail)?;
        let mut tickets = tickets.query_map([], ticket_from_row).map_err(fail)?;
        let mut events = events.query_map([], event_from_row).map_err(fail)?.peekable();
        let mut suggestions = suggestions
            .query_map([], |row| {
                let source: String = row.get(1)?;
                let source = Source::ALL.into_iter().find(|s| s.as_str() == source).ok_or_else(|| {
                    rusqlite::Error::FromSqlConversionFailure(1, rusqlite::types::Type::Text, source.into())
                })?;
                Ok((
                    row.get::<_, i64>(0)?,
                    Suggested { source, category: row.get(2)?, priority: row.get(3)? },
                ))
            })
            .map_err(fail)?
            .peekable();
        // Three walks in step, each in ticket order (a ticket's rows sit
        // together in each), so nothing is held beyond one ticket.
        for ticket in &mut tickets {
            let ticket = ticket.map_err(fail)?;
            let mut record = DeskRecord { events: Vec::new(), suggested: None, ticket };
            let id = record.ticket.id;
            while let Some(event) = events.next_if(|e| e.as_ref().map_or(true, |e| e.ticket_id <= id)) {
                let event = event.map_err(fail)?;
                if event.ticket_id == id {
                    record.events.push(event);
                }
            }
            while let Some(found) = suggestions.next_if(|s| s.as_ref().map_or(true, |(of, _)| *of <= id)) {
                let (of, suggested) = found.map_err(fail)?;
                if of == id {
                    record.suggested = Some(suggested);
                }
            }
            if !each(record) {
                break;
            }
        }
        Ok(())
    }

    /// Writes `records` into this desk, which must hold no tickets, in one
    /// transaction: all of them, or (on any error) none.
    pub fn write_records(
        &mut self,
        records: &mut dyn Iterator<Item = Result<DeskRecord, StoreError>>,
    ) -> Result<CopyCounts, StoreError> {
        let ctx = &self.ctx;
        let fail = |e| ctx.fail(e);
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate).map_err(fail)?;
        let held: Option<i64> =
            tx.query_row("SELECT count(*) FROM tickets", [], |row| row.get(0)).optional().map_err(fail)?;
        if let Some(held @ 1..) = held {
            return Err(StoreError::NotEmpty {
                target: crate::store::error::shown(&ctx.path),
                tickets: held,
            });
        }
        let mut counts = CopyCounts::default();
        {
            let mut ticket = tx
                .prepare(&format!(
                    "INSERT INTO tickets ({TICKET_COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)"
                ))
                .map_err(fail)?;
            let mut event = tx
                .prepare(&format!(
                    "INSERT INTO ticket_events ({EVENT_COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)"
                ))
                .map_err(fail)?;
            let mut suggestion = tx
                .prepare("INSERT INTO ticket_suggestions (ticket_id, source, category, priority) VALUES (?1, ?2, ?3, ?4)")
                .map_err(fail)?;
            for record in records {
                let DeskRecord { ticket: t, events, suggested } = record?;
                ticket
                    .execute(params![
                        t.id,
                        t.title,
                        t.description,
                        t.category,
                        t.priority,
                        t.status,
                        t.created_at,
                        t.updated_at,
                        t.assignee,
                        t.version
                    ])
                    .map_err(fail)?;
                for e in &events {
                    event
                        .execute(params![
                            e.id,
                            e.ticket_id,
                            e.at,
                            e.actor,
                            e.field.as_str(),
                            e.old_value,
                            e.new_value,
                            e.source.as_str()
                        ])
                        .map_err(fail)?;
                }
                if let Some(s) = suggested {
                    suggestion
                        .execute(params![t.id, s.source.as_str(), s.category, s.priority])
                        .map_err(fail)?;
                    counts.suggestions += 1;
                }
                counts.tickets += 1;
                counts.events += events.len() as u64;
            }
        }
        tx.commit().map_err(fail)?;
        self.check_in_place()?;
        Ok(counts)
    }

    /// How many tickets, events and suggestions the desk holds.
    pub fn counts(&self) -> Result<CopyCounts, StoreError> {
        self.conn
            .query_row(
                "SELECT (SELECT count(*) FROM tickets), (SELECT count(*) FROM ticket_events),
                        (SELECT count(*) FROM ticket_suggestions)",
                [],
                |row| {
                    let count = |i| row.get::<_, i64>(i).map(|n| n.max(0) as u64);
                    Ok(CopyCounts { tickets: count(0)?, events: count(1)?, suggestions: count(2)? })
                },
            )
            .map_err(|e| self.ctx.fail(e))
    }
}
