//! Which tickets a command means: `--query` in the query language, the same
//! qualifiers as flags, and the literal `--search`, all combined with AND.

use time::OffsetDateTime;

use super::UsageError;
use crate::cli::SelectArgs;
use crate::domain::query::QueryError;
use crate::domain::text::sanitize_line;
use crate::domain::{Filter, SearchQuery};

/// The filter `args` describe; a mistake names the flag and points at the
/// offending text, as a usage error (exit 2).
pub fn filter(args: &SelectArgs, me: &str, now: OffsetDateTime) -> Result<Filter, UsageError> {
    let mut filter = match &args.query {
        Some(query) => read("--query", query, me, now)?,
        None => Filter::default(),
    };
    for (flag, qualifier, value) in args.qualifiers() {
        let read = Filter::from_qualifier(qualifier, &value, now, me).map_err(|e| usage(flag, &value, &e))?;
        filter = filter.and(read);
    }
    if let Some(search) = args.search.as_deref().and_then(SearchQuery::parse) {
        filter = filter.and(Filter { search: Some(search), ..Filter::default() });
    }
    Ok(filter)
}

/// Reads one query, naming `flag` in an error.
pub fn read(flag: &str, text: &str, me: &str, now: OffsetDateTime) -> Result<Filter, UsageError> {
    Filter::from_query(text, now, me).map_err(|e| usage(flag, text, &e))
}

/// `--query: priority must be one of … (at "urgent", column 22) (see --help)`.
fn usage(flag: &str, text: &str, err: &QueryError) -> UsageError {
    let at = text.get(err.span.clone()).unwrap_or_default();
    if at.is_empty() {
        return UsageError(format!("{flag}: {} (see --help)", err.message));
    }
    let column = text.get(..err.span.start).map_or(1, |before| before.chars().count() + 1);
    UsageError(format!(
        "{flag}: {} (at \"{}\", column {column}) (see --help)",
        err.message,
        sanitize_line(at)
    ))
}
