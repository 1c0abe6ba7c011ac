//! Searching on the server with the same results as the SQLite desk.
//!
//! The server narrows: every ASCII run of the query's wanted terms
//! ([`SearchQuery::ascii_runs`]) must appear in the lowercased title or
//! description, a test the trigram indexes answer (`lower(text) LIKE
//! '%run%'`). That keeps a superset of the rule's matches; the rule itself
//! ([`SearchQuery::matches`]) then decides each candidate here, before it
//! joins the page. So a prefix, a word inside an e-mail address or a phrase
//! is found exactly as on SQLite.
//!
//! Candidates come newest first, in keyset batches that grow while the rule
//! turns candidates down. Each batch has a LIMIT, so the planner chooses per
//! query: a common word or a short prefix walks the newest-first index and
//! stops after a few hundred rows; a rare word reads the trigram indexes and
//! sorts its few rows. All batches read one snapshot.

use postgres::{Client, IsolationLevel};

use super::PgContext;
use super::list::FilteredSelect;
use super::rows::ticket_from_row;
use crate::domain::{Cursor, Direction, Filter, SearchQuery, Ticket, timestamp};
use crate::store::StoreError;

/// The smallest first batch: the rule turns down some candidates (`re` is
/// inside "are", but starts no word there), and a second round trip costs
/// more than a few extra rows.
const FIRST_BATCH: usize = 64;

/// The largest batch: enough to cross a long run of turned-down candidates
/// in few round trips, small enough to hold in memory.
const MAX_BATCH: usize = 4_096;

pub(super) fn search(
    client: &mut Client,
    ctx: &PgContext,
    filter: &Filter,
    query: &SearchQuery,
    limit: usize,
    direction: Direction,
    from: Option<&Cursor>,
) -> Result<Vec<Ticket>, StoreError> {
    let fail = |e| ctx.fail(e);
    // PostgreSQL text never holds NUL (nor may a parameter): a run is
    // asked for in the pieces between them, still a superset.
    let runs: Vec<String> = query
        .ascii_runs()
        .iter()
        .flat_map(|run| run.split('\0'))
        .filter(|piece| !piece.is_empty())
        .map(str::to_owned)
        .collect();
    let mut tx = client
        .build_transaction()
        .isolation_level(IsolationLevel::RepeatableRead)
        .read_only(true)
        .start()
        .map_err(fail)?;
    let mut found = Vec::new();
    let mut position = from.cloned();
    let mut batch = limit.saturating_mul(2).clamp(FIRST_BATCH, MAX_BATCH);
    loop {
        let select = FilteredSelect::containing(filter, direction, position.as_ref(), Some(batch), &runs)?;
        let rows = tx.query(&select.sql, &select.params()).map_err(fail)?;
        for row in &rows {
            let (title, description): (&str, &str) =
                (row.try_get(1).map_err(fail)?, row.try_get(2).map_err(fail)?);
            if query.matches(title, description) {
                found.push(ticket_from_row(row, ctx)?);
                if found.len() == limit {
                    return Ok(found);
                }
            }
        }
        match rows.last() {
            Some(last) if rows.len() == batch => {
                position = Some(Cursor {
                    created_at: timestamp::format(last.try_get(6).map_err(fail)?),
                    id: last.try_get(0).map_err(fail)?,
                });
            }
            _ => break,
        }
        batch = (batch * 4).min(MAX_BATCH);
    }
    tx.commit().map_err(fail)?;
    Ok(found)
}
