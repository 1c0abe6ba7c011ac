//! Possible duplicates on a SQLite desk: the lookups
//! [`crate::domain::duplicates`] weighs, answered by the full-text index.

use rusqlite::{Connection, OptionalExtension};

use super::tickets::{TICKET_COLUMNS, ticket_from_row};
use super::{SqliteDesk, StoreError};
use crate::domain::Ticket;
use crate::domain::duplicates::{self, Lookup, PER_WORD};
use crate::domain::search::index_words;

pub use crate::domain::duplicates::Similar;

impl SqliteDesk {
    /// Up to `limit` open or recent tickets that resemble `text`, closest
    /// first. `except` (the ticket being edited, if any) is never offered.
    pub fn similar(&self, text: &str, limit: usize, except: Option<i64>) -> Result<Vec<Similar>, StoreError> {
        duplicates::similar(&mut Index(&self.conn), text, limit, except).map_err(|e| self.ctx.fail(e))
    }
}

/// The desk's full-text index, for the lookups duplicates need.
struct Index<'a>(&'a Connection);

impl Lookup for Index<'_> {
    type Error = rusqlite::Error;

    fn total(&mut self) -> rusqlite::Result<i64> {
        self.0.prepare_cached("SELECT coalesce(sum(n), 0) FROM ticket_counts")?.query_row([], |r| r.get(0))
    }

    fn tickets_with(&mut self, word: &str, cap: i64) -> rusqlite::Result<i64> {
        self.0
            .prepare_cached(
                "SELECT count(*) FROM (SELECT rowid FROM tickets_fts WHERE tickets_fts MATCH ?1 LIMIT ?2)",
            )?
            .query_row(rusqlite::params![format!("\"{word}\""), cap], |r| r.get(0))
    }

    fn newest_with(&mut self, word: &str) -> rusqlite::Result<Vec<i64>> {
        self.0
            .prepare_cached(
                "SELECT rowid FROM tickets_fts WHERE tickets_fts MATCH ?1 ORDER BY rowid DESC LIMIT ?2",
            )?
            .query_map(rusqlite::params![format!("\"{word}\""), PER_WORD], |r| r.get(0))?
            .collect()
    }

    /// Its words through the index, then the address itself, case-insensitively.
    fn newest_with_address(&mut self, address: &str) -> rusqlite::Result<Vec<i64>> {
        let words = index_words(address, 1);
        if words.is_empty() {
            return Ok(Vec::new());
        }
        let expression = words.iter().map(|w| format!("\"{w}\"")).collect::<Vec<_>>().join(" AND ");
        self.0
            .prepare_cached(
                "SELECT t.id FROM tickets_fts JOIN tickets AS t ON t.id = tickets_fts.rowid
                 WHERE tickets_fts MATCH ?1 AND instr(lower(t.title || ' ' || t.description), ?2) > 0
                 ORDER BY t.id DESC LIMIT ?3",
            )?
            .query_map(rusqlite::params![expression, address, PER_WORD], |r| r.get(0))?
            .collect()
    }

    fn ticket(&mut self, id: i64) -> rusqlite::Result<Option<Ticket>> {
        self.0
            .prepare_cached(&format!("SELECT {TICKET_COLUMNS} FROM tickets WHERE id = ?1"))?
            .query_row([id], ticket_from_row)
            .optional()
    }
}
