//! Saved views on screen: the tabs in the list's top border, the picker
//! (`v`), and the prompt that names the query on screen (`S`).

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Widget};

use super::theme::Theme;
use super::{fit, overlay_block};
use crate::domain::text::sanitize_line;
use crate::tui::model::{ListView, ViewPicker};

const WIDTH: u16 = 60;

/// The tabs for the list's top border: every view, the one in use marked
/// (reversed, and in brackets so it reads without colour). When they do not
/// fit in `room` cells, only the one in use, with its place ("3/6").
pub fn tabs(list: &ListView, room: usize, theme: Theme) -> Vec<Span<'static>> {
    let Some(active) = list.view else { return Vec::new() };
    let label = |i: usize, name: &str| {
        let name = sanitize_line(name).into_owned();
        if i == active { format!("[{name}]") } else { name }
    };
    let all: Vec<String> = list.views.iter().enumerate().map(|(i, v)| label(i, &v.name)).collect();
    let width: usize = all.iter().map(|t| fit::width(t) + 1).sum::<usize>() + 1;
    if width <= room {
        let mut spans = vec![Span::raw(" ")];
        for (i, tab) in all.into_iter().enumerate() {
            let style = if i == active { theme.tab(true) } else { theme.dim() };
            spans.push(Span::styled(tab, style));
            spans.push(Span::raw(" "));
        }
        return spans;
    }
    let one = format!(" {} {}/{} ", all[active], active + 1, list.views.len());
    vec![Span::styled(fit::truncate(&one, room).into_owned(), theme.tab(true))]
}

pub fn render(frame: &mut Frame, screen: Rect, list: &ListView, picker: &ViewPicker, theme: Theme) {
    match picker {
        ViewPicker::Choosing { selected } => choosing(frame, screen, list, *selected, theme),
        ViewPicker::Naming { name, refused } => naming(frame, screen, list, name, refused.as_deref(), theme),
    }
}

fn choosing(frame: &mut Frame, screen: Rect, list: &ListView, selected: usize, theme: Theme) {
    let rows = u16::try_from(list.views.len()).unwrap_or(u16::MAX);
    let area = fit::centered(screen, WIDTH, rows.saturating_add(2));
    if area.is_empty() {
        return;
    }
    let block = overlay_block(" Views ", theme);
    let inner = block.inner(area);
    let buf = frame.buffer_mut();
    Clear.render(area, buf);
    block.render(area, buf);
    let cells = usize::from(inner.width);
    for (i, view) in list.views.iter().enumerate() {
        let Some(row) = fit::row(inner, u16::try_from(i).unwrap_or(u16::MAX)) else { break };
        let marker = if i == selected { "▸ " } else { "  " };
        let current = if Some(i) == list.view { " ✓" } else { "" };
        let query = if view.query.trim().is_empty() { "every ticket" } else { view.query.as_str() };
        let text = format!("{marker}{:<12}{current}  {}", sanitize_line(&view.name), sanitize_line(query));
        let mut line = Line::raw(fit::truncate(&text, cells).into_owned());
        if i == selected {
            line = line.style(theme.selected());
            buf.set_style(row, theme.selected());
        }
        fit::put(buf, row, &line);
    }
}

fn naming(frame: &mut Frame, screen: Rect, list: &ListView, name: &str, refused: Option<&str>, theme: Theme) {
    let area = fit::centered(screen, WIDTH, 6);
    if area.is_empty() {
        return;
    }
    let block = overlay_block(" Save as a view ", theme);
    let inner = block.inner(area);
    let buf = frame.buffer_mut();
    Clear.render(area, buf);
    block.render(area, buf);
    let cells = usize::from(inner.width);
    let query = crate::tui::update::views::query_on_screen(list);
    let query = if query.is_empty() { "every ticket".to_owned() } else { query };
    let lines = [
        Line::styled(
            fit::truncate(&format!("Query: {}", sanitize_line(&query)), cells).into_owned(),
            theme.dim(),
        ),
        Line::from(vec![
            Span::styled("Name: ", theme.accent()),
            Span::raw(fit::truncate_left(&sanitize_line(name), cells.saturating_sub(8)).into_owned()),
            Span::styled("▏", theme.key()),
        ]),
        match refused {
            Some(why) => Line::styled(
                fit::truncate(&format!("✗ {}", sanitize_line(why)), cells).into_owned(),
                theme.error(),
            ),
            None => Line::styled("Enter saves it in your config; Esc cancels", theme.dim()),
        },
    ];
    for (i, line) in lines.iter().enumerate() {
        if let Some(row) = fit::row(inner, u16::try_from(i).unwrap_or(u16::MAX)) {
            fit::put(buf, row, line);
        }
    }
}
