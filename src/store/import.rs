//! Writing many tickets at once: one transaction, all or nothing.
//!
//! Row by row, the full-text and running-total triggers cost more than the
//! rows themselves: FTS5 flushes its pending terms at every statement, so a
//! million single-row inserts build a million tiny segments and merge them
//! again and again. So for the length of the import transaction those two
//! triggers are set aside (their SQL is read back from the schema, never
//! repeated here) and their work is done once, in bulk, for the new rows
//! before commit. Readers never see the difference: it all commits at once.

use rusqlite::{Connection, TransactionBehavior};

use super::tickets::insert_quietly;
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

/// The page cache during an import, in KiB (as a negative cache_size).
const IMPORT_CACHE_KIB: i64 = -256 * 1024;

/// Below this many tickets an import drops the list indexes and builds them
/// again after the rows are in.
const REBUILD_INDEXES_BELOW: i64 = 50_000;

/// Triggers whose per-row work is done in bulk by [`CATCH_UP`] instead.
const DEFERRED_TRIGGERS: [&str; 2] = ["tickets_fts_insert", "ticket_counts_insert"];

/// What the deferred triggers would have done, for rows with id > ?1.
const CATCH_UP: &str = "
    INSERT INTO tickets_fts (rowid, title, description)
        SELECT id, title, description FROM tickets WHERE id > ?1;
    UPDATE ticket_counts SET n = ticket_counts.n + added.added
    FROM (SELECT category, priority, status, count(*) AS added FROM tickets WHERE id > ?1 GROUP BY 1, 2, 3) AS added
    WHERE added.category = ticket_counts.category AND added.priority = ticket_counts.priority
      AND added.status = ticket_counts.status;";

/// The schema's own indexes on tickets (not the primary key), by name and SQL.
fn ticket_indexes(conn: &Connection) -> rusqlite::Result<Vec<(String, String)>> {
    conn.prepare("SELECT name, sql FROM sqlite_schema WHERE type = 'index' AND tbl_name = 'tickets' AND sql IS NOT NULL")?
        .query_map([], |row| Ok((row.get(0)?, row.get(1)?)))?
        .collect()
}

fn trigger_sql(conn: &Connection, name: &str) -> rusqlite::Result<String> {
    conn.query_row("SELECT sql FROM sqlite_schema WHERE type = 'trigger' AND name = ?1", [name], |row| {
        row.get(0)
    })
}

impl Store {
    /// Inserts every row in one write transaction. The first bad row (from the
    /// source or refused by the database) rolls back everything.
    pub fn import<E>(
        &mut self,
        rows: impl IntoIterator<Item = Result<ImportRow, E>>,
    ) -> Result<u64, ImportError<E>> {
        // A big import touches every page of every index; a roomy page cache
        // keeps them in memory instead of re-reading them through the OS.
        let previous_cache: i64 = self
            .conn
            .pragma_query_value(None, "cache_size", |r| r.get(0))
            .map_err(|e| ImportError::Store(self.ctx.fail(e)))?;
        self.conn
            .pragma_update(None, "cache_size", IMPORT_CACHE_KIB)
            .map_err(|e| ImportError::Store(self.ctx.fail(e)))?;
        let result = self.import_rows(rows);
        let _ = self.conn.pragma_update(None, "cache_size", previous_cache);
        result
    }

    fn import_rows<E>(
        &mut self,
        rows: impl IntoIterator<Item = Result<ImportRow, E>>,
    ) -> Result<u64, ImportError<E>> {
        let ctx = &self.ctx;
        let store_err = |e| ImportError::Store(ctx.fail(e));
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate).map_err(store_err)?;
        let last_id: i64 =
            tx.query_row("SELECT coalesce(max(id), 0) FROM tickets", [], |r| r.get(0)).map_err(store_err)?;
        let mut deferred = Vec::new();
        for name in DEFERRED_TRIGGERS {
            deferred.push(trigger_sql(&tx, name).map_err(store_err)?);
            tx.execute_batch(&format!("DROP TRIGGER {name}")).map_err(store_err)?;
        }
        // Into a young desk, building each index once from sorted rows beats
        // inserting every row into it; into a big one, rebuilding would cost
        // more than the import.
        if last_id < REBUILD_INDEXES_BELOW {
            for (name, sql) in ticket_indexes(&tx).map_err(store_err)? {
                deferred.push(sql);
                tx.execute_batch(&format!("DROP INDEX {name}")).map_err(store_err)?;
            }
        }
        let mut count = 0;
        for row in rows {
            let row = row.map_err(ImportError::Source)?;
            insert_quietly(&tx, &row.ticket)
                .map_err(|e| ImportError::Row { line: row.line, source: ctx.fail(e) })?;
            count += 1;
        }
        // CATCH_UP has two statements; each takes the same bound id.
        for statement in CATCH_UP.split_inclusive(';').filter(|s| !s.trim().is_empty()) {
            tx.execute(statement, [last_id]).map_err(store_err)?;
        }
        // Each imported ticket's history starts with its import.
        // One timestamp for the whole import (it commits at one moment anyway).
        tx.prepare(
            "INSERT INTO ticket_events (ticket_id, at, actor, field, new_value, source)
             SELECT id, (SELECT strftime('%Y-%m-%dT%H:%M:%fZ', 'now')), ?2, 'created', title, 'import'
             FROM tickets WHERE id > ?1",
        )
        .and_then(|mut stmt| stmt.execute(rusqlite::params![last_id, ctx.actor]))
        .map_err(store_err)?;
        for sql in &deferred {
            tx.execute_batch(sql).map_err(store_err)?;
        }
        tx.commit().map_err(store_err)?;
        Ok(count)
    }
}
