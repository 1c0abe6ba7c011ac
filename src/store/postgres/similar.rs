//! Possible duplicates on a PostgreSQL desk: the lookups
//! [`crate::domain::duplicates`] weighs, answered through the trigram indexes.
//!
//! A word counts where it stands whole, as a token of the SQLite desk's
//! full-text index does: the trigram indexes find the rows holding its
//! letters anywhere, and a regular expression keeps those where no letter
//! or digit touches it.

use postgres::Client;

use super::rows::{TICKET_COLUMNS, contains_pattern, ticket_from_row};
use super::{PgContext, PgDesk};
use crate::domain::Ticket;
use crate::domain::duplicates::{self, Lookup, PER_WORD, Similar};
use crate::store::StoreError;

/// Rows holding `$1` (a LIKE pattern) and `$2` (a word as a regular
/// expression) in the title or the description.
const HOLDING: &str = "(lower(title) LIKE $1 OR lower(description) LIKE $1)
     AND (lower(title) ~ $2 OR lower(description) ~ $2)";

impl PgDesk {
    /// Up to `limit` open or recent tickets that resemble `text`, closest
    /// first. `except` (the ticket being edited, if any) is never offered.
    pub fn similar(
        &mut self,
        text: &str,
        limit: usize,
        except: Option<i64>,
    ) -> Result<Vec<Similar>, StoreError> {
        duplicates::similar(&mut Server { client: &mut self.client, ctx: &self.ctx }, text, limit, except)
    }
}

struct Server<'a> {
    client: &'a mut Client,
    ctx: &'a PgContext,
}

/// `word` standing whole: no letter or digit just before or after it.
fn whole_word(word: &str) -> String {
    let mut expression = String::from("(^|[^[:alnum:]])");
    for c in word.chars() {
        if !c.is_alphanumeric() {
            expression.push('\\');
        }
        expression.push(c);
    }
    expression.push_str("($|[^[:alnum:]])");
    expression
}

impl Lookup for Server<'_> {
    type Error = StoreError;

    fn total(&mut self) -> Result<i64, StoreError> {
        let row = self
            .client
            .query_one("SELECT coalesce(sum(n), 0)::bigint FROM ticket_counts", &[])
            .map_err(|e| self.ctx.fail(e))?;
        Ok(row.get(0))
    }

    fn tickets_with(&mut self, word: &str, cap: i64) -> Result<i64, StoreError> {
        let sql = format!("SELECT count(*) FROM (SELECT 1 FROM tickets WHERE {HOLDING} LIMIT $3) AS holding");
        let row = self
            .client
            .query_one(&sql, &[&contains_pattern(word), &whole_word(word), &cap])
            .map_err(|e| self.ctx.fail(e))?;
        Ok(row.get(0))
    }

    fn newest_with(&mut self, word: &str) -> Result<Vec<i64>, StoreError> {
        let sql = format!("SELECT id FROM tickets WHERE {HOLDING} ORDER BY id DESC LIMIT $3");
        let rows = self
            .client
            .query(&sql, &[&contains_pattern(word), &whole_word(word), &PER_WORD])
            .map_err(|e| self.ctx.fail(e))?;
        Ok(rows.iter().map(|row| row.get(0)).collect())
    }

    fn newest_with_address(&mut self, address: &str) -> Result<Vec<i64>, StoreError> {
        if address.contains('\0') {
            return Ok(Vec::new()); // no stored text holds NUL
        }
        let rows = self
            .client
            .query(
                "SELECT id FROM tickets WHERE lower(title) LIKE $1 OR lower(description) LIKE $1
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_whole_word_is_fenced_by_anything_but_letters_and_digits() {
        assert_eq!(whole_word("refund"), "(^|[^[:alnum:]])refund($|[^[:alnum:]])");
        assert_eq!(whole_word("a.b"), "(^|[^[:alnum:]])a\\.b($|[^[:alnum:]])");
    }
}
