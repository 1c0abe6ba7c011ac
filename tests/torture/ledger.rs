//! Every write a process acknowledged (a CLI command that exited 0 and
//! printed the ticket, a screen that showed `Saved #N` or `#N is now …`),
//! what it should have left in the database, and the run's tallies.

use serde::Deserialize;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Mutex;
use std::time::Duration;

/// A ticket's columns that writes change, as `--json` prints them and as the
/// verifier reads them back.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct TicketState {
    pub id: i64,
    pub title: String,
    pub description: String,
    pub category: String,
    pub priority: String,
    pub status: String,
    pub assignee: Option<String>,
    pub version: i64,
}

/// A history row a write must have left: (ticket, field, new value).
pub type EventKey = (i64, String, String);

/// What one write leaves behind: the ticket as it now is (none for a note)
/// and the history rows it added.
#[derive(Debug, Clone)]
pub struct Change {
    pub ticket_id: i64,
    pub ticket: Option<TicketState>,
    pub events: Vec<(&'static str, String)>,
}

impl Change {
    /// A new ticket: its `created`, category and priority events.
    pub fn created(ticket: TicketState) -> Change {
        let events = vec![
            ("created", ticket.title.clone()),
            ("category", ticket.category.clone()),
            ("priority", ticket.priority.clone()),
        ];
        Change { ticket_id: ticket.id, ticket: Some(ticket), events }
    }
}

impl Change {
    /// An imported ticket: its history starts with one `created` event.
    pub fn imported(ticket: TicketState) -> Change {
        Change { ticket_id: ticket.id, events: vec![("created", ticket.title.clone())], ticket: Some(ticket) }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Via {
    Cli,
    Screen,
}

/// Counts for the report.
#[derive(Debug, Clone, Default)]
pub struct Tally {
    pub acked_cli: usize,
    pub acked_screen: usize,
    /// Kills whose process really died of SIGKILL while it ran.
    pub kills_cli: usize,
    pub kills_screen: usize,
    /// Kills that came after the process had already finished.
    pub kills_late: usize,
    /// Writes in flight when their process was killed, and how many of them
    /// turned out to have committed.
    pub uncertain: usize,
    pub uncertain_committed: usize,
    pub imported_rows: usize,
    /// From the start of each acknowledged write to its acknowledgement.
    pub latencies: Vec<Duration>,
}

/// What the database must show: the acknowledged state of every ticket and
/// how many times each history row was acknowledged.
#[derive(Debug, Clone, Default)]
pub struct Snapshot {
    pub tickets: BTreeMap<i64, TicketState>,
    pub events: BTreeMap<EventKey, usize>,
    /// Tickets with a write under way, or left unknown by an actor that gave
    /// up: they may be one write past their acknowledged state.
    pub pending: BTreeSet<i64>,
}

impl Snapshot {
    fn apply(&mut self, change: &Change) {
        self.pending.remove(&change.ticket_id);
        if let Some(ticket) = &change.ticket {
            self.tickets.insert(change.ticket_id, ticket.clone());
        }
        for (field, value) in &change.events {
            *self.events.entry((change.ticket_id, (*field).to_owned(), value.clone())).or_default() += 1;
        }
    }
}

#[derive(Default)]
pub struct Ledger {
    inner: Mutex<(Snapshot, Tally)>,
}

impl Ledger {
    fn with<T>(&self, f: impl FnOnce(&mut Snapshot, &mut Tally) -> T) -> T {
        // A panicking actor is reported by its join; its ledger entries stand.
        let mut guard = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        let (snapshot, tally) = &mut *guard;
        f(snapshot, tally)
    }

    /// An acknowledged write.
    pub fn ack(&self, via: Via, change: &Change, latency: Duration) {
        self.ack_all(via, std::slice::from_ref(change), latency);
    }

    /// One acknowledged write that changed many tickets (an import).
    pub fn ack_all(&self, via: Via, changes: &[Change], latency: Duration) {
        self.with(|snapshot, tally| {
            changes.iter().for_each(|change| snapshot.apply(change));
            match via {
                Via::Cli => tally.acked_cli += 1,
                Via::Screen => tally.acked_screen += 1,
            }
            tally.latencies.push(latency);
        });
    }

    /// A write to ticket `id` starts; its ack or resolution ends it.
    pub fn begin(&self, id: i64) {
        self.with(|snapshot, _| snapshot.pending.insert(id));
    }

    /// A write to ticket `id` (`None`: a new ticket) whose process was killed
    /// in flight: found committed (`Some`) or not (`None`) once its owner looked.
    pub fn resolve(&self, id: Option<i64>, committed: Option<&Change>) {
        self.with(|snapshot, tally| {
            id.map(|id| snapshot.pending.remove(&id));
            tally.uncertain += 1;
            if let Some(change) = committed {
                tally.uncertain_committed += 1;
                snapshot.apply(change);
            }
        });
    }

    /// A kill: `landed` when the process died of it while running.
    pub fn killed(&self, via: Via, landed: bool) {
        self.with(|_, tally| match (landed, via) {
            (false, _) => tally.kills_late += 1,
            (true, Via::Cli) => tally.kills_cli += 1,
            (true, Via::Screen) => tally.kills_screen += 1,
        });
    }

    pub fn imported(&self, rows: usize) {
        self.with(|_, tally| tally.imported_rows += rows);
    }

    pub fn snapshot(&self) -> Snapshot {
        self.with(|snapshot, _| snapshot.clone())
    }

    pub fn tally(&self) -> Tally {
        self.with(|_, tally| tally.clone())
    }

    /// A random acknowledged ticket, for readers.
    pub fn any_ticket(&self, rng: &mut fastrand::Rng) -> Option<TicketState> {
        self.with(|snapshot, _| {
            let n = snapshot.tickets.len();
            (n > 0).then(|| snapshot.tickets.values().nth(rng.usize(..n)).cloned()).flatten()
        })
    }
}
