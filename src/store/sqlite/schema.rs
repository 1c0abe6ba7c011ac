//! The schema this build defines, and how a desk's schema differs from it.
//!
//! Anyone with the `sqlite3` shell can drop a trigger or an index from a
//! shared desk, and nothing breaks at once: the search index just stops
//! following the table, or `updated_at` stops moving. So `db check` compares
//! every table, index and trigger with the ones the migrations make (applied
//! to an empty in-memory database, so the expectation is never written twice),
//! and `--repair` puts back what can be put back.

use rusqlite::Connection;
use std::collections::HashMap;

use super::open::embedded;

/// One schema object, as `sqlite_schema` records it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct SchemaObject {
    pub kind: String,
    pub name: String,
    pub sql: String,
}

/// The search index and the tables FTS5 keeps for it: they are checked
/// together, and repaired by making the index anew.
pub(super) const SEARCH_INDEX: &str = "tickets_fts";

/// How a desk's object differs from the schema's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Drift {
    Missing(SchemaObject),
    Changed(SchemaObject),
}

impl Drift {
    pub(super) fn object(&self) -> &SchemaObject {
        match self {
            Drift::Missing(object) | Drift::Changed(object) => object,
        }
    }

    pub(super) fn describe(&self) -> String {
        let object = self.object();
        match self {
            Drift::Missing(_) => format!("schema: {} {} is missing", object.kind, object.name),
            Drift::Changed(_) => {
                format!("schema: {} {} differs from this version's definition", object.kind, object.name)
            }
        }
    }

    /// Part of the search index (the virtual table or one of its own tables;
    /// the triggers that feed it are ordinary triggers).
    pub(super) fn is_search_index(&self) -> bool {
        let object = self.object();
        object.kind == "table" && object.name.starts_with(SEARCH_INDEX)
    }
}

/// Tables, indexes, triggers and views, in the order they were made. SQLite's
/// own objects and the migration history are left out.
fn objects(conn: &Connection) -> rusqlite::Result<Vec<SchemaObject>> {
    conn.prepare(
        "SELECT type, name, sql FROM sqlite_schema
         WHERE sql IS NOT NULL AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\'
           AND name <> 'refinery_schema_history'
         ORDER BY rowid",
    )?
    .query_map([], |row| Ok(SchemaObject { kind: row.get(0)?, name: row.get(1)?, sql: row.get(2)? }))?
    .collect()
}

/// The schema the migrations of this build make.
pub(super) struct Expected {
    pub objects: Vec<SchemaObject>,
    /// The search index's settings (`tickets_fts_config`), to give a search
    /// index made anew.
    pub search_config: Vec<(String, rusqlite::types::Value)>,
}

/// What the migrations of this build make, read back from a scratch database.
pub(super) fn expected() -> Result<Expected, String> {
    let read = || -> Result<Expected, Box<dyn std::error::Error>> {
        let mut scratch = Connection::open_in_memory()?;
        embedded::migrations::runner().run(&mut scratch)?;
        let search_config = scratch
            .prepare(&format!("SELECT k, v FROM {SEARCH_INDEX}_config WHERE k <> 'version'"))?
            .query_map([], |row| Ok((row.get(0)?, row.get(1)?)))?
            .collect::<rusqlite::Result<_>>()?;
        Ok(Expected { objects: objects(&scratch)?, search_config })
    };
    read().map_err(|e| format!("cannot build this version's schema to compare with: {e}"))
}

/// Every expected object the desk lacks or defines differently. Objects the
/// schema does not know (an index a reporting team added) are theirs: never
/// reported, never touched.
pub(super) fn drift(conn: &Connection, expected: &[SchemaObject]) -> rusqlite::Result<Vec<Drift>> {
    let found: HashMap<(String, String), String> =
        objects(conn)?.into_iter().map(|o| ((o.kind, o.name), o.sql)).collect();
    Ok(expected
        .iter()
        .filter_map(|object| match found.get(&(object.kind.clone(), object.name.clone())) {
            None => Some(Drift::Missing(object.clone())),
            Some(sql) if *sql != object.sql => Some(Drift::Changed(object.clone())),
            Some(_) => None,
        })
        .collect())
}

/// `"name"` as an SQL identifier, whatever characters it holds.
pub(super) fn quoted(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// The statement that removes an object of `kind`, or `None` for a kind
/// this code never drops.
pub(super) fn drop_statement(kind: &str, name: &str) -> Option<String> {
    let kind = match kind {
        "index" => "INDEX",
        "trigger" => "TRIGGER",
        "view" => "VIEW",
        _ => return None,
    };
    Some(format!("DROP {kind} IF EXISTS {}", quoted(name)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_expected_schema_has_every_kind_of_object() {
        let Expected { objects: expected, search_config } = expected().unwrap();
        assert!(search_config.iter().any(|(key, _)| key == "hashsize"), "{search_config:?}");
        let has = |kind: &str, name: &str| expected.iter().any(|o| o.kind == kind && o.name == name);
        assert!(has("table", "tickets") && has("table", "ticket_counts") && has("table", "ticket_events"));
        assert!(has("table", "tickets_fts") && has("index", "tickets_by_status"));
        assert!(has("trigger", "tickets_touch") && has("trigger", "tickets_fts_insert"));
        assert!(!expected.iter().any(|o| o.name == "refinery_schema_history"));
    }

    #[test]
    fn identifiers_are_quoted_whole() {
        assert_eq!(quoted("by title"), "\"by title\"");
        assert_eq!(quoted("x\"; DROP TABLE tickets; --"), "\"x\"\"; DROP TABLE tickets; --\"");
        assert_eq!(drop_statement("table", "tickets"), None);
    }
}
