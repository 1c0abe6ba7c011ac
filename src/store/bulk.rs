//! One change to many tickets at once: one transaction, one history event
//! per ticket, each ticket checked against the version its agent saw. A
//! ticket someone else changed meanwhile is skipped and named; the rest are
//! applied.

use super::StoreError;
use crate::domain::change::Change;
use crate::domain::{Category, Priority, Status, TicketEdit};

/// The most tickets one change may touch: enough for any cleanup, small
/// enough that the write lock is held for well under a second.
pub const BULK_MAX: usize = 10_000;

/// What to do to every ticket.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BulkChange {
    Status(Status),
    Category(Category),
    Priority(Priority),
    /// To an account, or (`None`) to nobody.
    Assignee(Option<String>),
}

/// How a bulk change went, ticket by ticket.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BulkOutcome {
    /// Changed now.
    pub changed: Vec<i64>,
    /// Already as asked: nothing to write.
    pub already: Vec<i64>,
    /// Left alone, and why.
    pub skipped: Vec<Skipped>,
}

/// A ticket a bulk change left alone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Skipped {
    /// Someone changed it after the agent saw it.
    Changed { id: i64, by: String, at: String },
    /// It no longer exists.
    Gone(i64),
}

impl Skipped {
    pub fn id(&self) -> i64 {
        match self {
            Skipped::Changed { id, .. } | Skipped::Gone(id) => *id,
        }
    }
}

impl std::fmt::Display for Skipped {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Skipped::Changed { id, by, at } => {
                write!(
                    f,
                    "#{id} was changed by {} {}",
                    crate::domain::text::sanitize_line(by),
                    crate::store::error::ago(at)
                )
            }
            Skipped::Gone(id) => write!(f, "#{id} no longer exists"),
        }
    }
}

impl BulkChange {
    /// The fields this change sets, as an edit (empty for an assignment).
    pub(crate) fn as_edit(&self) -> TicketEdit {
        match self {
            BulkChange::Status(status) => TicketEdit { status: Some(*status), ..TicketEdit::default() },
            BulkChange::Category(category) => {
                TicketEdit { category: Some(*category), ..TicketEdit::default() }
            }
            BulkChange::Priority(priority) => {
                TicketEdit { priority: Some(*priority), ..TicketEdit::default() }
            }
            BulkChange::Assignee(_) => TicketEdit::default(),
        }
    }

    /// The same change for one ticket; `edit` is [`BulkChange::as_edit`]'s.
    pub(crate) fn for_one<'a>(&'a self, edit: &'a TicketEdit) -> Change<'a> {
        match self {
            BulkChange::Assignee(who) => Change::Assignee(who.as_deref()),
            _ => Change::Fields(edit),
        }
    }
}

/// Refuses more than [`BULK_MAX`] tickets, before anything is touched.
pub(crate) fn check_size(targets: &[(i64, i64)]) -> Result<(), StoreError> {
    match targets.len() {
        asked if asked > BULK_MAX => Err(StoreError::TooMany { asked, max: BULK_MAX }),
        _ => Ok(()),
    }
}

impl BulkOutcome {
    /// Files how one ticket went (`Ok(changed)`): a ticket changed meanwhile
    /// or gone is skipped and named; any other failure ends the whole change.
    pub(crate) fn record(&mut self, id: i64, result: Result<bool, StoreError>) -> Result<(), StoreError> {
        match result {
            Ok(true) => self.changed.push(id),
            Ok(false) => self.already.push(id),
            Err(StoreError::Conflict { by, at, .. }) => self.skipped.push(Skipped::Changed { id, by, at }),
            Err(StoreError::NotFound(_)) => self.skipped.push(Skipped::Gone(id)),
            Err(other) => return Err(other),
        }
        Ok(())
    }
}
