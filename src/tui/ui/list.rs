//! The ticket list pane: an optional search box, an error line, then the table
//! of the rows that fit (newest first), or what to do when there are none.

use ratatui::Frame;
use ratatui::buffer::Buffer;
use ratatui::layout::{Alignment, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

use super::theme::Theme;
use super::{fit, list_rows, pane_block};
use crate::domain::query::QueryError;
use crate::domain::text::sanitize_line;
use crate::tui::keymap::{Action, Context};
use crate::tui::model::{Fetch, ListView, Loading, Model, Pane};

pub fn render(frame: &mut Frame, area: Rect, model: &Model, theme: Theme) {
    if area.is_empty() {
        return;
    }
    let list = &model.list;
    let focused = model.focus == Pane::List;
    // The saved views as tabs beside the name; the room left for them
    // excludes the name, "loading…" and the position in the corner.
    let mut extra = super::views::tabs(list, usize::from(area.width).saturating_sub(32), theme);
    if !list.marks.is_empty() {
        extra.push(Span::styled(format!(" {} marked ", list.marks.len()), theme.accent()));
    }
    if list.loading() {
        extra.push(Span::styled("loading… ", theme.dim()));
    }
    let mut block = pane_block("Tickets", extra, focused, theme);
    if let Some(position) = position(list) {
        block = block.title_bottom(Line::from(format!(" {position} ")).alignment(Alignment::Right));
    }
    let inner = block.inner(area);
    frame.render_widget(block, area);
    if inner.is_empty() {
        return;
    }
    let buf = frame.buffer_mut();
    let mut body = inner;
    if list.searching || !list.search.is_empty() {
        let shown = render_search(buf, Rect { height: 1, ..inner }, list, focused, theme);
        body = shrink_top(body, 1);
        if let Some(error) = &list.query_error {
            render_query_error(buf, Rect { height: 1, ..body }, &list.search, shown, error, theme);
            body = shrink_top(body, 1);
        }
    }
    if let Fetch::Failed(why) = &list.fetch {
        let text = format!("✗ Could not load tickets: {}", sanitize_line(&why.to_string()));
        fit::put(
            buf,
            Rect { height: 1, ..body },
            &Line::styled(fit::truncate(&text, body.width.into()), theme.error()),
        );
        body = shrink_top(body, 1);
    }
    if body.is_empty() {
        return;
    }
    if list.rows.is_empty() {
        if !list.loading() {
            frame.render_widget(
                empty_state(model, body.height, theme).wrap(Wrap { trim: false }),
                margin(body),
            );
        }
        return;
    }
    list_rows::render(buf, body, model, focused, theme);
}

/// "12/50", with "+" when older tickets are not loaded yet and a leading "…"
/// when newer ones were let go.
fn position(list: &ListView) -> Option<String> {
    if list.rows.is_empty() {
        return None;
    }
    let newer = if list.ends.newest { "" } else { "…" };
    let older = if list.ends.oldest { "" } else { "+" };
    Some(format!("{newer}{}/{}{older}", list.selected.min(list.rows.len() - 1) + 1, list.rows.len()))
}

fn shrink_top(area: Rect, by: u16) -> Rect {
    let by = by.min(area.height);
    Rect { y: area.y + by, height: area.height - by, ..area }
}

fn margin(area: Rect) -> Rect {
    if area.width > 4 { Rect { x: area.x + 1, width: area.width - 2, ..area } } else { area }
}

/// Draws the search box; returns how many cells of the query's start were
/// cut off to keep its end in view.
fn render_search(buf: &mut Buffer, area: Rect, list: &ListView, focused: bool, theme: Theme) -> usize {
    let typing = list.searching && focused;
    let room = usize::from(area.width).saturating_sub(4);
    // Keep the end of a long query in view: that is where the typing is.
    let whole = sanitize_line(&list.search);
    let query = fit::truncate_left(&whole, room);
    // The ellipsis that replaced the start takes one cell of its own.
    let hidden = (fit::width(&whole) + usize::from(query != whole)).saturating_sub(fit::width(&query));
    let mut spans = vec![Span::styled(" / ", theme.key()), Span::styled(query.into_owned(), theme.bold())];
    if typing {
        spans.push(Span::styled(" ", theme.selected()));
    } else if list.search.is_empty() {
        spans.push(Span::styled("type to search", theme.dim()));
    }
    fit::put(buf, area, &Line::from(spans));
    hidden
}

/// Under the search box: carets under the part of the query that cannot be
/// read, and why. The list below keeps the last good result.
fn render_query_error(
    buf: &mut Buffer,
    area: Rect,
    search: &str,
    hidden: usize,
    error: &QueryError,
    theme: Theme,
) {
    let before = fit::width(&sanitize_line(search.get(..error.span.start).unwrap_or_default()));
    let marked = fit::width(&sanitize_line(search.get(error.span.clone()).unwrap_or_default())).max(1);
    // The box's text starts after " / ".
    let column = 3 + before.saturating_sub(hidden);
    let text = format!("{}{} {}", " ".repeat(column), "^".repeat(marked), sanitize_line(&error.message));
    let text = fit::truncate(&text, usize::from(area.width));
    fit::put(buf, area, &Line::styled(text.into_owned(), theme.error()));
}

/// What the list says when it has no rows. Keys are named as bound.
fn empty_state(model: &Model, height: u16, theme: Theme) -> Paragraph<'static> {
    let list = &model.list;
    let key = |action: Action| {
        let label = model.keys.label(Context::List, action).unwrap_or("?");
        Span::styled(label.to_owned(), theme.key())
    };
    if list.has_filters() {
        let clears = if list.search.trim().is_empty() {
            " clears the filters"
        } else {
            " clears the filters and the search"
        };
        let mut lines = vec![
            Line::from(""),
            Line::styled("No tickets match the filters.", theme.bold()),
            Line::from(""),
            Line::from(vec![key(Action::ClearFilters), Span::raw(clears)]),
        ];
        if !list.search.is_empty() {
            lines.push(Line::from(vec![key(Action::Search), Span::raw(" edits the search")]));
        }
        return Paragraph::new(lines);
    }
    let desk_has_tickets = matches!(&model.stats, Loading::Ready(v) if v.stats.total_tickets > 0);
    if desk_has_tickets {
        return Paragraph::new(vec![Line::from(""), Line::styled("No tickets to show.", theme.bold())]);
    }
    let lines = vec![
        Line::from(""),
        Line::styled("Welcome to ticketdesk: no tickets yet.", theme.accent()),
        Line::from(""),
        Line::from(vec![key(Action::NewTicket), Span::raw("  write the first ticket")]),
        Line::from(vec![
            key(Action::LoadSamples),
            Span::raw("  load the built-in sample tickets to try things on"),
        ]),
        Line::from(""),
        Line::from(vec![key(Action::Help), Span::raw("  every key")]),
    ];
    // On a short pane the blank lines go first.
    if usize::from(height) < lines.len() {
        return Paragraph::new(lines.into_iter().filter(|l| l.width() > 0).collect::<Vec<_>>());
    }
    Paragraph::new(lines)
}
