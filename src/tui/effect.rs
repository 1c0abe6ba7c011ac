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
    /// Load the built-in sample tickets into the (empty) desk.
    ImportSamples,
    /// Load a ticket and its history for the detail view.
    LoadDetail(i64),
    /// Keep the half-typed form safe on disk (`None`: there is none any more).
    SaveDraft(Option<Draft>),
    /// Start a timer; one of the same kind still running is replaced. It
    /// comes back as `Msg::TimerFired`.
    StartTimer(Timer),
    /// Stop the timer of this kind, if one runs.
    StopTimer(TimerKind),
    /// Classify this text now. Latest wins: a classification still running
    /// for an older generation is aborted.
    Classify {
        generation: u64,
        text: String,
    },
    /// Abort the classification running, if any: its text changed.
    CancelClassify,
    /// Teach the offline model a ticket the agent just filed.
    Learn(Ticket),
    /// Find every ticket the filter selects, to mark them all.
    MarkAll(Filter),
    /// One change to many tickets, each at the version the agent saw.
    Bulk {
        targets: Vec<(i64, i64)>,
        change: crate::store::BulkChange,
    },
    /// Write `[views.NAME] query = "…"` to the agent's config file.
    SaveView {
        name: String,
        query: String,
    },
    /// Look for open or recent tickets that resemble the draft. Latest wins:
    /// an answer for an older generation is dropped.
    FindSimilar {
        generation: u64,
        text: String,
    },
    /// Open the agent's own editor on `text`, the screen stepping aside
    /// meanwhile; what the editor leaves comes back as `Msg::Edited`.
    Edit {
        target: EditTarget,
        text: String,
    },
    Quit,
}

/// What the agent's editor is writing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EditTarget {
    /// The form's description, as it was at this generation.
    Description { generation: u64 },
    /// A note on this ticket (the title is for the editor's instructions).
    Note { id: i64, title: String },
}

impl Effect {
    /// Whether carrying this out writes to the shared database.
    pub fn writes(&self) -> bool {
        matches!(
            self,
            Effect::Save(..)
                | Effect::SetStatus { .. }
                | Effect::Assign { .. }
                | Effect::Note { .. }
                | Effect::Bulk { .. }
                | Effect::ImportSamples
        )
    }
}

/// A timer the core sets. How long each kind runs is the driver's setting.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Timer {
    /// The description has been still for the pause (`debounce_ms`): time to
    /// classify this generation of it.
    Pause { generation: u64 },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TimerKind {
    Pause,
}

impl Timer {
    pub fn kind(self) -> TimerKind {
        match self {
            Timer::Pause { .. } => TimerKind::Pause,
        }
    }
}
