//! Searching on the server with the same results as the SQLite desk.
//!
//! The server narrows: the ASCII runs of each wanted term
//! ([`SearchQuery::ascii_sequences`]) must appear, in order, in the
//! lowercased title or description, a test the trigram indexes answer
//! (`lower(text COLLATE "C") LIKE '%credit%card%'`: A to Z lowered and
//! nothing else, whatever the database's locale). That keeps a superset of
//! the rule's matches; the rule itself ([`SearchQuery::matches`]) then
//! decides each candidate here, before it joins the page. So a prefix, a word inside an
//! e-mail address or a phrase is found exactly as on SQLite. A phrase is one
//! ordered test, not one per word: the planner judges how many rows hold
//! one pattern well, but takes two common words as independent and, for a
//! common phrase, would read every row holding both instead of walking the
//! newest until the page is full.
//!
//! Candidates come newest first, in keyset batches that grow while the rule
//! turns candidates down. Each batch has a LIMIT, so the planner chooses per
//! query: a common word or a short prefix walks the newest-first index and
//! stops after a few hundred rows; a rare word reads the trigram indexes and
//! sorts its few rows. All batches read one snapshot.

use postgres::{Client, IsolationLevel};

use super::PgContext;
use super::list::{FilteredSelect, Narrowing};
use super::rows::ticket_from_row;
use crate::domain::search::unfolded;
use crate::domain::{Cursor, Direction, Filter, SearchQuery, Ticket, timestamp};
use crate::store::StoreError;

/// The smallest first batch: the rule turns down some candidates (`re` is
/// inside "are", but starts no word there), and a second round trip costs
/// more than a few extra rows.
const FIRST_BATCH: usize = 64;

/// The largest batch: enough to cross a long run of turned-down candidates
/// in few round trips, small enough to hold in memory.
const MAX_BATCH: usize = 4_096;

/// The longest start of a term spelled out as a regular expression: enough
/// to narrow, short enough for any pasted text to compile at once.
const EXPRESSION_CHARS: usize = 64;

/// What the server may test before the rule: the ASCII runs of the wanted
/// terms (the trigram indexes answer those), and for each term beyond ASCII
/// an expression matching any spelling that folds to its start, so text the
/// indexes cannot narrow is still passed over on the server.
fn narrowing(query: &SearchQuery) -> Narrowing {
    // PostgreSQL text never holds NUL (nor may a parameter): a run is asked
    // for in the pieces between them, still a superset.
    let lowercase = query
        .ascii_sequences()
        .iter()
        .map(|runs| {
            runs.iter()
                .flat_map(|run| run.split('\0'))
                .filter(|piece| !piece.is_empty())
                .map(str::to_owned)
                .collect::<Vec<_>>()
        })
        .filter(|pieces| !pieces.is_empty())
        .collect();
    let expressions = query
        .folded_terms()
        .into_iter()
        .filter(|term| !term.is_ascii() && !term.contains('\0'))
        .filter_map(|term| spellings(&term.chars().take(EXPRESSION_CHARS).collect::<String>()))
        .collect();
    Narrowing { lowercase, expressions }
}

/// A regular expression matching every text that folds to `folded`, or
/// `None` if some character of it is no character's fold.
fn spellings(folded: &str) -> Option<String> {
    let mut expression = String::new();
    for c in folded.chars() {
        let forms: Vec<char> = unfolded(c).collect();
        let literal =
            |form: char| if form.is_alphanumeric() { form.to_string() } else { format!("\\{form}") };
        match forms.as_slice() {
            [] => return None,
            [one] => expression.push_str(&literal(*one)),
            many => {
                expression.push('[');
                many.iter().for_each(|form| expression.push_str(&literal(*form)));
                expression.push(']');
            }
        }
    }
    Some(expression)
}

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
    let narrowing = narrowing(query);
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
        let select =
            FilteredSelect::containing(filter, direction, position.as_ref(), Some(batch), &narrowing)?;
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_spelling_that_folds_alike_is_matched() {
        assert_eq!(spellings("οδοσ").as_deref(), Some("[οΟ][δΔ][οΟ][σΣ]"));
        assert_eq!(spellings("ü+").as_deref(), Some("[üÜ]\\+"));
        let q = SearchQuery::parse("über c++ ΟΔΟΣ").unwrap();
        let narrowing = narrowing(&q);
        assert_eq!(narrowing.lowercase, [["ber"], ["c++"]]);
        let mut phrase = SearchQuery::default();
        phrase.phrase("Credit card\0x", true);
        assert_eq!(super::narrowing(&phrase).lowercase, [["credit", "card", "x"]]);
        assert_eq!(narrowing.expressions, ["[üÜ][bB][eE][rR]", "[οΟ][δΔ][οΟ][σΣ]"]);
    }
}
