//! Writing many tickets at once: one transaction, all or nothing, the rows
//! streamed to the server with `COPY ... FROM STDIN` as they are read (the
//! caller's iterator drives its progress bar), each ticket's history started
//! with one statement at the end. The schema's running totals move once for
//! the whole `COPY` (its triggers are per statement). Into an empty desk, the
//! indexes and the totals' trigger are set aside and put back before the
//! commit, as a hand-made bulk load would do.

use std::io::Write;

use postgres::Transaction;

use super::rows::instant;
use super::{PgContext, PgDesk};
use crate::domain::{NewTicket, timestamp};
use crate::store::error::constraint_field;
use crate::store::{ImportError, ImportRow, StoreError};

const COPY: &str =
    "COPY tickets (title, description, category, priority, status, created_at, assignee) FROM STDIN";

/// Each imported ticket's history starts with its import: the rows this
/// transaction wrote (newer ids than before it, and its own), one timestamp
/// for them all.
const LOG_IMPORTED: &str = "INSERT INTO ticket_events (ticket_id, at, actor, field, new_value, source)
     SELECT id, statement_timestamp(), $2, 'created', title, 'import' FROM tickets
     WHERE id > $1 AND xmin = pg_current_xact_id()::xid ORDER BY id";

/// An import of at least this many tickets that also grows the desk by a
/// tenth refreshes the planner's statistics at once: until then it guesses
/// how often a search term occurs, and may walk the whole table for a word
/// the trigram indexes would find in milliseconds (a 120,000-ticket desk:
/// 0.5 s instead of 15 ms).
const ANALYZE_FROM: u64 = 1_000;

impl PgDesk {
    /// Inserts every row in one transaction. The first bad row (from the
    /// source or refused by the server) rolls back everything.
    pub fn import<E>(
        &mut self,
        rows: impl IntoIterator<Item = Result<ImportRow, E>>,
    ) -> Result<u64, ImportError<E>> {
        // No rows, or a bad first one: nothing reaches the server.
        let mut rows = rows.into_iter().peekable();
        match rows.peek() {
            None => return Ok(0),
            Some(Err(_)) => {
                if let Some(Err(e)) = rows.next() {
                    return Err(ImportError::Source(e));
                }
            }
            Some(Ok(_)) => {}
        }
        let ctx = &self.ctx;
        let store_err = |e| ImportError::Store(ctx.fail(e));
        let mut tx = self.client.transaction().map_err(store_err)?;
        let start = tx
            .query_one("SELECT coalesce(max(id), 0)::bigint, statement_timestamp() FROM tickets", &[])
            .map_err(store_err)?;
        let last_id: i64 = start.get(0);
        // A ticket without a time of its own is created now, as one written
        // by hand would be.
        let now = timestamp::format(start.get(1));
        let set_aside = if last_id == 0 { set_aside(&mut tx).map_err(store_err)? } else { None };
        let count = copy_rows(&mut tx, ctx, rows, &now)?;
        tx.execute(LOG_IMPORTED, &[&last_id, &ctx.actor]).map_err(store_err)?;
        if let Some(set_aside) = set_aside {
            put_back(&mut tx, ctx, &set_aside).map_err(ImportError::Store)?;
        }
        tx.commit().map_err(store_err)?;
        if count >= ANALYZE_FROM && count.saturating_mul(10) >= last_id.max(0) as u64 {
            // Best effort: an agent role that does not own the table is
            // told so in a warning, and autovacuum gets there later.
            if let Err(e) = self.client.batch_execute("ANALYZE tickets") {
                tracing::debug!(error = %e, "statistics not refreshed after the import");
            }
        }
        Ok(count)
    }
}

/// The secondary indexes of tickets and their history: kept current row by
/// row they cost an import into an empty desk more than the rows themselves
/// (the search indexes most); built once at the end they cost a fraction.
const REBUILT_INDEXES: [&str; 9] = [
    "tickets_by_created",
    "tickets_by_status",
    "tickets_by_priority",
    "tickets_by_category",
    "tickets_by_assignee",
    "tickets_search_title",
    "tickets_search_description",
    "tickets_words",
    "ticket_events_by_ticket",
];

/// The totals' insert trigger reads the inserted rows from a transition
/// table, which for a large `COPY` is every row copied once more.
const TOTALS_TRIGGER: &str = "ticket_counts_insert";

/// What an import into an empty desk set aside, to put back before it
/// commits: the history's foreign keys (quoted name, definition) besides the
/// indexes and the totals' trigger. Checking each history row's ticket one
/// by one (and locking it) costs more than checking them all at once.
struct SetAside {
    foreign_keys: Vec<(String, String)>,
}

