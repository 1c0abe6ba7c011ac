//! PostgreSQL errors in the store's terms: a broken rule reads like the same
//! rule broken on SQLite, a lock wait that ran out like a busy file.

use postgres::error::SqlState;
use std::time::Duration;

use crate::store::StoreError;
use crate::store::error::constraint_field;

pub(crate) fn from_postgres(err: postgres::Error, shown: &str, lock_timeout: Duration) -> StoreError {
    let Some(db) = err.as_db_error() else {
        // A socket that failed (reset, cut) is as lost as one that closed.
        let broken_socket = std::error::Error::source(&err).is_some_and(|e| e.is::<std::io::Error>());
        if err.is_closed() || broken_socket {
            return StoreError::Unreachable {
                target: shown.to_owned(),
                detail: "the connection to the server was lost".to_owned(),
            };
        }
        return StoreError::Postgres(one_line(&err.to_string()));
    };
    let code = db.code();
    if ends_the_session(code) {
        return StoreError::Unreachable { target: shown.to_owned(), detail: one_line(db.message()) };
    }
    if *code == SqlState::LOCK_NOT_AVAILABLE {
        tracing::warn!(desk = shown, waited_s = lock_timeout.as_secs(), "gave up waiting for a lock");
        return StoreError::Busy { waited: lock_timeout };
    }
    if *code == SqlState::QUERY_CANCELED {
        return StoreError::Interrupted;
    }
    let rule_broken = [
        SqlState::CHECK_VIOLATION,
        SqlState::NOT_NULL_VIOLATION,
        SqlState::RAISE_EXCEPTION,
        SqlState::STRING_DATA_RIGHT_TRUNCATION,
    ]
    .contains(code);
    if rule_broken {
        let named = db.constraint().and_then(constraint_field).or_else(|| constraint_field(db.message()));
        if let Some(invalid) = named {
            return StoreError::Invalid(invalid);
        }
    }
    StoreError::Postgres(one_line(db.message()))
}

/// A server shutting down or ending our session (the session is gone
/// with it), or a broken connection: the desk is out of reach, not refusing.
fn ends_the_session(code: &SqlState) -> bool {
    let ending = [SqlState::ADMIN_SHUTDOWN, SqlState::CRASH_SHUTDOWN, SqlState::CANNOT_CONNECT_NOW];
    ending.contains(code) || code.code().starts_with("08")
}

/// Server text on one line (a message may hold a newline and a detail).
fn one_line(text: &str) -> String {
    crate::domain::text::sanitize_line(&text.split_whitespace().collect::<Vec<_>>().join(" ")).into_owned()
}
