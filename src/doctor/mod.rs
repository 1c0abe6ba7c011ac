//! `ticketdesk doctor`: checks a set-up the way a colleague would, and says
//! in plain words what is wrong and how to fix it.
//!
//! The database file is only ever looked at with `stat` and `access` (which
//! open nothing) before the one SQLite connection that runs `db check`:
//! closing any descriptor of the file would drop the locks SQLite holds on it
//! in this process (see "Nothing touches the database file outside SQLite").

mod files;
mod filesystem;
mod setup;

pub use filesystem::{FsKind, fs_kind};

use std::io::{self, Write};
use std::path::Path;
use std::time::Duration;

use crate::config::{Config, Overrides, Sources};
use crate::domain::text::sanitize_line;
use crate::store::Location;

/// How much a finding matters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Level {
    Ok,
    /// Worth knowing; nothing to do.
    Note,
    /// Something needs fixing: the doctor exits 1.
    Fix,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub level: Level,
    /// What was found, in a sentence.
    pub message: String,
    /// What to do about it, when something should be done.
    pub fix: Option<String>,
}

#[derive(Debug, Default)]
pub struct Report {
    pub findings: Vec<Finding>,
}

impl Report {
    fn add(&mut self, level: Level, message: impl Into<String>, fix: Option<String>) {
        self.findings.push(Finding { level, message: message.into(), fix });
    }

    fn ok(&mut self, message: impl Into<String>) {
        self.add(Level::Ok, message, None);
    }

    fn note(&mut self, message: impl Into<String>) {
        self.add(Level::Note, message, None);
    }

    fn fix(&mut self, message: impl Into<String>, fix: impl Into<String>) {
        self.add(Level::Fix, message, Some(fix.into()));
    }

    /// What was looked at: an `ok` line when nothing is wrong with it, else
    /// a note followed by what is wrong.
    fn describe(&mut self, what: String, problems: Report) {
        let level = if problems.findings.is_empty() { Level::Ok } else { Level::Note };
        self.add(level, what, None);
        self.findings.extend(problems.findings);
    }

    /// How many findings need fixing.
    pub fn problems(&self) -> usize {
        self.findings.iter().filter(|f| f.level == Level::Fix).count()
    }

    pub fn write(&self, out: &mut dyn Write) -> io::Result<()> {
        for finding in &self.findings {
            let label = match finding.level {
                Level::Ok => "ok",
                Level::Note => "note",
                Level::Fix => "FIX",
            };
            writeln!(out, "{label:<4}  {}", sanitize_line(&finding.message))?;
            if let Some(fix) = &finding.fix {
                writeln!(out, "      fix: {}", sanitize_line(fix))?;
            }
        }
        match self.problems() {
            0 => writeln!(out, "Nothing needs fixing."),
            1 => writeln!(out, "1 thing needs fixing."),
            n => writeln!(out, "{n} things need fixing."),
        }
    }
}

/// What the doctor is asked to look at.
pub struct Request<'a> {
    pub sources: &'a Sources,
    pub overrides: &'a Overrides,
    /// Also send one real classification.
    pub online: bool,
}

/// Runs every check, in the order a person would look.
pub fn examine(request: &Request<'_>) -> Report {
    let mut report = Report::default();
    let config = setup::config_layers(request.sources, request.overrides, &mut report);
    setup::api_key(&config, &mut report);
    let (path, default_location) = match &config.db {
        Some(Location::File(path)) => (std::path::absolute(path).unwrap_or_else(|_| path.clone()), false),
        Some(server @ Location::Server(target)) => {
            // A server keeps its own files: what is left to look at is
            // whether it answers, as whom, and the desk it holds.
            for warning in &target.warnings {
                report.note(warning.clone());
            }
            database(server, &config, &mut report);
            if request.online {
                setup::online(&config, &mut report);
            }
            return report;
        }
        None => match crate::store::default_path() {
            Some(path) => (path, true),
            None => {
                report.fix("no data directory for the default database", "set db in the config or pass --db");
                return report;
            }
        },
    };
    let exists = files::check(&path, default_location, &mut report);
    filesystem::check(path.parent().unwrap_or(Path::new(".")), &mut report);
    if exists {
        database(&Location::File(path.clone()), &config, &mut report);
    }
    if request.online {
        setup::online(&config, &mut report);
    }
    report
}

/// `db check`, through the one connection this process opens.
fn database(location: &Location, config: &Config, report: &mut Report) {
    let shown = location.shown();
    let timeout = Duration::from_secs(config.busy_timeout_secs);
    let mut store = match crate::store::Store::open_at(location, timeout) {
        Ok(store) => {
            if location.path().is_none() {
                report.ok(format!("database {shown}: reachable, opened as {}", store.actor()));
            }
            store
        }
        Err(e) => {
            report.fix(
                format!("cannot open the database: {e}"),
                "fix what the message names, then run doctor again",
            );
            return;
        }
    };
    match store.check() {
        Ok(check) if check.ok() => report.ok(format!("db check: {shown} passed every check")),
        Ok(check) => {
            for problem in &check.problems {
                report.add(Level::Fix, format!("db check: {problem}"), None);
            }
            if let Some(last) = report.findings.last_mut() {
                last.fix =
                    Some("ticketdesk db check --repair (after a backup: ticketdesk db backup FILE)".into());
            }
        }
        Err(e) => report.fix(format!("db check could not run: {e}"), "run ticketdesk db check for details"),
    }
}