/// Sets the indexes, the history's foreign keys and the totals' insert
/// trigger aside for this transaction, when this session may (the schema's
/// owner; an agent's role may not, and then everything stays as it is).
/// Others' reads of the desk wait until the import commits, as they do for a
/// first import into an empty SQLite desk, so nobody sees the desk without
/// them.
fn set_aside(tx: &mut Transaction<'_>) -> Result<Option<SetAside>, postgres::Error> {
    let mut attempt = tx.transaction()?;
    match drop_for_import(&mut attempt) {
        Ok(set_aside) => attempt.commit().map(|()| Some(set_aside)),
        Err(e) => {
            tracing::debug!(error = %e, "indexes and triggers kept during the import");
            attempt.rollback().map(|()| None)
        }
    }
}

/// The dropping itself, inside the savepoint [`set_aside`] keeps or undoes.
fn drop_for_import(tx: &mut Transaction<'_>) -> Result<SetAside, postgres::Error> {
    let foreign_keys: Vec<(String, String)> = tx
        .query(
            "SELECT quote_ident(conname), pg_get_constraintdef(oid) FROM pg_constraint
             WHERE conrelid = 'ticket_events'::regclass AND contype = 'f' ORDER BY conname",
            &[],
        )?
        .iter()
        .map(|row| (row.get(0), row.get(1)))
        .collect();
    let mut sql = format!(
        "DROP INDEX {};
         ALTER TABLE tickets DISABLE TRIGGER {TOTALS_TRIGGER};",
        REBUILT_INDEXES.join(", ")
    );
    for (name, _) in &foreign_keys {
        sql.push_str(&format!("ALTER TABLE ticket_events DROP CONSTRAINT {name};"));
    }
    tx.batch_execute(&sql)?;
    Ok(SetAside { foreign_keys })
}

/// Counts the imported tickets into the running totals at once (the desk
/// held none before), switches the totals' trigger back on, checks the
/// history's foreign keys over every row at once and builds the indexes
/// again, as the migrations make them, all before the commit.
fn put_back(tx: &mut Transaction<'_>, ctx: &PgContext, set_aside: &SetAside) -> Result<(), StoreError> {
    let fail = |e| ctx.fail(e);
    let mut sql = format!(
        "SELECT ticket_counts_apply(coalesce(jsonb_agg(d), '[]'))
         FROM (SELECT category, priority, status, count(*) AS delta
               FROM tickets GROUP BY category, priority, status) AS d;
         ALTER TABLE tickets ENABLE TRIGGER {TOTALS_TRIGGER};
         SET LOCAL maintenance_work_mem = '256MB';"
    );
    for (name, definition) in &set_aside.foreign_keys {
        sql.push_str(&format!("ALTER TABLE ticket_events ADD CONSTRAINT {name} {definition};"));
    }
    tx.batch_execute(&sql).map_err(fail)?;
    for name in REBUILT_INDEXES {
        let create = super::check::create_statement(name)
            .ok_or_else(|| StoreError::Migration(format!("the schema makes no index {name}")))?;
        tx.batch_execute(&create).map_err(fail)?;
    }
    Ok(())
}

/// Streams the rows into `COPY`, keeping the line each came from so a row
/// the server refuses is named by its line.
fn copy_rows<E>(
    tx: &mut Transaction<'_>,
    ctx: &PgContext,
    rows: impl Iterator<Item = Result<ImportRow, E>>,
    now: &str,
) -> Result<u64, ImportError<E>> {
    let mut writer = tx.copy_in(COPY).map_err(|e| ImportError::Store(ctx.fail(e)))?;
    let mut lines: Vec<u64> = Vec::new();
    let mut record = String::new();
    for row in rows {
        // Leaving early drops the writer unfinished: the server aborts the
        // COPY, and the transaction rolls back with it.
        let row = row.map_err(ImportError::Source)?;
        refused_here(&row.ticket).map_err(|source| ImportError::Row { line: row.line, source })?;
        record.clear();
        encode(&mut record, &row.ticket, now);
        lines.push(row.line);
        if let Err(e) = writer.write_all(record.as_bytes()) {
            return Err(copy_failed(e, ctx, &lines));
        }
    }
    writer.finish().map_err(|e| refused(e, ctx, &lines))
}

/// What the server cannot even read, refused as the SQLite desk's rules
/// refuse it: text holding NUL, a time before year 1.
fn refused_here(ticket: &NewTicket) -> Result<(), StoreError> {
    let rule =
        |name: &str| StoreError::Invalid(constraint_field(name).unwrap_or_else(|| unreachable!("{name}")));
    if ticket.title.contains('\0') {
        return Err(rule("title_no_control_chars"));
    }
    if ticket.description.contains('\0') {
        return Err(rule("description_no_nul"));
    }
    if let Some(at) = &ticket.created_at
        && instant(at).is_ok_and(|at| at.year() < 1)
    {
        return Err(rule("created_at_utc_millis"));
    }
    Ok(())
}

