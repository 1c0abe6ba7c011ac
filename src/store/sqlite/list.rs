//! Newest-first listing with filters, one page at a time.

use rusqlite::types::Value;

use super::search;
use super::tickets::{TICKET_COLUMNS, ticket_from_row};
use super::{SqliteDesk, StoreError};
use crate::domain::filter::{Closed, OneOf};
use crate::domain::{Assigned, Cursor, Direction, Filter, Page, Ticket};

/// A `SELECT` over tickets with the field filters and cursor of a list,
/// newest first. The SQL is assembled from fixed fragments only; every value
/// is a bound parameter.
pub(super) struct FilteredSelect {
    pub sql: String,
    pub params: Vec<Value>,
}

impl FilteredSelect {
    pub fn new(
        filter: &Filter,
        direction: Direction,
        from: Option<&Cursor>,
        limit: Option<usize>,
    ) -> FilteredSelect {
        let mut sql = format!("SELECT {TICKET_COLUMNS} FROM tickets WHERE 1");
        let mut params = Vec::new();
        one_of(&mut sql, &mut params, "category", filter.categories);
        one_of(&mut sql, &mut params, "priority", filter.priorities);
        one_of(&mut sql, &mut params, "status", filter.statuses);
        for rule in &filter.assigned {
            match rule {
                Assigned::To(who) => {
                    sql.push_str(" AND assignee = ?");
                    params.push(Value::Text(who.clone()));
                }
                Assigned::NotTo(who) => {
                    sql.push_str(" AND assignee IS NOT ?");
                    params.push(Value::Text(who.clone()));
                }
                Assigned::Nobody => sql.push_str(" AND assignee IS NULL"),
                Assigned::Anybody => sql.push_str(" AND assignee IS NOT NULL"),
            }
        }
        if let Some(from_time) = &filter.created_from {
            sql.push_str(" AND created_at >= ?");
            params.push(Value::Text(from_time.clone()));
        }
        if let Some(before) = &filter.created_before {
            sql.push_str(" AND created_at < ?");
            params.push(Value::Text(before.clone()));
        }
        for (ids, test) in [(&filter.ids, " AND id = ?"), (&filter.not_ids, " AND id <> ?")] {
            for id in ids {
                sql.push_str(test);
                params.push(Value::Integer(*id));
            }
        }
        if let Some(cursor) = from {
            // Spelled out rather than as a row value so the planner can use the
            // created_at range on whichever index it walks.
            sql.push_str(match direction {
                Direction::Older => " AND created_at <= ? AND (created_at < ? OR id < ?)",
                Direction::Newer => " AND created_at >= ? AND (created_at > ? OR id > ?)",
            });
            params.push(Value::Text(cursor.created_at.clone()));
            params.push(Value::Text(cursor.created_at.clone()));
            params.push(Value::Integer(cursor.id));
        }
        sql.push_str(match direction {
            Direction::Older => " ORDER BY created_at DESC, id DESC",
            Direction::Newer => " ORDER BY created_at ASC, id ASC",
        });
        if let Some(limit) = limit {
            sql.push_str(" LIMIT ?");
            params.push(Value::Integer(i64::try_from(limit).unwrap_or(i64::MAX)));
        }
        FilteredSelect { sql, params }
    }
}

/// `AND column IN (…)` for a narrowed set: nothing for "any", a test no row
/// passes for an empty set, `=` for one value.
fn one_of<T: Closed>(sql: &mut String, params: &mut Vec<Value>, column: &str, set: OneOf<T>) {
    if set.is_any() {
        return;
    }
    let values = set.values();
    // Most values allowed: say which are not. `IN` over several values of an
    // index's first column would have the planner merge or sort those
    // ranges; `NOT IN` leaves it walking newest first and stopping at 50.
    let (test, values) = if values.len() * 2 > T::ALL.len() {
        let left_out: Vec<T> = T::ALL.iter().copied().filter(|v| !set.contains(*v)).collect();
        ("NOT IN", left_out)
    } else {
        ("IN", values)
    };
    match (test, values.len()) {
        ("IN", 0) => sql.push_str(" AND 0"),
        (_, 0) => {}
        ("IN", 1) => sql.push_str(&format!(" AND {column} = ?")),
        ("NOT IN", 1) => sql.push_str(&format!(" AND {column} <> ?")),
        (test, n) => sql.push_str(&format!(" AND {column} {test} ({})", vec!["?"; n].join(", "))),
    }
    params.extend(values.into_iter().map(|v| Value::Text(v.to_string())));
}

impl SqliteDesk {
    /// Up to `limit` tickets passing `filter`, newest first (`created_at`, then
    /// `id`), starting after `after` when given.
    pub fn list(
        &self,
        filter: &Filter,
        limit: usize,
        after: Option<&Cursor>,
    ) -> Result<Vec<Ticket>, StoreError> {
        let page = match after {
            Some(cursor) => Page::Older(cursor.clone()),
            None => Page::Newest,
        };
        self.page(filter, limit, &page)
    }

    /// One page of up to `limit` tickets passing `filter`, always newest first.
    pub fn page(&self, filter: &Filter, limit: usize, page: &Page) -> Result<Vec<Ticket>, StoreError> {
        if limit == 0 {
            return Ok(Vec::new());
        }
        let direction = page.direction();
        let result = match &filter.search {
            Some(query) => search::search(&self.conn, filter, query, limit, direction, page.cursor()),
            None => {
                let select = FilteredSelect::new(filter, direction, page.cursor(), Some(limit));
                self.conn.prepare_cached(&select.sql).and_then(|mut stmt| {
                    stmt.query_map(rusqlite::params_from_iter(&select.params), ticket_from_row)?
                        .collect::<rusqlite::Result<Vec<Ticket>>>()
                })
            }
        };
        let mut tickets = result.map_err(|e| self.ctx.fail(e))?;
        if direction == Direction::Newer {
            tickets.reverse();
        }
        Ok(tickets)
    }

    /// Calls `each` with every ticket in id order, from one consistent snapshot
    /// even while others write.
    pub fn for_each_ticket(
        &mut self,
        mut each: impl FnMut(Ticket) -> anyhow::Result<()>,
    ) -> anyhow::Result<u64> {
        let tx = self.conn.transaction().map_err(|e| self.ctx.fail(e))?;
        let mut stmt = tx
            .prepare(&format!("SELECT {TICKET_COLUMNS} FROM tickets ORDER BY id"))
            .map_err(|e| self.ctx.fail(e))?;
        let mut rows = stmt.query([]).map_err(|e| self.ctx.fail(e))?;
        let mut count = 0;
        while let Some(row) = rows.next().map_err(|e| self.ctx.fail(e))? {
            each(ticket_from_row(row).map_err(|e| self.ctx.fail(e))?)?;
            count += 1;
        }
        Ok(count)
    }
}
