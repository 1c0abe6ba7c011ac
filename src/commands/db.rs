//! `db check`, `db backup FILE`, `db path`, `db copy`.

use anyhow::{Result, bail};
use std::io::Write;
use std::time::Duration;

use super::{shown, stdout};
use crate::cli::DbCommand;
use crate::store::Store;

pub fn db(store: &mut Store, command: &DbCommand, busy_timeout: Duration) -> Result<()> {
    let mut out = stdout();
    match command {
        DbCommand::InitRoles { owner, agent } => {
            let report = store.init_roles(owner, agent)?;
            for role in &report.created {
                writeln!(out, "created role {role}")?;
            }
            if report.reassigned > 0 {
                writeln!(
                    out,
                    "gave {} of the desk's tables and functions to {}",
                    report.reassigned, report.owner
                )?;
            }
            if report.migrated {
                writeln!(out, "made the desk's schema as {}", report.owner)?;
            }
            writeln!(
                out,
                "{} owns the schema; {} may add and change tickets and add history and notes, never rewrite them",
                report.owner, report.agent
            )?;
            writeln!(
                out,
                "add an agent: CREATE ROLE name LOGIN PASSWORD '…' IN ROLE {}; (psql, as a superuser)",
                report.agent
            )?;
        }
        DbCommand::Copy { to, from } => {
            let (other, outward) = match (to, from) {
                (Some(to), _) => (to, true),
                (None, Some(from)) => (from, false),
                (None, None) => bail!("say where to copy: --to DESK or --from DESK"),
            };
            if other == store.location() {
                bail!("{} is this desk itself; copy to or from another one", store.shown());
            }
            let mut other = super::open_store(other, busy_timeout)?;
            let (source, target) = if outward { (store, &mut other) } else { (&mut other, store) };
            let report = source.copy_into(target)?;
            let copied = report.source;
            writeln!(
                out,
                "Copied {} tickets, {} history entries and notes, and {} suggestion records from {} to {}",
                copied.tickets,
                copied.events,
                copied.suggestions,
                source.shown(),
                target.shown()
            )?;
            if !report.ok() {
                for difference in &report.differences {
                    writeln!(out, "{}", crate::domain::text::sanitize_line(difference))?;
                }
                out.flush()?;
                bail!(
                    "the copy in {} differs from {}: {} difference(s)",
                    target.shown(),
                    source.shown(),
                    report.differences.len()
                );
            }
            writeln!(
                out,
                "Checked: both hold the same counts; {} tickets compared field by field with their history",
                report.sampled
            )?;
        }
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
