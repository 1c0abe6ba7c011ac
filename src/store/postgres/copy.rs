//! Both sides of copying a whole desk (see `store::copy`) on PostgreSQL.

use std::collections::VecDeque;

use postgres::{IsolationLevel, Portal, Row, Transaction};
use time::OffsetDateTime;

use super::rows::{EVENT_COLUMNS, TICKET_COLUMNS, event_from_row, ticket_from_row};
use super::{PgContext, PgDesk};
use crate::domain::{Source, Suggested, timestamp};
use crate::store::StoreError;
use crate::store::copy::{CopyCounts, DeskRecord};

/// Rows fetched from each walk at a time, and records written per statement.
const BATCH: usize = 1000;

/// One ordered walk over a query's rows, fetched a batch at a time, so three
/// walks can move in step inside one snapshot.
struct Walk {
    portal: Portal,
    rows: VecDeque<Row>,
    done: bool,
}

impl Walk {
    fn start(tx: &mut Transaction<'_>, sql: &str, ctx: &PgContext) -> Result<Walk, StoreError> {
        let portal = tx.bind(sql, &[]).map_err(|e| ctx.fail(e))?;
        Ok(Walk { portal, rows: VecDeque::new(), done: false })
    }

    fn peek(&mut self, tx: &mut Transaction<'_>, ctx: &PgContext) -> Result<Option<&Row>, StoreError> {
        if self.rows.is_empty() && !self.done {
            let batch = tx.query_portal(&self.portal, BATCH as i32).map_err(|e| ctx.fail(e))?;
            self.done = batch.len() < BATCH;
            self.rows.extend(batch);
        }
        Ok(self.rows.front())
    }
}

/// The ticket a row of `ticket_events` or `ticket_suggestions` belongs to.
fn owner(row: &Row, column: usize, ctx: &PgContext) -> Result<i64, StoreError> {
    row.try_get(column).map_err(|e| ctx.fail(e))
}

fn suggestion_from_row(row: &Row, ctx: &PgContext) -> Result<Suggested, StoreError> {
    let text = |i| row.try_get::<_, &str>(i).map_err(|e| ctx.fail(e));
    let unknown =
        |what: &str, value: &str| StoreError::Postgres(format!("unknown suggested {what} {value:?}"));
    let source = text(1)?;
    Ok(Suggested {
        source: Source::ALL
            .into_iter()
            .find(|s| s.as_str() == source)
            .ok_or_else(|| unknown("source", source))?,
        category: text(2)?.parse().map_err(|_| unknown("category", text(2).unwrap_or_default()))?,
        priority: text(3)?.parse().map_err(|_| unknown("priority", text(3).unwrap_or_default()))?,
    })
}

fn instant(stored: &str) -> Result<OffsetDateTime, StoreError> {
    timestamp::parse_stored(stored)
        .ok_or_else(|| StoreError::Postgres(format!("not a stored time: {stored:?}")))
}

