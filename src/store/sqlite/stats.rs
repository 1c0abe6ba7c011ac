//! Desk statistics from the running totals the schema's triggers keep, so a
//! refresh reads 64 small rows and one index entry, never the ticket table.

use super::{SqliteDesk, StoreError};
use crate::domain::Stats;
use crate::domain::stats::{CategoryBreakdown, PriorityBreakdown, SuggestionOutcomes};
use crate::store::totals::{outcomes_from, series};

const STATS: &str = "
WITH totals AS (
    SELECT
        coalesce(sum(n), 0) AS total,
        coalesce(sum(n) FILTER (WHERE status = 'open'), 0) AS open,
        coalesce(sum(n) FILTER (WHERE priority = 'low'), 0) AS low,
        coalesce(sum(n) FILTER (WHERE priority = 'medium'), 0) AS medium,
        coalesce(sum(n) FILTER (WHERE priority = 'high'), 0) AS high,
        coalesce(sum(n) FILTER (WHERE priority = 'critical'), 0) AS critical,
        coalesce(sum(n) FILTER (WHERE category = 'billing'), 0) AS billing,
        coalesce(sum(n) FILTER (WHERE category = 'technical'), 0) AS technical,
        coalesce(sum(n) FILTER (WHERE category = 'account'), 0) AS account,
        coalesce(sum(n) FILTER (WHERE category = 'general'), 0) AS general
    FROM ticket_counts
),
span AS (
    -- Calendar days (UTC) from the oldest ticket's day through today, inclusive.
    SELECT max(1, julianday(date('now')) - julianday(date(min(created_at))) + 1) AS days FROM tickets
)
SELECT total, open,
       CASE WHEN total = 0 THEN 0.0 ELSE total * 1.0 / days END,
       low, medium, high, critical, billing, technical, account, general
FROM totals, span";

impl SqliteDesk {
    pub fn stats(&self) -> Result<Stats, StoreError> {
        let mut stats = self.totals()?;
        stats.suggestions = self.suggestion_outcomes()?;
        Ok(stats)
    }

    /// The four running totals of kept and changed suggestions.
    fn suggestion_outcomes(&self) -> Result<SuggestionOutcomes, StoreError> {
        let rows: Vec<(String, String, i64, i64)> = self
            .conn
            .prepare_cached("SELECT source, field, kept, changed FROM suggestion_counts")
            .and_then(|mut stmt| {
                stmt.query_map([], |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?)))?.collect()
            })
            .map_err(|e| self.ctx.fail(e))?;
        Ok(outcomes_from(rows))
    }

    fn totals(&self) -> Result<Stats, StoreError> {
        self.conn
            .prepare_cached(STATS)
            .and_then(|mut stmt| {
                stmt.query_row([], |row| {
                    Ok(Stats {
                        total_tickets: row.get(0)?,
                        open_tickets: row.get(1)?,
                        avg_tickets_per_day: row.get(2)?,
                        priority_breakdown: PriorityBreakdown {
                            low: row.get(3)?,
                            medium: row.get(4)?,
                            high: row.get(5)?,
                            critical: row.get(6)?,
                        },
                        category_breakdown: CategoryBreakdown {
                            billing: row.get(7)?,
                            technical: row.get(8)?,
                            account: row.get(9)?,
                            general: row.get(10)?,
                        },
                        suggestions: SuggestionOutcomes::default(),
                    })
                })
            })
            .map_err(|e| self.ctx.fail(e))
    }
}

impl SqliteDesk {
    /// Tickets created on each of the last `days` calendar days (UTC), oldest
    /// first, today last. Reads only that range of the created_at index.
    pub fn daily_counts(&self, days: u32) -> Result<Vec<u64>, StoreError> {
        let days = days.max(1);
        let counts: Vec<(i64, i64)> = self
            .conn
            .prepare_cached(
                "SELECT CAST(julianday(date('now')) - julianday(substr(created_at, 1, 10)) AS INTEGER) AS ago,
                        count(*)
                 FROM tickets
                 WHERE created_at >= strftime('%Y-%m-%dT00:00:00.000Z', 'now', ?1)
                 GROUP BY ago",
            )
            .and_then(|mut stmt| {
                stmt.query_map([format!("-{} days", days - 1)], |row| Ok((row.get(0)?, row.get(1)?)))?.collect()
            })
            .map_err(|e| self.ctx.fail(e))?;
        Ok(series(days, counts))
    }

    /// SQLite's counter of commits by other connections: a change means the
    /// screen may be out of date.
    pub fn data_version(&self) -> Result<i64, StoreError> {
        self.conn.pragma_query_value(None, "data_version", |r| r.get(0)).map_err(|e| self.ctx.fail(e))
    }

    /// Whether another connection committed since the last call. The first
    /// call, having nothing to compare with, says yes. This connection's own
    /// commits never move `data_version`, so they are not news.
    pub fn others_committed(&mut self) -> Result<bool, StoreError> {
        let now = self.data_version()?;
        Ok(self.seen_version.replace(now) != Some(now))
    }

    /// A handle that stops whatever query this store's connection is running,
    /// from another thread (a newer search supersedes a slow one).
    pub fn interrupt_handle(&self) -> rusqlite::InterruptHandle {
        self.conn.get_interrupt_handle()
    }
}
