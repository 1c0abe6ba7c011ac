//! `db check` and `db check --repair` on a PostgreSQL desk: the checks that
//! apply to a server (the server keeps its own files whole, so there is no
//! file to verify): every index and trigger the migrations make is there,
//! valid and enabled, and the running totals agree with a fresh count.

use postgres::{Client, GenericClient};

use super::PgDesk;
use crate::store::{CheckReport, RepairReport, StoreError};

/// The schema as this version's migrations write it: the one source of the
/// names `check` expects and of the statements `repair` runs again.
const SCHEMA: &str = concat!(
    include_str!("../../../migrations/postgres/V1__desk.sql"),
    include_str!("../../../migrations/postgres/V2__word_index.sql"),
    include_str!("../../../migrations/postgres/V3__word_shares.sql"),
    include_str!("../../../migrations/postgres/V4__pending_totals.sql"),
    include_str!("../../../migrations/postgres/V5__search_statistics.sql"),
    include_str!("../../../migrations/postgres/V6__search_ascii_case.sql"),
);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Index,
    Trigger,
}

impl Kind {
    fn word(self) -> &'static str {
        match self {
            Kind::Index => "index",
            Kind::Trigger => "trigger",
        }
    }
}

/// An index or trigger the migrations make, with the statement making it.
struct Object {
    kind: Kind,
    name: String,
    create: String,
}

/// Every `CREATE [UNIQUE] INDEX name …;` and `CREATE TRIGGER name …;` in the
/// schema. Neither statement holds a `;` of its own (function bodies do, but
/// they are `CREATE FUNCTION`).
fn expected() -> Vec<Object> {
    let mut objects = Vec::new();
    let mut rest = SCHEMA;
    while let Some(start) = rest.find("CREATE ") {
        let statement = &rest[start..];
        let end = statement.find(';').map_or(statement.len(), |i| i + 1);
        let text = &statement[..end];
        let words: Vec<&str> = text.split_whitespace().take(4).collect();
        let found = match words.as_slice() {
            ["CREATE", "INDEX", name, ..] => Some((Kind::Index, *name)),
            ["CREATE", "UNIQUE", "INDEX", name] => Some((Kind::Index, *name)),
            ["CREATE", "TRIGGER", name, ..] => Some((Kind::Trigger, *name)),
            _ => None,
        };
        if let Some((kind, name)) = found {
            // A later migration that makes an object again has the last word.
            objects.retain(|o: &Object| o.name != *name);
            objects.push(Object { kind, name: name.to_owned(), create: text.to_owned() });
        }
        rest = &statement[end.min(statement.len())..];
        if found.is_none() {
            // A function body may hold `;`: step past this CREATE only.
            rest = &statement["CREATE ".len()..];
        }
    }
    // A later `ALTER INDEX name …;` (its statistics) belongs to making it;
    // one repeated for an index made again is said once.
    for (at, _) in SCHEMA.match_indices("ALTER INDEX ") {
        let statement = &SCHEMA[at..];
        let text = &statement[..statement.find(';').map_or(statement.len(), |i| i + 1)];
        let name = text.split_whitespace().nth(2).unwrap_or_default();
        if let Some(index) = objects.iter_mut().find(|o| o.kind == Kind::Index && o.name == name)
            && !index.create.contains(text)
        {
            index.create = format!("{}\n{text}", index.create);
        }
    }
    objects
}

/// The names of every index the migrations make.
#[cfg(test)]
pub(super) fn index_names() -> Vec<String> {
    expected().into_iter().filter(|object| object.kind == Kind::Index).map(|object| object.name).collect()
}

/// The statement the migrations make the index or trigger `name` with.
pub(super) fn create_statement(name: &str) -> Option<String> {
    expected().into_iter().find(|object| object.name == name).map(|object| object.create)
}

/// What the server holds of one expected object.
#[derive(Debug, PartialEq, Eq)]
enum Found {
    Missing,
    /// An index the server cannot use (a failed concurrent build).
    Invalid,
    /// A trigger someone switched off.
    Disabled(String),
    Fine,
}

