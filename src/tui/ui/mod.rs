//! Views: pure functions from the model to a frame. No IO, no waiting.
//!
//! [`draw`] is the one entry point. Each pane and overlay has its own module;
//! all of them read `&Model` and nothing else (ages come from `model.now`).
//! Ticket text is untrusted: it goes through the domain sanitiser before it
//! reaches a cell.

mod detail;
mod fit;
mod footer;
mod form;
mod header;
mod help;
mod list;
mod list_rows;
mod marks;
mod picker;
mod stats;
mod status;
pub mod theme;
mod trust;
mod views;

pub use status::notice_text;

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Padding};

use crate::tui::layout;
use crate::tui::model::{Model, Overlay, Pane};
use theme::Theme;

/// Draws the whole screen for `model`. Never panics, whatever the size.
pub fn draw(frame: &mut Frame, model: &Model) {
    let screen = frame.area();
    if screen.is_empty() {
        return;
    }
    let theme = Theme::new(model.palette, model.color);
    let areas = layout::areas(screen, model.focus);

    header::render(frame, areas.header, model, theme);
    if let Some(tabs) = areas.tabs {
        render_tabs(frame, tabs, model.focus, theme);
    }
    if let Some(area) = areas.list {
        list::render(frame, area, model, theme);
    }
    if let Some(area) = areas.form {
        form::render(frame, area, model, theme);
    }
    if let Some(area) = areas.stats {
        stats::render(frame, area, model, theme);
    }
    footer::render(frame, areas.keys, model, theme);
    status::render(frame, areas.status, model, theme);

    match &model.overlay {
        Some(Overlay::Help) => help::render(frame, screen, &model.keys, theme),
        Some(Overlay::Detail(detail)) => detail::render(frame, screen, detail, model.now, theme),
        Some(Overlay::StatusPicker(picker)) => picker::render(frame, screen, picker, theme),
        Some(Overlay::Views(picker)) => views::render(frame, screen, &model.list, picker, theme),
        Some(Overlay::Bulk(prompt)) => marks::render(frame, screen, prompt, theme),
        None => {}
    }
}

/// The narrow layout's tab bar: `1 New ticket  2 Tickets  3 Stats`.
fn render_tabs(frame: &mut Frame, area: Rect, focus: Pane, theme: Theme) {
    let mut spans = vec![Span::raw(" ")];
    for (i, pane) in Pane::ALL.into_iter().enumerate() {
        if i > 0 {
            spans.push(Span::raw(" "));
        }
        let active = pane == focus;
        spans.push(Span::styled(format!(" {} {} ", i + 1, pane.title()), theme.tab(active)));
    }
    fit::put(frame.buffer_mut(), area, &Line::from(spans));
}

/// The frame around a pane: thick and highlighted when it has the keys.
/// `extra` follows the name in the top border (a "loading…", say).
fn pane_block<'a>(name: &str, extra: Vec<Span<'a>>, focused: bool, theme: Theme) -> Block<'a> {
    let mut spans = vec![Span::styled(format!(" {name} "), theme.pane_title(focused))];
    spans.extend(extra);
    Block::default()
        .borders(Borders::ALL)
        .border_type(theme.border_type(focused))
        .border_style(theme.border(focused))
        .title(Line::from(spans))
}

/// The frame around an overlay, cleared underneath by the caller.
fn overlay_block<'a>(title: impl Into<Line<'a>>, theme: Theme) -> Block<'a> {
    Block::default()
        .borders(Borders::ALL)
        .border_type(ratatui::widgets::BorderType::Double)
        .border_style(theme.overlay_border())
        .title(title.into().style(theme.bold()))
        .padding(Padding::horizontal(1))
}
