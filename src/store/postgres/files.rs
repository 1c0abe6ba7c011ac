//! What a server desk does where the SQLite desk deals with its file: there
//! is no file of ours to protect or to lose from under us, and a backup is a
//! SQLite desk holding a copy.

use std::path::Path;

use super::PgDesk;
use crate::store::{OutputFile, StoreError};

impl PgDesk {
    /// Always in place: the server, not this process, keeps the database's
    /// files, and a commit it acknowledged is everyone's.
    pub fn check_in_place(&self) -> Result<(), StoreError> {
        Ok(())
    }

    /// A file a command writes; no local file is the desk, so none is refused
    /// for being it.
    pub fn output_file(&self, path: &Path) -> Result<OutputFile, StoreError> {
        OutputFile::create(path, |_| false)
    }
}