fn look(client: &mut impl GenericClient, object: &Object) -> Result<Found, postgres::Error> {
    match object.kind {
        Kind::Index => {
            let row = client.query_opt(
                "SELECT i.indisvalid FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
                 WHERE c.relname = $1 AND c.relnamespace = current_schema()::regnamespace",
                &[&object.name],
            )?;
            Ok(match row {
                None => Found::Missing,
                Some(row) if !row.get::<_, bool>(0) => Found::Invalid,
                Some(_) => Found::Fine,
            })
        }
        Kind::Trigger => {
            let row = client.query_opt(
                "SELECT t.tgenabled::text, c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
                 WHERE t.tgname = $1 AND NOT t.tgisinternal AND c.relnamespace = current_schema()::regnamespace",
                &[&object.name],
            )?;
            Ok(match row {
                None => Found::Missing,
                Some(row) if row.get::<_, &str>(0) == "D" => Found::Disabled(row.get(1)),
                Some(_) => Found::Fine,
            })
        }
    }
}

/// Running totals that differ from a fresh count, either way round.
const TOTALS_OFF: &str = "
    WITH actual AS (SELECT category, priority, status, count(*) AS n FROM tickets GROUP BY 1, 2, 3)
    SELECT count(*) FROM ticket_totals c FULL JOIN actual a USING (category, priority, status)
    WHERE coalesce(c.n, 0) <> coalesce(a.n, 0)";

/// Suggestion totals that differ from a fresh count.
const SUGGESTIONS_OFF: &str = "
    WITH actual AS (
        SELECT s.source, f.field,
               count(*) FILTER (WHERE f.same) AS kept, count(*) FILTER (WHERE NOT f.same) AS changed
        FROM ticket_suggestions s JOIN tickets t ON t.id = s.ticket_id,
             LATERAL (VALUES ('category', t.category = s.category), ('priority', t.priority = s.priority))
                 AS f (field, same)
        GROUP BY 1, 2)
    SELECT count(*) FROM suggestion_totals c LEFT JOIN actual a USING (source, field)
    WHERE c.kept <> coalesce(a.kept, 0) OR c.changed <> coalesce(a.changed, 0)";

/// The lock a writer folding pending changes into the running totals holds
/// (migration V4 spells it as a number); its bytes spell "TDSKTOTL".
const TOTALS_LOCK: i64 = i64::from_be_bytes(*b"TDSKTOTL");

/// Counts the totals afresh, after taking [`TOTALS_LOCK`] (folding waits for
/// nobody); each statement drops the pending changes and recounts from one
/// snapshot, so a change committed meanwhile is either counted and dropped,
/// or neither.
const RECOUNT: &[&str] = &[
    "WITH cleared AS (DELETE FROM ticket_count_changes)
     UPDATE ticket_counts c SET n = coalesce(
         (SELECT count(*) FROM tickets t
          WHERE (t.category, t.priority, t.status) = (c.category, c.priority, c.status)), 0)",
    "WITH cleared AS (DELETE FROM suggestion_count_changes),
     actual AS (
         SELECT s.source, f.field,
                count(*) FILTER (WHERE f.same) AS kept, count(*) FILTER (WHERE NOT f.same) AS changed
         FROM ticket_suggestions s JOIN tickets t ON t.id = s.ticket_id,
              LATERAL (VALUES ('category', t.category = s.category), ('priority', t.priority = s.priority))
                  AS f (field, same)
         GROUP BY 1, 2)
     UPDATE suggestion_counts c SET kept = coalesce(a.kept, 0), changed = coalesce(a.changed, 0)
     FROM (SELECT source, field FROM suggestion_counts) AS every
     LEFT JOIN actual a USING (source, field)
     WHERE (c.source, c.field) = (every.source, every.field)",
];

