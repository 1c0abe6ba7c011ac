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

pub use bulk::{BULK_MAX, BulkChange, BulkOutcome, Skipped};
pub use check::{CheckReport, RepairReport};
pub use import::{ImportError, ImportRow};
pub use open::{APPLICATION_ID, default_path};
pub use similar::Similar;
pub use tickets::Labelled;

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

    /// Opens like [`SqliteDesk::open_with_timeout`], and calls `waiting` once if
    /// that has not finished after `patience`: someone else holds the file's
    /// lock (the first import into an empty desk does, start to end), and a
    /// person at a terminal should hear why nothing happens yet.
    ///
    /// The open runs on this thread (on a thread of its own it would cost a
    /// fresh heap, a tenth of a quick command's time); a small thread only
    /// watches the clock, and is waited for only once it has spoken.
    pub fn open_telling_waits(
        path: &Path,
        busy_timeout: Duration,
        patience: Duration,
        waiting: impl FnOnce() + Send + 'static,
    ) -> Result<SqliteDesk, StoreError> {
        use std::sync::atomic::{AtomicBool, Ordering};
        let (opened, done) = std::sync::mpsc::channel::<()>();
        let told = std::sync::Arc::new(AtomicBool::new(false));
        let teller = {
            let (told, shown) = (told.clone(), path.display().to_string());
            std::thread::spawn(move || {
                if done.recv_timeout(patience) == Err(std::sync::mpsc::RecvTimeoutError::Timeout) {
                    told.store(true, Ordering::SeqCst);
                    tracing::info!(path = %shown, "waiting for another process's lock to open the desk");
                    waiting();
                }
            })
        };
        let started = std::time::Instant::now();
        let result = Self::open_with_timeout(path, busy_timeout);
        drop(opened);
        if told.load(Ordering::SeqCst) {
            // Let the message finish before anything else is written.
            let _ = teller.join();
            let waited_ms = started.elapsed().as_millis() as u64;
            tracing::info!(waited_ms, opened = result.is_ok(), "done waiting to open the desk");
        }
        result
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
