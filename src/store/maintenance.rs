//! Keeping a shared file healthy: an integrity verdict and online backups.

use std::path::Path;

use super::{Store, StoreError};

/// What `check` found: nothing means healthy.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct CheckReport {
    pub problems: Vec<String>,
}

impl CheckReport {
    pub fn ok(&self) -> bool {
        self.problems.is_empty()
    }
}

impl Store {
    /// SQLite's own integrity and foreign-key checks, the full-text index's
    /// check, and the running totals against a fresh count.
    pub fn check(&self) -> Result<CheckReport, StoreError> {
        let fail = |e| self.ctx.fail(e);
        let mut problems = Vec::new();
        let integrity: Vec<String> = self
            .conn
            .prepare("PRAGMA integrity_check")
            .and_then(|mut s| s.query_map([], |r| r.get(0))?.collect())
            .map_err(fail)?;
        if integrity != ["ok"] {
            problems.extend(integrity.into_iter().map(|p| format!("integrity: {p}")));
        }
        let foreign: Vec<(String, i64, String)> = self
            .conn
            .prepare("PRAGMA foreign_key_check")
            .and_then(|mut s| s.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?.collect())
            .map_err(fail)?;
        problems.extend(
            foreign
                .into_iter()
                .map(|(table, row, parent)| format!("foreign key: {table} row {row} has no {parent}")),
        );
        if let Err(e) =
            self.conn.execute("INSERT INTO tickets_fts (tickets_fts) VALUES ('integrity-check')", [])
        {
            match StoreError::from_sqlite(e, &self.ctx.path, self.ctx.busy_timeout) {
                busy @ StoreError::Busy { .. } => return Err(busy),
                other => problems.push(format!("search index: {other}")),
            }
        }
        let drift: i64 = self
            .conn
            .query_row(
                "SELECT count(*) FROM (
                    SELECT category, priority, status, count(*) AS n FROM tickets GROUP BY 1, 2, 3
                    EXCEPT SELECT category, priority, status, n FROM ticket_counts WHERE n > 0
                 )",
                [],
                |r| r.get(0),
            )
            .map_err(fail)?;
        if drift > 0 {
            problems.push(format!("stats: {drift} running totals differ from a fresh count"));
        }
        Ok(CheckReport { problems })
    }

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
