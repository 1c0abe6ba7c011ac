//! A desk on a connection someone already made.

use super::{PgContext, PgDesk};

impl PgDesk {
    /// The desk in the database `client` is connected to, whose schema is
    /// already in place, writing history as `actor`. For tests and tools
    /// holding their own connection; agents open a desk by its URL.
    #[doc(hidden)]
    pub fn attach(client: postgres::Client, actor: &str) -> PgDesk {
        PgDesk::from_client(
            client,
            PgContext {
                shown: "the PostgreSQL desk".to_owned(),
                lock_timeout: crate::store::DEFAULT_BUSY_TIMEOUT,
                actor: actor.to_owned(),
            },
        )
    }
}
