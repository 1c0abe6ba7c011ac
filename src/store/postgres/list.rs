//! Newest-first listing with filters, one page at a time, and the export's
//! walk over every ticket.

use postgres::types::ToSql;

use super::rows::{TICKET_COLUMNS, in_order_pattern, instant, ticket_from_row};
use super::{PgDesk, search};
use crate::domain::filter::{Closed, OneOf};
use crate::domain::{Assigned, Cursor, Direction, Filter, Page, Ticket};
use crate::store::StoreError;

/// A bound value of a statement.
pub(super) type Param = Box<dyn ToSql + Sync>;

/// Text a row's title or description must hold to be worth reading.
#[derive(Debug, Default)]
pub(super) struct Narrowing {
    /// ASCII pieces, lowercase, each list held in order by the lowercased
    /// title or description (the trigram indexes answer this).
    pub lowercase: Vec<Vec<String>>,
    /// Regular expressions the text itself matches.
    pub expressions: Vec<String>,
}

/// A `SELECT` over tickets with the field filters and cursor of a list,
/// newest first (or oldest first, for a page read from the other end). The
/// SQL is assembled from fixed fragments only; every value is a parameter.
pub(super) struct FilteredSelect {
    pub sql: String,
    pub params: Vec<Param>,
}

impl FilteredSelect {
    pub fn new(
        filter: &Filter,
        direction: Direction,
        from: Option<&Cursor>,
        limit: Option<usize>,
    ) -> Result<FilteredSelect, StoreError> {
        FilteredSelect::containing(filter, direction, from, limit, &Narrowing::default())
    }

    /// Like [`FilteredSelect::new`], keeping only the rows `narrowing` lets through.
    pub fn containing(
        filter: &Filter,
        direction: Direction,
        from: Option<&Cursor>,
        limit: Option<usize>,
        narrowing: &Narrowing,
    ) -> Result<FilteredSelect, StoreError> {
        let mut select = FilteredSelect {
            sql: format!("SELECT {TICKET_COLUMNS} FROM tickets WHERE true"),
            params: Vec::new(),
        };
        select.one_of("category", filter.categories);
        select.one_of("priority", filter.priorities);
        select.one_of("status", filter.statuses);
        for rule in &filter.assigned {
            match rule {
                // No account name holds NUL, nor may a parameter.
                Assigned::To(who) if who.contains('\0') => select.sql.push_str(" AND false"),
                Assigned::NotTo(who) if who.contains('\0') => {}
                Assigned::To(who) => select.test(" AND assignee = {}", Box::new(who.clone())),
                Assigned::NotTo(who) => {
                    select.test(" AND assignee IS DISTINCT FROM {}", Box::new(who.clone()))
                }
                Assigned::Nobody => select.sql.push_str(" AND assignee IS NULL"),
                Assigned::Anybody => select.sql.push_str(" AND assignee IS NOT NULL"),
            }
        }
        if let Some(from_time) = &filter.created_from {
            select.test(" AND created_at >= {}", Box::new(instant(from_time)?));
        }
        if let Some(before) = &filter.created_before {
            select.test(" AND created_at < {}", Box::new(instant(before)?));
        }
        for id in &filter.ids {
            select.test(" AND id = {}", Box::new(*id));
        }
        for id in &filter.not_ids {
            select.test(" AND id <> {}", Box::new(*id));
        }
        for pieces in &narrowing.lowercase {
            select.test(
                " AND (lower(title COLLATE \"C\") LIKE {0} OR lower(description COLLATE \"C\") LIKE {0})",
                Box::new(in_order_pattern(pieces)),
            );
        }
        for expression in &narrowing.expressions {
            select.test(" AND (title ~ {0} OR description ~ {0})", Box::new(expression.clone()));
        }
        if let Some(cursor) = from {
            let at = select.bind(Box::new(instant(&cursor.created_at)?));
            let id = select.bind(Box::new(cursor.id));
            // Spelled out rather than as a row value so the planner can use
            // the created_at range on whichever index it walks.
            select.sql.push_str(&match direction {
                Direction::Older => format!(" AND created_at <= {at} AND (created_at < {at} OR id < {id})"),
                Direction::Newer => format!(" AND created_at >= {at} AND (created_at > {at} OR id > {id})"),
            });
        }
        select.sql.push_str(match direction {
            Direction::Older => " ORDER BY created_at DESC, id DESC",
            Direction::Newer => " ORDER BY created_at ASC, id ASC",
        });
        if let Some(limit) = limit {
            select.test(" LIMIT {}", Box::new(i64::try_from(limit).unwrap_or(i64::MAX)));
        }
        Ok(select)
    }

