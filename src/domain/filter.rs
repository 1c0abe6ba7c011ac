//! Which tickets a list shows, and where a page of them starts.

use super::search::SearchQuery;
use super::ticket::{Category, Priority, Status, Ticket};

/// Filters that combine with AND; `None` means "any".
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filter {
    pub category: Option<Category>,
    pub priority: Option<Priority>,
    pub status: Option<Status>,
    pub search: Option<SearchQuery>,
}

impl Filter {
    /// Whether a ticket passes the field filters (not the search).
    pub fn matches_fields(&self, ticket: &Ticket) -> bool {
        self.category.is_none_or(|c| c == ticket.category)
            && self.priority.is_none_or(|p| p == ticket.priority)
            && self.status.is_none_or(|s| s == ticket.status)
    }
}

/// The position just after the last ticket of a page, newest first: the next
/// page starts strictly older than `(created_at, id)`. Keyset paging costs the
/// same on page 1 and page 20,000.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cursor {
    pub created_at: String,
    pub id: i64,
}

impl Cursor {
    pub fn after(ticket: &Ticket) -> Cursor {
        Cursor { created_at: ticket.created_at.clone(), id: ticket.id }
    }

    /// Whether a ticket lies beyond this cursor in newest-first order.
    pub fn admits(&self, ticket: &Ticket) -> bool {
        (ticket.created_at.as_str(), ticket.id) < (self.created_at.as_str(), self.id)
    }
}
