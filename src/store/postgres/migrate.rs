//! Bringing a PostgreSQL desk's schema up to date on open. Many agents may
//! open a new desk at the same moment and refinery takes no lock of its own,
//! so every opener first takes one session-wide advisory lock: one of them
//! migrates, the others wait and then find the schema current.

use std::path::PathBuf;
use std::time::Duration;

use postgres::Client;
use postgres::error::SqlState;

use super::from_postgres;
use crate::store::StoreError;

mod embedded {
    refinery::embed_migrations!("migrations/postgres");
}

/// The advisory lock every opener takes while it looks at and migrates the
/// schema. Advisory locks are per database, so desks in other databases of
/// the same server never wait for each other; the key's bytes spell
/// "TDSKMIGR" (ticketdesk, migrations) so that no other application's lock
/// is likely to share it, and `pg_locks` shows whose it is.
pub(crate) const MIGRATION_LOCK: i64 = i64::from_be_bytes(*b"TDSKMIGR");

/// The newest schema version this build knows: a constant, so an up-to-date
/// desk opens without building refinery's runner (and without the privileges
/// it would need to create its history table); a test keeps it equal to the
/// newest file in `migrations/postgres/`.
pub(crate) const LATEST_VERSION: i64 = 6;

/// What a database holds, as far as opening it as a desk is concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum DeskState {
    /// No tables of anyone's (an interrupted first migration may have left
    /// refinery's empty history table).
    Empty,
    /// A desk, at this schema version (`None`: none applied yet).
    Ours(Option<i64>),
    /// Tables that are not a desk's.
    Foreign,
}

/// Applies pending migrations under [`MIGRATION_LOCK`], refusing a database
/// that holds someone else's tables or a schema newer than this build. The
/// lock is released whatever happens (and by the server if the session ends).
pub(crate) fn migrate(client: &mut Client, shown: &str) -> Result<(), StoreError> {
    client.execute("SELECT pg_advisory_lock($1)", &[&MIGRATION_LOCK]).map_err(|e| fail(client, e, shown))?;
    let result = migrate_locked(client, shown);
    let unlocked = client.execute("SELECT pg_advisory_unlock($1)", &[&MIGRATION_LOCK]);
    match (result, unlocked) {
        (Err(e), _) => Err(e),
        (Ok(()), Err(e)) => Err(fail(client, e, shown)),
        (Ok(()), Ok(_)) => Ok(()),
    }
}

fn migrate_locked(client: &mut Client, shown: &str) -> Result<(), StoreError> {
    match desk_state(client).map_err(|e| fail(client, e, shown))? {
        DeskState::Foreign => return Err(StoreError::ForeignDatabase { shown: shown.to_owned() }),
        DeskState::Ours(Some(found)) if found > LATEST_VERSION => {
            return Err(StoreError::TooNew { path: PathBuf::from(shown), found, known: LATEST_VERSION });
        }
        DeskState::Ours(Some(LATEST_VERSION)) => return Ok(()),
        DeskState::Ours(_) | DeskState::Empty => {}
    }
    embedded::migrations::runner().run(client).map(drop).map_err(|e| {
        let text = error_chain(&e);
        let hint = if text.contains("permission denied") || text.contains("must be owner") {
            " (apply migrations as the desk's owner role: `SET ROLE` to it, or open the desk once as its owner)"
        } else {
            ""
        };
        StoreError::Migration(format!("{}{hint}", one_line(&text)))
    })
}

/// Whether the database is empty, a desk (and at which version), or holds
/// other tables. Only the current schema counts for our own tables; other
/// applications' tables are looked for in every schema, leaving out the
/// server's own and those that belong to extensions.
pub(crate) fn desk_state(client: &mut Client) -> Result<DeskState, postgres::Error> {
    let row = client.query_one(
        "SELECT to_regclass(format('%I.refinery_schema_history', current_schema())) IS NOT NULL,
                to_regclass(format('%I.tickets', current_schema())) IS NOT NULL,
                EXISTS (
                    SELECT 1 FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                    WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f')
                      AND n.nspname NOT IN ('pg_catalog', 'information_schema')
                      AND n.nspname NOT LIKE 'pg\\_%'
                      AND NOT (c.relname = 'refinery_schema_history' AND n.nspname = current_schema())
                      AND NOT EXISTS (SELECT 1 FROM pg_depend d
                                      WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid
                                        AND d.deptype = 'e')),
                quote_ident(current_schema())",
        &[],
    )?;
    let (has_history, has_tickets, has_other): (bool, bool, bool) = (row.get(0), row.get(1), row.get(2));
    let version = if has_history {
        let schema: String = row.get(3);
        let sql = format!("SELECT max(version)::bigint FROM {schema}.refinery_schema_history");
        client.query_one(&sql, &[])?.get::<_, Option<i64>>(0)
    } else {
        None
    };
    Ok(match (has_tickets && has_history, has_other, version) {
        (true, _, version) => DeskState::Ours(version),
        (false, false, None) => DeskState::Empty,
        // Someone else's tables, or someone else's migration history.
        (false, _, _) => DeskState::Foreign,
    })
}

/// A server error in the store's terms; a lock wait that ran out reports the
/// session's own `lock_timeout`.
fn fail(client: &mut Client, err: postgres::Error, shown: &str) -> StoreError {
    let waited = if err.code() == Some(&SqlState::LOCK_NOT_AVAILABLE) {
        client
            .query_one("SELECT setting::bigint FROM pg_settings WHERE name = 'lock_timeout'", &[])
            .ok()
            .and_then(|row| u64::try_from(row.get::<_, i64>(0)).ok())
            .map_or(Duration::ZERO, Duration::from_millis)
    } else {
        Duration::ZERO
    };
    from_postgres(err, shown, waited)
}

/// An error and its causes, outermost first: refinery's own text says only
/// which step failed, the server's says why.
fn error_chain(err: &dyn std::error::Error) -> String {
    let mut text = err.to_string();
    let mut cause = err.source();
    while let Some(inner) = cause {
        text = format!("{text}: {inner}");
        cause = inner.source();
    }
    text
}

fn one_line(text: &str) -> String {
    crate::domain::text::sanitize_line(&text.split_whitespace().collect::<Vec<_>>().join(" ")).into_owned()
}

#[cfg(test)]
mod tests;