    /// Adds a parameter and returns its placeholder.
    fn bind(&mut self, value: Param) -> String {
        self.params.push(value);
        format!("${}", self.params.len())
    }

    /// Appends `fragment` with its `{}` (or `{0}`) standing for one new parameter.
    fn test(&mut self, fragment: &str, value: Param) {
        let placeholder = self.bind(value);
        self.sql.push_str(&fragment.replace("{0}", &placeholder).replace("{}", &placeholder));
    }

    /// `AND column IN (…)` for a narrowed set: nothing for "any", a test no
    /// row passes for an empty set, `=` for one value; most values allowed
    /// are said as the few left out, so the planner keeps walking newest first.
    fn one_of<T: Closed>(&mut self, column: &str, set: OneOf<T>) {
        if set.is_any() {
            return;
        }
        let values = set.values();
        let (test, values) = if values.len() * 2 > T::ALL.len() {
            ("NOT IN", T::ALL.iter().copied().filter(|v| !set.contains(*v)).collect())
        } else {
            ("IN", values)
        };
        if values.is_empty() {
            if test == "IN" {
                self.sql.push_str(" AND false");
            }
            return;
        }
        let placeholders: Vec<String> = values.iter().map(|v| self.bind(Box::new(v.to_string()))).collect();
        self.sql.push_str(&match (test, placeholders.as_slice()) {
            ("IN", [one]) => format!(" AND {column} = {one}"),
            (_, [one]) => format!(" AND {column} <> {one}"),
            (test, many) => format!(" AND {column} {test} ({})", many.join(", ")),
        });
    }

    pub fn params(&self) -> Vec<&(dyn ToSql + Sync)> {
        self.params.iter().map(|p| p.as_ref() as &(dyn ToSql + Sync)).collect()
    }
}

/// Rows the export reads per round trip: memory stays flat whatever the size.
const EXPORT_BATCH: i32 = 1_000;

impl PgDesk {
    /// Up to `limit` tickets passing `filter`, newest first (`created_at`, then
    /// `id`), starting after `after` when given.
    pub fn list(
        &mut self,
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
    pub fn page(&mut self, filter: &Filter, limit: usize, page: &Page) -> Result<Vec<Ticket>, StoreError> {
        if limit == 0 {
            return Ok(Vec::new());
        }
        let direction = page.direction();
        let mut tickets = match &filter.search {
            Some(query) => {
                search::search(&mut self.client, &self.ctx, filter, query, limit, direction, page.cursor())?
            }
            None => {
                let select = FilteredSelect::new(filter, direction, page.cursor(), Some(limit))?;
                let rows = self.client.query(&select.sql, &select.params()).map_err(|e| self.ctx.fail(e))?;
                rows.iter().map(|row| ticket_from_row(row, &self.ctx)).collect::<Result<Vec<_>, _>>()?
            }
        };
        if direction == Direction::Newer {
            tickets.reverse();
        }
        Ok(tickets)
    }

    /// Calls `each` with every ticket in id order, from one consistent snapshot
    /// even while others write, a batch at a time.
    pub fn for_each_ticket(
        &mut self,
        mut each: impl FnMut(Ticket) -> anyhow::Result<()>,
    ) -> anyhow::Result<u64> {
        let ctx = &self.ctx;
        let mut tx = self
            .client
            .build_transaction()
            .isolation_level(postgres::IsolationLevel::RepeatableRead)
            .read_only(true)
            .start()
            .map_err(|e| ctx.fail(e))?;
        let portal = tx
            .bind(&format!("SELECT {TICKET_COLUMNS} FROM tickets ORDER BY id"), &[])
            .map_err(|e| ctx.fail(e))?;
        let mut count = 0;
        loop {
            let rows = tx.query_portal(&portal, EXPORT_BATCH).map_err(|e| ctx.fail(e))?;
            for row in &rows {
                each(ticket_from_row(row, ctx)?)?;
                count += 1;
            }
            if rows.len() < EXPORT_BATCH as usize {
                break;
            }
        }
        tx.commit().map_err(|e| ctx.fail(e))?;
        Ok(count)
    }
}
