//! A desk on a client someone already connected (tests, tools holding a
//! session of their own); opening by URL is the connection module's job.

use std::time::Duration;

use super::{PgContext, PgDesk};
use crate::store::StoreError;

impl PgDesk {
    /// Brings `client`'s database up to date as a desk (see [`super::migrate`])
    /// and wraps it, writing history as `actor` and giving up on another
    /// session's lock after `lock_timeout` (set on the session here).
    #[doc(hidden)]
    pub fn attach(
        mut client: postgres::Client,
        shown: &str,
        lock_timeout: Duration,
        actor: &str,
    ) -> Result<PgDesk, StoreError> {
        let ctx = PgContext { shown: shown.to_owned(), lock_timeout, actor: actor.to_owned() };
        let ms = lock_timeout.as_millis().clamp(1, i32::MAX as u128);
        client.batch_execute(&format!("SET lock_timeout = {ms}")).map_err(|e| ctx.fail(e))?;
        super::migrate::migrate(&mut client, shown)?;
        Ok(PgDesk::from_client(client, ctx))
    }
}
