//! Keeping a shared file healthy: an integrity verdict, and putting back what
//! a hand in the `sqlite3` shell (or a damaged file) took away.

use rusqlite::{Connection, TransactionBehavior};

use super::schema::{self, Drift, Expected, SEARCH_INDEX};
use super::{SqliteDesk, StoreError};

/// What `check` found: nothing means healthy.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct CheckReport {
    pub problems: Vec<String>,
}

impl CheckReport {
    pub fn ok(&self) -> bool {
        self.problems.is_empty()
    }
}

/// What `repair` did, and what it could not mend.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RepairReport {
    pub done: Vec<String>,
    pub left: Vec<String>,
}

/// Checks the search index against the tickets table (rank 1 makes FTS5
/// compare with the content table, not just with itself).
const SEARCH_INDEX_CHECK: &str = "INSERT INTO tickets_fts (tickets_fts, rank) VALUES ('integrity-check', 1)";

/// Running totals that differ from a fresh count, either way round.
const TOTALS_OFF: &str = "
    WITH actual AS (SELECT category, priority, status, count(*) AS n FROM tickets GROUP BY 1, 2, 3)
    SELECT (SELECT count(*) FROM ticket_counts AS c
            WHERE c.n <> coalesce((SELECT a.n FROM actual AS a
                                   WHERE (a.category, a.priority, a.status) = (c.category, c.priority, c.status)), 0))
         + (SELECT count(*) FROM actual AS a
            WHERE NOT EXISTS (SELECT 1 FROM ticket_counts AS c
                              WHERE (c.category, c.priority, c.status) = (a.category, a.priority, a.status)))";

/// Fresh counts of kept and changed suggestions, as (source, field, kept, changed).
const SUGGESTIONS_NOW: &str = "
    SELECT s.source, 'category' AS field, sum(t.category = s.category) AS kept, sum(t.category <> s.category) AS changed
    FROM ticket_suggestions AS s JOIN tickets AS t ON t.id = s.ticket_id GROUP BY s.source
    UNION ALL
    SELECT s.source, 'priority', sum(t.priority = s.priority), sum(t.priority <> s.priority)
    FROM ticket_suggestions AS s JOIN tickets AS t ON t.id = s.ticket_id GROUP BY s.source";

/// Suggestion totals that differ from a fresh count.
fn suggestions_off(conn: &Connection) -> rusqlite::Result<i64> {
    conn.query_row(
        &format!(
            "WITH actual AS ({SUGGESTIONS_NOW})
             SELECT count(*) FROM suggestion_counts AS c LEFT JOIN actual AS a USING (source, field)
             WHERE c.kept <> coalesce(a.kept, 0) OR c.changed <> coalesce(a.changed, 0)"
        ),
        [],
        |r| r.get(0),
    )
}

fn recount_suggestions(conn: &Connection) -> rusqlite::Result<()> {
    conn.execute(
        &format!(
            "WITH actual AS ({SUGGESTIONS_NOW})
             UPDATE suggestion_counts SET
                 kept = coalesce((SELECT a.kept FROM actual AS a
                                  WHERE a.source = suggestion_counts.source AND a.field = suggestion_counts.field), 0),
                 changed = coalesce((SELECT a.changed FROM actual AS a
                                     WHERE a.source = suggestion_counts.source AND a.field = suggestion_counts.field), 0)"
        ),
        [],
    )
    .map(drop)
}

/// Every (category, priority, status) with its true count.
const RECOUNT_TOTALS: [&str; 2] = [
    "INSERT OR IGNORE INTO ticket_counts (category, priority, status, n)
     SELECT DISTINCT category, priority, status, 0 FROM tickets",
    "UPDATE ticket_counts SET n = (SELECT count(*) FROM tickets AS t
         WHERE (t.category, t.priority, t.status) = (ticket_counts.category, ticket_counts.priority, ticket_counts.status))",
];

/// Rules the schema gained after rows may already have been written (see
/// migration V4): such rows are kept, and named by `db check`. Each query
/// gives how many rows break the rule and the first of them.
const LATER_RULES: [(&str, &str); 5] = [
    (
        "tickets whose created_at or updated_at is not a real UTC time",
        "SELECT count(*), min(id) FROM tickets
         WHERE strftime('%Y-%m-%dT%H:%M:%fZ', julianday(created_at)) IS NOT created_at
            OR strftime('%Y-%m-%dT%H:%M:%fZ', julianday(updated_at)) IS NOT updated_at",
    ),
    (
        "tickets whose description is over 65536 characters",
        "SELECT count(*), min(id) FROM tickets WHERE length(description) > 65536",
    ),
    (
        "tickets whose description contains NUL",
        "SELECT count(*), min(id) FROM tickets WHERE instr(CAST(description AS BLOB), x'00') > 0",
    ),
    (
        "history entries whose time is not a real UTC time",
        "SELECT count(*), min(ticket_id) FROM ticket_events
         WHERE strftime('%Y-%m-%dT%H:%M:%fZ', julianday(at)) IS NOT at",
    ),
    (
        "notes over 65536 characters or containing NUL",
        "SELECT count(*), min(ticket_id) FROM ticket_events WHERE field = 'note'
         AND (length(new_value) > 65536 OR instr(CAST(new_value AS BLOB), x'00') > 0)",
    ),
];

