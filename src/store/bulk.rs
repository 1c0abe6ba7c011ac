//! One change to many tickets at once: one transaction, one history event
//! per ticket, each ticket checked against the version its agent saw. A
//! ticket someone else changed meanwhile is skipped and named; the rest are
//! applied.

use rusqlite::TransactionBehavior;

use super::tickets::{Change, apply};
use super::{Store, StoreError};
use crate::domain::{Category, Priority, Status, TicketEdit};

/// The most tickets one change may touch: enough for any cleanup, small
/// enough that the write lock is held for well under a second.
pub const BULK_MAX: usize = 10_000;

/// What to do to every ticket.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BulkChange {
    Status(Status),
    Category(Category),
    Priority(Priority),
    /// To an account, or (`None`) to nobody.
    Assignee(Option<String>),
}

/// How a bulk change went, ticket by ticket.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BulkOutcome {
    /// Changed now.
    pub changed: Vec<i64>,
    /// Already as asked: nothing to write.
    pub already: Vec<i64>,
    /// Left alone, and why.
    pub skipped: Vec<Skipped>,
}

/// A ticket a bulk change left alone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Skipped {
    /// Someone changed it after the agent saw it.
    Changed { id: i64, by: String, at: String },
    /// It no longer exists.
    Gone(i64),
}

impl Skipped {
    pub fn id(&self) -> i64 {
        match self {
            Skipped::Changed { id, .. } | Skipped::Gone(id) => *id,
        }
    }
}

impl std::fmt::Display for Skipped {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Skipped::Changed { id, by, at } => {
                write!(
                    f,
                    "#{id} was changed by {} {}",
                    crate::domain::text::sanitize_line(by),
                    super::error::ago(at)
                )
            }
            Skipped::Gone(id) => write!(f, "#{id} no longer exists"),
        }
    }
}

impl BulkChange {
    /// The fields this change sets, as an edit (empty for an assignment).
    pub(crate) fn as_edit(&self) -> TicketEdit {
        match self {
            BulkChange::Status(status) => TicketEdit { status: Some(*status), ..TicketEdit::default() },
            BulkChange::Category(category) => {
                TicketEdit { category: Some(*category), ..TicketEdit::default() }
            }
            BulkChange::Priority(priority) => {
                TicketEdit { priority: Some(*priority), ..TicketEdit::default() }
            }
            BulkChange::Assignee(_) => TicketEdit::default(),
        }
    }

    /// The same change for one ticket; `edit` is [`BulkChange::as_edit`]'s.
    pub(crate) fn for_one<'a>(&'a self, edit: &'a TicketEdit) -> Change<'a> {
        match self {
            BulkChange::Assignee(who) => Change::Assignee(who.as_deref()),
            _ => Change::Fields(edit),
        }
    }
}

/// Refuses more than [`BULK_MAX`] tickets, before anything is touched.
pub(crate) fn check_size(targets: &[(i64, i64)]) -> Result<(), StoreError> {
    match targets.len() {
        asked if asked > BULK_MAX => Err(StoreError::TooMany { asked, max: BULK_MAX }),
        _ => Ok(()),
    }
}

impl BulkOutcome {
    /// Files how one ticket went (`Ok(changed)`): a ticket changed meanwhile
    /// or gone is skipped and named; any other failure ends the whole change.
    pub(crate) fn record(&mut self, id: i64, result: Result<bool, StoreError>) -> Result<(), StoreError> {
        match result {
            Ok(true) => self.changed.push(id),
            Ok(false) => self.already.push(id),
            Err(StoreError::Conflict { by, at, .. }) => self.skipped.push(Skipped::Changed { id, by, at }),
            Err(StoreError::NotFound(_)) => self.skipped.push(Skipped::Gone(id)),
            Err(other) => return Err(other),
        }
        Ok(())
    }
}

