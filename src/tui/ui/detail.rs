//! The detail overlay: one ticket in full, the description wrapped and
//! scrolled. Newlines and tabs are kept (tabs as spaces); anything else that
//! could drive the terminal is shown as a visible stand-in.

use ratatui::Frame;
use ratatui::layout::{Alignment, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph, Widget, Wrap};
use time::OffsetDateTime;
use time::macros::format_description;

use super::theme::{self, Theme};
use super::{fit, overlay_block};
use crate::domain::text::{sanitize, sanitize_line};
use crate::domain::ticket::TEXT_MAX_CHARS;
use crate::domain::timestamp;
use crate::domain::{Event, EventField};
use crate::output::human::history_lines;
use crate::tui::model::{Detail, Loading};

const MAX_WIDTH: u16 = 100;
const TAB: &str = "    ";
/// The text the view lays out: every description written today fits whole;
/// one written before the limit existed is cut there, since every frame
/// wraps what it shows, and says where the rest is.
fn laid_out(description: &str, id: i64) -> std::borrow::Cow<'_, str> {
    match description.char_indices().nth(TEXT_MAX_CHARS) {
        None => std::borrow::Cow::Borrowed(description),
        Some((cut, _)) => {
            let rest = description[cut..].chars().count();
            std::borrow::Cow::Owned(format!(
                "{}\n… {rest} more characters: `ticketdesk show {id}` prints them all",
                &description[..cut]
            ))
        }
    }
}

/// The most rows a long title may take.
const TITLE_ROWS: usize = 3;
/// The most rows the note box takes.
const NOTE_ROWS: usize = 6;
/// Where a note's second and later lines start (under its first).
const NOTE_INDENT: &str = "      ";

pub fn render(frame: &mut Frame, screen: Rect, detail: &Detail, now: OffsetDateTime, theme: Theme) {
    let width = if screen.width > 44 { (screen.width - 4).min(MAX_WIDTH) } else { screen.width };
    let max_height = if screen.height > 14 { screen.height - 2 } else { screen.height };
    // Inside the double border and the padding.
    let cells = usize::from(width.saturating_sub(4));
    let ticket = &detail.ticket;
    let description = scrolled_text(detail);

    let title = Line::from(vec![
        Span::styled(format!("#{} ", ticket.id), theme.accent()),
        Span::styled(sanitize_line(&ticket.title).into_owned(), theme.bold()),
    ]);
    let title_rows = fit::wrapped_lines(&title.to_string(), cells).clamp(1, TITLE_ROWS);
    let meta = meta_lines(detail, now, cells, theme);
    let meta_rows: usize = meta.iter().map(|l| fit::wrapped_lines(&l.to_string(), cells).max(1)).sum();
    let header_rows = title_rows + meta_rows + 1;
    let total_rows = fit::wrapped_lines(&description, cells);
    let note_lines: Vec<&str> = detail.note.as_deref().map(|n| n.split('\n').collect()).unwrap_or_default();
    let wanted_note = note_lines.len().min(NOTE_ROWS);
    let wanted = u16::try_from(header_rows + total_rows + wanted_note + 2).unwrap_or(u16::MAX);
    let area = fit::centered(screen, width, wanted.min(max_height));
    if area.is_empty() {
        return;
    }

    let mut block = overlay_block(format!(" Ticket #{} ", ticket.id), theme);
    let inner = block.inner(area);
    // An open note box keeps a row at least; more only while the text keeps one.
    let note_rows = match wanted_note {
        0 => 0,
        wanted => wanted.min(usize::from(inner.height).saturating_sub(header_rows + 1)).max(1),
    };
    let text_rows = usize::from(inner.height).saturating_sub(header_rows + note_rows);
    let scroll = usize::from(detail.scroll).min(total_rows.saturating_sub(text_rows));
    if let Some(hint) = more_hint(scroll > 0, scroll + text_rows < total_rows) {
        block = block.title_bottom(Line::styled(hint, theme.key()).alignment(Alignment::Right));
    }

    let buf = frame.buffer_mut();
    Clear.render(area, buf);
    block.render(area, buf);
    if inner.is_empty() {
        return;
    }
    let mut y = inner.y;
    let mut take = |rows: usize| {
        let rows = u16::try_from(rows).unwrap_or(u16::MAX).min(inner.bottom().saturating_sub(y));
        let band = Rect { y, height: rows, ..inner };
        y += rows;
        band
    };
    Paragraph::new(title).wrap(Wrap { trim: false }).render(take(title_rows), buf);
    Paragraph::new(meta).wrap(Wrap { trim: true }).render(take(meta_rows), buf);
    let rule = take(1);
    fit::put(buf, rule, &Line::styled("─".repeat(cells), theme.dim()));
    let body = take(text_rows);
    Paragraph::new(description)
        .wrap(Wrap { trim: false })
        .scroll((u16::try_from(scroll).unwrap_or(u16::MAX), 0))
        .render(body, buf);
    if detail.note.is_some() {
        let rows = take(note_rows);
        for (i, line) in note_box(&note_lines, usize::from(rows.height), cells, theme).iter().enumerate() {
            if let Some(row) = fit::row(rows, u16::try_from(i).unwrap_or(u16::MAX)) {
                fit::put(buf, row, line);
            }
        }
    }
}

