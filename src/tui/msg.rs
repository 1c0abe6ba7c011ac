//! Everything that can happen to the app arrives as one of these, on one inbox.

use crossterm::event::KeyEvent;
use time::OffsetDateTime;

use super::effect::{EditTarget, Timer};
use super::model::{ClassifierStatus, Failure, StatsView};
use crate::classify::Suggestion;
use crate::domain::{Event, Page, Status, Ticket};

#[derive(Debug, Clone)]
pub enum Msg {
    Key(KeyEvent),
    Resize(u16, u16),
    /// The clock moved on (drives the ages shown in the list).
    Tick(OffsetDateTime),
    /// A timer the core started has run out.
    TimerFired(Timer),
    ListLoaded {
        generation: u64,
        page: Page,
        limit: usize,
        reselect: Option<i64>,
        result: Result<Vec<Ticket>, Failure>,
    },
    StatsLoaded(Result<StatsView, Failure>),
    /// The form's ticket was written (or refused).
    Saved(Result<Ticket, Failure>),
    /// A status or assignee change was written (or refused: a conflict says who got there first).
    Changed(Result<Ticket, ChangeRefused>),
    /// A note was added (or refused).
    Noted(Result<Event, Failure>),
    /// The sample tickets went in (how many), or were refused.
    SamplesImported(Result<u64, Failure>),
    /// A ticket and its history, for the detail view.
    DetailLoaded {
        id: i64,
        result: Result<(Ticket, Vec<Event>), Failure>,
    },
    /// Another process committed to the database (never this one's own writes).
    DatabaseChanged,
    /// This screen's commits no longer reach the file other agents see (its
    /// log was deleted or the file replaced under it): nothing more is saved.
    DeskLost(Failure),
    /// A write is waiting for (true) or got (false) the database's write lock.
    WriteBusy(bool),
    /// A server desk's server stopped answering this database thread (`lost`),
    /// or answers it again. Meanwhile it keeps trying, and keeps its job.
    ServerLost {
        worker: Worker,
        lost: bool,
    },
    Suggested {
        generation: u64,
        suggestion: Suggestion,
    },
    ClassifierHealth(ClassifierStatus),
    /// Tickets that resemble the form's draft at this generation, closest first.
    SimilarFound {
        generation: u64,
        result: Result<Vec<Ticket>, Failure>,
    },
    /// The agent's editor closed: the text it left, or `None` when it failed
    /// or left nothing (then nothing changes).
    Edited {
        target: EditTarget,
        result: Result<Option<String>, Failure>,
    },
    /// A signal asked the app to end (SIGTERM, SIGHUP: a dropped connection).
    Stop,
    /// Every ticket the list's query selects, with its version (to mark them all).
    Targets(Result<Vec<(i64, i64)>, Failure>),
    /// A change to the marked tickets went through (or was refused whole).
    BulkDone(Result<crate::store::BulkOutcome, Failure>),
    /// A view was written to the agent's config (or could not be).
    ViewSaved(Result<crate::config::views::View, String>),
    /// A background task died (a panic): the app ends and reports it.
    Fatal(String),
}

/// The database threads (see [`worker`](super::worker)).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Worker {
    Reader,
    Writer,
}

/// A status or assignee change, as the writer was given it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change {
    Status { id: i64, status: Status },
    Assign { id: i64 },
}

/// A change that did not go through, and why.
#[derive(Debug, Clone, PartialEq)]
pub struct ChangeRefused {
    pub change: Change,
    pub why: Failure,
}
