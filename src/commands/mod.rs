//! One function per subcommand: parse nothing, decide nothing about exit
//! codes; run against the store and print.

mod bulk;
mod classify;
pub mod config;
mod config_show;
mod db;
mod doctor;
pub mod select;
mod shell;
mod team;

pub use crate::transfer::command::{export, import, import_samples};
pub use bulk::{assignee as bulk_assignee, bulk};
pub(crate) use classify::claude_settings;
pub use classify::{build_chain, classify, suggest};
pub use config_show::{Given, show as config_show};
pub use db::db;
pub use doctor::doctor;
pub use shell::{completions, man};
pub use team::{assign, history, note};

use anyhow::{Context, Result};
use std::io::{self, IsTerminal, Read, Write};
use std::path::Path;
use time::OffsetDateTime;

use crate::cli::{AddArgs, DescriptionSource, EditArgs, ListArgs, VersionCheck};
use crate::config::Config;
use crate::domain::{Category, Filter, NewTicket, Origins, Priority, Status, TicketEdit, text};
use crate::output::paint::Paint;
use crate::output::{human, json, list_table};
use crate::store::{Location, Store};

/// A usage mistake the argument parser cannot see; exits with code 2.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct UsageError(pub String);

pub(crate) fn stdout() -> io::BufWriter<io::StdoutLock<'static>> {
    io::BufWriter::new(io::stdout().lock())
}

pub(crate) fn shown(path: &Path) -> String {
    text::sanitize_line(&path.display().to_string()).into_owned()
}

/// How long an open may take before the person waiting is told why.
pub const OPEN_PATIENCE: std::time::Duration = std::time::Duration::from_millis(500);

/// Opens the desk; if another process holds its lock for a while, says so on
/// stderr (once) instead of sitting there silently until the timeout. A
/// server desk's opening is bounded by its connect timeout and ends in one
/// line either way, so nothing is said while it waits.
pub fn open_store(
    location: &Location,
    busy_timeout: std::time::Duration,
) -> Result<Store, crate::store::StoreError> {
    if let Location::Server(_) = location {
        return Store::open_at(location, busy_timeout);
    }
    let shown = location.shown();
    Store::open_telling_waits(location, busy_timeout, OPEN_PATIENCE, move || {
        eprintln!(
            "ticketdesk: waiting for {shown}: another process holds it (an import?); up to {} s",
            busy_timeout.as_secs()
        );
    })
}

fn read_description(source: &DescriptionSource) -> Result<Option<String>> {
    if let Some(text) = &source.description {
        return Ok(Some(text.clone()));
    }
    let Some(path) = &source.description_file else {
        return Ok(None);
    };
    let mut text = String::new();
    if path.as_os_str() == "-" {
        io::stdin().read_to_string(&mut text).context("cannot read the description from standard input")?;
    } else {
        text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read the description file {}", shown(path)))?;
    }
    Ok(Some(text))
}

pub fn add(store: &mut Store, config: &Config, args: &AddArgs) -> Result<()> {
    let (title, description) = if args.edit {
        let start = format!(
            "{}\n\n{}",
            args.title.as_deref().unwrap_or_default(),
            read_description(&args.description)?.unwrap_or_default()
        );
        let written = crate::editor::edit(
            start.trim(),
            "# The first line is the title, everything below it the description.\n\
             # Save and quit to add the ticket; empty it, or quit with an error (:cq in vi), to add nothing.",
        )?
        .ok_or_else(|| anyhow::anyhow!("no ticket added: the editor left no text or failed"))?;
        crate::editor::split_ticket(&written)
    } else {
        let Some(description) = read_description(&args.description)? else {
            return Err(
                UsageError("add needs --description TEXT, --description-file FILE or --edit".into()).into()
            );
        };
        (args.title.clone().unwrap_or_default(), description)
    };
    // Validate before asking anyone for a suggestion.
    let mut ticket = NewTicket::new(
        &title,
        &description,
        args.category.unwrap_or(Category::General),
        args.priority.unwrap_or(Priority::Medium),
    )?;
    let suggestion = match (args.category, args.priority) {
        (Some(_), Some(_)) => None,
        _ => match classify::build_chain(config, Some(&mut *store))? {
            Some(chain) => {
                Some(classify::suggest(&chain, &format!("{}\n\n{}", ticket.title, ticket.description))?)
            }
            None => None,
        },
    };
    let mut origins = Origins::PERSON;
    if let Some(s) = &suggestion {
        ticket.category = args.category.unwrap_or(s.category);
        ticket.priority = args.priority.unwrap_or(s.priority);
        let suggested = s.source.event_source(s.cached);
        if args.category.is_none() {
            origins.category = suggested;
        }
        if args.priority.is_none() {
            origins.priority = suggested;
        }
        origins.suggested =
            Some(crate::domain::Suggested { source: s.source, category: s.category, priority: s.priority });
    }
    let stored = store.add(&ticket, origins)?;
    let mut out = stdout();
    if args.json {
        #[derive(serde::Serialize)]
        struct Added<'a> {
            #[serde(flatten)]
            ticket: &'a crate::domain::Ticket,
            #[serde(skip_serializing_if = "Option::is_none")]
            suggestion: Option<classify::Provenance<'a>>,
        }
        json::write_pretty(
            &mut out,
            &Added { ticket: &stored, suggestion: suggestion.as_ref().map(Into::into) },
        )?;
    } else {
        writeln!(out, "Created ticket #{}", stored.id)?;
        if let Some(s) = &suggestion {
            writeln!(out, "Suggested by {}", classify::describe(s))?;
        }
        human::write_ticket(&mut out, &stored)?;
    }
    Ok(out.flush()?)
}

