//! Stopping a query running on another thread: a cancel request on a
//! connection of its own, as libpq's `PQcancel` sends.

use postgres::CancelToken;

use super::tls::{PgTls, Trust};
use super::{PgDesk, PgTarget};

/// Cancels whatever the desk's session is running when asked.
pub struct PgInterrupt {
    token: CancelToken,
    target: PgTarget,
}

impl PgDesk {
    pub fn interrupt_handle(&self) -> PgInterrupt {
        PgInterrupt { token: self.client.cancel_token(), target: self.target.clone() }
    }
}

impl PgInterrupt {
    /// Sends the cancel request without waiting for it (the caller may be
    /// the screen's own thread). A request that fails changes nothing: the
    /// query then simply finishes.
    pub fn interrupt(&self) {
        let (token, target) = (self.token.clone(), self.target.clone());
        let sent = std::thread::Builder::new().name("pg-cancel".into()).spawn(move || {
            let root = target.sslrootcert.as_ref();
            let outcome = match PgTls::new(Trust::of(target.sslmode, root), root) {
                Ok(tls) => token.cancel_query(tls).map_err(|e| e.to_string()),
                Err(e) => Err(e),
            };
            if let Err(e) = outcome {
                tracing::debug!(desk = %target.shown(), error = %e, "a cancel request failed");
            }
        });
        if let Err(e) = sent {
            tracing::debug!(error = %e, "no thread for a cancel request");
        }
    }
}
