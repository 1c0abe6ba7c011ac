//! What `update` asks the driver to do: plain data, carried out elsewhere.

use super::draft::Draft;
use crate::domain::{Filter, NewTicket, Origins, Page, Status, Ticket};

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
    /// Write a new ticket; `origins` says which values came from a suggestion.
    Save(NewTicket, Origins),
    /// Change a status, if the ticket is still at `version`.
    SetStatus {
        id: i64,
        status: Status,
        version: i64,
    },
    /// Give a ticket to someone (or nobody), if it is still at `version`.
    Assign {
        id: i64,
        assignee: Option<String>,
        version: i64,
    },
    /// Append an internal note.
    Note {
        id: i64,
        text: String,
    },
    /// Load a ticket and its history for the detail view.
    LoadDetail(i64),
    /// Keep the half-typed form safe on disk (`None`: there is none any more).
    SaveDraft(Option<Draft>),
    /// The description changed: classify it after the debounce (latest wins).
    Classify {
        generation: u64,
        text: String,
    },
    /// Teach the offline model a ticket the agent just filed.
    Learn(Ticket),
    Quit,
}

impl Effect {
    /// Whether carrying this out writes to the shared database.
    pub fn writes(&self) -> bool {
        matches!(
            self,
            Effect::Save(..) | Effect::SetStatus { .. } | Effect::Assign { .. } | Effect::Note { .. }
        )
    }
}
