use rusqlite::ErrorCode;
use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::domain::text::sanitize_line;
use crate::domain::{Field, ValidationError};

/// "20 s ago", "3 min ago", "2 h ago", or the date.
pub(super) fn ago(at: &str) -> String {
    let Some(then) = crate::domain::timestamp::parse_stored(at) else { return format!("at {at}") };
    let secs = (time::OffsetDateTime::now_utc() - then).whole_seconds().max(0);
    match secs {
        s if s < 90 => format!("{s} s ago"),
        s if s < 90 * 60 => format!("{} min ago", s / 60),
        s if s < 36 * 3600 => format!("{} h ago", s / 3600),
        _ => format!("on {}", &at[..10.min(at.len())]),
    }
}

pub(crate) fn shown(path: &Path) -> String {
    sanitize_line(&path.display().to_string()).into_owned()
}

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("cannot use {}: {source}", shown(path))]
    Io { path: PathBuf, source: std::io::Error },
    #[error("{} is {kind}, not a database file; refusing to touch it", shown(path))]
    NotAFile { path: PathBuf, kind: &'static str },
    /// A file a command was asked to write, refused.
    #[error("cannot write {}: {why}", shown(path))]
    Output { path: PathBuf, why: String },
    #[error("{} is not a SQLite database (or is damaged); refusing to touch it", shown(path))]
    NotSqlite { path: PathBuf },
    #[error(
        "{} belongs to another application (SQLite application_id {id:#010x}); refusing to touch it",
        shown(path)
    )]
    Foreign { path: PathBuf, id: u32 },
    #[error(
        "{} is a SQLite database with other tables in it, not a ticketdesk database; refusing to touch it",
        shown(path)
    )]
    ForeignTables { path: PathBuf },
    #[error("{} is damaged: {detail}", shown(path))]
    Corrupt { path: PathBuf, detail: String },
    #[error(
        "{} was written by a newer ticketdesk (schema version {found}; this build knows up to {known}); upgrade ticketdesk",
        shown(path)
    )]
    TooNew { path: PathBuf, found: i64, known: i64 },
    #[error("the database is busy: another process is writing (an import?); gave up after waiting up to {}s", .waited.as_secs())]
    Busy { waited: Duration },
    #[error("no ticket #{0}")]
    NotFound(i64),
    #[error(
        "#{id} was changed by {} {} (now version {current}; you had version {seen})",
        sanitize_line(by),
        ago(at)
    )]
    Conflict { id: i64, by: String, at: String, current: i64, seen: i64 },
    #[error("{0}")]
    Invalid(#[from] ValidationError),
    #[error("{asked} tickets is more than one change may touch ({max}); narrow the query")]
    TooMany { asked: usize, max: usize },
    /// Our commits no longer reach the file other processes open: anything
    /// written through this process now is seen by nobody else.
    #[error(
        "{}: {what}; changes made here since are not saved (nobody else can see them): quit and reopen the desk",
        shown(path)
    )]
    Detached { path: PathBuf, what: &'static str },
    #[error("schema migration failed: {0}")]
    Migration(String),
    /// The query was stopped on purpose (superseded by a newer one).
    #[error("query interrupted")]
    Interrupted,
    #[error("database error: {0}")]
    Sqlite(rusqlite::Error),
    /// A PostgreSQL desk that cannot be reached or refused us; `target` is the
    /// desk's location without its password.
    #[error("cannot reach {target}: {detail}")]
    Unreachable { target: String, detail: String },
    /// A PostgreSQL desk location (URL or `PG*` variable) that makes no
    /// sense; the text names the part and never holds a password.
    #[error("bad desk location: {0}")]
    BadLocation(String),
    #[error("database error: {0}")]
    Postgres(String),
    /// Something only a server desk has (its roles), asked of a file desk.
    #[error("{what} is for a PostgreSQL desk; {instead}")]
    ServerOnly { what: &'static str, instead: &'static str },
    #[error("{target} already holds {tickets} ticket(s); a desk is copied only into an empty one")]
    NotEmpty { target: String, tickets: i64 },
    /// A PostgreSQL database holding tables that are not a desk's; `shown`
    /// is its location without the password.
    #[error(
        "{} is a PostgreSQL database with other tables in it, not a ticketdesk database; refusing to touch it",
        sanitize_line(shown)
    )]
    ForeignDatabase { shown: String },
}

impl StoreError {
    pub(crate) fn from_sqlite(err: rusqlite::Error, path: &Path, busy_timeout: Duration) -> StoreError {
        let Some(code) = err.sqlite_error_code() else {
            return StoreError::Sqlite(err);
        };
        match code {
            ErrorCode::OperationInterrupted => StoreError::Interrupted,
            ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked => {
                tracing::warn!(path = %path.display(), waited_s = busy_timeout.as_secs(), "gave up waiting for the database lock");
                StoreError::Busy { waited: busy_timeout }
            }
            ErrorCode::NotADatabase => StoreError::NotSqlite { path: path.to_owned() },
            ErrorCode::DatabaseCorrupt => {
                StoreError::Corrupt { path: path.to_owned(), detail: err.to_string() }
            }
            ErrorCode::ConstraintViolation => match constraint_field(&err.to_string()) {
                Some(invalid) => StoreError::Invalid(invalid),
                None => StoreError::Sqlite(err),
            },
            _ => StoreError::Sqlite(err),
        }
    }
}

/// Turns a named CHECK constraint from the schema (found in the engine's
/// message or constraint name) into a field error, so a rule the database
/// caught reads like one the application caught. Both engines' schemas use
/// these names.
pub(crate) fn constraint_field(message: &str) -> Option<ValidationError> {
    let rules: &[(&str, Field, &str)] = &[
        ("title_1_to_200_chars", Field::Title, "must be 1 to 200 characters"),
        ("title_trimmed", Field::Title, "must not start or end with whitespace"),
        ("title_no_control_chars", Field::Title, "must be one line without control characters"),
        (
            "title_no_invisible_chars",
            Field::Title,
            "must be one line without control, BiDi or invisible format characters",
        ),
        ("description_not_blank", Field::Description, "must not be empty"),
        ("category_known", Field::Category, "must be billing, technical, account or general"),
        ("priority_known", Field::Priority, "must be low, medium, high or critical"),
        ("status_known", Field::Status, "must be open, in_progress, resolved or closed"),
        ("created_at_utc_millis", Field::CreatedAt, "must be a real UTC time YYYY-MM-DDTHH:MM:SS.sssZ"),
        ("description_at_most_65536_chars", Field::Description, "must be at most 65536 characters"),
        ("description_no_nul", Field::Description, "must not contain NUL characters"),
        ("note_not_blank", Field::Note, "must not be empty"),
        ("note_at_most_65536_chars", Field::Note, "must be at most 65536 characters"),
        ("note_no_nul", Field::Note, "must not contain NUL characters"),
    ];
    rules
        .iter()
        .find(|(name, _, _)| message.contains(name))
        .map(|(_, field, rule)| ValidationError::new(*field, *rule))
}
