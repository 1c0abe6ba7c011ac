//! The import and export file formats: CSV with a header row, and JSON Lines.
//! Export writes exactly what import reads.

use serde::Serialize;
use std::io::{BufRead, Read, Write};

use crate::domain::{Category, Field, NewTicket, Priority, Status, Ticket, ValidationError, text, timestamp};
use crate::output::json;
use crate::store::ImportRow;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Csv,
    Jsonl,
}

impl Format {
    /// The format a file name implies, if any.
    pub fn from_extension(path: &std::path::Path) -> Option<Format> {
        match path.extension()?.to_str()?.to_ascii_lowercase().as_str() {
            "csv" => Some(Format::Csv),
            "jsonl" | "ndjson" => Some(Format::Jsonl),
            _ => None,
        }
    }
}

/// A problem with one line of an import file.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: {message}")]
pub struct RowError {
    pub line: u64,
    pub message: String,
}

/// The columns export writes, in order.
pub const COLUMNS: [&str; 10] = [
    "id",
    "title",
    "description",
    "category",
    "priority",
    "status",
    "created_at",
    "updated_at",
    "assignee",
    "version",
];
const REQUIRED: [&str; 4] = ["title", "description", "category", "priority"];
/// Read from the file but not used: ids are assigned, updated_at is now, and
/// an imported ticket starts at version 1.
const IGNORED: [&str; 3] = ["id", "updated_at", "version"];

/// Builds a ticket from named text fields, naming the field that is wrong.
fn ticket_from_fields<'a>(
    line: u64,
    mut get: impl FnMut(&str) -> Option<&'a str>,
) -> Result<ImportRow, RowError> {
    let fail = |e: ValidationError| RowError { line, message: e.to_string() };
    let required = |value: Option<&'a str>, field: Field| {
        value.ok_or_else(|| RowError { line, message: format!("{}: missing", field.as_str()) })
    };
    let title = required(get("title"), Field::Title)?;
    let description = required(get("description"), Field::Description)?;
    let category: Category = required(get("category"), Field::Category)?
        .trim()
        .parse()
        .map_err(|m| fail(ValidationError::new(Field::Category, m)))?;
    let priority: Priority = required(get("priority"), Field::Priority)?
        .trim()
        .parse()
        .map_err(|m| fail(ValidationError::new(Field::Priority, m)))?;
    let mut ticket = NewTicket::new(title, description, category, priority).map_err(fail)?;
    if let Some(status) = get("status").filter(|s| !s.trim().is_empty()) {
        ticket.status =
            Some(status.trim().parse::<Status>().map_err(|m| fail(ValidationError::new(Field::Status, m)))?);
    }
    if let Some(assignee) = get("assignee").map(str::trim).filter(|s| !s.is_empty()) {
        if !crate::actor::is_account_name(assignee) {
            return Err(RowError {
                line,
                message: "assignee: must be an account name (letters, digits, '.', '_', '@', '-')".into(),
            });
        }
        ticket.assignee = Some(assignee.to_owned());
    }
    if let Some(created_at) = get("created_at").filter(|s| !s.trim().is_empty()) {
        ticket.created_at = Some(
            timestamp::normalize(created_at).map_err(|m| fail(ValidationError::new(Field::CreatedAt, m)))?,
        );
    }
    Ok(ImportRow { line, ticket })
}

fn unknown_column(line: u64, name: &str) -> RowError {
    RowError {
        line,
        message: format!("unknown field {:?} (allowed: {})", text::sanitize_line(name), COLUMNS.join(", ")),
    }
}

fn check_known(line: u64, name: &str) -> Result<(), RowError> {
    if COLUMNS.contains(&name) { Ok(()) } else { Err(unknown_column(line, name)) }
}

/// Reads JSON Lines: one object per line, blank lines skipped.
pub fn read_jsonl(input: impl BufRead) -> impl Iterator<Item = Result<ImportRow, RowError>> {
    input.lines().enumerate().filter_map(|(index, line)| {
        let number = index as u64 + 1;
        let line = match line {
            Ok(line) => line,
            Err(e) => return Some(Err(RowError { line: number, message: format!("cannot read: {e}") })),
        };
        if line.trim().is_empty() {
            return None;
        }
        Some(jsonl_row(number, &line))
    })
}

fn jsonl_row(line: u64, text: &str) -> Result<ImportRow, RowError> {
    let object: serde_json::Map<String, serde_json::Value> = serde_json::from_str(text)
        .map_err(|e| RowError { line, message: format!("not a JSON object: {e}") })?;
    for key in object.keys() {
        check_known(line, key)?;
    }
    for (key, value) in &object {
        if !IGNORED.contains(&key.as_str()) && !value.is_string() && !value.is_null() {
            return Err(RowError { line, message: format!("{key}: must be a string") });
        }
    }
    ticket_from_fields(line, |name| object.get(name).and_then(|v| v.as_str()))
}

