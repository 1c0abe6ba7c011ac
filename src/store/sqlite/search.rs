//! Running a search fast at a million tickets, with the same results
//! whichever way it runs.
//!
//! Two ways to find the newest matches:
//! - **walk** the newest-first index, testing each row with the query's rule,
//!   and stop at `limit` matches. Ideal for common terms ("error", "re"): the
//!   first few hundred rows already hold enough matches. Terrible for a rare
//!   word, which would read the whole table.
//! - **index**: ask FTS5 for candidate rows, test each, and sort them. Ideal
//!   for rare words; for common ones it would read and sort most of the table.
//!
//! So walk a bounded number of rows first; if that has not filled the page,
//! judge from how often the rows walked so far matched what the rest of the
//! walk costs, and ask the index only when reading its row lists costs less;
//! use its candidates when there are few enough that fetching them beats the
//! walk still ahead, otherwise keep walking. Both apply [`SearchQuery::matches`] to every
//! row, so the choice changes the speed, never the answer.

use rusqlite::{Connection, OptionalExtension};

use super::list::FilteredSelect;
use super::tickets::{TICKET_COLUMNS, ticket_from_row};
use crate::domain::{Cursor, Direction, Filter, SearchQuery, Ticket};

/// Rows walked before considering the index. Common words and short prefixes
/// fill a page of 50 well within it; a rare word stops paying for the walk
/// after a few milliseconds.
const WALK_BUDGET: usize = 500;

/// Most index candidates worth fetching and sorting. A term with more is on
/// at least 1 row in 200 at a million tickets, so walking on fills a page
/// within about 10,000 rows, which costs less than fetching the candidates.
const CANDIDATE_CAP: usize = 5_000;

pub(super) fn search(
    conn: &Connection,
    filter: &Filter,
    query: &SearchQuery,
    limit: usize,
    direction: Direction,
    from: Option<&Cursor>,
) -> rusqlite::Result<Vec<Ticket>> {
    let select = FilteredSelect::new(filter, direction, from, None);
    let mut stmt = conn.prepare_cached(&select.sql)?;
    let mut rows = stmt.query(rusqlite::params_from_iter(&select.params))?;
    let mut found = Vec::new();
    let mut walked = 0;
    let needles = Needles::new(query);
    while let Some(row) = rows.next()? {
        walked += 1;
        // The rule reads the row's text where SQLite holds it; only a match
        // becomes a ticket (most rows walked do not match).
        let (title, description) = (row.get_ref(1)?.as_str()?, row.get_ref(2)?.as_str()?);
        if needles.all_in(title, description) && query.matches(title, description) {
            found.push(ticket_from_row(row)?);
            if found.len() == limit {
                return Ok(found);
            }
        }
        if walked == WALK_BUDGET
            && let Some(most) = worth_fetching(walked, found.len(), limit, table_rows(conn)?)
            && let Some(candidates) = index_candidates(conn, query, most)?
        {
            return from_candidates(conn, candidates, filter, query, limit, direction, from);
        }
    }
    Ok(found)
}

/// The query's plain ASCII words, each found by a fast case-insensitive
/// scan: a row without one of them cannot match, and is passed over before
/// the rule's slower word-by-word reading.
struct Needles(Vec<regex::Regex>);

impl Needles {
    fn new(query: &SearchQuery) -> Needles {
        Needles(
            query
                .needles()
                .iter()
                .filter_map(|needle| {
                    regex::RegexBuilder::new(&regex::escape(needle))
                        .case_insensitive(true)
                        .unicode(false)
                        .build()
                        .ok()
                })
                .collect(),
        )
    }

    fn all_in(&self, title: &str, description: &str) -> bool {
        self.0.iter().all(|needle| needle.is_match(title) || needle.is_match(description))
    }
}

/// Reading a candidate by id costs about this many steps of the walk.
const FETCH_COST: usize = 3;

/// Index row-list entries read in the time the walk reads one row. A word
/// matched by prefix makes FTS5 merge the row lists of every word it starts
/// whatever the limit, so asking costs about as many entries as the term
/// has rows: for a common word more than walking on to a full page.
const ENTRIES_PER_WALKED_ROW: usize = 6;

