//! One change to many tickets at once on the server: one transaction, one
//! history event per ticket, each ticket checked against the version its
//! agent saw; a ticket changed meanwhile or gone is skipped and named, the
//! rest applied (the rules are the SQLite engine's, shared).

use super::PgDesk;
use super::tickets::apply;
use crate::store::StoreError;
use crate::store::bulk::check_size;
use crate::store::{BulkChange, BulkOutcome};

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
        let mut tx = self.client.transaction().map_err(|e| ctx.fail(e))?;
        // Every target's row is locked first, in id order: two bulk changes
        // over the same tickets then wait for each other, never deadlock.
        let mut ids: Vec<i64> = targets.iter().map(|(id, _)| *id).collect();
        ids.sort_unstable();
        ids.dedup();
        tx.execute("SELECT 1 FROM tickets WHERE id = ANY($1) ORDER BY id FOR NO KEY UPDATE", &[&ids])
            .map_err(|e| ctx.fail(e))?;
        let mut outcome = BulkOutcome::default();
        for &(id, seen) in targets {
            outcome.record(id, apply(&mut tx, ctx, id, one, Some(seen)).map(|(_, changed)| changed))?;
        }
        if !outcome.changed.is_empty() {
            tx.commit().map_err(|e| ctx.fail(e))?;
        }
        Ok(outcome)
    }
}