impl PgDesk {
    /// Every ticket with its history and suggestion, in id order, from one
    /// snapshot; stops early when `each` says so.
    pub fn read_records(&mut self, each: &mut dyn FnMut(DeskRecord) -> bool) -> Result<(), StoreError> {
        let ctx = &self.ctx;
        let mut tx = self
            .client
            .build_transaction()
            .isolation_level(IsolationLevel::RepeatableRead)
            .read_only(true)
            .start()
            .map_err(|e| ctx.fail(e))?;
        let mut tickets =
            Walk::start(&mut tx, &format!("SELECT {TICKET_COLUMNS} FROM tickets ORDER BY id"), ctx)?;
        let mut events = Walk::start(
            &mut tx,
            &format!("SELECT {EVENT_COLUMNS} FROM ticket_events ORDER BY ticket_id, id"),
            ctx,
        )?;
        let mut suggestions = Walk::start(
            &mut tx,
            "SELECT ticket_id, source, category, priority FROM ticket_suggestions ORDER BY ticket_id",
            ctx,
        )?;
        while tickets.peek(&mut tx, ctx)?.is_some() {
            let row = tickets.rows.pop_front().expect("peeked");
            let ticket = ticket_from_row(&row, ctx)?;
            let id = ticket.id;
            let mut record = DeskRecord { ticket, events: Vec::new(), suggested: None };
            while let Some(row) = events.peek(&mut tx, ctx)? {
                let of = owner(row, 1, ctx)?;
                if of > id {
                    break;
                }
                let row = events.rows.pop_front().expect("peeked");
                if of == id {
                    record.events.push(event_from_row(&row, ctx)?);
                }
            }
            while let Some(row) = suggestions.peek(&mut tx, ctx)? {
                let of = owner(row, 0, ctx)?;
                if of > id {
                    break;
                }
                let row = suggestions.rows.pop_front().expect("peeked");
                if of == id {
                    record.suggested = Some(suggestion_from_row(&row, ctx)?);
                }
            }
            if !each(record) {
                break;
            }
        }
        tx.commit().map_err(|e| ctx.fail(e))
    }

    /// Writes `records` into this desk, which must hold no tickets, in one
    /// transaction: all of them, or (on any error) none. Other writers wait
    /// until it commits, so no ticket of theirs takes an id being copied.
    pub fn write_records(
        &mut self,
        records: &mut dyn Iterator<Item = Result<DeskRecord, StoreError>>,
    ) -> Result<CopyCounts, StoreError> {
        let ctx = &self.ctx;
        let fail = |e| ctx.fail(e);
        let mut tx = self.client.transaction().map_err(fail)?;
        tx.batch_execute("LOCK TABLE tickets IN EXCLUSIVE MODE").map_err(fail)?;
        let held: i64 = tx.query_one("SELECT count(*) FROM tickets", &[]).map_err(fail)?.get(0);
        if held > 0 {
            return Err(StoreError::NotEmpty { target: ctx.shown.clone(), tickets: held });
        }
        let mut counts = CopyCounts::default();
        let mut batch = Vec::with_capacity(BATCH);
        loop {
            batch.clear();
            for record in (&mut *records).take(BATCH) {
                batch.push(record?);
            }
            if batch.is_empty() {
                break;
            }
            let written = write_batch(&mut tx, &batch, ctx)?;
            counts.tickets += written.tickets;
            counts.events += written.events;
            counts.suggestions += written.suggestions;
        }
        // Ids given by hand leave the identity sequences behind: the next
        // ticket and event take the ids after the copied ones.
        for table in ["tickets", "ticket_events"] {
            tx.execute(
                &format!(
                    "SELECT setval(pg_get_serial_sequence('{table}', 'id'), max(id)) FROM {table} HAVING max(id) IS NOT NULL"
                ),
                &[],
            )
            .map_err(fail)?;
        }
        tx.commit().map_err(fail)?;
        Ok(counts)
    }

    /// How many tickets, events and suggestions the desk holds.
    pub fn counts(&mut self) -> Result<CopyCounts, StoreError> {
        let row = self
            .client
            .query_one(
                "SELECT (SELECT count(*) FROM tickets), (SELECT count(*) FROM ticket_events),
                        (SELECT count(*) FROM ticket_suggestions)",
                &[],
            )
            .map_err(|e| self.ctx.fail(e))?;
        let count = |i| row.get::<_, i64>(i).max(0) as u64;
        Ok(CopyCounts { tickets: count(0), events: count(1), suggestions: count(2) })
    }
}

