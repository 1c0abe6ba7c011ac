//! Desk-wide figures, as the store aggregates them.

use serde::Serialize;

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct PriorityBreakdown {
    pub low: i64,
    pub medium: i64,
    pub high: i64,
    pub critical: i64,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct CategoryBreakdown {
    pub billing: i64,
    pub technical: i64,
    pub account: i64,
    pub general: i64,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Stats {
    pub total_tickets: i64,
    /// Tickets whose status is `open` (not in progress).
    pub open_tickets: i64,
    /// Total divided by the calendar days (UTC) from the oldest ticket's day
    /// through today, inclusive; 0 when there are no tickets.
    pub avg_tickets_per_day: f64,
    /// Every ticket, whatever its status.
    pub priority_breakdown: PriorityBreakdown,
    /// Every ticket, whatever its status.
    pub category_breakdown: CategoryBreakdown,
}
