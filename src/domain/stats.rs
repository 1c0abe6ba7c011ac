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
    /// How often each source's suggestions are still on the tickets they were made for.
    pub suggestions: SuggestionOutcomes,
}

/// Per source, per field: tickets saved with a suggestion that still carry
/// the suggested value (`kept`), and those that do not (`changed`: overridden
/// before saving, or edited since).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct SuggestionOutcomes {
    pub claude: FieldOutcomes,
    pub local: FieldOutcomes,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct FieldOutcomes {
    pub category: Outcome,
    pub priority: Outcome,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Outcome {
    pub kept: i64,
    pub changed: i64,
}

impl Outcome {
    /// The share kept, in percent, once there is anything to count.
    pub fn kept_percent(self) -> Option<i64> {
        let total = self.kept + self.changed;
        (total > 0).then(|| (self.kept * 100 + total / 2) / total)
    }
}

impl SuggestionOutcomes {
    pub fn of_mut(&mut self, source: super::Source) -> &mut FieldOutcomes {
        match source {
            super::Source::Claude => &mut self.claude,
            super::Source::Local => &mut self.local,
        }
    }
}
