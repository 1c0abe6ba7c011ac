//! `db check`, `db backup FILE`, `db path`.

use anyhow::{Result, bail};
use std::io::Write;

use super::{shown, stdout};
use crate::cli::DbCommand;
use crate::store::Store;

pub fn db(store: &mut Store, command: &DbCommand) -> Result<()> {
    let mut out = stdout();
    match command {
        DbCommand::Path => writeln!(out, "{}", store.shown())?,
        DbCommand::Backup { file } => {
            let size = store.backup(file)?;
            writeln!(out, "Backed up {} to {} ({size} bytes)", store.shown(), shown(file))?;
        }
        DbCommand::Check { repair } => {
            if *repair {
                let repaired = store.repair()?;
                for line in &repaired.done {
                    writeln!(out, "repaired: {}", crate::domain::text::sanitize_line(line))?;
                }
                for line in &repaired.left {
                    writeln!(out, "not repaired: {}", crate::domain::text::sanitize_line(line))?;
                }
            }
            let report = store.check()?;
            if !report.ok() {
                for problem in &report.problems {
                    writeln!(out, "{}", crate::domain::text::sanitize_line(problem))?;
                }
                out.flush()?;
                bail!("{} is damaged: {} problem(s) found", store.shown(), report.problems.len());
            }
            writeln!(out, "ok: {} passed every check", store.shown())?;
        }
    }
    Ok(out.flush()?)
}
