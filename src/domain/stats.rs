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

/// The fields a suggestion fills.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SuggestedField {
    Category,
    Priority,
}

impl SuggestedField {
    pub fn as_str(self) -> &'static str {
        match self {
            SuggestedField::Category => "category",
            SuggestedField::Priority => "priority",
        }
    }
}

/// How often the local model's suggestions are kept beside Claude's, on
/// this desk's own tickets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Standing {
    /// One of the counts is below [`SuggestionOutcomes::ENOUGH`]: too early to say.
    TooFew,
    /// Kept within [`SuggestionOutcomes::KEEPS_UP_POINTS`] of Claude, or
    /// more often, on both fields; `closest` is the field where it is furthest behind.
    KeepsUp { closest: Gap },
    /// Further behind than that on `widest`, the field where the gap is widest.
    Trails { widest: Gap },
}

/// The share of suggestions kept for one field, in percent, per source.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Gap {
    pub field: SuggestedField,
    pub local: i64,
    pub claude: i64,
}

impl SuggestionOutcomes {
    /// Suggestions per source and field needed before the two are compared.
    pub const ENOUGH: i64 = 20;
    /// How many points below Claude's share the local model may be kept and
    /// still count as keeping up.
    pub const KEEPS_UP_POINTS: i64 = 5;

    /// The local model beside Claude; `None` until both have had a
    /// suggestion kept or changed.
    pub fn local_vs_claude(&self) -> Option<Standing> {
        let fields = [
            (SuggestedField::Category, self.local.category, self.claude.category),
            (SuggestedField::Priority, self.local.priority, self.claude.priority),
        ];
        let count = |o: Outcome| o.kept + o.changed;
        let seen = |pick: fn(&(SuggestedField, Outcome, Outcome)) -> Outcome| {
            fields.iter().map(pick).any(|o| count(o) > 0)
        };
        if !seen(|f| f.1) || !seen(|f| f.2) {
            return None;
        }
        if fields.iter().any(|(_, local, claude)| count(*local).min(count(*claude)) < Self::ENOUGH) {
            return Some(Standing::TooFew);
        }
        let widest = fields
            .iter()
            .filter_map(|(field, local, claude)| {
                Some(Gap { field: *field, local: local.kept_percent()?, claude: claude.kept_percent()? })
            })
            .max_by_key(|gap| gap.claude - gap.local)?;
        Some(if widest.claude - widest.local <= Self::KEEPS_UP_POINTS {
            Standing::KeepsUp { closest: widest }
        } else {
            Standing::Trails { widest }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn outcomes(local: [(i64, i64); 2], claude: [(i64, i64); 2]) -> SuggestionOutcomes {
        let fields = |[(ck, cc), (pk, pc)]: [(i64, i64); 2]| FieldOutcomes {
            category: Outcome { kept: ck, changed: cc },
            priority: Outcome { kept: pk, changed: pc },
        };
        SuggestionOutcomes { claude: fields(claude), local: fields(local) }
    }

    #[test]
    fn local_keeps_up_within_five_points_on_both_fields_and_names_the_closer_call() {
        let o = outcomes([(81, 19), (70, 30)], [(84, 16), (72, 28)]);
        let gap = Gap { field: SuggestedField::Category, local: 81, claude: 84 };
        assert_eq!(o.local_vs_claude(), Some(Standing::KeepsUp { closest: gap }));
        // Better than Claude keeps up too.
        let o = outcomes([(90, 10), (90, 10)], [(80, 20), (80, 20)]);
        assert!(matches!(o.local_vs_claude(), Some(Standing::KeepsUp { .. })));
    }

    #[test]
    fn local_trails_on_the_field_with_the_widest_gap() {
        let o = outcomes([(82, 18), (55, 45)], [(84, 16), (78, 22)]);
        let gap = Gap { field: SuggestedField::Priority, local: 55, claude: 78 };
        assert_eq!(o.local_vs_claude(), Some(Standing::Trails { widest: gap }));
    }

    #[test]
    fn too_few_or_nothing_to_compare() {
        let o = outcomes([(10, 5), (12, 3)], [(84, 16), (72, 28)]);
        assert_eq!(o.local_vs_claude(), Some(Standing::TooFew));
        assert_eq!(outcomes([(0, 0), (0, 0)], [(84, 16), (72, 28)]).local_vs_claude(), None);
        assert_eq!(SuggestionOutcomes::default().local_vs_claude(), None);
    }
}
