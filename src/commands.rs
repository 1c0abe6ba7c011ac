//! One function per subcommand: parse nothing, decide nothing about exit
//! codes; run against the store and print.

use anyhow::{Context, Result};
use std::io::{self, BufReader, IsTerminal, Read, Write};
use std::path::{Path, PathBuf};
use time::OffsetDateTime;

use crate::cli::{AddArgs, DescriptionSource, EditArgs, ListArgs};
use crate::domain::{Category, Filter, NewTicket, Priority, SearchQuery, Status, TicketEdit, text};
use crate::output::{json, table, view};
use crate::store::{ImportError, Store};
use crate::transfer::{self, Exporter, Format};

/// A usage mistake the argument parser cannot see; exits with code 2.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct UsageError(pub String);

fn stdout() -> io::BufWriter<io::StdoutLock<'static>> {
    io::BufWriter::new(io::stdout().lock())
}

fn shown(path: &Path) -> String {
    text::sanitize_line(&path.display().to_string()).into_owned()
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

pub fn add(store: &mut Store, args: &AddArgs) -> Result<()> {
    let Some(description) = read_description(&args.description)? else {
        return Err(UsageError("add needs --description TEXT or --description-file FILE".into()).into());
    };
    let ticket = NewTicket::new(
        &args.title,
        &description,
        args.category.unwrap_or(Category::General),
        args.priority.unwrap_or(Priority::Medium),
    )?;
    let stored = store.add(&ticket)?;
    let mut out = stdout();
    if args.json {
        json::write_pretty(&mut out, &stored)?;
    } else {
        writeln!(out, "Created ticket #{}", stored.id)?;
        view::write_ticket(&mut out, &stored)?;
    }
    Ok(out.flush()?)
}

pub fn list(store: &Store, args: &ListArgs) -> Result<()> {
    let filter = Filter {
        category: args.category,
        priority: args.priority,
        status: args.status,
        search: args.search.as_deref().and_then(SearchQuery::parse),
    };
    let tickets = store.list(&filter, args.limit as usize, None)?;
    let mut out = stdout();
    if args.json {
        json::write_pretty(&mut out, &tickets)?;
    } else if tickets.is_empty() {
        writeln!(out, "No tickets match.")?;
    } else {
        table::write_tickets(&mut out, &tickets, terminal_width(), OffsetDateTime::now_utc())?;
    }
    Ok(out.flush()?)
}

/// The terminal's width when stdout is one, else `$COLUMNS`, else 120.
fn terminal_width() -> usize {
    if io::stdout().is_terminal()
        && let Ok((cols, _)) = crossterm::terminal::size()
    {
        return usize::from(cols);
    }
    std::env::var("COLUMNS").ok().and_then(|c| c.parse().ok()).unwrap_or(120)
}

pub fn show(store: &Store, id: i64, as_json: bool) -> Result<()> {
    let ticket = store.get(id)?;
    let mut out = stdout();
    if as_json {
        json::write_pretty(&mut out, &ticket)?;
    } else {
        view::write_ticket(&mut out, &ticket)?;
    }
    Ok(out.flush()?)
}

pub fn set_status(store: &mut Store, id: i64, status: Status, as_json: bool) -> Result<()> {
    let edit = TicketEdit { status: Some(status), ..Default::default() };
    let ticket = store.edit(id, &edit)?;
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
    let ticket = store.edit(args.id, &edit.validated()?)?;
    let mut out = stdout();
    if args.json {
        json::write_pretty(&mut out, &ticket)?;
    } else {
        view::write_ticket(&mut out, &ticket)?;
    }
    Ok(out.flush()?)
}

pub fn stats(store: &Store, as_json: bool) -> Result<()> {
    let stats = store.stats()?;
    let mut out = stdout();
    if as_json {
        json::write_pretty(&mut out, &stats)?;
    } else {
        view::write_stats(&mut out, &stats)?;
    }
    Ok(out.flush()?)
}

fn progress_bar(len: Option<u64>) -> indicatif::ProgressBar {
    if !io::stderr().is_terminal() {
        return indicatif::ProgressBar::hidden();
    }
    let bar = indicatif::ProgressBar::with_draw_target(len, indicatif::ProgressDrawTarget::stderr());
    if let Ok(style) = indicatif::ProgressStyle::with_template(
        "{bar:40} {bytes}/{total_bytes} {binary_bytes_per_sec} eta {eta}",
    ) {
        bar.set_style(style);
    }
    bar
}

pub fn import(store: &mut Store, file: &Path, format: Option<Format>) -> Result<()> {
    let stdin = file.as_os_str() == "-";
    let format = match format.or_else(|| Format::from_extension(file)) {
        Some(format) => format,
        None if stdin => {
            return Err(UsageError("importing from standard input needs --format csv|jsonl".into()).into());
        }
        None => {
            return Err(UsageError(format!(
                "cannot tell the format of {}: name it .csv or .jsonl, or pass --format",
                shown(file)
            ))
            .into());
        }
    };
    let (reader, len): (Box<dyn Read>, Option<u64>) = if stdin {
        (Box::new(io::stdin().lock()), None)
    } else {
        let handle = std::fs::File::open(file).with_context(|| format!("cannot open {}", shown(file)))?;
        let len = handle.metadata().ok().map(|m| m.len());
        (Box::new(handle), len)
    };
    let bar = progress_bar(len);
    let reader = BufReader::with_capacity(1 << 16, bar.wrap_read(reader));
    let name = shown(file);
    let result = match format {
        Format::Jsonl => store.import(transfer::read_jsonl(reader)),
        Format::Csv => match transfer::read_csv(reader) {
            Ok(rows) => store.import(rows),
            Err(e) => Err(ImportError::Source(e)),
        },
    };
    bar.finish_and_clear();
    let count = result.map_err(|e| match e {
        ImportError::Source(e) => anyhow::anyhow!("{name}: {e}; nothing was imported"),
        ImportError::Row { line, source } => {
            anyhow::anyhow!("{name}: line {line}: {source}; nothing was imported")
        }
        ImportError::Store(e) => anyhow::Error::new(e).context("import failed; nothing was imported"),
    })?;
    eprintln!("Imported {count} tickets from {name}");
    Ok(())
}

pub fn export(store: &mut Store, format: Option<Format>, output: Option<&PathBuf>) -> Result<()> {
    let format = format.or_else(|| output.and_then(|p| Format::from_extension(p))).unwrap_or(Format::Jsonl);
    let Some(path) = output else {
        let mut exporter = Exporter::new(format, stdout())?;
        store.for_each_ticket(|t| exporter.write(&t))?;
        exporter.finish()?.flush()?;
        return Ok(());
    };
    // Write beside the target and rename over it: a failed export never leaves
    // a half-written file where a good one was expected.
    let dir = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let temp =
        tempfile::NamedTempFile::new_in(dir).with_context(|| format!("cannot write in {}", shown(dir)))?;
    let mut exporter = Exporter::new(format, io::BufWriter::new(temp))?;
    let count = store.for_each_ticket(|t| exporter.write(&t))?;
    let temp = exporter.finish()?.into_inner().map_err(|e| e.into_error())?;
    temp.as_file().sync_all()?;
    temp.persist(path).with_context(|| format!("cannot write {}", shown(path)))?;
    eprintln!("Exported {count} tickets to {}", shown(path));
    Ok(())
}
