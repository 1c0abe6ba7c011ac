//! How many terminal cells text takes, and cutting text to fit. Widths are
//! unicode-width's; cuts fall between grapheme clusters, never inside one:
//! half an emoji sequence would leave a stray joiner or skin tone, which
//! terminals draw at widths of their own.

use std::borrow::Cow;
use unicode_segmentation::UnicodeSegmentation;
use unicode_width::UnicodeWidthStr;

pub const ELLIPSIS: &str = "…";

/// Display width in terminal cells.
pub fn width(text: &str) -> usize {
    UnicodeWidthStr::width(text)
}

/// The longest start of `text` no wider than `max` cells.
pub fn fit_start(text: &str, max: usize) -> &str {
    let mut end = 0;
    let mut used = 0;
    for (at, cluster) in text.grapheme_indices(true) {
        used += width(cluster);
        if used > max {
            break;
        }
        end = at + cluster.len();
    }
    // A few ligatures make a string narrower than its clusters added up, none
    // wider, so this rarely runs; it makes the bound hold whatever the rules.
    let mut start = &text[..end];
    while width(start) > max {
        start = drop_last_cluster(start);
    }
    // A joiner ends the cluster it follows; cut there, it would join nothing.
    start.trim_end_matches([ZWJ, ZWNJ])
}

const ZWJ: char = '\u{200d}';
const ZWNJ: char = '\u{200c}';

/// The longest end of `text` no wider than `max` cells.
pub fn fit_end(text: &str, max: usize) -> &str {
    let mut start = text.len();
    let mut used = 0;
    for (at, cluster) in text.grapheme_indices(true).rev() {
        used += width(cluster);
        if used > max {
            break;
        }
        start = at;
    }
    let mut end = &text[start..];
    while width(end) > max {
        end = drop_first_cluster(end);
    }
    end
}

fn drop_last_cluster(text: &str) -> &str {
    text.grapheme_indices(true).next_back().map_or("", |(at, _)| &text[..at])
}

fn drop_first_cluster(text: &str) -> &str {
    text.graphemes(true).next().map_or("", |first| &text[first.len()..])
}

/// `text` cut to at most `max` cells, ending in "…" when anything was cut
/// (nothing at all if `max` is 0).
pub fn truncate(text: &str, max: usize) -> Cow<'_, str> {
    if width(text) <= max {
        return Cow::Borrowed(text);
    }
    match max.checked_sub(1) {
        Some(room) => Cow::Owned(format!("{}{ELLIPSIS}", fit_start(text, room))),
        None => Cow::Borrowed(""),
    }
}

/// `text` cut from the left to at most `max` cells, starting with "…" when
/// cut (for paths, whose end says the most).
pub fn truncate_left(text: &str, max: usize) -> Cow<'_, str> {
    if width(text) <= max {
        return Cow::Borrowed(text);
    }
    match max.checked_sub(1) {
        Some(room) => Cow::Owned(format!("{ELLIPSIS}{}", fit_end(text, room))),
        None => Cow::Borrowed(""),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::text::sanitize_line;
    use proptest::prelude::*;

    #[test]
    fn cuts_count_cells_not_chars() {
        assert_eq!(truncate("abcdef", 6), "abcdef");
        assert_eq!(truncate("abcdef", 4), "abc…");
        assert_eq!(truncate("漢字漢字", 5), "漢字…");
        assert_eq!(truncate("abc", 0), "");
        assert_eq!(truncate_left("~/data/tickets.db", 12), "…/tickets.db");
        assert_eq!(truncate_left("漢字漢字", 4), "…字");
    }

    #[test]
    fn sequences_are_kept_whole() {
        // Two cells each, though made of several chars.
        let coder = "👩\u{200d}💻";
        let heart = "❤\u{fe0f}";
        assert_eq!(width(coder), 2);
        assert_eq!(width(heart), 2);
        assert_eq!(truncate(&format!("{coder}{coder}{coder}"), 5), format!("{coder}{coder}…"));
        assert_eq!(truncate(&format!("{coder}{coder}"), 3), format!("{coder}…"));
        assert_eq!(truncate(&format!("a{heart}b"), 3), "a…", "never half a presentation sequence");
        assert_eq!(truncate("🇫🇷🇩🇪", 3), "🇫🇷…");
        assert_eq!(truncate_left(&format!("{coder}{coder}x"), 4), format!("…{coder}x"));
        // A ZWNJ belongs to the letter before it; a cut after it drops it.
        assert_eq!(truncate("ی\u{200c}یی", 2), "ی…");
    }

    proptest! {
        #[test]
        fn cuts_fit_and_fall_between_clusters(s in crate::domain::text::tests::any_text(30), max in 0usize..12) {
            let s = sanitize_line(&s);
            let boundaries: Vec<usize> =
                s.grapheme_indices(true).map(|(at, _)| at).chain([s.len()]).collect();
            let start = truncate(&s, max);
            prop_assert!(width(&start) <= max, "{:?} cut to {} is {:?}", s, max, start);
            if start != s && max > 0 {
                let kept = start.strip_suffix(ELLIPSIS).unwrap();
                // A cut falls between clusters, or drops the joiner that ended one.
                let at_joiner = s[kept.len()..].starts_with([ZWJ, ZWNJ])
                    && boundaries.iter().any(|b| *b > kept.len() && s[kept.len()..*b].chars().all(|c| c == ZWJ || c == ZWNJ));
                prop_assert!(s.starts_with(kept) && (boundaries.contains(&kept.len()) || at_joiner), "{:?} -> {:?}", s, start);
            }
            let end = truncate_left(&s, max);
            prop_assert!(width(&end) <= max, "{:?} cut to {} is {:?}", s, max, end);
            if end != s && max > 0 {
                let kept = end.strip_prefix(ELLIPSIS).unwrap();
                prop_assert!(s.ends_with(kept) && boundaries.contains(&(s.len() - kept.len())), "{:?} -> {:?}", s, end);
            }
        }
    }
}