/// Lists the tickets `filter` selects (read from `args` before the desk was
/// opened, so a mistake in it never creates one).
pub fn list(store: &mut Store, filter: &Filter, args: &ListArgs, color: clap::ColorChoice) -> Result<()> {
    let tickets = {
        let _query = tracing::debug_span!("query").entered();
        store.list(filter, args.limit as usize, None)?
    };
    let _print = tracing::debug_span!("print", rows = tickets.len()).entered();
    let mut out = stdout();
    let terminal = io::stdout().is_terminal();
    let paint = Paint::new(color, terminal, std::env::var_os("NO_COLOR").is_some());
    if args.json {
        json::write_pretty(&mut out, &tickets)?;
    } else if !terminal {
        // For programs: the rows alone, whole, one per line.
        list_table::write_rows(&mut out, &tickets, args.header, paint)?;
    } else if tickets.is_empty() {
        writeln!(out, "No tickets match.")?;
    } else {
        list_table::write_tickets(&mut out, &tickets, terminal_width(), OffsetDateTime::now_utc(), paint)?;
    }
    Ok(out.flush()?)
}

/// The width of the terminal standard output is on (not of whichever
/// terminal the process was started from), else `$COLUMNS`, else 80.
fn terminal_width() -> usize {
    match terminal_size::terminal_size_of(io::stdout()) {
        Some((terminal_size::Width(cols), _)) if cols > 0 => usize::from(cols),
        _ => std::env::var("COLUMNS").ok().and_then(|c| c.parse().ok()).filter(|c| *c > 0).unwrap_or(80),
    }
}

pub fn show(store: &mut Store, id: i64, as_json: bool) -> Result<()> {
    let ticket = store.get(id)?;
    let mut out = stdout();
    if as_json {
        json::write_pretty(&mut out, &ticket)?;
    } else {
        human::write_ticket(&mut out, &ticket)?;
    }
    Ok(out.flush()?)
}

pub fn set_status(
    store: &mut Store,
    id: i64,
    status: Status,
    check: &VersionCheck,
    as_json: bool,
) -> Result<()> {
    let edit = TicketEdit { status: Some(status), ..Default::default() };
    let ticket = store.edit(id, &edit, check.if_version)?;
    let mut out = stdout();
    if as_json {
        json::write_pretty(&mut out, &ticket)?;
    } else {
        writeln!(out, "#{} is now {}", ticket.id, ticket.status)?;
    }
    Ok(out.flush()?)
}

pub fn edit(store: &mut Store, args: &EditArgs) -> Result<()> {
    let edit = TicketEdit {
        title: args.title.clone(),
        description: read_description(&args.description)?,
        category: args.category,
        priority: args.priority,
        status: None,
    };
    if edit.is_empty() {
        return Err(UsageError(
            "edit needs at least one of --title, --description, --description-file, --category, --priority"
                .into(),
        )
        .into());
    }
    let ticket = store.edit(args.id, &edit.validated()?, args.check.if_version)?;
    let mut out = stdout();
    if args.json {
        json::write_pretty(&mut out, &ticket)?;
    } else {
        human::write_ticket(&mut out, &ticket)?;
    }
    Ok(out.flush()?)
}

pub fn stats(store: &mut Store, as_json: bool) -> Result<()> {
    let stats = store.stats()?;
    let mut out = stdout();
    if as_json {
        json::write_pretty(&mut out, &stats)?;
    } else {
        human::write_stats(&mut out, &stats)?;
    }
    Ok(out.flush()?)
}
