//! A desk opened as a named agent: for tests and tools that play several
//! agents in one process (an agent's own desk is opened by its URL, as
//! whoever runs the program).

use std::time::Duration;

use super::{PgDesk, PgEnv, PgTarget};
use crate::store::StoreError;

impl PgDesk {
    /// Opens the desk at `url` (read as [`PgTarget::parse`] reads it, with no
    /// `PG*` variables), writing history as `actor`.
    #[doc(hidden)]
    pub fn attach(url: &str, lock_timeout: Duration, actor: &str) -> Result<PgDesk, StoreError> {
        let target = PgTarget::parse(url, &PgEnv::default())?;
        PgDesk::open_as(&target, lock_timeout, actor)
    }
}
