//! Writing many tickets at once: one transaction, all or nothing.
//!
//! Row by row, the full-text and running-total triggers cost more than the
//! rows themselves: FTS5 flushes its pending terms at every statement, so a
//! million single-row inserts build a million tiny segments and merge them
//! again and again. So for the length of the import transaction those two
//! triggers are set aside (their SQL is read back from the schema, never
//! repeated here) and their work is done once, in bulk, for the new rows
//! before commit. Readers never see the difference: it all commits at once.
//!
//! WAL writes every page twice: into the log, then back into the database
//! file at the checkpoint. An import into an empty desk that no other
//! process has open therefore switches to a rollback journal for its one
//! transaction, which writes new pages once, and switches back after.

use std::collections::HashMap;

use rusqlite::{Connection, TransactionBehavior};

use super::tickets::insert_quietly;
use super::{SqliteDesk, StoreError, schema};
use crate::domain::{Category, NewTicket, Priority, Status};

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

/// The page cache of an import that keeps the indexes up to date row by row,
/// in KiB (as a negative cache_size).
const LIVE_INDEX_CACHE_KIB: i64 = -256 * 1024;

/// Below this many tickets an import drops the list indexes and builds them
/// again after the rows are in.
const REBUILD_INDEXES_BELOW: i64 = 50_000;

/// How many bytes of terms the full-text index gathers before it writes a
/// segment, during an import only (everyday writes keep the schema's 16 MiB).
/// Fewer, bigger flushes: a million tickets import about 2 s faster, for about
/// 60 MiB more at the peak. Beyond this it stops paying.
const IMPORT_FTS_HASH_BYTES: i64 = 64 << 20;

/// FTS5's own default, for a table whose config never set one.
const FTS_DEFAULT_HASH_BYTES: i64 = 1 << 20;

/// Triggers whose per-row work is done in bulk instead: the full-text index
/// by [`INDEX_NEW_ROWS`], the running totals from [`Tally`].
const DEFERRED_TRIGGERS: [&str; 2] = ["tickets_fts_insert", "ticket_counts_insert"];

/// What the full-text trigger would have done, for rows with id > ?1.
const INDEX_NEW_ROWS: &str = "INSERT INTO tickets_fts (rowid, title, description)
     SELECT id, title, description FROM tickets WHERE id > ?1";

