//! The PostgreSQL server for tests that need one: the one `TICKETDESK_TEST_PG`
//! names (a superuser's URL, as `scripts/pg-cluster start DIR` prints), with a
//! fresh database per test, dropped when the test ends.
#![allow(dead_code)]

use std::sync::atomic::{AtomicU32, Ordering};

/// The variable naming the server; `.ci/run` sets it.
pub const SERVER_VAR: &str = "TICKETDESK_TEST_PG";

pub struct Server {
    admin_url: String,
}

/// The server, if one is configured. Under CI a missing server fails the
/// test; elsewhere the test says how to start one and is skipped.
pub fn server() -> Option<Server> {
    match std::env::var(SERVER_VAR) {
        Ok(url) if !url.trim().is_empty() => Some(Server { admin_url: url.trim().to_owned() }),
        _ => {
            let how = format!(
                "this test needs a PostgreSQL server: run `scripts/pg-cluster start /tmp/desk-pg` and set \
                 {SERVER_VAR} to the URL it prints (or run .ci/run, which does both)"
            );
            if std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "false" && v != "0") {
                panic!("{how}");
            }
            eprintln!("skipped: {how}");
            None
        }
    }
}

impl Server {
    /// The superuser's URL (its database is the server's `postgres`).
    pub fn admin_url(&self) -> &str {
        &self.admin_url
    }

    /// A superuser connection to the server's own database.
    pub fn admin(&self) -> postgres::Client {
        postgres::Client::connect(&self.admin_url, postgres::NoTls)
            .unwrap_or_else(|e| panic!("cannot reach the test server named by {SERVER_VAR}: {e}"))
    }

    /// A new, empty database for one test.
    pub fn database(&self) -> Database {
        self.database_with("")
    }

    /// A new, empty database made with `options` (`CREATE DATABASE`'s own,
    /// such as a locale).
    pub fn database_with(&self, options: &str) -> Database {
        static NEXT: AtomicU32 = AtomicU32::new(0);
        let name = format!(
            "desk_test_{}_{}_{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed),
            fastrand::u32(..)
        );
        self.admin()
            .batch_execute(&format!("CREATE DATABASE {name} {options}"))
            .expect("create a test database");
        Database { url: with_database(&self.admin_url, &name), admin_url: self.admin_url.clone(), name }
    }
}

/// A database made for one test; dropped (its sessions ended) when this is.
pub struct Database {
    pub url: String,
    pub name: String,
    admin_url: String,
}

impl Database {
    /// A superuser connection to this database.
    pub fn connect(&self) -> postgres::Client {
        postgres::Client::connect(&self.url, postgres::NoTls).expect("connect to the test database")
    }
}

impl Drop for Database {
    fn drop(&mut self) {
        if let Ok(mut admin) = postgres::Client::connect(&self.admin_url, postgres::NoTls) {
            let _ = admin.batch_execute(&format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name));
        }
    }
}

/// `url` with its database replaced by `name` (query parameters kept).
pub fn with_database(url: &str, name: &str) -> String {
    let (base, query) = url.split_once('?').map_or((url, None), |(b, q)| (b, Some(q)));
    let authority_end = base.find("://").map_or(0, |i| i + 3);
    let base = match base[authority_end..].find('/') {
        Some(slash) => &base[..authority_end + slash],
        None => base,
    };
    match query {
        Some(q) => format!("{base}/{name}?{q}"),
        None => format!("{base}/{name}"),
    }
}

/// Every ticket and running total as text, if the desk's schema is there
/// (an untouched database dumps as nothing).
pub fn dump(database: &Database) -> String {
    let mut client = database.connect();
    let made: bool = client
        .query_one("SELECT to_regclass('public.tickets') IS NOT NULL", &[])
        .expect("look for the schema")
        .get(0);
    if !made {
        return String::new();
    }
    let mut out = String::new();
    for sql in [
        "SELECT row_to_json(t)::text FROM tickets t ORDER BY id",
        "SELECT row_to_json(c)::text FROM ticket_counts c ORDER BY 1",
    ] {
        for row in client.query(sql, &[]).expect(sql) {
            out.push_str(row.get::<_, &str>(0));
            out.push('\n');
        }
    }
    out
}