impl SqliteDesk {
    /// SQLite's own integrity and foreign-key checks; every table, index and
    /// trigger this version defines, as it defines it; the search index
    /// against the table; the running totals against a fresh count.
    pub fn check(&self) -> Result<CheckReport, StoreError> {
        let fail = |e| self.ctx.fail(e);
        let mut problems = Vec::new();
        let integrity: Vec<String> = self
            .conn
            .prepare("PRAGMA integrity_check")
            .and_then(|mut s| s.query_map([], |r| r.get(0))?.collect())
            .map_err(fail)?;
        if integrity != ["ok"] {
            problems.extend(integrity.into_iter().map(|p| format!("integrity: {p}")));
        }
        let foreign: Vec<(String, i64, String)> = self
            .conn
            .prepare("PRAGMA foreign_key_check")
            .and_then(|mut s| s.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?.collect())
            .map_err(fail)?;
        problems.extend(
            foreign
                .into_iter()
                .map(|(table, row, parent)| format!("foreign key: {table} row {row} has no {parent}")),
        );
        let expected = schema::expected().map_err(StoreError::Migration)?;
        let drift = schema::drift(&self.conn, &expected.objects).map_err(fail)?;
        problems.extend(drift.iter().map(Drift::describe));
        if !drift.iter().any(Drift::is_search_index) && !self.search_index_matches()? {
            problems.push("search index: does not match the tickets table".into());
        }
        for (what, sql) in LATER_RULES {
            let (count, first): (i64, Option<i64>) =
                self.conn.query_row(sql, [], |r| Ok((r.get(0)?, r.get(1)?))).map_err(fail)?;
            if let (1.., Some(first)) = (count, first) {
                problems.push(format!("rule: {count} {what} (kept as written; the first is on #{first})"));
            }
        }
        let (count, first): (i64, Option<i64>) = self
            .conn
            .query_row(
                "SELECT count(*), min(id) FROM tickets WHERE title GLOB ?1",
                [refused_title_glob()],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .map_err(fail)?;
        if let (1.., Some(first)) = (count, first) {
            problems.push(format!(
                "rule: {count} tickets whose title holds separators, BiDi marks or invisible characters \
                 (kept as written; the first is on #{first})"
            ));
        }
        if !drift.iter().any(|d| d.object().name == "ticket_counts") {
            let off = totals_off(&self.conn).map_err(fail)?;
            if off > 0 {
                problems.push(format!("stats: {off} running totals differ from a fresh count"));
            }
        }
        if !drift
            .iter()
            .any(|d| matches!(d.object().name.as_str(), "suggestion_counts" | "ticket_suggestions"))
        {
            let off = suggestions_off(&self.conn).map_err(fail)?;
            if off > 0 {
                problems.push(format!("stats: {off} suggestion totals differ from a fresh count"));
            }
        }
        Ok(CheckReport { problems })
    }

    fn search_index_matches(&self) -> Result<bool, StoreError> {
        match self.conn.execute(SEARCH_INDEX_CHECK, []) {
            Ok(_) => Ok(true),
            Err(e) => match self.ctx.fail(e) {
                busy @ StoreError::Busy { .. } => Err(busy),
                _ => Ok(false),
            },
        }
    }

    /// Puts back, in one transaction, what can be put back: missing or
    /// altered indexes, triggers and views (from this version's schema), a
    /// missing table (empty), the search index (made anew from the table),
    /// the running totals (counted afresh). A table whose definition differs
    /// is left alone: rebuilding it would risk its rows.
    pub fn repair(&mut self) -> Result<RepairReport, StoreError> {
        let expected = schema::expected().map_err(StoreError::Migration)?;
        let search_ok = self.search_index_matches()?;
        let ctx = &self.ctx;
        let tx =
            self.conn.transaction_with_behavior(TransactionBehavior::Immediate).map_err(|e| ctx.fail(e))?;
        let mut report = RepairReport::default();
        let drift = schema::drift(&tx, &expected.objects).map_err(|e| ctx.fail(e))?;
        let mut rebuild_search = !search_ok;
        if drift.iter().any(Drift::is_search_index) {
            match remake_search_index(&tx, &expected) {
                Ok(()) => rebuild_search = true,
                Err(e) => {
                    rebuild_search = false;
                    report.left.push(format!("search index: cannot be made anew: {e}"));
                }
            }
        }
        for change in drift.iter().filter(|d| !d.is_search_index()) {
            let object = change.object();
            let what = format!("{} {}", object.kind, object.name);
            match (change, object.kind.as_str()) {
                (Drift::Missing(_), "table") => {
                    tx.execute_batch(&object.sql).map_err(|e| ctx.fail(e))?;
                    report.done.push(format!("made {what} anew (empty)"));
                }
                (Drift::Changed(_), "table") => {
                    report.left.push(format!("{what} differs from this version's definition; not rebuilt"));
                }
                (Drift::Missing(_), _) => {
                    tx.execute_batch(&object.sql).map_err(|e| ctx.fail(e))?;
                    report.done.push(format!("made {what} anew"));
                }
                (Drift::Changed(_), kind) => {
                    if let Some(drop) = schema::drop_statement(kind, &object.name) {
                        tx.execute_batch(&drop).map_err(|e| ctx.fail(e))?;
                    }
                    tx.execute_batch(&object.sql).map_err(|e| ctx.fail(e))?;
                    report.done.push(format!("put {what} back as this version defines it"));
                }
            }
        }
        if rebuild_search {
            tx.execute(&format!("INSERT INTO {SEARCH_INDEX} ({SEARCH_INDEX}) VALUES ('rebuild')"), [])
                .map_err(|e| ctx.fail(e))?;
            report.done.push("rebuilt the search index from the tickets table".into());
        }
        let off = totals_off(&tx).map_err(|e| ctx.fail(e))?;
        if off > 0 {
            for sql in RECOUNT_TOTALS {
                tx.execute(sql, []).map_err(|e| ctx.fail(e))?;
            }
            report.done.push(format!("counted the running totals afresh ({off} were off)"));
        }
        let off = suggestions_off(&tx).map_err(|e| ctx.fail(e))?;
        if off > 0 {
            recount_suggestions(&tx).map_err(|e| ctx.fail(e))?;
            report.done.push(format!("counted the suggestion totals afresh ({off} were off)"));
        }
        tx.commit().map_err(|e| ctx.fail(e))?;
        self.check_in_place()?;
        Ok(report)
    }
}

/// A GLOB pattern matching any title with a character the title rule refuses
/// beyond the control characters (the same set as the schema's trigger).
fn refused_title_glob() -> String {
    let mut pattern = String::from("*[");
    for range in crate::domain::ticket::title_refused_ranges() {
        // Control characters have a CHECK of their own, which no row can break.
        if crate::domain::text::is_control(*range.start()) {
            continue;
        }
        pattern.push(*range.start());
        if range.end() != range.start() {
            pattern.push('-');
            pattern.push(*range.end());
        }
    }
    pattern.push_str("]*");
    pattern
}

fn totals_off(conn: &Connection) -> rusqlite::Result<i64> {
    conn.query_row(TOTALS_OFF, [], |r| r.get(0))
}

/// Drops whatever is left of the search index (the virtual table, or its
/// own tables when the virtual table cannot load without them) and makes it
/// again with this version's definition and settings, empty.
fn remake_search_index(conn: &Connection, expected: &Expected) -> rusqlite::Result<()> {
    if conn.execute_batch(&format!("DROP TABLE IF EXISTS {SEARCH_INDEX}")).is_err() {
        // The virtual table could not load to drop itself: remove its record
        // by removing its own tables first, then it.
        let leftovers: Vec<String> = conn
            .prepare(
                "SELECT name FROM sqlite_schema WHERE type = 'table' AND name LIKE 'tickets\\_fts\\_%' ESCAPE '\\'",
            )?
            .query_map([], |row| row.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        for name in leftovers {
            conn.execute_batch(&format!("DROP TABLE IF EXISTS {}", schema::quoted(&name)))?;
        }
        conn.execute_batch(&format!("DROP TABLE IF EXISTS {SEARCH_INDEX}"))?;
    }
    for object in expected.objects.iter().filter(|o| o.kind == "table" && o.name == SEARCH_INDEX) {
        conn.execute_batch(&object.sql)?;
    }
    for (key, value) in &expected.search_config {
        conn.execute(
            &format!("INSERT INTO {SEARCH_INDEX} ({SEARCH_INDEX}, rank) VALUES (?1, ?2)"),
            rusqlite::params![key, value],
        )?;
    }
    Ok(())
}
