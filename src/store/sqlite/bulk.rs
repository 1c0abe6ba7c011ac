//! A bulk change (see `store::bulk`) on SQLite: one write transaction,
//! each ticket applied as a single change would be.

use rusqlite::TransactionBehavior;

use super::tickets::apply;
use super::{SqliteDesk, StoreError};
use crate::store::bulk::{BulkChange, BulkOutcome, check_size};

impl SqliteDesk {
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
    use crate::domain::{Category, NewTicket, Origins, Priority, Status, TicketEdit};
    use crate::store::{BULK_MAX, Skipped};

    fn desk() -> (tempfile::TempDir, SqliteDesk, Vec<(i64, i64)>) {
        let dir = tempfile::tempdir().unwrap();
        let mut store = SqliteDesk::open(&dir.path().join("t.db")).unwrap();
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
        let mut other = SqliteDesk::open(&dir.path().join("t.db")).unwrap();
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
