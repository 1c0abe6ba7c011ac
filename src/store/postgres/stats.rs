//! Desk statistics on the server, from the running totals the schema's
//! triggers keep: 64 small rows, four more, and one end of the creation-time
//! index; never the ticket table.

use super::PgDesk;
use crate::domain::Stats;
use crate::domain::stats::{CategoryBreakdown, PriorityBreakdown, SuggestionOutcomes};
use crate::store::StoreError;
use crate::store::totals::{outcomes_from, series};

const STATS: &str = "
WITH totals AS (
    SELECT
        coalesce(sum(n), 0)::bigint AS total,
        coalesce(sum(n) FILTER (WHERE status = 'open'), 0)::bigint AS open,
        coalesce(sum(n) FILTER (WHERE priority = 'low'), 0)::bigint AS low,
        coalesce(sum(n) FILTER (WHERE priority = 'medium'), 0)::bigint AS medium,
        coalesce(sum(n) FILTER (WHERE priority = 'high'), 0)::bigint AS high,
        coalesce(sum(n) FILTER (WHERE priority = 'critical'), 0)::bigint AS critical,
        coalesce(sum(n) FILTER (WHERE category = 'billing'), 0)::bigint AS billing,
        coalesce(sum(n) FILTER (WHERE category = 'technical'), 0)::bigint AS technical,
        coalesce(sum(n) FILTER (WHERE category = 'account'), 0)::bigint AS account,
        coalesce(sum(n) FILTER (WHERE category = 'general'), 0)::bigint AS general
    FROM ticket_totals
),
span AS (
    -- Calendar days (UTC) from the oldest ticket's day through today,
    -- inclusive; min() reads one end of the creation-time index.
    SELECT greatest(1, (now() AT TIME ZONE 'UTC')::date - (min(created_at) AT TIME ZONE 'UTC')::date + 1) AS days
    FROM tickets
)
SELECT total, open,
       CASE WHEN total = 0 THEN 0.0::float8 ELSE total::float8 / days END,
       low, medium, high, critical, billing, technical, account, general
FROM totals, span";

impl PgDesk {
    pub fn stats(&mut self) -> Result<Stats, StoreError> {
        let ctx = &self.ctx;
        let fail = |e| ctx.fail(e);
        let row = self.client.query_one(STATS, &[]).map_err(fail)?;
        let n = |i: usize| row.try_get::<_, i64>(i).map_err(fail);
        let mut stats = Stats {
            total_tickets: n(0)?,
            open_tickets: n(1)?,
            avg_tickets_per_day: row.try_get(2).map_err(fail)?,
            priority_breakdown: PriorityBreakdown { low: n(3)?, medium: n(4)?, high: n(5)?, critical: n(6)? },
            category_breakdown: CategoryBreakdown {
                billing: n(7)?,
                technical: n(8)?,
                account: n(9)?,
                general: n(10)?,
            },
            suggestions: SuggestionOutcomes::default(),
        };
        let rows = self
            .client
            .query("SELECT source, field, kept::bigint, changed::bigint FROM suggestion_totals", &[])
            .map_err(fail)?;
        let totals = rows
            .iter()
            .map(|row| Ok((row.try_get(0)?, row.try_get(1)?, row.try_get(2)?, row.try_get(3)?)))
            .collect::<Result<Vec<_>, postgres::Error>>()
            .map_err(fail)?;
        stats.suggestions = outcomes_from(totals);
        Ok(stats)
    }

    /// Tickets created on each of the last `days` calendar days (UTC), oldest
    /// first, today last. Reads only that range of the creation-time index.
    pub fn daily_counts(&mut self, days: u32) -> Result<Vec<u64>, StoreError> {
        let days = days.max(1);
        // Past a million days back (about 2,700 years) is before any desk,
        // and the server's dates end not much further.
        let back = i32::try_from(days - 1).unwrap_or(i32::MAX).min(1_000_000);
        let ctx = &self.ctx;
        let rows = self
            .client
            .query(
                "WITH today AS (SELECT (now() AT TIME ZONE 'UTC')::date AS day)
                 SELECT (today.day - (created_at AT TIME ZONE 'UTC')::date)::bigint AS ago, count(*)
                 FROM tickets, today
                 WHERE created_at >= ((today.day - $1::int)::timestamp AT TIME ZONE 'UTC')
                 GROUP BY ago",
                &[&back],
            )
            .map_err(|e| ctx.fail(e))?;
        let counts = rows
            .iter()
            .map(|row| Ok((row.try_get(0)?, row.try_get(1)?)))
            .collect::<Result<Vec<(i64, i64)>, postgres::Error>>()
            .map_err(|e| ctx.fail(e))?;
        Ok(series(days, counts))
    }
}
