//! The status picker: a small box listing every status, the ticket's current
//! one marked, the one under the cursor highlighted.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Widget};

use super::theme::{STATUS_WIDTH, Theme};
use super::{fit, overlay_block};
use crate::domain::Status;
use crate::domain::text::sanitize_line;
use crate::tui::model::StatusPicker;

const WIDTH: u16 = 36;

pub fn render(frame: &mut Frame, screen: Rect, picker: &StatusPicker, theme: Theme) {
    let rows = u16::try_from(Status::ALL.len()).unwrap_or(u16::MAX);
    let area = fit::centered(screen, WIDTH, rows + 4);
    if area.is_empty() {
        return;
    }
    let block = overlay_block(" Set status ", theme);
    let inner = block.inner(area);
    let buf = frame.buffer_mut();
    Clear.render(area, buf);
    block.render(area, buf);
    if inner.is_empty() {
        return;
    }
    let cells = usize::from(inner.width);
    let ticket = &picker.ticket;
    let heading = format!("#{} {}", ticket.id, sanitize_line(&ticket.title));
    fit::put(buf, inner, &Line::styled(fit::truncate(&heading, cells).into_owned(), theme.bold()));

    for (i, status) in Status::ALL.iter().enumerate() {
        let Some(row) = fit::row(inner, u16::try_from(i + 2).unwrap_or(u16::MAX)) else { break };
        let chosen = i == picker.choice;
        let marker = if chosen { "▸ " } else { "  " };
        let mut spans = vec![
            Span::raw(marker),
            Span::styled(fit::pad(status.as_str(), STATUS_WIDTH), theme.status(*status)),
        ];
        if *status == ticket.status {
            spans.push(Span::raw(" ✓ current"));
        }
        let mut line = Line::from(spans);
        if chosen {
            line = line.style(theme.selected());
            buf.set_style(row, theme.selected());
        }
        fit::put(buf, row, &line);
    }
}