/// The note being written, its last `rows` lines (a note from the editor
/// keeps its lines), so what is being typed stays in view: the last line
/// shows its end, with the cursor after it.
fn note_box(lines: &[&str], rows: usize, cells: usize, theme: Theme) -> Vec<Line<'static>> {
    let hidden = lines.len().saturating_sub(rows.max(1));
    let room = cells.saturating_sub(NOTE_INDENT.len() + 2);
    let last = lines.len().saturating_sub(1);
    lines
        .iter()
        .enumerate()
        .skip(hidden)
        .map(|(i, text)| {
            let label = match (i == hidden, hidden) {
                (true, 0) => Span::styled("Note: ", theme.accent()),
                (true, _) => Span::styled("  ↑   ", theme.accent()),
                (false, _) => Span::raw(NOTE_INDENT),
            };
            let safe = sanitize_line(text);
            let mut spans = vec![label];
            if i == last {
                spans.push(Span::raw(fit::truncate_left(&safe, room).into_owned()));
                spans.push(Span::styled("▏", theme.key()));
            } else {
                spans.push(Span::raw(fit::truncate(&safe, room).into_owned()));
            }
            Line::from(spans)
        })
        .collect()
}

/// The description, then the history and notes below it: one scroll.
fn scrolled_text(detail: &Detail) -> String {
    let ticket = &detail.ticket;
    let history = match &detail.history {
        Loading::Ready(events) => history_text(events),
        Loading::Failed(why) => format!("history unavailable: {}", sanitize_line(&why.to_string())),
        Loading::Idle | Loading::Loading => "loading…".to_owned(),
    };
    format!(
        "{}\n\nHistory (N adds a note)\n{}",
        sanitize(&laid_out(&ticket.description, ticket.id)).replace('\t', TAB),
        sanitize(&history).replace('\t', TAB)
    )
}

/// One line per change, as `history` prints it; a note of several lines
/// keeps them, each under the first.
fn history_text(events: &[Event]) -> String {
    let mut text = Vec::new();
    for event in events {
        let note = event.new_value.as_deref().filter(|_| event.field == EventField::Note);
        match note.and_then(|n| n.split_once('\n')) {
            Some((first, rest)) => {
                let head = Event { new_value: Some(first.to_owned()), ..event.clone() };
                text.extend(history_lines(&[head]));
                text.extend(rest.split('\n').map(|line| format!("{NOTE_INDENT}{line}")));
            }
            None => text.extend(history_lines(std::slice::from_ref(event))),
        }
    }
    text.join("\n")
}

/// Arrows in the bottom border saying there is more above or below.
fn more_hint(above: bool, below: bool) -> Option<&'static str> {
    match (above, below) {
        (true, true) => Some(" ↑↓ more "),
        (false, true) => Some(" ↓ more "),
        (true, false) => Some(" ↑ more "),
        (false, false) => None,
    }
}

/// Status, priority and category; then when it was created and updated
/// (only the ages if the dates do not fit).
fn meta_lines(detail: &Detail, now: OffsetDateTime, cells: usize, theme: Theme) -> Vec<Line<'static>> {
    let ticket = &detail.ticket;
    let label = |s: &'static str| Span::styled(s, theme.dim());
    let fields = Line::from(vec![
        label("status "),
        Span::styled(ticket.status.as_str(), theme.status(ticket.status)),
        label(" · priority "),
        Span::styled(theme::priority_text(ticket.priority), theme.priority(ticket.priority)),
        label(" · category "),
        Span::styled(ticket.category.as_str(), theme.category()),
        label(" · assignee "),
        Span::raw(
            ticket.assignee.as_deref().map_or_else(|| "nobody".to_owned(), |a| sanitize_line(a).into_owned()),
        ),
        Span::styled(format!(" · v{}", ticket.version), theme.dim()),
    ]);
    let created = format!("created {}", when(&ticket.created_at, now));
    let updated = format!("updated {}", when(&ticket.updated_at, now));
    let dates = if fit::width(&created) + 3 + fit::width(&updated) <= cells {
        vec![format!("{created} · {updated}")]
    } else if fit::width(&created).max(fit::width(&updated)) <= cells {
        vec![created, updated]
    } else {
        let age = |stored: &str| timestamp::age(stored, now);
        vec![format!("created {} ago · updated {} ago", age(&ticket.created_at), age(&ticket.updated_at))]
    };
    let mut lines = vec![fields];
    lines.extend(dates.into_iter().map(|d| Line::styled(d, theme.dim())));
    lines
}

/// "2026-11-24 10:00 UTC (2h ago)", or the stored text made safe if it is
/// not a timestamp.
fn when(stored: &str, now: OffsetDateTime) -> String {
    let format = format_description!("[year]-[month]-[day] [hour]:[minute] UTC");
    match timestamp::parse_stored(stored).and_then(|at| at.format(format).ok()) {
        Some(at) => {
            let age = timestamp::age(stored, now);
            if age == "now" { format!("{at} (just now)") } else { format!("{at} ({age} ago)") }
        }
        None => sanitize_line(stored).into_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_an_oversized_description_is_cut_and_says_where_the_rest_is() {
        let fits = "é".repeat(TEXT_MAX_CHARS);
        assert!(matches!(laid_out(&fits, 7), std::borrow::Cow::Borrowed(_)));
        let huge = "é".repeat(TEXT_MAX_CHARS + 5);
        let shown = laid_out(&huge, 7);
        assert!(
            shown.ends_with("… 5 more characters: `ticketdesk show 7` prints them all"),
            "{}",
            &shown[shown.len() - 80..]
        );
        assert_eq!(shown.chars().filter(|c| *c == 'é').count(), TEXT_MAX_CHARS);
    }
}
