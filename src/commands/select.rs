//! Which tickets a command means: `--query` in the query language, the same
//! qualifiers as flags, and the literal `--search`, all combined with AND.

use time::OffsetDateTime;

use super::UsageError;
use crate::cli::SelectArgs;
use crate::config::views::View;
use crate::domain::query::QueryError;
use crate::domain::text::sanitize_line;
use crate::domain::{Filter, SearchQuery};

/// The filter `args` describe (a view among `views`, a query, flags); a
/// mistake names the flag and points at the offending text, as a usage error
/// (exit 2).
pub fn filter(
    args: &SelectArgs,
    views: &[View],
    me: &str,
    now: OffsetDateTime,
) -> Result<Filter, UsageError> {
    let mut filter = match &args.view {
        Some(name) => {
            let Some(view) = crate::config::views::find(views, name) else {
                let names: Vec<&str> = views.iter().map(|v| v.name.as_str()).collect();
                let known = if names.is_empty() { "none are set up".to_owned() } else { names.join(", ") };
                return Err(UsageError(format!(
                    "--view: no view named \"{}\" (views: {known}) (see --help)",
                    sanitize_line(name)
                )));
            };
            read(&format!("view {}", view.name), &view.query, me, now)?
        }
        None => Filter::default(),
    };
    if let Some(query) = &args.query {
        filter = filter.and(read("--query", query, me, now)?);
    }
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
