//! The PostgreSQL engine: the same desk as the SQLite one, for teams whose
//! agents work from several hosts. One blocking client per desk handle, owned
//! by whoever holds it, as a SQLite connection is.

// Parts of the engine land one by one before the facade reaches them.
#![allow(dead_code)]

mod attach;
mod error;
mod import;
mod list;
mod rows;
mod search;
mod similar;

pub(crate) use error::from_postgres;

use std::time::Duration;

/// An open PostgreSQL desk.
pub struct PgDesk {
    client: postgres::Client,
    ctx: PgContext,
}

/// What an error message needs to know about the desk it came from.
pub(crate) struct PgContext {
    /// The desk's location as shown to people: never its password.
    pub shown: String,
    /// How long a write waits for another session's lock (`--busy-timeout`).
    pub lock_timeout: Duration,
    /// The OS account this process writes as (recorded in the history).
    pub actor: String,
}

impl PgContext {
    pub(crate) fn fail(&self, err: postgres::Error) -> super::StoreError {
        from_postgres(err, &self.shown, self.lock_timeout)
    }
}

impl PgDesk {
    /// Wraps a connected client whose database is already migrated.
    pub(crate) fn from_client(client: postgres::Client, ctx: PgContext) -> PgDesk {
        PgDesk { client, ctx }
    }

    pub fn shown(&self) -> &str {
        &self.ctx.shown
    }

    pub fn actor(&self) -> &str {
        &self.ctx.actor
    }
}