impl Store {
    /// Applies `change` to every `(id, version seen)` in one transaction.
    /// Refuses more than [`BULK_MAX`] tickets before touching any.
    pub fn bulk_change(
        &mut self,
        targets: &[(i64, i64)],
        change: &BulkChange,
    ) -> Result<BulkOutcome, StoreError> {
        check_size(targets)?;
        let edit = change.as_edit();
        let one = change.for_one(&edit);
        let ctx = &self.ctx;
        let tx =
            self.conn.transaction_with_behavior(TransactionBehavior::Immediate).map_err(|e| ctx.fail(e))?;
        let mut outcome = BulkOutcome::default();
        for &(id, seen) in targets {
            outcome.record(id, apply(&tx, ctx, id, one, Some(seen)).map(|(_, changed)| changed))?;
        }
        if !outcome.changed.is_empty() {
            tx.commit().map_err(|e| ctx.fail(e))?;
            self.check_in_place()?;
        }
        Ok(outcome)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{NewTicket, Origins};

    fn desk() -> (tempfile::TempDir, Store, Vec<(i64, i64)>) {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(&dir.path().join("t.db")).unwrap();
        let seen = (0..3)
            .map(|i| {
                let ticket = NewTicket::new(&format!("t{i}"), "d", Category::Billing, Priority::Low).unwrap();
                let stored = store.add(&ticket, Origins::PERSON).unwrap();
                (stored.id, stored.version)
            })
            .collect();
        (dir, store, seen)
    }

    #[test]
    fn a_ticket_changed_meanwhile_is_skipped_and_the_rest_applied_at_once() {
        let (dir, mut store, seen) = desk();
        // Another agent's process changes the second ticket after ours saw it.
        let mut other = Store::open(&dir.path().join("t.db")).unwrap();
        other
            .edit(seen[1].0, &TicketEdit { priority: Some(Priority::High), ..Default::default() }, None)
            .unwrap();
        store
            .edit(seen[2].0, &TicketEdit { status: Some(Status::Resolved), ..Default::default() }, None)
            .unwrap();
        let targets = [seen[0], seen[1], (seen[2].0, seen[2].1 + 1)];
        let outcome = store.bulk_change(&targets, &BulkChange::Status(Status::Resolved)).unwrap();
        assert_eq!(outcome.changed, [seen[0].0]);
        assert_eq!(outcome.already, [seen[2].0]);
        assert_eq!(outcome.skipped.len(), 1);
        assert_eq!(outcome.skipped[0].id(), seen[1].0);
        assert!(outcome.skipped[0].to_string().starts_with(&format!("#{} was changed by", seen[1].0)));
        assert_eq!(store.get(seen[1].0).unwrap().status, Status::Open, "the skipped ticket is untouched");
        let status_events =
            |id| store.history(id).unwrap().iter().filter(|e| e.field.as_str() == "status").count();
        assert_eq!(
            (status_events(seen[0].0), status_events(seen[1].0)),
            (1, 0),
            "one event per changed ticket"
        );
    }

    #[test]
    fn assignment_and_gone_tickets() {
        let (dir, mut store, seen) = desk();
        let raw = rusqlite::Connection::open(dir.path().join("t.db")).unwrap();
        raw.execute("DELETE FROM tickets WHERE id = ?1", [seen[0].0]).unwrap();
        let outcome = store.bulk_change(&seen, &BulkChange::Assignee(Some("alice".into()))).unwrap();
        assert_eq!(outcome.skipped, [Skipped::Gone(seen[0].0)]);
        assert_eq!(outcome.changed, [seen[1].0, seen[2].0]);
        assert_eq!(store.get(seen[2].0).unwrap().assignee.as_deref(), Some("alice"));
    }

    #[test]
    fn more_than_the_limit_is_refused_before_anything_is_written() {
        let (_dir, mut store, seen) = desk();
        let mut targets = vec![seen[0]; BULK_MAX];
        targets.push(seen[1]);
        let err = store.bulk_change(&targets, &BulkChange::Category(Category::General)).unwrap_err();
        assert!(matches!(err, StoreError::TooMany { asked: 10_001, max: BULK_MAX }), "{err}");
        assert_eq!(store.get(seen[0].0).unwrap().category, Category::Billing);
    }
}