/// Writes a batch of records with one statement per table (arrays unnested).
fn write_batch(
    tx: &mut Transaction<'_>,
    batch: &[DeskRecord],
    ctx: &PgContext,
) -> Result<CopyCounts, StoreError> {
    let fail = |e| ctx.fail(e);
    let tickets: Vec<_> = batch.iter().map(|r| &r.ticket).collect();
    let ids: Vec<i64> = tickets.iter().map(|t| t.id).collect();
    let titles: Vec<&str> = tickets.iter().map(|t| t.title.as_str()).collect();
    let descriptions: Vec<&str> = tickets.iter().map(|t| t.description.as_str()).collect();
    let categories: Vec<&str> = tickets.iter().map(|t| t.category.as_str()).collect();
    let priorities: Vec<&str> = tickets.iter().map(|t| t.priority.as_str()).collect();
    let statuses: Vec<&str> = tickets.iter().map(|t| t.status.as_str()).collect();
    let created: Vec<OffsetDateTime> =
        tickets.iter().map(|t| instant(&t.created_at)).collect::<Result<_, _>>()?;
    let updated: Vec<OffsetDateTime> =
        tickets.iter().map(|t| instant(&t.updated_at)).collect::<Result<_, _>>()?;
    let assignees: Vec<Option<&str>> = tickets.iter().map(|t| t.assignee.as_deref()).collect();
    let versions: Vec<i64> = tickets.iter().map(|t| t.version).collect();
    tx.execute(
        "INSERT INTO tickets (id, title, description, category, priority, status, created_at, updated_at, assignee, version)
         OVERRIDING SYSTEM VALUE
         SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[],
                              $7::timestamptz[], $8::timestamptz[], $9::text[], $10::bigint[])",
        &[&ids, &titles, &descriptions, &categories, &priorities, &statuses, &created, &updated, &assignees, &versions],
    )
    .map_err(fail)?;

    let events: Vec<_> = batch.iter().flat_map(|r| &r.events).collect();
    let event_ids: Vec<i64> = events.iter().map(|e| e.id).collect();
    let owners: Vec<i64> = events.iter().map(|e| e.ticket_id).collect();
    let ats: Vec<OffsetDateTime> = events.iter().map(|e| instant(&e.at)).collect::<Result<_, _>>()?;
    let actors: Vec<&str> = events.iter().map(|e| e.actor.as_str()).collect();
    let fields: Vec<&str> = events.iter().map(|e| e.field.as_str()).collect();
    let olds: Vec<Option<&str>> = events.iter().map(|e| e.old_value.as_deref()).collect();
    let news: Vec<Option<&str>> = events.iter().map(|e| e.new_value.as_deref()).collect();
    let sources: Vec<&str> = events.iter().map(|e| e.source.as_str()).collect();
    if !events.is_empty() {
        tx.execute(
            "INSERT INTO ticket_events (id, ticket_id, at, actor, field, old_value, new_value, source)
             OVERRIDING SYSTEM VALUE
             SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::timestamptz[], $4::text[], $5::text[],
                                  $6::text[], $7::text[], $8::text[])",
            &[&event_ids, &owners, &ats, &actors, &fields, &olds, &news, &sources],
        )
        .map_err(fail)?;
    }

    let suggested: Vec<(i64, &Suggested)> =
        batch.iter().filter_map(|r| r.suggested.as_ref().map(|s| (r.ticket.id, s))).collect();
    if !suggested.is_empty() {
        let of: Vec<i64> = suggested.iter().map(|(id, _)| *id).collect();
        let sources: Vec<&str> = suggested.iter().map(|(_, s)| s.source.as_str()).collect();
        let categories: Vec<&str> = suggested.iter().map(|(_, s)| s.category.as_str()).collect();
        let priorities: Vec<&str> = suggested.iter().map(|(_, s)| s.priority.as_str()).collect();
        tx.execute(
            "INSERT INTO ticket_suggestions (ticket_id, source, category, priority)
             SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[])",
            &[&of, &sources, &categories, &priorities],
        )
        .map_err(fail)?;
    }
    Ok(CopyCounts {
        tickets: batch.len() as u64,
        events: events.len() as u64,
        suggestions: suggested.len() as u64,
    })
}