/// Reads CSV with a header row (line 1). Cells may span lines; errors name the
/// line where the record starts.
pub fn read_csv(input: impl Read) -> Result<impl Iterator<Item = Result<ImportRow, RowError>>, RowError> {
    let mut reader = csv::ReaderBuilder::new().has_headers(true).flexible(false).from_reader(input);
    let headers = reader
        .headers()
        .map_err(|e| RowError { line: 1, message: format!("cannot read the header row: {e}") })?
        .clone();
    for name in &headers {
        check_known(1, name)?;
    }
    for required in REQUIRED {
        if !headers.iter().any(|h| h == required) {
            return Err(RowError { line: 1, message: format!("missing required column {required:?}") });
        }
    }
    let mut record = csv::StringRecord::new();
    let mut done = false;
    Ok(std::iter::from_fn(move || {
        if done {
            return None;
        }
        match reader.read_record(&mut record) {
            Ok(false) => None,
            Ok(true) => {
                let line = record.position().map_or(0, |p| p.line());
                Some(ticket_from_fields(line, |name| {
                    headers.iter().position(|h| h == name).and_then(|i| record.get(i))
                }))
            }
            Err(e) => {
                done = true;
                let line = e.position().map_or(0, |p| p.line());
                Some(Err(RowError { line, message: format!("malformed CSV: {e}") }))
            }
        }
    }))
}

/// A ticket as export writes it: every column, timestamps included.
#[derive(Serialize)]
struct ExportRow<'a> {
    id: i64,
    title: &'a str,
    description: &'a str,
    category: Category,
    priority: Priority,
    status: Status,
    created_at: &'a str,
    updated_at: &'a str,
    assignee: Option<&'a str>,
    version: i64,
}

impl<'a> From<&'a Ticket> for ExportRow<'a> {
    fn from(t: &'a Ticket) -> Self {
        ExportRow {
            id: t.id,
            title: &t.title,
            description: &t.description,
            category: t.category,
            priority: t.priority,
            status: t.status,
            created_at: &t.created_at,
            updated_at: &t.updated_at,
            assignee: t.assignee.as_deref(),
            version: t.version,
        }
    }
}

/// Writes tickets in one format, header first for CSV.
pub enum Exporter<W: Write> {
    Csv(Box<csv::Writer<W>>),
    Jsonl(W),
}

impl<W: Write> Exporter<W> {
    pub fn new(format: Format, out: W) -> anyhow::Result<Self> {
        Ok(match format {
            Format::Csv => {
                let mut writer = csv::WriterBuilder::new().has_headers(false).from_writer(out);
                writer.write_record(COLUMNS)?;
                Exporter::Csv(Box::new(writer))
            }
            Format::Jsonl => Exporter::Jsonl(out),
        })
    }

    pub fn write(&mut self, ticket: &Ticket) -> anyhow::Result<()> {
        match self {
            Exporter::Csv(writer) => writer.serialize(ExportRow::from(ticket))?,
            Exporter::Jsonl(out) => json::write_line(out, &ExportRow::from(ticket))?,
        }
        Ok(())
    }

    pub fn finish(self) -> anyhow::Result<W> {
        Ok(match self {
            Exporter::Csv(writer) => writer.into_inner().map_err(|e| anyhow::anyhow!("{}", e.error()))?,
            Exporter::Jsonl(out) => out,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jsonl_rows_name_line_and_field() {
        let input = "{\"title\":\"a\",\"description\":\"b\",\"category\":\"billing\",\"priority\":\"low\"}\n\n{\"title\":\"a\",\"description\":\"b\",\"category\":\"nope\",\"priority\":\"low\"}\n";
        let rows: Vec<_> = read_jsonl(input.as_bytes()).collect();
        assert!(rows[0].is_ok());
        let err = rows[1].as_ref().unwrap_err();
        assert_eq!(err.line, 3);
        assert!(err.message.starts_with("category:"), "{err}");
    }

    #[test]
    fn unknown_and_missing_columns_are_refused() {
        let err = jsonl_row(
            1,
            r#"{"title":"a","description":"b","category":"billing","priority":"low","owner":"x"}"#,
        )
        .err()
        .unwrap();
        assert!(err.message.contains("unknown field \"owner\""), "{err}");
        let err = jsonl_row(1, r#"{"title":"a","category":"billing","priority":"low"}"#).err().unwrap();
        assert_eq!(err.message, "description: missing");
        assert!(read_csv("title,description,category\n".as_bytes()).is_err());
    }

    #[test]
    fn csv_errors_count_the_header_as_line_one() {
        let input =
            "title,description,category,priority\nok,\"multi\nline\",billing,low\nbad,x,billing,urgent\n";
        let rows: Vec<_> = read_csv(input.as_bytes()).unwrap().collect();
        assert_eq!(rows[0].as_ref().unwrap().line, 2);
        assert_eq!(rows[1].as_ref().unwrap_err().line, 4);
    }

    #[test]
    fn created_at_is_normalised_to_utc() {
        let row = jsonl_row(
            1,
            r#"{"title":"a","description":"b","category":"billing","priority":"low","created_at":"2024-01-01T01:00:00+01:00","status":"closed"}"#,
        )
        .unwrap();
        assert_eq!(row.ticket.created_at.as_deref(), Some("2024-01-01T00:00:00.000Z"));
        assert_eq!(row.ticket.status, Some(Status::Closed));
    }
}
