//! The help overlay, written from the live key map: every context's bindings,
//! the keys that work anywhere, and Ctrl-C. On a roomy screen the groups sit
//! in aligned columns; on a small one they flow as running text.

use ratatui::Frame;
use ratatui::layout::{Alignment, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph, Widget, Wrap};

use super::theme::Theme;
use super::{fit, overlay_block};
use crate::tui::keymap::{Context, KeyMap, Scope};

const TITLE: &str = " Keys — Esc closes ";
const MAX_WIDTH: u16 = 116;
/// The narrowest a column of the aligned layout may be.
const MIN_COLUMN: usize = 34;

struct Group<'a> {
    heading: &'static str,
    keys: Vec<(&'a str, &'a str)>,
}

/// Every binding in force, grouped as the key map groups them.
fn groups(keys: &KeyMap) -> Vec<Group<'_>> {
    let pairs = |scope| {
        keys.in_scope(scope).filter(|b| b.listed).map(|b| (b.label.as_ref(), b.help)).collect::<Vec<_>>()
    };
    let mut groups: Vec<Group> = Context::ALL
        .iter()
        .map(|context| Group { heading: context.title(), keys: pairs(Scope::In(*context)) })
        .filter(|g| !g.keys.is_empty())
        .collect();
    let mut anywhere = pairs(Scope::Global);
    anywhere.push(("Ctrl-C", "quit from anywhere"));
    groups.push(Group { heading: "Anywhere (except while typing)", keys: anywhere });
    groups
}

pub fn render(frame: &mut Frame, screen: Rect, keys: &KeyMap, theme: Theme) {
    let groups = groups(keys);
    let width = if screen.width > 8 { (screen.width - 4).min(MAX_WIDTH) } else { screen.width };
    // Inner width: borders and one cell of padding each side.
    let cells = usize::from(width.saturating_sub(4));
    let max_height = screen.height.saturating_sub(2).max(screen.height.min(3));
    let max_rows = usize::from(max_height.saturating_sub(2));
    let (lines, rows) = match columns(&groups, cells, max_rows, theme) {
        Some(lines) => {
            let rows = lines.len();
            (lines, rows)
        }
        None => {
            let lines = flow(&groups, theme);
            let rows = lines.iter().map(|l| fit::wrapped_lines(&l.to_string(), cells).max(1)).sum();
            (lines, rows)
        }
    };
    let height = u16::try_from(rows + 2).unwrap_or(u16::MAX);
    let area = fit::centered(screen, width, height.min(max_height));
    if area.is_empty() {
        return;
    }
    let mut block = overlay_block(TITLE, theme);
    let inner = block.inner(area);
    if rows > usize::from(inner.height) {
        block = block
            .title_bottom(Line::styled(" more on a larger screen ", theme.dim()).alignment(Alignment::Right));
    }
    let buf = frame.buffer_mut();
    Clear.render(area, buf);
    Paragraph::new(lines).block(block).wrap(Wrap { trim: false }).render(area, buf);
}

/// Key and help, the keys padded to `key_width`; help too long for `cells`
/// wraps onto lines indented under itself.
fn entry(key: &str, help: &str, key_width: usize, cells: usize, theme: Theme) -> Vec<Line<'static>> {
    let indent = 2 + key_width + 1;
    let room = cells.saturating_sub(indent).max(8);
    let mut lines = Vec::new();
    let mut current = String::new();
    for word in help.split(' ') {
        if !current.is_empty() && fit::width(&current) + 1 + fit::width(word) > room {
            lines.push(std::mem::take(&mut current));
        }
        if !current.is_empty() {
            current.push(' ');
        }
        current.push_str(word);
    }
    lines.push(current);
    lines
        .into_iter()
        .enumerate()
        .map(|(i, text)| {
            let key = if i == 0 { fit::pad(key, key_width) } else { " ".repeat(key_width) };
            let text = fit::truncate(&text, room).into_owned();
            Line::from(vec![Span::raw("  "), Span::styled(key, theme.key()), Span::raw(" "), Span::raw(text)])
        })
        .collect()
}

/// The aligned layout: groups whole, packed top to bottom into as many
/// columns as fit. `None` if they do not fit in `max_rows`.
fn columns(groups: &[Group], cells: usize, max_rows: usize, theme: Theme) -> Option<Vec<Line<'static>>> {
    if cells < MIN_COLUMN {
        return None;
    }
    let count = (cells / MIN_COLUMN).clamp(1, 3);
    let column_width = cells / count;
    // Each group as lines: the heading, then its keys, aligned within the
    // group (one long chord does not push every other group's help aside).
    let blocks: Vec<Vec<Line<'static>>> = groups
        .iter()
        .map(|group| {
            let key_width = group.keys.iter().map(|(k, _)| fit::width(k)).max().unwrap_or(1);
            let heading = fit::truncate(group.heading, column_width - 1).into_owned();
            let mut lines = vec![Line::styled(heading, theme.heading())];
            lines
                .extend(group.keys.iter().flat_map(|(k, h)| entry(k, h, key_width, column_width - 1, theme)));
            lines
        })
        .collect();
    // The shortest column height that takes every group in `count` columns.
    let tallest = blocks.iter().map(Vec::len).max().unwrap_or(0);
    let height = (tallest..=max_rows).find(|h| pack(&blocks, *h).len() <= count)?;
    let packed = pack(&blocks, height);
    let mut lines = Vec::new();
    for row in 0..height {
        let mut spans = Vec::new();
        for (c, column) in packed.iter().enumerate() {
            let line = column.get(row).cloned().unwrap_or_default();
            let used = line.width();
            spans.extend(line.spans);
            if c + 1 < packed.len() {
                spans.push(Span::raw(" ".repeat(column_width.saturating_sub(used))));
            }
        }
        lines.push(Line::from(spans));
    }
    Some(lines)
}

/// Groups into columns of at most `height` rows, a blank line between groups.
fn pack(blocks: &[Vec<Line<'static>>], height: usize) -> Vec<Vec<Line<'static>>> {
    let mut columns = Vec::new();
    let mut current: Vec<Line<'static>> = Vec::new();
    for block in blocks {
        if !current.is_empty() && current.len() + 1 + block.len() > height {
            columns.push(std::mem::take(&mut current));
        }
        if !current.is_empty() {
            current.push(Line::default());
        }
        current.extend(block.iter().cloned());
    }
    if !current.is_empty() {
        columns.push(current);
    }
    columns
}

/// The compact layout: each group one paragraph, its keys as running text.
fn flow(groups: &[Group], theme: Theme) -> Vec<Line<'static>> {
    groups
        .iter()
        .map(|group| {
            let mut spans = vec![Span::styled(format!("{}:", group.heading), theme.heading())];
            for (key, help) in &group.keys {
                spans.push(Span::raw("  "));
                spans.push(Span::styled((*key).to_owned(), theme.key()));
                spans.push(Span::raw(format!(" {help}")));
            }
            Line::from(spans)
        })
        .collect()
}