impl PgDesk {
    /// One line per problem; none means healthy.
    pub fn check(&mut self) -> Result<CheckReport, StoreError> {
        let ctx = &self.ctx;
        let client = &mut self.client;
        let mut problems = Vec::new();
        for object in expected() {
            let what = format!("{} {}", object.kind.word(), object.name);
            match look(client, &object).map_err(|e| ctx.fail(e))? {
                Found::Fine => {}
                Found::Missing => problems.push(format!("{what} is missing")),
                Found::Invalid => problems.push(format!("{what} is not valid (a failed build)")),
                Found::Disabled(table) => problems.push(format!("{what} on {table} is switched off")),
            }
        }
        let count = |client: &mut Client, sql: &str| -> Result<i64, StoreError> {
            client.query_one(sql, &[]).map(|row| row.get(0)).map_err(|e| ctx.fail(e))
        };
        let totals = count(client, TOTALS_OFF)?;
        if totals > 0 {
            problems.push(format!("stats: {totals} running totals differ from a fresh count"));
        }
        let suggestions = count(client, SUGGESTIONS_OFF)?;
        if suggestions > 0 {
            problems.push(format!("stats: {suggestions} suggestion totals differ from a fresh count"));
        }
        Ok(CheckReport { problems })
    }

    /// Puts back what `check` finds missing, switched off or wrong, in one
    /// transaction. Needs the schema's owner: an agent's role may not.
    pub fn repair(&mut self) -> Result<RepairReport, StoreError> {
        let ctx = &self.ctx;
        let mut tx = self.client.transaction().map_err(|e| ctx.fail(e))?;
        let mut report = RepairReport::default();
        for object in expected() {
            let what = format!("{} {}", object.kind.word(), object.name);
            let fix = match look(&mut tx, &object).map_err(|e| ctx.fail(e))? {
                Found::Fine => continue,
                Found::Missing => object.create.clone(),
                Found::Invalid => format!("REINDEX INDEX \"{}\"", object.name),
                Found::Disabled(table) => {
                    format!("ALTER TABLE \"{table}\" ENABLE TRIGGER \"{}\"", object.name)
                }
            };
            tx.batch_execute(&fix).map_err(|e| ctx.fail(e))?;
            report.done.push(format!("put back {what}"));
        }
        let off = tx
            .query_one(TOTALS_OFF, &[])
            .and_then(|a| Ok(a.get::<_, i64>(0) + tx.query_one(SUGGESTIONS_OFF, &[])?.get::<_, i64>(0)))
            .map_err(|e| ctx.fail(e))?;
        if off > 0 {
            tx.execute("SELECT pg_advisory_xact_lock($1)", &[&TOTALS_LOCK]).map_err(|e| ctx.fail(e))?;
            for sql in RECOUNT {
                tx.batch_execute(sql).map_err(|e| ctx.fail(e))?;
            }
            report.done.push(format!("counted the running totals afresh ({off} were off)"));
        }
        tx.commit().map_err(|e| ctx.fail(e))?;
        Ok(report)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_schema_names_every_index_and_trigger_once_with_its_statement() {
        let objects = expected();
        let names: std::collections::BTreeSet<_> = objects.iter().map(|o| o.name.as_str()).collect();
        assert_eq!(names.len(), objects.len(), "each name once");
        for name in
            ["tickets_by_created", "tickets_search_title", "ticket_events_append_only", "tickets_notify"]
        {
            assert!(names.contains(name), "{name} in {names:?}");
        }
        for object in &objects {
            assert!(object.create.ends_with(';'), "{}", object.create);
            assert!(!object.create.contains("$$"), "{}", object.create);
        }
        // Made again, an index keeps what later migrations set on it.
        let description = create_statement("tickets_search_description").unwrap();
        assert!(
            description.starts_with("CREATE INDEX tickets_search_description ON tickets"),
            "{description}"
        );
        assert!(description.ends_with("ALTER COLUMN 1 SET STATISTICS 300;"), "{description}");
    }

    #[test]
    fn the_recount_takes_the_lock_the_folders_take() {
        let folding = format!("pg_try_advisory_xact_lock({TOTALS_LOCK})");
        assert!(SCHEMA.contains(&folding), "{folding} not in the migrations");
    }
}
