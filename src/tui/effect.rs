//! What `update` asks the driver to do: plain data, carried out elsewhere.

use crate::domain::{Filter, NewTicket, Page, Status, Ticket};

#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    /// Query a window of the list; a newer generation supersedes it.
    LoadList {
        generation: u64,
        filter: Filter,
        page: Page,
        limit: usize,
        reselect: Option<i64>,
    },
    LoadStats,
    Save(NewTicket),
    SetStatus {
        id: i64,
        status: Status,
    },
    /// The description changed: classify it after the debounce (latest wins).
    Classify {
        generation: u64,
        text: String,
    },
    /// Teach the offline model a ticket the agent just filed.
    Learn(Ticket),
    Quit,
}
