//! Fitting text and boxes into cells: every cut is by display width (a CJK
//! character or an emoji takes two cells), never by bytes or chars.

use std::borrow::Cow;

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Widget;

use crate::domain::width as cells;

pub use cells::ELLIPSIS;

/// Display width in terminal cells.
pub fn width(text: &str) -> usize {
    cells::width(text)
}

/// `text` cut to at most `max` cells, ending in "…" when anything was cut.
/// Cuts fall between grapheme clusters, as in the CLI's tables.
pub fn truncate(text: &str, max: usize) -> Cow<'_, str> {
    cells::truncate(text, max)
}

/// The start of `text` and "…", in at most `max` cells (nothing if `max` is 0).
fn shorten(text: &str, max: usize) -> String {
    match max.checked_sub(1) {
        Some(room) => format!("{}{ELLIPSIS}", cells::fit_start(text, room)),
        None => String::new(),
    }
}

/// `text` cut from the left to at most `max` cells, starting with "…" when cut
/// (for paths, whose end says the most).
pub fn truncate_left(text: &str, max: usize) -> Cow<'_, str> {
    cells::truncate_left(text, max)
}

/// `text` cut or padded with spaces to exactly `cells` cells.
pub fn pad(text: &str, cells: usize) -> String {
    let cut = truncate(text, cells);
    let fill = cells.saturating_sub(width(&cut));
    format!("{cut}{}", " ".repeat(fill))
}

/// `text` cut, then right-aligned in `cells` cells.
pub fn pad_left(text: &str, cells: usize) -> String {
    let cut = truncate(text, cells);
    let fill = cells.saturating_sub(width(&cut));
    format!("{}{cut}", " ".repeat(fill))
}

/// A box of at most `width`×`height` centred in `area`, never outside it.
pub fn centered(area: Rect, width: u16, height: u16) -> Rect {
    let width = width.min(area.width);
    let height = height.min(area.height);
    Rect { x: area.x + (area.width - width) / 2, y: area.y + (area.height - height) / 2, width, height }
}

/// Row `i` of `area` (one line high), if `area` has it.
pub fn row(area: Rect, i: u16) -> Option<Rect> {
    (i < area.height && area.width > 0).then(|| Rect { y: area.y + i, height: 1, ..area })
}

/// Draws one line into a one-line area, clipped to the buffer; a line too
/// long for the area ends in "…" rather than being cut mid-word silently.
pub fn put(buf: &mut Buffer, area: Rect, line: &Line<'_>) {
    let area = area.intersection(buf.area);
    if area.is_empty() {
        return;
    }
    let area = Rect { height: 1, ..area };
    let max = usize::from(area.width);
    if line.width() <= max {
        line.render(area, buf);
    } else {
        clip(line, max).render(area, buf);
    }
}

/// `line` cut to `max` cells, its last visible span ending in "…".
pub fn clip<'a>(line: &Line<'a>, max: usize) -> Line<'a> {
    let mut spans = Vec::new();
    let mut used = 0;
    let last = line.spans.len().saturating_sub(1);
    for (i, span) in line.spans.iter().enumerate() {
        let w = width(&span.content);
        if used + w < max || (i == last && used + w == max) {
            used += w;
            spans.push(span.clone());
            continue;
        }
        // This span reaches the edge and more follows: it ends in "…".
        spans.push(Span::styled(shorten(&span.content, max - used), span.style));
        break;
    }
    Line { spans, ..line.clone() }
}

/// The part of `area` from column `dx` on, `cells` wide (clipped to `area`).
pub fn columns(area: Rect, dx: u16, cells: u16) -> Rect {
    let dx = dx.min(area.width);
    Rect { x: area.x + dx, width: cells.min(area.width - dx), ..area }
}

/// How many lines `text` takes word-wrapped at `cells` wide: an estimate
/// that errs high, for clamping a scroll offset.
pub fn wrapped_lines(text: &str, cells: usize) -> usize {
    if cells == 0 {
        return 0;
    }
    text.split('\n')
        .map(|line| {
            let mut lines = 1;
            let mut used = 0;
            for word in line.split_inclusive(' ') {
                let all = width(word);
                let core = width(word.trim_end());
                if used + core <= cells {
                    used += all;
                    continue;
                }
                if used > 0 {
                    lines += 1;
                }
                // A word wider than the line is broken across lines.
                let extra = core.saturating_sub(1) / cells;
                lines += extra;
                used = all - extra * cells;
            }
            lines
        })
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn truncates_by_display_width() {
        assert_eq!(truncate("hello", 5), "hello");
        assert_eq!(truncate("hello world", 6), "hello…");
        assert_eq!(truncate("漢字漢字", 5), "漢字…");
        assert_eq!(truncate("漢字漢字", 4), "漢…");
        assert_eq!(truncate("🎫🎫🎫", 4), "🎫…");
        assert_eq!(truncate("abc", 0), "");
        assert_eq!(width(&pad("漢字漢字", 5)), 5);
        assert_eq!(width(&pad("ab", 5)), 5);
        assert_eq!(pad_left("3m", 4), "  3m");
    }

    #[test]
    fn clipped_lines_end_in_an_ellipsis() {
        let line = Line::from(vec![Span::raw("claude"), Span::raw(" · high"), Span::raw(" · cached")]);
        assert_eq!(clip(&line, 12).to_string(), "claude · hi…");
        assert_eq!(clip(&line, 6).to_string(), "claud…");
        assert_eq!(clip(&line, 13).to_string(), "claude · hig…");
        assert_eq!(clip(&line, 22).to_string(), "claude · high · cached");
    }

    #[test]
    fn truncates_paths_from_the_left() {
        assert_eq!(truncate_left("~/data/tickets.db", 12), "…/tickets.db");
        assert_eq!(truncate_left("short", 12), "short");
        assert_eq!(truncate_left("漢字漢字", 4), "…字");
    }

    #[test]
    fn centred_boxes_stay_inside() {
        let area = Rect::new(0, 0, 10, 5);
        assert_eq!(centered(area, 4, 3), Rect::new(3, 1, 4, 3));
        assert_eq!(centered(area, 40, 30), area);
    }

    #[test]
    fn wrap_estimate_never_undercounts_simple_text() {
        assert_eq!(wrapped_lines("one two three", 20), 1);
        assert_eq!(wrapped_lines("one two three", 7), 2);
        assert_eq!(wrapped_lines("a\nb\n", 7), 3);
        assert_eq!(wrapped_lines("abcdefghij", 4), 3);
    }
}
