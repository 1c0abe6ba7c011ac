//! "Has this customer already written in about this?": tickets that share
//! the rarest words of a draft, found through the full-text index.
//!
//! Each word of the draft is weighed by how rare it is on the desk (inverse
//! document frequency, counted through the index and capped, so a common
//! word costs little and weighs nothing). The tickets holding the rarest
//! words, newest first, are scored by the weights of the words they share;
//! an e-mail address the draft names (seen here, on the machine, never sent
//! anywhere) counts more than any word. Only open or recent tickets are
//! offered.

use rusqlite::OptionalExtension;
use std::collections::HashMap;

use super::tickets::{TICKET_COLUMNS, ticket_from_row};
use super::{SqliteDesk, StoreError};
use crate::domain::search::index_words;
use crate::domain::{Status, Ticket};

/// Words of the draft looked up; the first ones say most.
const MAX_WORDS: usize = 24;
/// The rarest words whose tickets become candidates.
const RAREST: usize = 6;
/// A word on more tickets than this is common: it weighs nothing.
const COMMON: i64 = 5_000;
/// Tickets fetched per rare word, newest first.
const PER_WORD: i64 = 200;
/// What a shared e-mail address weighs, more than any set of words.
const SAME_ADDRESS: f64 = 100.0;
/// Closed and resolved tickets created this recently still count.
const RECENT_DAYS: i64 = 30;

/// A possible duplicate and how alike it is (higher is closer).
#[derive(Debug, Clone, PartialEq)]
pub struct Similar {
    pub ticket: Ticket,
    pub score: f64,
}

impl SqliteDesk {
    /// Up to `limit` open or recent tickets that resemble `text`, closest
    /// first. `except` (the ticket being edited, if any) is never offered.
    pub fn similar(&self, text: &str, limit: usize, except: Option<i64>) -> Result<Vec<Similar>, StoreError> {
        let fail = |e| self.ctx.fail(e);
        let total: i64 = self
            .conn
            .prepare_cached("SELECT coalesce(sum(n), 0) FROM ticket_counts")
            .and_then(|mut s| s.query_row([], |r| r.get(0)))
            .map_err(fail)?;
        if total == 0 || limit == 0 {
            return Ok(Vec::new());
        }
        let mut weighed: Vec<(String, f64)> = Vec::new();
        for word in index_words(text, 3).into_iter().take(MAX_WORDS) {
            let tickets = self.tickets_with(&word, COMMON + 1).map_err(fail)?;
            if (1..=COMMON).contains(&tickets) {
                weighed.push((word, ((total as f64 + 1.0) / tickets as f64).ln()));
            }
        }
        weighed.sort_by(|a, b| b.1.total_cmp(&a.1));
        let mut scores: HashMap<i64, f64> = HashMap::new();
        for (word, weight) in weighed.iter().take(RAREST) {
            for id in self.newest_with(word).map_err(fail)? {
                *scores.entry(id).or_default() += weight;
            }
        }
        for address in addresses(text) {
            for id in self.newest_with_address(&address).map_err(fail)? {
                *scores.entry(id).or_default() += SAME_ADDRESS;
            }
        }
        // One shared rare word is a coincidence; ask for two, or an address.
        let least = weighed.iter().take(RAREST).map(|(_, w)| *w).fold(f64::INFINITY, f64::min);
        let mut ranked: Vec<(i64, f64)> =
            scores.into_iter().filter(|(id, score)| Some(*id) != except && *score > least * 1.5).collect();
        ranked.sort_by(|a, b| b.1.total_cmp(&a.1).then(b.0.cmp(&a.0)));
        let recent = crate::domain::timestamp::format(
            time::OffsetDateTime::now_utc() - time::Duration::days(RECENT_DAYS),
        );
        let mut found = Vec::new();
        let mut get = self
            .conn
            .prepare_cached(&format!("SELECT {TICKET_COLUMNS} FROM tickets WHERE id = ?1"))
            .map_err(fail)?;
        for (id, score) in ranked {
            let Some(ticket) = get.query_row([id], ticket_from_row).optional().map_err(fail)? else {
                continue;
            };
            let live = matches!(ticket.status, Status::Open | Status::InProgress);
            if live || ticket.created_at >= recent {
                found.push(Similar { ticket, score });
                if found.len() == limit {
                    break;
                }
            }
        }
        Ok(found)
    }

    /// How many tickets hold `word` (counting stops at `cap`).
    fn tickets_with(&self, word: &str, cap: i64) -> rusqlite::Result<i64> {
        self.conn
            .prepare_cached(
                "SELECT count(*) FROM (SELECT rowid FROM tickets_fts WHERE tickets_fts MATCH ?1 LIMIT ?2)",
            )?
            .query_row(rusqlite::params![format!("\"{word}\""), cap], |r| r.get(0))
    }

    /// The newest tickets holding `word`.
    fn newest_with(&self, word: &str) -> rusqlite::Result<Vec<i64>> {
        self.conn
            .prepare_cached(
                "SELECT rowid FROM tickets_fts WHERE tickets_fts MATCH ?1 ORDER BY rowid DESC LIMIT ?2",
            )?
            .query_map(rusqlite::params![format!("\"{word}\""), PER_WORD], |r| r.get(0))?
            .collect()
    }

    /// The newest tickets naming `address` (its words through the index,
    /// then the address itself, case-insensitively).
    fn newest_with_address(&self, address: &str) -> rusqlite::Result<Vec<i64>> {
        let words = index_words(address, 1);
        if words.is_empty() {
            return Ok(Vec::new());
        }
        let expression = words.iter().map(|w| format!("\"{w}\"")).collect::<Vec<_>>().join(" AND ");
        self.conn
            .prepare_cached(
                "SELECT t.id FROM tickets_fts JOIN tickets AS t ON t.id = tickets_fts.rowid
                 WHERE tickets_fts MATCH ?1 AND instr(lower(t.title || ' ' || t.description), ?2) > 0
                 ORDER BY t.id DESC LIMIT ?3",
            )?
            .query_map(rusqlite::params![expression, address.to_lowercase(), PER_WORD], |r| r.get(0))?
            .collect()
    }
}

/// E-mail addresses written plainly in `text`, lowercased.
fn addresses(text: &str) -> Vec<String> {
    text.split(|c: char| c.is_whitespace() || matches!(c, '<' | '>' | '(' | ')' | ',' | ';' | '"' | '\''))
        .map(|word| word.trim_matches(|c: char| matches!(c, '.' | ':')))
        .filter(|word| {
            word.split_once('@').is_some_and(|(user, host)| {
                !user.is_empty() && host.contains('.') && !host.starts_with('.') && !host.ends_with('.')
            })
        })
        .map(str::to_lowercase)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_are_found_in_prose() {
        assert_eq!(
            addresses("Hi, I'm <Jane.Doe@Example.com>; cc bob@corp.io. Not me@, not @x.y"),
            ["jane.doe@example.com", "bob@corp.io"]
        );
    }
}
