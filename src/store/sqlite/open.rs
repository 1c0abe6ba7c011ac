//! Opening a database file safely: look before writing, then set up the
//! connection and bring the schema up to date.

use rusqlite::{Connection, OpenFlags, TransactionBehavior};
use std::fs;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use super::StoreError;
use super::inspect::{FileState, inspect};

pub(super) mod embedded {
    refinery::embed_migrations!("migrations/sqlite");
}

/// "TDSK": the SQLite `application_id` that marks a file as ours.
pub const APPLICATION_ID: u32 = u32::from_be_bytes(*b"TDSK");

/// `<data dir>/ticketdesk/tickets.db`, or `None` when the OS reports no home.
pub fn default_path() -> Option<PathBuf> {
    directories::BaseDirs::new().map(|dirs| dirs.data_dir().join("ticketdesk").join("tickets.db"))
}

/// The first connection this process makes to the desk at `path`: looks at
/// the file (only [`super::desk`] calls this, while no other connection to it
/// is open here), creates it if missing, and brings its schema up to date.
pub(super) fn open_first(path: &Path, busy_timeout: Duration) -> Result<Connection, StoreError> {
    let io_err = |source| StoreError::Io { path: path.to_owned(), source };
    match inspect(path)? {
        // The folder must exist: a mistyped path is an error, not a new
        // tree of folders (the default location's folder is made by the
        // caller that chose it).
        FileState::Missing => create_shared(path).map_err(io_err)?,
        FileState::Empty | FileState::Usable => {}
    }

    let mut conn = sqlite_connection(path, busy_timeout)?;
    // Several processes may open a new file at the same moment. Each step is
    // safe to repeat, and a loser of a race (a migration that finds its table
    // already made, a journal-mode switch refused as busy) finds the work done
    // on the next round. Some of those refusals skip SQLite's busy wait, so
    // the rounds back off a little; being busy is retried until the busy
    // timeout has passed (a desk locked by an import makes the opener wait
    // that long, not longer), any other failure a few times.
    const OTHER_FAILURES: usize = 8;
    let started = Instant::now();
    let mut round: u32 = 1;
    loop {
        match prepare(&mut conn, path, busy_timeout) {
            Ok(()) => return Ok(conn),
            Err(
                e @ (StoreError::TooNew { .. } | StoreError::NotSqlite { .. } | StoreError::Corrupt { .. }),
            ) => {
                return Err(e);
            }
            Err(e) if started.elapsed() >= busy_timeout => return Err(e),
            Err(e) if !matches!(e, StoreError::Busy { .. }) && round as usize >= OTHER_FAILURES => {
                return Err(e);
            }
            Err(_) => {
                std::thread::sleep(Duration::from_millis(2u64 << round.min(5)));
                round += 1;
            }
        }
    }
}

/// Another connection to a desk this process already has open and up to date:
/// SQLite alone touches the file.
pub(super) fn connect_again(path: &Path, busy_timeout: Duration) -> Result<Connection, StoreError> {
    let conn = sqlite_connection(path, busy_timeout)?;
    set_connection_options(&conn).map_err(|e| StoreError::from_sqlite(e, path, busy_timeout))?;
    Ok(conn)
}

fn sqlite_connection(path: &Path, busy_timeout: Duration) -> Result<Connection, StoreError> {
    let fail = |e| StoreError::from_sqlite(e, path, busy_timeout);
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_CREATE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(fail)?;
    // SQLite counts the wait in 32-bit milliseconds; rusqlite panics past that.
    let sqlite_wait = busy_timeout.min(Duration::from_millis(i32::MAX as u64));
    conn.busy_timeout(sqlite_wait).map_err(fail)?;
    Ok(conn)
}

/// Settings that belong to each connection rather than to the file.
fn set_connection_options(conn: &Connection) -> rusqlite::Result<()> {
    // NORMAL is durable across process crashes in WAL mode (only an OS crash
    // can lose the last commits) and much faster.
    conn.pragma_update(None, "synchronous", "NORMAL")?;
    conn.pragma_update(None, "foreign_keys", "ON")
}

