//! The PostgreSQL engine: the same desk as the SQLite one, for teams whose
//! agents work from several hosts. One blocking client per desk handle, owned
//! by whoever holds it, as a SQLite connection is.

mod attach;
mod bulk;
mod check;
mod connect;
mod copy;
mod error;
mod events;
mod files;
mod import;
mod interrupt;
mod list;
mod migrate;
mod open;
mod pgpass;
mod roles;
mod rows;
mod search;
mod similar;
mod stats;
mod target;
#[cfg(test)]
#[path = "../../../tests/common/postgres.rs"]
mod test_server;
mod tickets;
mod tls;
mod watch;

pub(crate) use error::from_postgres;

pub use connect::connect;
pub use interrupt::PgInterrupt;
pub use roles::RolesReport;
pub use target::{
    DEFAULT_CONNECT_TIMEOUT, DEFAULT_SOCKET_DIR, Password, PgEnv, PgHost, PgTarget, RootCert, SslMode,
    is_postgres_url,
};

use std::time::Duration;

/// An open PostgreSQL desk.
pub struct PgDesk {
    client: postgres::Client,
    ctx: PgContext,
    /// Where it is, for the cancel requests that need a connection of their own.
    target: PgTarget,
    /// This session's server process, once it listens for others' commits.
    listening: Option<i32>,
    /// The shares of tickets holding the desk's most common words, as the
    /// server's statistics last said (see [`similar`]), and when they were read.
    word_shares: Option<similar::WordShares>,
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
    pub(crate) fn from_client(client: postgres::Client, ctx: PgContext, target: PgTarget) -> PgDesk {
        PgDesk { client, ctx, target, listening: None, word_shares: None }
    }

    /// How long a write waits for another session's lock.
    pub fn lock_timeout(&self) -> Duration {
        self.ctx.lock_timeout
    }

    pub fn shown(&self) -> &str {
        &self.ctx.shown
    }

    pub fn actor(&self) -> &str {
        &self.ctx.actor
    }
}
