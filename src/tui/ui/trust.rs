//! How far suggestions are trusted: per source, how often the agent kept a
//! suggested category or priority, and whether the local model keeps up
//! with Claude on this desk's own tickets.
//!
//! ```text
//! Suggestions kept  category      priority
//!   claude          84% of 412    72% of 412
//!   local           81% of 230    70% of 230
//! local keeps up: category 81% vs claude 84%
//! ```

use ratatui::text::{Line, Span};

use super::fit;
use super::theme::Theme;
use crate::domain::stats::{FieldOutcomes, Outcome, Standing, SuggestionOutcomes};

/// Cells for the first column ("Suggestions kept" and a gap).
const FIRST: usize = 18;
/// Cells for the category column.
const COLUMN: usize = 14;

/// The block's lines, most important first; none before any ticket was
/// saved with a suggestion.
pub fn lines(outcomes: &SuggestionOutcomes, theme: Theme) -> Vec<Line<'static>> {
    let sources = [("claude", &outcomes.claude), ("local", &outcomes.local)];
    if sources.iter().all(|(_, fields)| untouched(fields)) {
        return Vec::new();
    }
    let mut lines = vec![Line::from(vec![
        Span::styled(fit::pad("Suggestions kept", FIRST), theme.heading()),
        Span::styled(fit::pad("category", COLUMN), theme.dim()),
        Span::styled("priority", theme.dim()),
    ])];
    for (source, fields) in sources {
        lines.push(Line::from(vec![
            Span::raw(fit::pad(&format!("  {source}"), FIRST)),
            Span::styled(fit::pad(&share(fields.category), COLUMN), theme.bold()),
            Span::styled(share(fields.priority), theme.bold()),
        ]));
    }
    lines.extend(standing(outcomes, theme));
    lines
}

fn untouched(fields: &FieldOutcomes) -> bool {
    fields.category.kept_percent().is_none() && fields.priority.kept_percent().is_none()
}

/// "84% of 412": the share kept, of the tickets saved with such a suggestion.
fn share(outcome: Outcome) -> String {
    match outcome.kept_percent() {
        Some(percent) => format!("{percent}% of {}", outcome.kept + outcome.changed),
        None => "—".to_owned(),
    }
}

/// The verdict on the local model, once both sources have a record.
fn standing(outcomes: &SuggestionOutcomes, theme: Theme) -> Option<Line<'static>> {
    let (text, style) = match outcomes.local_vs_claude()? {
        Standing::TooFew => (
            format!("too few yet to compare local with claude ({} each)", SuggestionOutcomes::ENOUGH),
            theme.dim(),
        ),
        Standing::KeepsUp { closest: gap } => (
            format!("local keeps up: {} {}% vs claude {}%", gap.field.as_str(), gap.local, gap.claude),
            theme.success(),
        ),
        Standing::Trails { widest: gap } => (
            format!("local trails: {} {}% vs claude {}%", gap.field.as_str(), gap.local, gap.claude),
            theme.warning(),
        ),
    };
    Some(Line::styled(text, style))
}
