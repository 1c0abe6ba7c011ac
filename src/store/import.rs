//! Writing many tickets at once: one transaction, all or nothing.

use rusqlite::TransactionBehavior;

use super::tickets::insert_on;
use super::{Store, StoreError};
use crate::domain::NewTicket;

/// One parsed row of an import file, with the line it started on.
#[derive(Debug)]
pub struct ImportRow {
    pub line: u64,
    pub ticket: NewTicket,
}

/// Why an import stopped. Nothing of it was written.
#[derive(Debug, thiserror::Error)]
pub enum ImportError<E> {
    /// The source could not produce a valid row (parse or validation error).
    #[error(transparent)]
    Source(E),
    /// The database refused a row.
    #[error("line {line}: {source}")]
    Row { line: u64, source: StoreError },
    #[error(transparent)]
    Store(StoreError),
}

impl Store {
    /// Inserts every row in one write transaction. The first bad row (from the
    /// source or refused by the database) rolls back everything.
    pub fn import<E>(
        &mut self,
        rows: impl IntoIterator<Item = Result<ImportRow, E>>,
    ) -> Result<u64, ImportError<E>> {
        let ctx = &self.ctx;
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(|e| ImportError::Store(ctx.fail(e)))?;
        let mut count = 0;
        for row in rows {
            let row = row.map_err(ImportError::Source)?;
            insert_on(&tx, &row.ticket)
                .map_err(|e| ImportError::Row { line: row.line, source: ctx.fail(e) })?;
            count += 1;
        }
        tx.commit().map_err(|e| ImportError::Store(ctx.fail(e)))?;
        Ok(count)
    }
}
