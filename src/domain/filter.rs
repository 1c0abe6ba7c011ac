//! Which tickets a list shows, and where a page of them starts.

use super::search::SearchQuery;
use super::ticket::{Category, Priority, Status, Ticket};

/// Filters that combine with AND; `None` means "any".
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filter {
    pub category: Option<Category>,
    pub priority: Option<Priority>,
    pub status: Option<Status>,
    pub assigned: Option<Assigned>,
    pub search: Option<SearchQuery>,
}

/// Whose tickets a list shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Assigned {
    To(String),
    Nobody,
}

impl Filter {
    /// Whether a ticket passes the field filters (not the search).
    pub fn matches_fields(&self, ticket: &Ticket) -> bool {
        self.category.is_none_or(|c| c == ticket.category)
            && self.priority.is_none_or(|p| p == ticket.priority)
            && self.status.is_none_or(|s| s == ticket.status)
            && self.assigned.as_ref().is_none_or(|a| match a {
                Assigned::To(who) => ticket.assignee.as_deref() == Some(who.as_str()),
                Assigned::Nobody => ticket.assignee.is_none(),
            })
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

    /// Whether a ticket lies beyond this cursor, walking in `direction`.
    pub fn admits(&self, direction: Direction, ticket: &Ticket) -> bool {
        let here = (ticket.created_at.as_str(), ticket.id);
        let cursor = (self.created_at.as_str(), self.id);
        match direction {
            Direction::Older => here < cursor,
            Direction::Newer => here > cursor,
        }
    }
}

/// Which way a page of the newest-first list walks from its start.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// Newest first (the list's own order).
    Older,
    /// Oldest first; pages read this way are turned round before they are shown.
    Newer,
}

/// Where a page of the list starts. Every page comes back newest first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Page {
    /// The newest matching tickets.
    Newest,
    /// The oldest matching tickets.
    Oldest,
    /// Tickets just older than the cursor.
    Older(Cursor),
    /// Tickets just newer than the cursor.
    Newer(Cursor),
}

impl Page {
    pub fn direction(&self) -> Direction {
        match self {
            Page::Newest | Page::Older(_) => Direction::Older,
            Page::Oldest | Page::Newer(_) => Direction::Newer,
        }
    }

    pub fn cursor(&self) -> Option<&Cursor> {
        match self {
            Page::Older(c) | Page::Newer(c) => Some(c),
            Page::Newest | Page::Oldest => None,
        }
    }
}
