//! Reading running totals into the desk's figures, the same for both
//! engines: each engine reads its rows, these shape them.

use crate::domain::Source;
use crate::domain::stats::{Outcome, SuggestionOutcomes};

/// The suggestion totals from `suggestion_counts` rows (source, field, kept,
/// changed); a row of a source or field this build does not know is ignored.
pub(crate) fn outcomes_from(
    rows: impl IntoIterator<Item = (String, String, i64, i64)>,
) -> SuggestionOutcomes {
    let mut outcomes = SuggestionOutcomes::default();
    for (source, field, kept, changed) in rows {
        let Some(source) = Source::ALL.into_iter().find(|s| s.as_str() == source) else { continue };
        let fields = outcomes.of_mut(source);
        let outcome = Outcome { kept, changed };
        match field.as_str() {
            "category" => fields.category = outcome,
            "priority" => fields.priority = outcome,
            _ => {}
        }
    }
    outcomes
}

/// `days` daily counts, oldest first, today last, from (days ago, count)
/// pairs; pairs outside the range are ignored.
pub(crate) fn series(days: u32, counts: impl IntoIterator<Item = (i64, i64)>) -> Vec<u64> {
    let mut series = vec![0u64; days.max(1) as usize];
    for (ago, count) in counts {
        if let Ok(ago) = usize::try_from(ago)
            && ago < series.len()
        {
            let at = series.len() - 1 - ago;
            series[at] = u64::try_from(count).unwrap_or(0);
        }
    }
    series
}
