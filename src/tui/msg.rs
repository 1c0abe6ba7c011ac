//! Everything that can happen to the app arrives as one of these, on one inbox.

use crossterm::event::KeyEvent;
use time::OffsetDateTime;

use super::model::{ClassifierStatus, StatsView};
use crate::classify::Suggestion;
use crate::domain::Page;
use crate::domain::{Event, Ticket};

#[derive(Debug, Clone)]
pub enum Msg {
    Key(KeyEvent),
    Resize(u16, u16),
    /// The clock moved on (drives the ages shown in the list).
    Tick(OffsetDateTime),
    ListLoaded {
        generation: u64,
        page: Page,
        limit: usize,
        reselect: Option<i64>,
        result: Result<Vec<Ticket>, String>,
    },
    StatsLoaded(Result<StatsView, String>),
    /// The form's ticket was written (or refused).
    Saved(Result<Ticket, String>),
    /// A status or assignee change was written (or refused: a conflict says who got there first).
    Changed(Result<Ticket, String>),
    /// A note was added (or refused).
    Noted(Result<Event, String>),
    /// A ticket and its history, for the detail view.
    DetailLoaded {
        id: i64,
        result: Result<(Ticket, Vec<Event>), String>,
    },
    /// Another process committed to the database.
    DatabaseChanged,
    /// This screen's commits no longer reach the file other agents see (its
    /// log was deleted or the file replaced under it): nothing more is saved.
    DeskLost(String),
    /// A write is waiting for (true) or got (false) the database's write lock.
    WriteBusy(bool),
    Suggested {
        generation: u64,
        suggestion: Suggestion,
    },
    ClassifierHealth(ClassifierStatus),
    /// A background task died (a panic): the app ends and reports it.
    Fatal(String),
}
