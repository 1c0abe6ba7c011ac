//! Which database files this process has open, and whether each is still the
//! file every other process sees.
//!
//! POSIX advisory locks belong to the process, not to a descriptor: closing
//! *any* descriptor of the database file (one opened just to read its header,
//! say) drops every lock SQLite's connections in this process hold on it.
//! Another process then believes it is alone, checkpoints, and unlinks the
//! `-wal` and `-shm` files, while this one goes on committing into a log that
//! nobody else will ever read; its "saved" tickets vanish when it quits.
//!
//! So the file is looked at outside SQLite (its header read, created when
//! missing) only while no connection to it is open in this process. Every
//! connection comes from [`connect`], which first looks the file up here by
//! device and inode (a `stat`, which opens nothing): when a connection to it is
//! already open, the new one goes straight to SQLite, whose own locking keeps
//! the process's locks whole across connections.

use rusqlite::{Connection, FileControl, MAIN_DB};
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError, Weak};
use std::time::Duration;

use super::{StoreError, open};

/// A file as the kernel knows it, whatever path led there.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct FileId {
    dev: u64,
    ino: u64,
}

impl FileId {
    /// `stat` follows symlinks and opens no descriptor. `None`: nothing there.
    fn of(path: &Path) -> std::io::Result<Option<FileId>> {
        match std::fs::metadata(path) {
            Ok(meta) => Ok(Some(FileId { dev: meta.dev(), ino: meta.ino() })),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(e),
        }
    }
}

/// The write-ahead log and its index as this process first found them. While
/// any connection here has the desk open, no other process may remove them
/// (closing needs an exclusive lock our connections deny it), so seeing other
/// files at those paths means our locks were lost and our commits went astray.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct LogFiles {
    wal: FileId,
    shm: FileId,
}

/// One database file this process has at least one connection to.
#[derive(Debug)]
pub(super) struct DeskFile {
    /// The path SQLite resolved (symlinks followed); its `-wal` and `-shm`
    /// sit beside it.
    path: PathBuf,
    file: FileId,
    log: Mutex<Option<LogFiles>>,
}

/// Every desk file with a live connection in this process. Entries die with
/// the last [`super::Store`] holding them.
static OPEN: Mutex<Vec<Weak<DeskFile>>> = Mutex::new(Vec::new());

/// Opens a connection to the desk at `path`: the first in this process
/// inspects the file, creates it if needed and brings the schema up to date;
/// any later one reuses what the first learned and touches nothing.
pub(super) fn connect(
    path: &Path,
    busy_timeout: Duration,
) -> Result<(Connection, Arc<DeskFile>), StoreError> {
    let io_err = |source| StoreError::Io { path: path.to_owned(), source };
    // Held while the first connection is made, so two threads opening the
    // same new desk never both inspect it.
    let mut open_desks = OPEN.lock().unwrap_or_else(PoisonError::into_inner);
    open_desks.retain(|desk| desk.strong_count() > 0);
    if let Some(id) = FileId::of(path).map_err(io_err)? {
        let known = open_desks.iter().filter_map(Weak::upgrade).find(|desk| desk.file == id);
        if let Some(desk) = known {
            let conn = open::connect_again(&desk.path, busy_timeout)?;
            return Ok((conn, desk));
        }
    }
    let conn = open::open_first(path, busy_timeout)?;
    let resolved =
        conn.path().filter(|p| !p.is_empty()).map(PathBuf::from).unwrap_or_else(|| path.to_owned());
    let file = FileId::of(&resolved)
        .map_err(io_err)?
        .ok_or_else(|| io_err(std::io::Error::other("the file vanished as it was opened")))?;
    let desk = Arc::new(DeskFile { path: resolved, file, log: Mutex::new(None) });
    desk.remember_log(&conn);
    open_desks.push(Arc::downgrade(&desk));
    Ok((conn, desk))
}

impl DeskFile {
    fn wal_path(&self) -> PathBuf {
        suffixed(&self.path, "-wal")
    }

    fn shm_path(&self) -> PathBuf {
        suffixed(&self.path, "-shm")
    }

    /// Notes which log files belong to the desk now. Called when the first
    /// connection is made, and again after an import switched the journal
    /// back to WAL (which makes new ones).
    pub(super) fn remember_log(&self, conn: &Connection) {
        let in_wal = conn
            .pragma_query_value(None, "journal_mode", |row| row.get::<_, String>(0))
            .is_ok_and(|mode| mode.eq_ignore_ascii_case("wal"));
        let found = match (FileId::of(&self.wal_path()), FileId::of(&self.shm_path())) {
            (Ok(Some(wal)), Ok(Some(shm))) if in_wal => Some(LogFiles { wal, shm }),
            _ => None,
        };
        *self.log.lock().unwrap_or_else(PoisonError::into_inner) = found;
    }

    /// Forgets the log while an import runs without one.
    pub(super) fn forget_log(&self) {
        *self.log.lock().unwrap_or_else(PoisonError::into_inner) = None;
    }

    /// Whether `conn`'s commits still reach the file everyone else opens:
    /// the database has not been moved, deleted or replaced, and the log this
    /// process writes into is still the one at the log's path. Three `stat`s
    /// and a file-control call; cheap enough for every write.
    pub(super) fn check_in_place(&self, conn: &Connection) -> Result<(), StoreError> {
        let lost = |what: &'static str| {
            tracing::error!(path = %self.path.display(), what, "writes no longer reach the shared file");
            StoreError::Detached { path: self.path.clone(), what }
        };
        let mut moved = 0;
        // A VFS without the call (none on Unix) leaves `moved` at 0.
        let _ = conn.file_control(Some(MAIN_DB), FileControl::HasMoved(&mut moved));
        if moved != 0 || FileId::of(&self.path).ok().flatten() != Some(self.file) {
            return Err(lost("the database file was moved, deleted or replaced"));
        }
        let Some(log) = *self.log.lock().unwrap_or_else(PoisonError::into_inner) else {
            return Ok(());
        };
        let wal = FileId::of(&self.wal_path()).ok().flatten();
        let shm = FileId::of(&self.shm_path()).ok().flatten();
        if wal != Some(log.wal) || shm != Some(log.shm) {
            return Err(lost("its write-ahead log was deleted or replaced by another process"));
        }
        Ok(())
    }
}

/// The companions SQLite keeps beside a database file.
const COMPANIONS: [&str; 4] = ["", "-wal", "-shm", "-journal"];

impl DeskFile {
    /// Whether `target` (resolved, existing or not) is this desk's file or
    /// one of its companions, by identity or by name: writing there would
    /// destroy the desk or hand SQLite a log it never wrote.
    pub(super) fn owns(&self, target: &Path) -> bool {
        if let Ok(Some(id)) = FileId::of(target) {
            let companions =
                COMPANIONS.map(|suffix| FileId::of(&suffixed(&self.path, suffix)).ok().flatten());
            if id == self.file || companions.contains(&Some(id)) {
                return true;
            }
        }
        let named = target
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."))
            .canonicalize()
            .ok()
            .zip(target.file_name())
            .map(|(folder, name)| folder.join(name));
        named.is_some_and(|named| COMPANIONS.iter().any(|suffix| named == suffixed(&self.path, suffix)))
    }
}

fn suffixed(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}