/// The schema's own full (not partial) indexes on tickets, by name and SQL.
/// A partial index skips most rows an import brings (few arrive assigned), so
/// it stays in place and costs next to nothing; an index a team added is
/// theirs, and never touched.
fn full_ticket_indexes(conn: &Connection, ours: &[String]) -> rusqlite::Result<Vec<(String, String)>> {
    let found: Vec<(String, String)> = conn
        .prepare(
            "SELECT s.name, s.sql FROM sqlite_schema AS s JOIN pragma_index_list('tickets') AS i ON i.name = s.name
             WHERE s.type = 'index' AND i.origin = 'c' AND NOT i.partial",
        )?
        .query_map([], |row| Ok((row.get(0)?, row.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?;
    Ok(found.into_iter().filter(|(name, _)| ours.contains(name)).collect())
}

/// New tickets per running-total key, counted as they are written.
#[derive(Default)]
struct Tally(HashMap<(Category, Priority, Status), i64>);

impl Tally {
    fn count(&mut self, ticket: &NewTicket) {
        *self.0.entry((ticket.category, ticket.priority, ticket.status())).or_default() += 1;
    }

    fn write(&self, conn: &Connection) -> rusqlite::Result<()> {
        let mut add = conn.prepare(
            "UPDATE ticket_counts SET n = n + ?4 WHERE category = ?1 AND priority = ?2 AND status = ?3",
        )?;
        for ((category, priority, status), n) in &self.0 {
            add.execute(rusqlite::params![category, priority, status, n])?;
        }
        Ok(())
    }
}

fn fts_hash_bytes(conn: &Connection) -> rusqlite::Result<i64> {
    use rusqlite::OptionalExtension;
    let set = conn
        .query_row("SELECT v FROM tickets_fts_config WHERE k = 'hashsize'", [], |row| row.get(0))
        .optional()?;
    Ok(set.unwrap_or(FTS_DEFAULT_HASH_BYTES))
}

fn set_fts_hash_bytes(conn: &Connection, bytes: i64) -> rusqlite::Result<()> {
    conn.execute("INSERT INTO tickets_fts (tickets_fts, rank) VALUES ('hashsize', ?1)", [bytes]).map(drop)
}

fn trigger_sql(conn: &Connection, name: &str) -> rusqlite::Result<String> {
    conn.query_row("SELECT sql FROM sqlite_schema WHERE type = 'trigger' AND name = ?1", [name], |row| {
        row.get(0)
    })
}

impl SqliteDesk {
    /// Inserts every row in one write transaction. The first bad row (from the
    /// source or refused by the database) rolls back everything.
    pub fn import<E>(
        &mut self,
        rows: impl IntoIterator<Item = Result<ImportRow, E>>,
    ) -> Result<u64, ImportError<E>> {
        // No rows, or a bad first one: nothing is written, not even a
        // journal-mode switch.
        let mut rows = rows.into_iter().peekable();
        match rows.peek() {
            None => return Ok(0),
            Some(Err(_)) => {
                if let Some(Err(e)) = rows.next() {
                    return Err(ImportError::Source(e));
                }
            }
            Some(Ok(_)) => {}
        }
        let previous_cache: i64 = self
            .conn
            .pragma_query_value(None, "cache_size", |r| r.get(0))
            .map_err(|e| ImportError::Store(self.ctx.fail(e)))?;
        let bulk_load = self.enter_bulk_load();
        let result = self.import_rows(rows);
        if bulk_load {
            self.leave_bulk_load();
        }
        let _ = self.conn.pragma_update(None, "cache_size", previous_cache);
        result
    }

    /// Switches an empty desk that nobody else has open to a rollback journal
    /// and says whether it did. Leaving WAL takes an exclusive lock on the
    /// file, which SQLite refuses at once (without waiting) while any other
    /// connection has it open; the import then runs in WAL like every write.
    /// A process that opens the desk during a bulk load waits for it like a
    /// writer, then sees the whole import at once: before, there was nothing
    /// to read.
    fn enter_bulk_load(&mut self) -> bool {
        let empty = self.conn.query_row("SELECT NOT EXISTS (SELECT 1 FROM tickets)", [], |row| row.get(0));
        if empty != Ok(true) {
            return false;
        }
        match self.conn.query_row("PRAGMA journal_mode = DELETE", [], |row| row.get::<_, String>(0)) {
            // A rollback journal survives power loss only with full syncs.
            Ok(mode) if mode.eq_ignore_ascii_case("delete") => {
                let _ = self.conn.pragma_update(None, "synchronous", "FULL");
                self.desk.forget_log();
                true
            }
            _ => false,
        }
    }

    /// Back to WAL. Should another process hold the file past the busy
    /// timeout at this moment, its own open (or the next one) switches it:
    /// every open sets WAL.
    fn leave_bulk_load(&mut self) {
        let _ = self.conn.pragma_update(None, "journal_mode", "WAL");
        let _ = self.conn.pragma_update(None, "synchronous", "NORMAL");
        self.desk.remember_log(&self.conn);
    }

    fn import_rows<E>(
        &mut self,
        rows: impl IntoIterator<Item = Result<ImportRow, E>>,
    ) -> Result<u64, ImportError<E>> {
        let ctx = &self.ctx;
        let store_err = |e| ImportError::Store(ctx.fail(e));
        let our_indexes: Vec<String> = schema::expected()
            .map_err(|e| ImportError::Store(StoreError::Migration(e)))?
            .objects
            .into_iter()
            .filter(|object| object.kind == "index")
            .map(|object| object.name)
            .collect();
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate).map_err(store_err)?;
        let last_id: i64 =
            tx.query_row("SELECT coalesce(max(id), 0) FROM tickets", [], |r| r.get(0)).map_err(store_err)?;
        let mut deferred = Vec::new();
        for name in DEFERRED_TRIGGERS {
            deferred.push(trigger_sql(&tx, name).map_err(store_err)?);
            tx.execute(&format!("DROP TRIGGER {}", schema::quoted(name)), []).map_err(store_err)?;
        }
        // Into a young desk, building each index once from sorted rows beats
        // inserting every row into it; into a big one, rebuilding would cost
        // more than the import.
        if last_id < REBUILD_INDEXES_BELOW {
            for (name, sql) in full_ticket_indexes(&tx, &our_indexes).map_err(store_err)? {
                deferred.push(sql);
                tx.execute(&format!("DROP INDEX {}", schema::quoted(&name)), []).map_err(store_err)?;
            }
        } else {
            // Every row goes into every index, each page of them many times
            // over: a roomy cache keeps those pages in memory. (A rebuild does
            // better with the small default: its sort then works in pieces
            // that fit the CPU's caches.)
            tx.pragma_update(None, "cache_size", LIVE_INDEX_CACHE_KIB).map_err(store_err)?;
        }
        let mut count = 0;
        let mut tally = Tally::default();
        for row in rows {
            let row = row.map_err(ImportError::Source)?;
            insert_quietly(&tx, &row.ticket)
                .map_err(|e| ImportError::Row { line: row.line, source: ctx.fail(e) })?;
            tally.count(&row.ticket);
            count += 1;
        }
        tally.write(&tx).map_err(store_err)?;
        // The setting is part of the transaction: a failed import rolls it back.
        let hash_bytes = fts_hash_bytes(&tx).map_err(store_err)?;
        set_fts_hash_bytes(&tx, IMPORT_FTS_HASH_BYTES).map_err(store_err)?;
        tx.execute(INDEX_NEW_ROWS, [last_id]).map_err(store_err)?;
        set_fts_hash_bytes(&tx, hash_bytes).map_err(store_err)?;
        // Each imported ticket's history starts with its import.
        // One timestamp for the whole import (it commits at one moment anyway).
        tx.prepare(
            "INSERT INTO ticket_events (ticket_id, at, actor, field, new_value, source)
             SELECT id, (SELECT strftime('%Y-%m-%dT%H:%M:%fZ', 'now')), ?2, 'created', title, 'import'
             FROM tickets WHERE id > ?1",
        )
        .and_then(|mut stmt| stmt.execute(rusqlite::params![last_id, ctx.actor]))
        .map_err(store_err)?;
        // One statement each: SQL read back from the schema is run as the one
        // statement it must be, never as a batch.
        for sql in &deferred {
            tx.execute(sql, []).map_err(store_err)?;
        }
        tx.commit().map_err(store_err)?;
        self.check_in_place().map_err(ImportError::Store)?;
        Ok(count)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn journal_mode(store: &SqliteDesk) -> String {
        store.conn.pragma_query_value(None, "journal_mode", |row| row.get(0)).unwrap()
    }

    fn ticket(title: &str) -> NewTicket {
        NewTicket::new(title, "d", Category::General, Priority::Low).unwrap()
    }

    #[test]
    fn an_empty_desk_nobody_else_has_open_loads_through_a_rollback_journal() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = SqliteDesk::open(&dir.path().join("t.db")).unwrap();
        assert!(store.enter_bulk_load());
        assert_eq!(journal_mode(&store), "delete");
        store.leave_bulk_load();
        assert_eq!(journal_mode(&store), "wal");
    }

    #[test]
    fn a_desk_another_connection_has_open_stays_in_wal() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.db");
        let mut store = SqliteDesk::open(&path).unwrap();
        let other = Connection::open(&path).unwrap();
        let _: i64 = other.query_row("SELECT count(*) FROM tickets", [], |row| row.get(0)).unwrap();
        assert!(!store.enter_bulk_load());
        assert_eq!(journal_mode(&store), "wal");
        drop(other);
        assert!(store.enter_bulk_load(), "alone again");
        store.leave_bulk_load();
    }

    #[test]
    fn a_desk_with_tickets_stays_in_wal() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = SqliteDesk::open(&dir.path().join("t.db")).unwrap();
        store.import([Ok::<_, ()>(ImportRow { line: 1, ticket: ticket("first") })]).unwrap();
        assert!(!store.enter_bulk_load());
        assert_eq!(journal_mode(&store), "wal");
    }

    #[test]
    fn a_failed_bulk_load_leaves_the_desk_empty_and_in_wal() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = SqliteDesk::open(&dir.path().join("t.db")).unwrap();
        let rows = vec![Ok(ImportRow { line: 1, ticket: ticket("fine") }), Err("line 2: broken")];
        assert!(matches!(store.import(rows), Err(ImportError::Source("line 2: broken"))));
        assert_eq!(journal_mode(&store), "wal");
        let count: i64 = store.conn.query_row("SELECT count(*) FROM tickets", [], |row| row.get(0)).unwrap();
        assert_eq!(count, 0);
    }
}
