//! The import and export file formats: CSV with a header row, and JSON Lines.
//! Export writes exactly what import reads.

use serde::Serialize;
use serde::de::{self, Deserialize, Deserializer, MapAccess, Visitor};
use std::borrow::Cow;
use std::fmt;
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

/// Reads JSON Lines: one object per line, blank lines skipped, a UTF-8 byte
/// order mark before the first line allowed.
pub fn read_jsonl(input: impl BufRead) -> impl Iterator<Item = Result<ImportRow, RowError>> {
    input.lines().enumerate().filter_map(|(index, line)| {
        let number = index as u64 + 1;
        let line = match line {
            Ok(line) => line,
            Err(e) => return Some(Err(RowError { line: number, message: format!("cannot read: {e}") })),
        };
        let line = if number == 1 { line.strip_prefix('\u{feff}').unwrap_or(&line) } else { &line };
        if line.trim().is_empty() {
            return None;
        }
        Some(jsonl_row(number, line))
    })
}

/// One JSON Lines object. serde_json keeps the last of two equal keys without
/// a word; a row that says two things about one field is refused instead.
struct JsonRow(serde_json::Map<String, serde_json::Value>);

impl<'de> Deserialize<'de> for JsonRow {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_map(JsonRowVisitor)
    }
}

struct JsonRowVisitor;

impl<'de> Visitor<'de> for JsonRowVisitor {
    type Value = JsonRow;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut fields: A) -> Result<JsonRow, A::Error> {
        let mut object = serde_json::Map::new();
        while let Some(key) = fields.next_key::<String>()? {
            if object.contains_key(&key) {
                return Err(de::Error::custom(format_args!(
                    "duplicate field {:?}",
                    text::sanitize_line(&key)
                )));
            }
            let value = fields.next_value()?;
            object.insert(key, value);
        }
        Ok(JsonRow(object))
    }
}

fn jsonl_row(line: u64, text: &str) -> Result<ImportRow, RowError> {
    let JsonRow(object) =
        serde_json::from_str(text).map_err(|e| RowError { line, message: json_error(&e) })?;
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

/// What is wrong with a JSON Lines row, in a line's words: a row that is not
/// JSON says where it broke; one that is JSON but not a ticket object (a
/// duplicate field, an array) needs no position, as the line holds one value.
fn json_error(e: &serde_json::Error) -> String {
    if e.classify() != serde_json::error::Category::Data {
        return format!("not a JSON object: {e}");
    }
    let message = e.to_string();
    let position = format!(" at line {} column {}", e.line(), e.column());
    message.strip_suffix(&position).unwrap_or(&message).to_owned()
}

/// Reads CSV with a header row (line 1). Cells may span lines; errors name the
/// line where the record starts.
pub fn read_csv(input: impl Read) -> Result<impl Iterator<Item = Result<ImportRow, RowError>>, RowError> {
    let mut reader = csv::ReaderBuilder::new().has_headers(true).flexible(false).from_reader(input);
    let headers = reader
        .headers()
        .map_err(|e| RowError { line: 1, message: format!("cannot read the header row: {e}") })?
        .clone();
    for (i, name) in headers.iter().enumerate() {
        check_known(1, name)?;
        // Two columns of one name would leave one of them silently unread.
        if headers.iter().take(i).any(|earlier| earlier == name) {
            return Err(RowError { line: 1, message: format!("duplicate column {name:?}") });
        }
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
    title: Cow<'a, str>,
    description: Cow<'a, str>,
    category: Category,
    priority: Priority,
    status: Status,
    created_at: &'a str,
    updated_at: &'a str,
    assignee: Option<Cow<'a, str>>,
    version: i64,
}

impl<'a> ExportRow<'a> {
    /// The row as stored, or with the text made safe to show (`shown`).
    fn new(t: &'a Ticket, shown: bool) -> Self {
        let text = |s: &'a str| if shown { text::sanitize(s) } else { Cow::Borrowed(s) };
        ExportRow {
            id: t.id,
            title: text(&t.title),
            description: text(&t.description),
            category: t.category,
            priority: t.priority,
            status: t.status,
            created_at: &t.created_at,
            updated_at: &t.updated_at,
            assignee: t.assignee.as_deref().map(text),
            version: t.version,
        }
    }
}

/// Who reads an export.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Audience {
    /// A file or a pipe: the exact text, so import reads back what was stored.
    Exact,
    /// A terminal: CSV shows ticket text with the sanitiser's stand-ins, as
    /// the human output does, so no escape sequence in it reaches the
    /// terminal. JSON Lines needs nothing more: its escaping is both lossless
    /// and safe to print.
    Terminal,
}

/// Writes tickets in one format, header first for CSV.
pub struct Exporter<W: Write> {
    sink: Sink<W>,
    shown: bool,
}

enum Sink<W: Write> {
    Csv(Box<csv::Writer<W>>),
    Jsonl(W),
}

impl<W: Write> Exporter<W> {
    pub fn new(format: Format, out: W, audience: Audience) -> anyhow::Result<Self> {
        let sink = match format {
            Format::Csv => {
                let mut writer = csv::WriterBuilder::new().has_headers(false).from_writer(out);
                writer.write_record(COLUMNS)?;
                Sink::Csv(Box::new(writer))
            }
            Format::Jsonl => Sink::Jsonl(out),
        };
        Ok(Exporter { sink, shown: audience == Audience::Terminal })
    }

    pub fn write(&mut self, ticket: &Ticket) -> anyhow::Result<()> {
        match &mut self.sink {
            Sink::Csv(writer) => writer.serialize(ExportRow::new(ticket, self.shown))?,
            Sink::Jsonl(out) => json::write_line(out, &ExportRow::new(ticket, false))?,
        }
        Ok(())
    }

    pub fn finish(self) -> anyhow::Result<W> {
        Ok(match self.sink {
            Sink::Csv(writer) => writer.into_inner().map_err(|e| anyhow::anyhow!("{}", e.error()))?,
            Sink::Jsonl(out) => out,
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
    fn a_row_must_be_one_object_with_each_field_once() {
        let err = jsonl_row(4, r#"{"title":"a","title":"a"}"#).err().unwrap();
        assert_eq!(err.to_string(), r#"line 4: duplicate field "title""#);
        let err = jsonl_row(1, r#"{"title":"a","\u001b[2J":1,"\u001b[2J":2}"#).err().unwrap();
        assert_eq!(err.message, r#"duplicate field "␛[2J""#);
        let err = jsonl_row(2, "[1, 2]").err().unwrap();
        assert_eq!(err.message, "invalid type: sequence, expected a JSON object");
        let err = jsonl_row(2, r#"{"title":"#).err().unwrap();
        assert!(err.message.starts_with("not a JSON object: EOF"), "{err}");
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
