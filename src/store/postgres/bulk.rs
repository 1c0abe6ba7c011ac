//! One change to many tickets at once on the server: one transaction, one
//! history event per ticket, each ticket checked against the version its
//! agent saw; a ticket changed meanwhile or gone is skipped and named, the
//! rest applied (the rules are the SQLite engine's, shared).
//!
//! Set-based, not ticket by ticket: the rows are locked in one statement (in
//! id order, so two bulk changes over the same tickets wait for each other
//! instead of deadlocking), changed in one UPDATE (the totals' trigger then
//! locks its rows once, in key order) and logged in one INSERT. Ten thousand
//! tickets cost a handful of round trips to the server, not tens of thousands.

use std::collections::HashMap;

use super::PgDesk;
use super::events::last_change;
use super::rows::{TICKET_COLUMNS, ticket_from_row};
use crate::domain::Ticket;
use crate::domain::change::Change;
use crate::store::StoreError;
use crate::store::bulk::check_size;
use crate::store::conflict::conflict;
use crate::store::{BulkChange, BulkOutcome};

/// What the change does to one target, decided before anything is written.
enum Verdict {
    Gone,
    /// Changed since the agent saw it; the ticket as it then stood.
    Stale {
        seen: i64,
        ticket: Ticket,
    },
    Already,
    Changed,
}

/// The history entries the change writes, one per changed ticket.
#[derive(Default)]
struct Entries {
    ids: Vec<i64>,
    fields: Vec<&'static str>,
    old: Vec<Option<String>>,
    new: Vec<Option<String>>,
}

impl PgDesk {
    /// Applies `change` to every `(id, version seen)` in one transaction.
    /// Refuses more than [`crate::store::BULK_MAX`] tickets before touching any.
    pub fn bulk_change(
        &mut self,
        targets: &[(i64, i64)],
        change: &BulkChange,
    ) -> Result<BulkOutcome, StoreError> {
        check_size(targets)?;
        let edit = change.as_edit();
        let one = change.for_one(&edit);
        let ctx = &self.ctx;
        let fail = |e| ctx.fail(e);
        let mut tx = self.client.transaction().map_err(fail)?;
        let mut ids: Vec<i64> = targets.iter().map(|(id, _)| *id).collect();
        ids.sort_unstable();
        ids.dedup();
        let locked =
            format!("SELECT {TICKET_COLUMNS} FROM tickets WHERE id = ANY($1) ORDER BY id FOR NO KEY UPDATE");
        let mut tickets = HashMap::with_capacity(ids.len());
        for row in tx.query(&locked, &[&ids]).map_err(fail)? {
            let ticket = ticket_from_row(&row, ctx)?;
            tickets.insert(ticket.id, ticket);
        }
        let (verdicts, entries) = decide(targets, one, change, &mut tickets);
        if !entries.ids.is_empty() {
            let (sql, value) = update(change);
            tx.execute(&sql, &[&value, &entries.ids]).map_err(fail)?;
            tx.execute(
                "INSERT INTO ticket_events (ticket_id, actor, field, old_value, new_value, source)
                 SELECT e.id, $1, e.field, e.old, e.new, 'person'
                 FROM unnest($2::bigint[], $3::text[], $4::text[], $5::text[]) WITH ORDINALITY AS e (id, field, old, new, n)
                 ORDER BY e.n",
                &[&ctx.actor, &entries.ids, &entries.fields, &entries.old, &entries.new],
            )
            .map_err(fail)?;
        }
        let mut outcome = BulkOutcome::default();
        for (&(id, _), verdict) in targets.iter().zip(verdicts) {
            let result = match verdict {
                Verdict::Gone => Err(StoreError::NotFound(id)),
                // Asked after the writes, so a ticket named twice is
                // skipped the second time as changed by this very change.
                Verdict::Stale { seen, ticket } => {
                    Err(conflict(&ticket, seen, last_change(&mut tx, ctx, id)?))
                }
                Verdict::Already => Ok(false),
                Verdict::Changed => Ok(true),
            };
            outcome.record(id, result)?;
        }
        if !outcome.changed.is_empty() {
            tx.commit().map_err(fail)?;
        }
        Ok(outcome)
    }
}

/// Each target's verdict, in order, as if they were changed one by one: a
/// ticket changed here moves on a version, as it will when written.
fn decide(
    targets: &[(i64, i64)],
    one: Change<'_>,
    change: &BulkChange,
    tickets: &mut HashMap<i64, Ticket>,
) -> (Vec<Verdict>, Entries) {
    let mut entries = Entries::default();
    let verdicts = targets
        .iter()
        .map(|&(id, seen)| {
            let Some(ticket) = tickets.get_mut(&id) else { return Verdict::Gone };
            if ticket.version != seen {
                return Verdict::Stale { seen, ticket: ticket.clone() };
            }
            let Some(plan) = one.plan(ticket) else { return Verdict::Already };
            for (field, old, new) in plan.entries {
                entries.ids.push(id);
                entries.fields.push(field.as_str());
                entries.old.push(old.map(str::to_owned));
                entries.new.push(new.map(str::to_owned));
            }
            as_written(ticket, change);
            Verdict::Changed
        })
        .collect();
    (verdicts, entries)
}

/// The ticket as the change leaves it (its version one step on).
fn as_written(ticket: &mut Ticket, change: &BulkChange) {
    match change {
        BulkChange::Status(status) => ticket.status = *status,
        BulkChange::Category(category) => ticket.category = *category,
        BulkChange::Priority(priority) => ticket.priority = *priority,
        BulkChange::Assignee(who) => ticket.assignee.clone_from(who),
    }
    ticket.version += 1;
}

/// The one UPDATE for every changed ticket, and the value it sets.
fn update(change: &BulkChange) -> (String, Option<&str>) {
    let (column, value) = match change {
        BulkChange::Status(status) => ("status", Some(status.as_str())),
        BulkChange::Category(category) => ("category", Some(category.as_str())),
        BulkChange::Priority(priority) => ("priority", Some(priority.as_str())),
        BulkChange::Assignee(who) => ("assignee", who.as_deref()),
    };
    (format!("UPDATE tickets SET {column} = $1 WHERE id = ANY($2)"), value)
}
