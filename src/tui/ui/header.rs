//! The header line: app name, database, counts, and the active filters as chips.
//!
//! `ticketdesk  ~/.local/share/ticketdesk/tickets.db  360 tickets · 120 open      category: billing  search: refund`

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};

use super::fit;
use super::theme::Theme;
use crate::domain::text::sanitize_line;
use crate::tui::model::{Loading, Model};

const NAME: &str = " ticketdesk ";
/// The least of the database path worth showing.
const MIN_DB: usize = 12;
/// The most of a search query a chip shows.
const MAX_SEARCH: usize = 24;

pub fn render(frame: &mut Frame, area: Rect, model: &Model, theme: Theme) {
    if area.is_empty() {
        return;
    }
    let width = usize::from(area.width);
    let chips = chips(model);
    let counts = match &model.stats {
        Loading::Ready(view) => {
            let total = view.stats.total_tickets;
            let noun = if total == 1 { "ticket" } else { "tickets" };
            Some(format!("{total} {noun} · {} open", view.stats.open_tickets))
        }
        _ => None,
    };
    let db = sanitize_line(&model.db_label);

    // What must fit: the name and the chips; then the counts; the path gets
    // whatever is left, shortened from the left.
    let chips_width: usize = chips.iter().map(|c| fit::width(c) + 3).sum();
    let mut used = fit::width(NAME) + chips_width;
    let counts = counts.filter(|c| {
        let fits = used + fit::width(c) + 2 <= width;
        if fits {
            used += fit::width(c) + 2;
        }
        fits
    });
    let room = width.saturating_sub(used + 2);
    let db = (room >= MIN_DB.min(fit::width(&db))).then(|| fit::truncate_left(&db, room).into_owned());

    let mut left = vec![Span::styled(NAME, theme.accent().add_modifier(Modifier::REVERSED))];
    if let Some(db) = db {
        left.push(Span::raw("  "));
        left.push(Span::styled(db, theme.dim()));
    }
    if let Some(counts) = counts {
        left.push(Span::raw("  "));
        left.push(Span::styled(counts, theme.bold()));
    }
    let left = Line::from(left);
    let buf = frame.buffer_mut();
    fit::put(buf, area, &left);

    if chips.is_empty() {
        return;
    }
    // Chips sit at the right end; on a narrow screen they start after the name.
    let start = width.saturating_sub(chips_width).max(left.width());
    let mut spans = Vec::new();
    for chip in chips {
        spans.push(Span::raw(" "));
        spans.push(Span::styled(format!(" {chip} "), theme.chip()));
    }
    let x = u16::try_from(start).unwrap_or(u16::MAX);
    let chips_area = fit::columns(area, x, area.width);
    let cut = fit_spans(spans, usize::from(chips_area.width));
    fit::put(buf, chips_area, &Line::from(cut));
}

/// The active filters, each as "name: value".
fn chips(model: &Model) -> Vec<String> {
    let list = &model.list;
    let mut chips = Vec::new();
    if let Some(category) = list.category {
        chips.push(format!("category: {category}"));
    }
    if let Some(priority) = list.priority {
        chips.push(format!("priority: {priority}"));
    }
    if let Some(status) = list.status {
        chips.push(format!("status: {status}"));
    }
    if list.mine {
        chips.push("mine".to_owned());
    }
    let search = list.search.trim();
    if !search.is_empty() {
        chips.push(format!("search: {}", fit::truncate(&sanitize_line(search), MAX_SEARCH)));
    }
    chips
}

/// Spans cut to `max` cells, the last one shortened with "…".
fn fit_spans(spans: Vec<Span<'static>>, max: usize) -> Vec<Span<'static>> {
    let mut out = Vec::new();
    let mut used = 0;
    for span in spans {
        let w = fit::width(&span.content);
        if used + w <= max {
            used += w;
            out.push(span);
        } else {
            let cut = fit::truncate(&span.content, max - used).into_owned();
            out.push(Span::styled(cut, span.style));
            break;
        }
    }
    out
}
