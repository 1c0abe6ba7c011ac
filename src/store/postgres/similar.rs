//! Possible duplicates on a PostgreSQL desk: the lookups
//! [`crate::domain::duplicates`] weighs, answered through the word index
//! (`tickets_words`: the words of title and description, whole, as a token of
//! the SQLite desk's full-text index is), and an address through the
//! trigram indexes.
//!
//! Counting the holders of a common word would read thousands of rows per
//! word and pause. The server's statistics of the word index (kept by
//! ANALYZE, handed out by `ticket_word_shares()`) already know the shares of
//! the most common words: a word far past the common line is taken as common
//! without counting, and only the others are counted.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use postgres::Client;

use super::rows::{TICKET_COLUMNS, contains_pattern, ticket_from_row};
use super::{PgContext, PgDesk};
use crate::domain::Ticket;
use crate::domain::duplicates::{self, COMMON, Lookup, PER_WORD, Similar};
use crate::store::StoreError;

/// Rows holding the word `$1` whole. The expression is the word index's own,
/// written the same, so the planner uses it.
const HOLDING: &str = "to_tsvector('simple', title || ' ' || description) @@ plainto_tsquery('simple', $1)";

/// A word the statistics put on at least this many tickets is common
/// without being counted. They come from a sample, so only a word well past
/// [`COMMON`] is taken on trust; a desk smaller than this counts every word.
const SURELY_COMMON: f64 = (2 * COMMON) as f64;

/// How long shares read from the statistics are used before being read again
/// (ANALYZE runs as the desk grows, not per write).
const SHARES_KEPT: Duration = Duration::from_secs(300);

/// The most common words of the desk and the share of tickets holding each.
pub(super) struct WordShares {
    read_at: Instant,
    shares: HashMap<String, f32>,
}

impl PgDesk {
    /// Up to `limit` open or recent tickets that resemble `text`, closest
    /// first. `except` (the ticket being edited, if any) is never offered.
    pub fn similar(
        &mut self,
        text: &str,
        limit: usize,
        except: Option<i64>,
    ) -> Result<Vec<Similar>, StoreError> {
        if self.word_shares.as_ref().is_none_or(|kept| kept.read_at.elapsed() > SHARES_KEPT) {
            self.word_shares = Some(read_shares(&mut self.client, &self.ctx)?);
        }
        let shares = self.word_shares.as_ref().map(|kept| &kept.shares);
        let mut server = Server { client: &mut self.client, ctx: &self.ctx, shares, total: None };
        duplicates::similar(&mut server, text, limit, except)
    }
}

fn read_shares(client: &mut Client, ctx: &PgContext) -> Result<WordShares, StoreError> {
    let rows = client.query("SELECT word, share FROM ticket_word_shares()", &[]).map_err(|e| ctx.fail(e))?;
    let shares = rows.iter().map(|row| (row.get(0), row.get(1))).collect();
    Ok(WordShares { read_at: Instant::now(), shares })
}

struct Server<'a> {
    client: &'a mut Client,
    ctx: &'a PgContext,
    shares: Option<&'a HashMap<String, f32>>,
    /// The desk's tickets, once asked.
    total: Option<i64>,
}

impl Lookup for Server<'_> {
    type Error = StoreError;

    fn total(&mut self) -> Result<i64, StoreError> {
        let row = self
            .client
            .query_one("SELECT coalesce(sum(n), 0)::bigint FROM ticket_totals", &[])
            .map_err(|e| self.ctx.fail(e))?;
        let total = row.get(0);
        self.total = Some(total);
        Ok(total)
    }

    fn tickets_with(&mut self, word: &str, cap: i64) -> Result<i64, StoreError> {
        if word.contains('\0') {
            return Ok(0); // no stored text holds NUL
        }
        let share = self.shares.and_then(|shares| shares.get(word));
        if let (Some(share), Some(total)) = (share, self.total)
            && f64::from(*share) * total as f64 >= SURELY_COMMON
        {
            return Ok(cap);
        }
        let sql = format!("SELECT count(*) FROM (SELECT 1 FROM tickets WHERE {HOLDING} LIMIT $2) AS holding");
        let row = self.client.query_one(&sql, &[&word, &cap]).map_err(|e| self.ctx.fail(e))?;
        Ok(row.get(0))
    }

    fn newest_with(&mut self, word: &str) -> Result<Vec<i64>, StoreError> {
        if word.contains('\0') {
            return Ok(Vec::new());
        }
        // Only words held by few tickets are asked for: take them all from
        // the index and sort, rather than walk the newest tickets testing
        // each (the planner's guess for a rare word).
        let sql = format!(
            "WITH holding AS MATERIALIZED (SELECT id FROM tickets WHERE {HOLDING})
             SELECT id FROM holding ORDER BY id DESC LIMIT $2"
        );
        let rows = self.client.query(&sql, &[&word, &PER_WORD]).map_err(|e| self.ctx.fail(e))?;
        Ok(rows.iter().map(|row| row.get(0)).collect())
    }

    fn newest_with_address(&mut self, address: &str) -> Result<Vec<i64>, StoreError> {
        if address.contains('\0') {
            return Ok(Vec::new()); // no stored text holds NUL
        }
        let rows = self
            .client
            .query(
                "SELECT id FROM tickets
                 WHERE lower(title COLLATE \"C\") LIKE $1 OR lower(description COLLATE \"C\") LIKE $1
                 ORDER BY id DESC LIMIT $2",
                &[&contains_pattern(address), &PER_WORD],
            )
            .map_err(|e| self.ctx.fail(e))?;
        Ok(rows.iter().map(|row| row.get(0)).collect())
    }

    fn ticket(&mut self, id: i64) -> Result<Option<Ticket>, StoreError> {
        let row = self
            .client
            .query_opt(&format!("SELECT {TICKET_COLUMNS} FROM tickets WHERE id = $1"), &[&id])
            .map_err(|e| self.ctx.fail(e))?;
        row.map(|row| ticket_from_row(&row, self.ctx)).transpose()
    }
}
