//! Hearing other agents' commits without polling the database: the schema
//! notifies `ticketdesk_changes` after every statement that writes tickets
//! or history, and a session that listens receives it once the writer
//! commits.

use std::time::Duration;

use postgres::fallible_iterator::FallibleIterator;

use super::PgDesk;
use crate::store::StoreError;

/// The channel the schema's triggers notify.
const CHANNEL: &str = "ticketdesk_changes";

/// How long a look at the socket waits for what the server already sent.
const SOCKET_LOOK: Duration = Duration::from_millis(1);

impl PgDesk {
    /// Whether another session committed since the last call. The first call
    /// starts listening and, having nothing to compare with, says yes. This
    /// session's own commits are not news. Reads only what the server has
    /// already sent: no round trip, and a wait of a millisecond at most.
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
        {
            let mut pending = self.client.notifications();
            // The plain iterator only reads what the client's runtime already
            // knows is waiting, and that runtime learns of new bytes on the
            // socket only while it waits: so wait, a moment.
            let mut iter = pending.timeout_iter(SOCKET_LOOK);
            while let Some(note) = iter.next().map_err(|e| self.ctx.fail(e))? {
                news |= note.process_id() != own;
            }
        }
        // A server gone without a word (killed, or the network cut) only
        // closes the socket: reading it ends quietly, but the client knows.
        if self.client.is_closed() {
            let detail = "the connection to the server was lost".to_owned();
            return Err(StoreError::Unreachable { target: self.ctx.shown.clone(), detail });
        }
        Ok(news)
    }
}
