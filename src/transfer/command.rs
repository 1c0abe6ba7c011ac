//! The `import` and `export` commands: the file read and parsed on one
//! thread while the store writes it on another, progress on stderr, exports
//! written beside their target and renamed into place.

use anyhow::{Context, Result};
use std::io::{self, BufReader, IsTerminal, Read, Write};
use std::path::{Path, PathBuf};

use super::{Audience, Exporter, Format, RowError, read_csv, read_jsonl};
use crate::commands::{UsageError, shown, stdout};
use crate::store::{ImportError, ImportRow, Store};

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

/// Rows handed from the parsing thread to the writing one at a time.
const BATCH: usize = 512;

/// Imports `file`. The desk is opened (by `open`) only once the file has
/// given its first good row, so a file with no rows, or a bad first one,
/// writes nothing anywhere.
pub fn import(
    open: impl FnOnce() -> Result<Store, crate::store::StoreError>,
    file: &Path,
    format: Option<Format>,
) -> Result<()> {
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
    let (reader, len): (Box<dyn Read + Send>, Option<u64>) = if stdin {
        (Box::new(io::stdin()), None)
    } else {
        let handle = std::fs::File::open(file).with_context(|| format!("cannot open {}", shown(file)))?;
        let len = handle.metadata().ok().map(|m| m.len());
        (Box::new(handle), len)
    };
    let bar = progress_bar(len);
    let reader = BufReader::with_capacity(1 << 16, bar.wrap_read(reader));
    let name = shown(file);
    // Parsing and validating run on a second thread while this one writes:
    // the file is read once, and neither side waits long for the other.
    let result = std::thread::scope(|scope| {
        // Rows travel in batches: one hand-over per few hundred rows, not per row.
        let (batches_tx, batches_rx) = std::sync::mpsc::sync_channel::<Vec<Result<ImportRow, RowError>>>(16);
        scope.spawn(move || {
            let send_all = |rows: &mut dyn Iterator<Item = Result<ImportRow, RowError>>| {
                let mut batch = Vec::with_capacity(BATCH);
                for row in rows {
                    let failed = row.is_err();
                    batch.push(row);
                    if batch.len() == BATCH || failed {
                        // A closed channel means the import already stopped.
                        if batches_tx.send(std::mem::replace(&mut batch, Vec::with_capacity(BATCH))).is_err()
                            || failed
                        {
                            return;
                        }
                    }
                }
                let _ = batches_tx.send(batch);
            };
            match format {
                Format::Jsonl => send_all(&mut read_jsonl(reader)),
                Format::Csv => match read_csv(reader) {
                    Ok(mut rows) => send_all(&mut rows),
                    Err(e) => send_all(&mut std::iter::once(Err(e))),
                },
            }
        });
        let mut rows = batches_rx.into_iter().flatten().peekable();
        match rows.peek() {
            None => return Ok(0),
            Some(Err(_)) => return store_import_error(rows.next()),
            Some(Ok(_)) => {}
        }
        open().map_err(ImportError::Store)?.import(rows)
    });
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

/// `import --samples`: the built-in sample tickets, into an empty desk.
pub fn import_samples(store: &mut Store) -> Result<()> {
    let count = crate::samples::import_samples(store).context("nothing was imported")?;
    eprintln!("Imported {count} sample tickets");
    Ok(())
}

/// The error of a first row that failed, as the import reports it.
fn store_import_error(row: Option<Result<ImportRow, RowError>>) -> Result<u64, ImportError<RowError>> {
    match row {
        Some(Err(e)) => Err(ImportError::Source(e)),
        _ => Ok(0),
    }
}

pub fn export(store: &mut Store, format: Option<Format>, output: Option<&PathBuf>) -> Result<()> {
    let format = format.or_else(|| output.and_then(|p| Format::from_extension(p))).unwrap_or(Format::Jsonl);
    let Some(path) = output.filter(|p| p.as_os_str() != "-") else {
        let audience = if io::stdout().is_terminal() { Audience::Terminal } else { Audience::Exact };
        let mut exporter = Exporter::new(format, stdout(), audience)?;
        store.for_each_ticket(|t| exporter.write(&t))?;
        exporter.finish()?.flush()?;
        return Ok(());
    };
    // Written beside the target and renamed over it: a failed export never
    // leaves a half-written file where a good one was expected.
    let file = store.output_file(path)?;
    let mut exporter = Exporter::new(format, io::BufWriter::new(file.file()), Audience::Exact)?;
    let count = store.for_each_ticket(|t| exporter.write(&t))?;
    exporter.finish()?.flush()?;
    file.finish()?;
    eprintln!("Exported {count} tickets to {}", shown(path));
    Ok(())
}
