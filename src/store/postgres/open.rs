//! Opening a PostgreSQL desk: connect as libpq would, bring the schema up to
//! date under the migration lock, and keep what errors and cancels need.

use std::time::Duration;

use super::{PgContext, PgDesk, PgTarget, connect, migrate};
use crate::store::StoreError;

impl PgDesk {
    /// Connects to `target`, migrates its database if needed, and returns the
    /// desk. A lock held by another session is waited for up to
    /// `lock_timeout` (the desk's busy timeout) and then refused.
    pub fn open(target: &PgTarget, lock_timeout: Duration) -> Result<PgDesk, StoreError> {
        PgDesk::open_as(target, lock_timeout, &crate::actor::current())
    }

    /// Opens like [`PgDesk::open`], writing history as `actor`.
    ///
    /// The blocking client drives its own small runtime, which cannot run on
    /// a thread already driving one (the screen opens its desks from its
    /// event loop): the opening is done on a thread of its own, and the
    /// desk comes back ready to be handed to the thread that will own it.
    pub(crate) fn open_as(
        target: &PgTarget,
        lock_timeout: Duration,
        actor: &str,
    ) -> Result<PgDesk, StoreError> {
        std::thread::scope(|scope| {
            std::thread::Builder::new()
                .name("pg-open".into())
                .spawn_scoped(scope, || open_here(target, lock_timeout, actor))
                .map_err(|e| StoreError::Unreachable { target: target.shown(), detail: e.to_string() })?
                .join()
                .unwrap_or_else(|_| {
                    Err(StoreError::Unreachable {
                        target: target.shown(),
                        detail: "opening the desk failed unexpectedly".into(),
                    })
                })
        })
    }
}

/// Connects, migrates and wraps, on the calling thread.
fn open_here(target: &PgTarget, lock_timeout: Duration, actor: &str) -> Result<PgDesk, StoreError> {
    let shown = target.shown();
    let mut client = connect::connect(target, lock_timeout).inspect_err(|e| {
        tracing::warn!(desk = %shown, error = %e, "desk not opened");
    })?;
    migrate::migrate(&mut client, &shown)?;
    let ctx = PgContext { shown, lock_timeout, actor: actor.to_owned() };
    Ok(PgDesk::from_client(client, ctx, target.clone()))
}