fn prepare(conn: &mut Connection, path: &Path, busy_timeout: Duration) -> Result<(), StoreError> {
    let fail = |e| StoreError::from_sqlite(e, path, busy_timeout);
    // A schema newer than this build is refused before anything is written
    // (the inspection saw the same; this covers a desk upgraded since).
    if let Some(found) = applied_version(conn).map_err(fail)?
        && found > LATEST_VERSION
    {
        return Err(StoreError::TooNew { path: path.to_owned(), found, known: LATEST_VERSION });
    }
    // Mark a brand-new file as ours before anything else is written, so a
    // process checking it a moment later never mistakes it for a foreign one.
    let id: i64 = conn.pragma_query_value(None, "application_id", |row| row.get(0)).map_err(fail)?;
    if id == 0 {
        conn.pragma_update(None, "application_id", i64::from(APPLICATION_ID)).map_err(fail)?;
    }
    // WAL lets readers run beside one writer.
    conn.pragma_update(None, "journal_mode", "WAL").map_err(fail)?;
    set_connection_options(conn).map_err(fail)?;
    migrate(conn, path, busy_timeout)
}

/// Creates the empty database file. In a folder its group may write to (a
/// team's shared folder, usually setgid so files take its group), the file
/// is made group read-write too; SQLite gives its WAL and shared-memory files
/// the database file's permissions, so the whole team can use all three.
fn create_shared(path: &Path) -> std::io::Result<()> {
    match fs::OpenOptions::new().write(true).create_new(true).open(path) {
        Ok(_) => {}
        // Another process made it a moment ago: it takes it from here.
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => return Ok(()),
        Err(e) => return Err(e),
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let folder = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
        let folder_mode = fs::metadata(folder)?.permissions().mode();
        if folder_mode & 0o020 != 0 {
            let mode = fs::metadata(path)?.permissions().mode() | 0o060;
            fs::set_permissions(path, fs::Permissions::from_mode(mode))?;
        }
    }
    Ok(())
}

/// The newest schema version this build knows. A constant, so that opening
/// an up-to-date file never builds the migration runner (which compiles a
/// regex and parses every migration); a test keeps it equal to the newest
/// file in `migrations/`.
pub(super) const LATEST_VERSION: i64 = 5;

pub(super) fn applied_version(conn: &Connection) -> rusqlite::Result<Option<i64>> {
    let has_history: bool = conn.query_row(
        "SELECT EXISTS (SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = 'refinery_schema_history')",
        [],
        |row| row.get(0),
    )?;
    if !has_history {
        return Ok(None);
    }
    conn.query_row("SELECT max(version) FROM refinery_schema_history", [], |row| row.get(0))
}

/// Applies pending migrations, each in its own `BEGIN IMMEDIATE` transaction
/// (so a concurrent opener waits for the write lock instead of failing on a
/// read-to-write upgrade).
fn migrate(conn: &mut Connection, path: &Path, busy_timeout: Duration) -> Result<(), StoreError> {
    let known = LATEST_VERSION;
    match applied_version(conn).map_err(|e| StoreError::from_sqlite(e, path, busy_timeout))? {
        Some(found) if found > known => {
            return Err(StoreError::TooNew { path: path.to_owned(), found, known });
        }
        Some(found) if found == known => return Ok(()),
        _ => {}
    }
    conn.set_transaction_behavior(TransactionBehavior::Immediate);
    let result = embedded::migrations::runner().run(conn);
    conn.set_transaction_behavior(TransactionBehavior::Deferred);
    result.map(drop).map_err(|e| StoreError::Migration(e.to_string()))
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_latest_version_constant_matches_the_migrations() {
        let embedded = super::embedded::migrations::runner()
            .get_migrations()
            .iter()
            .map(|m| i64::from(m.version()))
            .max();
        assert_eq!(Some(super::LATEST_VERSION), embedded);
    }

    #[test]
    fn a_busy_timeout_past_what_sqlite_counts_opens_anyway() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.db");
        let timeout = std::time::Duration::from_secs(u64::MAX);
        assert!(super::open_first(&path, timeout).is_ok());
    }
}