/// One row of `COPY`'s text format: tab-separated, `\N` for none, and the
/// backslash, tab, newline and carriage return escaped.
fn encode(record: &mut String, ticket: &NewTicket, now: &str) {
    let fields: [Option<&str>; 7] = [
        Some(&ticket.title),
        Some(&ticket.description),
        Some(ticket.category.as_str()),
        Some(ticket.priority.as_str()),
        Some(ticket.status().as_str()),
        Some(ticket.created_at.as_deref().unwrap_or(now)),
        ticket.assignee.as_deref(),
    ];
    for (i, field) in fields.into_iter().enumerate() {
        if i > 0 {
            record.push('\t');
        }
        let Some(text) = field else {
            record.push_str("\\N");
            continue;
        };
        for c in text.chars() {
            match c {
                '\\' => record.push_str("\\\\"),
                '\t' => record.push_str("\\t"),
                '\n' => record.push_str("\\n"),
                '\r' => record.push_str("\\r"),
                c => record.push(c),
            }
        }
    }
    record.push('\n');
}

/// A write into `COPY` failed: the server already refused something (its
/// error is inside), or the connection is gone.
fn copy_failed<E>(e: std::io::Error, ctx: &PgContext, lines: &[u64]) -> ImportError<E> {
    match e.into_inner().map(|inner| inner.downcast::<postgres::Error>()) {
        Some(Ok(pg)) => refused(*pg, ctx, lines),
        Some(Err(other)) => ImportError::Store(StoreError::Postgres(other.to_string())),
        None => ImportError::Store(StoreError::Postgres("the import's data could not be sent".into())),
    }
}

/// The server's refusal, naming the line of the row it refused when it says
/// which row of the `COPY` that was.
fn refused<E>(e: postgres::Error, ctx: &PgContext, lines: &[u64]) -> ImportError<E> {
    let line = e
        .as_db_error()
        .and_then(|db| db.where_())
        .and_then(copy_line)
        .and_then(|n| lines.get(n.checked_sub(1)?))
        .copied();
    match line {
        Some(line) => ImportError::Row { line, source: ctx.fail(e) },
        None => ImportError::Store(ctx.fail(e)),
    }
}

/// The row number in a server context such as `COPY tickets, line 3, column
/// title: "..."`.
fn copy_line(context: &str) -> Option<usize> {
    let (_, after) = context.split_once("COPY tickets, line ")?;
    let digits: String = after.chars().take_while(char::is_ascii_digit).collect();
    digits.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{Category, Priority};

    #[test]
    fn every_index_set_aside_is_one_the_schema_can_make_again() {
        for name in REBUILT_INDEXES {
            let create = super::super::check::create_statement(name).expect(name);
            let table = if name.starts_with("ticket_events") { "ticket_events" } else { "tickets" };
            assert!(create.starts_with(&format!("CREATE INDEX {name} ON {table} ")), "{create}");
        }
        let every: Vec<String> = super::super::check::index_names();
        let kept: Vec<&String> =
            every.iter().filter(|name| !REBUILT_INDEXES.contains(&name.as_str())).collect();
        assert!(kept.is_empty(), "indexes a large import would keep current row by row: {kept:?}");
    }

    #[test]
    fn copy_text_escapes_what_would_end_a_field_or_a_row() {
        let mut ticket =
            NewTicket::new("a\\b", "line one\nline\ttwo\r\n\\N", Category::Billing, Priority::High).unwrap();
        ticket.assignee = Some("bob".into());
        let mut record = String::new();
        encode(&mut record, &ticket, "2026-01-01T00:00:00.000Z");
        assert_eq!(
            record,
            "a\\\\b\tline one\\nline\\ttwo\\r\\n\\\\N\tbilling\thigh\topen\t2026-01-01T00:00:00.000Z\tbob\n"
        );
        ticket.assignee = None;
        record.clear();
        encode(&mut record, &ticket, "2026-01-01T00:00:00.000Z");
        assert!(record.ends_with("\t\\N\n"), "{record}");
    }

    #[test]
    fn the_refused_row_is_read_from_the_servers_context() {
        assert_eq!(copy_line("COPY tickets, line 3, column title: \"x\""), Some(3));
        assert_eq!(
            copy_line("PL/pgSQL function f() line 4 at RAISE\nCOPY tickets, line 12: \"x\""),
            Some(12)
        );
        assert_eq!(copy_line("SQL statement"), None);
    }
}
