use super::super::test_server::{Database, server};
use super::*;

fn tables(client: &mut Client) -> Vec<String> {
    client
        .query(
            "SELECT relname::text FROM pg_class WHERE relnamespace = 'public'::regnamespace AND relkind = 'r'
             ORDER BY 1",
            &[],
        )
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect()
}

/// A migration's row in refinery's history: version, name, when, checksum.
type Applied = (i32, String, String, String);

/// Everything a migration could change: the objects and the history rows.
fn snapshot(client: &mut Client) -> (Vec<String>, Vec<Applied>) {
    let objects = client
        .query(
            "SELECT relkind::text || ' ' || relname::text FROM pg_class
             WHERE relnamespace = 'public'::regnamespace ORDER BY 1",
            &[],
        )
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    let history = client
        .query(
            "SELECT version, name, applied_on, checksum FROM refinery_schema_history ORDER BY version",
            &[],
        )
        .unwrap()
        .iter()
        .map(|r| (r.get(0), r.get(1), r.get(2), r.get(3)))
        .collect();
    (objects, history)
}

fn fresh() -> Option<Database> {
    Some(server()?.database())
}

#[test]
fn the_latest_version_constant_matches_the_migrations() {
    let newest = embedded::migrations::runner().get_migrations().iter().map(|m| i64::from(m.version())).max();
    assert_eq!(newest, Some(LATEST_VERSION));
}

#[test]
fn the_lock_key_spells_its_owner() {
    assert_eq!(MIGRATION_LOCK.to_be_bytes(), *b"TDSKMIGR");
}

#[test]
fn a_fresh_database_becomes_a_desk() {
    let Some(db) = fresh() else { return };
    let mut client = db.connect();
    assert_eq!(desk_state(&mut client).unwrap(), DeskState::Empty);
    migrate(&mut client, "the test desk").unwrap();
    assert_eq!(desk_state(&mut client).unwrap(), DeskState::Ours(Some(LATEST_VERSION)));
    let expected = [
        "refinery_schema_history",
        "suggestion_count_changes",
        "suggestion_counts",
        "ticket_count_changes",
        "ticket_counts",
        "ticket_events",
        "ticket_suggestions",
        "tickets",
    ];
    assert_eq!(tables(&mut client), expected);
    let totals: i64 = client.query_one("SELECT count(*) FROM ticket_counts", &[]).unwrap().get(0);
    assert_eq!(totals, 64);
    // The lock is released: another session takes it at once.
    let mut other = db.connect();
    let free: bool = other.query_one("SELECT pg_try_advisory_lock($1)", &[&MIGRATION_LOCK]).unwrap().get(0);
    assert!(free);
}

#[test]
fn migrating_twice_changes_nothing() {
    let Some(db) = fresh() else { return };
    let mut client = db.connect();
    migrate(&mut client, "the test desk").unwrap();
    let before = snapshot(&mut client);
    migrate(&mut db.connect(), "the test desk").unwrap();
    assert_eq!(snapshot(&mut client), before);
    assert_eq!(before.1.len(), LATEST_VERSION as usize);
}

#[test]
fn sixteen_openers_at_once_leave_one_schema() {
    let Some(db) = fresh() else { return };
    let start = std::sync::Arc::new(std::sync::Barrier::new(16));
    let openers: Vec<_> = (0..16)
        .map(|_| {
            let (mut client, start) = (db.connect(), start.clone());
            std::thread::spawn(move || {
                start.wait();
                migrate(&mut client, "the test desk").map_err(|e| e.to_string())
            })
        })
        .collect();
    for opener in openers {
        opener.join().unwrap().unwrap();
    }
    let mut client = db.connect();
    let (_, history) = snapshot(&mut client);
    assert_eq!(history.len(), LATEST_VERSION as usize, "one row per migration: {history:?}");
    assert_eq!(desk_state(&mut client).unwrap(), DeskState::Ours(Some(LATEST_VERSION)));
}

#[test]
fn a_database_with_other_tables_is_refused_untouched() {
    let Some(db) = fresh() else { return };
    let mut client = db.connect();
    client.batch_execute("CREATE TABLE invoices (id int); INSERT INTO invoices VALUES (7)").unwrap();
    let err = migrate(&mut client, "postgres://db.example/books").unwrap_err();
    assert!(matches!(err, StoreError::ForeignDatabase { .. }), "{err:?}");
    assert!(err.to_string().starts_with("postgres://db.example/books is a PostgreSQL database"), "{err}");
    assert_eq!(tables(&mut client), ["invoices"]);
    // Tables in another schema count too.
    let Some(db) = fresh() else { return };
    let mut client = db.connect();
    client.batch_execute("CREATE SCHEMA books; CREATE TABLE books.ledger (id int)").unwrap();
    assert!(matches!(migrate(&mut client, "d"), Err(StoreError::ForeignDatabase { .. })));
    assert!(tables(&mut client).is_empty());
}

#[test]
fn an_interrupted_first_migration_is_finished() {
    let Some(db) = fresh() else { return };
    let mut client = db.connect();
    // What refinery leaves when the first migration fails: its empty history.
    client
        .batch_execute(
            "CREATE TABLE refinery_schema_history (version int4 PRIMARY KEY, name varchar(255),
             applied_on varchar(255), checksum varchar(255))",
        )
        .unwrap();
    assert_eq!(desk_state(&mut client).unwrap(), DeskState::Empty);
    migrate(&mut client, "d").unwrap();
    assert_eq!(desk_state(&mut client).unwrap(), DeskState::Ours(Some(LATEST_VERSION)));
}

#[test]
fn a_newer_schema_is_refused() {
    let Some(db) = fresh() else { return };
    let mut client = db.connect();
    migrate(&mut client, "d").unwrap();
    client
        .batch_execute(
            "INSERT INTO refinery_schema_history VALUES (99, 'from_the_future', '2030-01-01T00:00:00Z', '1')",
        )
        .unwrap();
    let before = snapshot(&mut client);
    let err = migrate(&mut client, "postgres://db.example/desk").unwrap_err();
    match &err {
        StoreError::TooNew { found: 99, known: LATEST_VERSION, .. } => {}
        other => panic!("{other:?}"),
    }
    assert!(
        err.to_string().contains("postgres://db.example/desk was written by a newer ticketdesk"),
        "{err}"
    );
    assert_eq!(snapshot(&mut client), before);
}

#[test]
fn a_failed_migration_still_releases_the_lock() {
    let Some(db) = fresh() else { return };
    let mut client = db.connect();
    client.batch_execute("CREATE TABLE invoices (id int)").unwrap();
    assert!(migrate(&mut client, "d").is_err());
    let held: i64 = client
        .query_one(
            "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid()",
            &[],
        )
        .unwrap()
        .get(0);
    assert_eq!(held, 0);
}
