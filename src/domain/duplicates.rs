//! "Has this customer already written in about this?": tickets that share
//! the rarest words of a draft, whichever engine holds them.
//!
//! Each word of the draft is weighed by how rare it is on the desk (inverse
//! document frequency, counted through the engine's index and capped, so a
//! common word costs little and weighs nothing). The tickets holding the
//! rarest words, newest first, are scored by the weights of the words they
//! share; an e-mail address the draft names (seen here, on the machine, never
//! sent anywhere) counts more than any word. Only open or recent tickets are
//! offered. An engine answers the few lookups of [`Lookup`]; the weighing is
//! here, once.

use std::collections::HashMap;

use super::search::index_words;
use super::{Status, Ticket};

/// Words of the draft looked up; the first ones say most.
const MAX_WORDS: usize = 24;
/// The rarest words whose tickets become candidates.
const RAREST: usize = 6;
/// A word on more tickets than this is common: it weighs nothing.
pub const COMMON: i64 = 5_000;
/// Tickets fetched per rare word or address, newest first.
pub const PER_WORD: i64 = 200;
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

/// What finding duplicates asks of a desk. A word is one of
/// [`index_words`]: the engine matches it as a whole word, folded alike.
pub trait Lookup {
    type Error;
    /// How many tickets the desk holds.
    fn total(&mut self) -> Result<i64, Self::Error>;
    /// How many tickets hold `word` (counting may stop at `cap`).
    fn tickets_with(&mut self, word: &str, cap: i64) -> Result<i64, Self::Error>;
    /// The ids of the newest [`PER_WORD`] tickets holding `word`.
    fn newest_with(&mut self, word: &str) -> Result<Vec<i64>, Self::Error>;
    /// The ids of the newest [`PER_WORD`] tickets naming `address`
    /// (lowercase), ignoring case.
    fn newest_with_address(&mut self, address: &str) -> Result<Vec<i64>, Self::Error>;
    fn ticket(&mut self, id: i64) -> Result<Option<Ticket>, Self::Error>;
}

/// Up to `limit` open or recent tickets that resemble `text`, closest
/// first. `except` (the ticket being edited, if any) is never offered.
pub fn similar<L: Lookup>(
    desk: &mut L,
    text: &str,
    limit: usize,
    except: Option<i64>,
) -> Result<Vec<Similar>, L::Error> {
    let total = desk.total()?;
    if total == 0 || limit == 0 {
        return Ok(Vec::new());
    }
    let mut weighed: Vec<(String, f64)> = Vec::new();
    for word in index_words(text, 3).into_iter().take(MAX_WORDS) {
        let tickets = desk.tickets_with(&word, COMMON + 1)?;
        if (1..=COMMON).contains(&tickets) {
            weighed.push((word, ((total as f64 + 1.0) / tickets as f64).ln()));
        }
    }
    weighed.sort_by(|a, b| b.1.total_cmp(&a.1));
    let mut scores: HashMap<i64, f64> = HashMap::new();
    for (word, weight) in weighed.iter().take(RAREST) {
        for id in desk.newest_with(word)? {
            *scores.entry(id).or_default() += weight;
        }
    }
    for address in addresses(text) {
        for id in desk.newest_with_address(&address)? {
            *scores.entry(id).or_default() += SAME_ADDRESS;
        }
    }
    // One shared rare word is a coincidence; ask for two, or an address.
    let least = weighed.iter().take(RAREST).map(|(_, w)| *w).fold(f64::INFINITY, f64::min);
    let mut ranked: Vec<(i64, f64)> =
        scores.into_iter().filter(|(id, score)| Some(*id) != except && *score > least * 1.5).collect();
    ranked.sort_by(|a, b| b.1.total_cmp(&a.1).then(b.0.cmp(&a.0)));
    let recent =
        super::timestamp::format(time::OffsetDateTime::now_utc() - time::Duration::days(RECENT_DAYS));
    let mut found = Vec::new();
    for (id, score) in ranked {
        let Some(ticket) = desk.ticket(id)? else {
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

/// E-mail addresses written plainly in `text`, lowercased.
pub fn addresses(text: &str) -> Vec<String> {
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
