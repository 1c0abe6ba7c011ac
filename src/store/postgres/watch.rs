//! Hearing other agents' commits without polling the database: the schema
//! notifies `ticketdesk_changes` after every statement that writes tickets
//! or history, and a session that listens receives it once the writer
//! commits.

use postgres::fallible_iterator::FallibleIterator;

use super::PgDesk;
use crate::store::StoreError;

/// How long a look for notifications may wait for the socket.
const LOOK: std::time::Duration = std::time::Duration::from_millis(1);

/// The channel the schema's triggers notify.
const CHANNEL: &str = "ticketdesk_changes";

impl PgDesk {
    /// Whether another session committed since the last call. The first call
    /// starts listening and, having nothing to compare with, says yes. This
    /// session's own commits are not news. Reads only what the server has
    /// already sent: no query, no round trip.
    pub fn others_committed(&mut self) -> Result<bool, StoreError> {
        let Some(own) = self.listening else {
            let ctx = &self.ctx;
            self.client.batch_execute(&format!("LISTEN {CHANNEL}")).map_err(|e| ctx.fail(e))?;
            let pid: i32 =
                self.client.query_one("SELECT pg_backend_pid()", &[]).map_err(|e| ctx.fail(e))?.get(0);
            self.listening = Some(pid);
            return Ok(true);
        };
        let mut news = false;
        let mut pending = self.client.notifications();
        // A look that never waits never lets the client read its socket: a
        // millisecond lets it take in what the server has already sent.
        let mut iter = pending.timeout_iter(LOOK);
        while let Some(note) = iter.next().map_err(|e| self.ctx.fail(e))? {
            news |= note.process_id() != own;
        }
        Ok(news)
    }
}
