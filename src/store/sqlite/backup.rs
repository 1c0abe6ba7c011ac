//! Online backups: a consistent copy while others keep writing.

use std::path::Path;

use super::{SqliteDesk, StoreError};

impl SqliteDesk {
    /// Copies the whole database to `destination` through SQLite's online
    /// backup, from one consistent snapshot while others keep writing. The
    /// copy is written beside the destination and renamed into place, under
    /// the rules of [`SqliteDesk::output_file`].
    pub fn backup(&self, destination: &Path) -> Result<u64, StoreError> {
        let output = self.output_file(destination)?;
        {
            let mut target = rusqlite::Connection::open(output.path()).map_err(|e| self.ctx.fail(e))?;
            let backup =
                rusqlite::backup::Backup::new(&self.conn, &mut target).map_err(|e| self.ctx.fail(e))?;
            // All pages in one step: one read snapshot, so the copy is consistent.
            backup.step(-1).map_err(|e| self.ctx.fail(e))?;
        }
        output.finish()
    }
}
