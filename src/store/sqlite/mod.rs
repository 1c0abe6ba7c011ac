//! The SQLite engine: one connection, bound parameters only, and the database
//! itself as the last word on every rule.

mod backup;
mod bulk;
mod check;
mod copy;
mod desk;
mod events;
mod import;
mod inspect;
mod list;
mod open;
mod schema;
mod search;
mod similar;
mod stats;
mod tickets;

pub use check::{CheckReport, RepairReport};
pub use import::{ImportError, ImportRow};
pub use open::{APPLICATION_ID, default_path};
pub use similar::Similar;

pub(crate) use super::StoreError;
use super::output_file::OutputFile;

use rusqlite::Connection;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

/// An open SQLite desk. Owns its connection: whoever holds it is the only one
/// talking to SQLite through it.
pub struct SqliteDesk {
    // Declared before `desk`, so the connection closes before this process
    // stops counting the file as open.
    conn: Connection,
    desk: Arc<desk::DeskFile>,
    ctx: ErrorContext,
    /// `data_version` at the last look for other connections' commits.
    seen_version: Option<i64>,
}

/// What an error message needs to know about the store it came from. Kept
/// apart from the connection so a transaction and an error map can coexist.
struct ErrorContext {
    path: PathBuf,
    busy_timeout: Duration,
    /// The OS account this process writes as (recorded in the history).
    actor: String,
}

impl ErrorContext {
    /// Maps a SQLite error to one that says what went wrong for this file.
    fn fail(&self, err: rusqlite::Error) -> StoreError {
        StoreError::from_sqlite(err, &self.path, self.busy_timeout)
    }
}

impl SqliteDesk {
    /// Opens (creating if needed) the database at `path`, refusing any file
    /// that is not ours, and brings its schema up to date.
    #[cfg(test)]
    pub fn open(path: &Path) -> Result<SqliteDesk, StoreError> {
        Self::open_with_timeout(path, super::DEFAULT_BUSY_TIMEOUT)
    }

    pub fn open_with_timeout(path: &Path, busy_timeout: Duration) -> Result<SqliteDesk, StoreError> {
        let (conn, desk) = desk::connect(path, busy_timeout).inspect_err(|e| {
            tracing::warn!(path = %path.display(), error = %e, "desk not opened");
        })?;
        Ok(SqliteDesk {
            conn,
            desk,
            ctx: ErrorContext { path: path.to_owned(), busy_timeout, actor: crate::actor::current() },
            seen_version: None,
        })
    }

    /// Prepares a file a command writes (see [`OutputFile`]), refusing this
    /// desk's own file and its companions.
    pub fn output_file(&self, path: &Path) -> Result<OutputFile, StoreError> {
        OutputFile::create(path, |target| self.desk.owns(target))
    }

    /// Whether this store's commits still reach the file every other process
    /// opens (see [`desk`]). A write checks this after it commits, so nothing
    /// is reported saved that nobody else can see.
    pub fn check_in_place(&self) -> Result<(), StoreError> {
        self.desk.check_in_place(&self.conn)
    }
}
