//! Online backups: a consistent copy while others keep writing.

use std::path::Path;

use super::{Store, StoreError};

impl Store {
    /// Copies the whole database to `destination` through SQLite's online
    /// backup, from one consistent snapshot while others keep writing. The
    /// copy is written beside the destination and renamed into place.
    pub fn backup(&self, destination: &Path) -> Result<u64, StoreError> {
        let io_err = |source| StoreError::Io { path: destination.to_owned(), source };
        let dir = destination.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
        let temp = tempfile::Builder::new().prefix(".ticketdesk-backup").tempfile_in(dir).map_err(io_err)?;
        {
            let mut target = rusqlite::Connection::open(temp.path()).map_err(|e| self.ctx.fail(e))?;
            let backup =
                rusqlite::backup::Backup::new(&self.conn, &mut target).map_err(|e| self.ctx.fail(e))?;
            // All pages in one step: one read snapshot, so the copy is consistent.
            backup.step(-1).map_err(|e| self.ctx.fail(e))?;
        }
        let size = temp.as_file().metadata().map_err(io_err)?.len();
        temp.as_file().sync_all().map_err(io_err)?;
        temp.persist(destination).map_err(|e| io_err(e.error))?;
        Ok(size)
    }
}