/// Most candidates whose fetching beats walking on, judged by how often the
/// walk so far has matched (a term on one row in 25 fills the page within a
/// thousand rows, cheaper than fetching and sorting thousands of candidates);
/// `None` when even asking the index would cost more than walking on.
fn worth_fetching(walked: usize, found: usize, limit: usize, table_rows: usize) -> Option<usize> {
    if found == 0 {
        return Some(CANDIDATE_CAP);
    }
    let still_to_walk = (limit - found) * walked / found;
    let expected_entries = found * table_rows / walked;
    (expected_entries < still_to_walk * ENTRIES_PER_WALKED_ROW)
        .then(|| (still_to_walk / FETCH_COST).min(CANDIDATE_CAP))
}

/// About how many tickets there are: the highest id, read from the end of
/// the table's tree (deleted tickets only make it larger than the count).
fn table_rows(conn: &Connection) -> rusqlite::Result<usize> {
    let max: Option<i64> = conn.query_row("SELECT max(id) FROM tickets", [], |row| row.get(0))?;
    Ok(max.unwrap_or(0).max(0) as usize)
}

/// Row ids the full-text index offers for `query`, or `None` when the index
/// cannot help: no indexable token, more candidates than `most`, or a token
/// the index's tokenizer reads differently (an FTS5 syntax error).
fn index_candidates(
    conn: &Connection,
    query: &SearchQuery,
    most: usize,
) -> rusqlite::Result<Option<Vec<i64>>> {
    let Some(expression) = query.fts_expression() else {
        return Ok(None);
    };
    let mut stmt =
        conn.prepare_cached("SELECT rowid FROM tickets_fts WHERE tickets_fts MATCH ?1 LIMIT ?2")?;
    let ids: rusqlite::Result<Vec<i64>> =
        stmt.query_map(rusqlite::params![expression, most as i64 + 1], |row| row.get(0))?.collect();
    match ids {
        Ok(ids) if ids.len() <= most => Ok(Some(ids)),
        Ok(_) => Ok(None),
        Err(rusqlite::Error::SqliteFailure(_, Some(message))) if message.starts_with("fts5:") => Ok(None),
        Err(e) => Err(e),
    }
}

fn from_candidates(
    conn: &Connection,
    ids: Vec<i64>,
    filter: &Filter,
    query: &SearchQuery,
    limit: usize,
    direction: Direction,
    from: Option<&Cursor>,
) -> rusqlite::Result<Vec<Ticket>> {
    let mut stmt = conn.prepare_cached(&format!("SELECT {TICKET_COLUMNS} FROM tickets WHERE id = ?1"))?;
    let mut found = Vec::new();
    for id in ids {
        // The walk's statement is still open, so this reads the same snapshot;
        // a missing row would only mean an index out of step: skip it.
        let Some(ticket) = stmt.query_row([id], ticket_from_row).optional()? else {
            continue;
        };
        if filter.matches_fields(&ticket)
            && from.is_none_or(|cursor| cursor.admits(direction, &ticket))
            && query.matches(&ticket.title, &ticket.description)
        {
            found.push(ticket);
        }
    }
    found.sort_unstable_by(|a, b| {
        let newest_first = (b.created_at.as_str(), b.id).cmp(&(a.created_at.as_str(), a.id));
        match direction {
            Direction::Older => newest_first,
            Direction::Newer => newest_first.reverse(),
        }
    });
    found.truncate(limit);
    Ok(found)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_index_is_asked_only_when_walking_on_would_cost_more() {
        // Nothing matched in the first 500 rows: a rare term, the index's case.
        assert_eq!(worth_fetching(500, 0, 50, 1_000_000), Some(CANDIDATE_CAP));
        // One row in 500: about 2,000 rows hold it, the walk has ~24,500 rows
        // ahead; the index is asked for at most what beats that walk.
        assert_eq!(worth_fetching(500, 1, 50, 1_000_000), Some(CANDIDATE_CAP));
        assert_eq!(worth_fetching(500, 5, 50, 1_000_000), Some(1_500));
        // A phrase on 9 rows in 500 (on 18,000 of a million): the page fills
        // within ~2,300 more rows, sooner than the index's lists are read.
        assert_eq!(worth_fetching(500, 9, 50, 1_000_000), None);
        // The same rate in a small desk: the lists are short, so asking pays.
        assert_eq!(worth_fetching(500, 9, 50, 20_000), Some(759));
        assert_eq!(worth_fetching(500, 40, 50, 1_000_000), None);
    }
}
