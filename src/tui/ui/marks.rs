//! Changing many tickets on screen: the prompt that chooses a status,
//! category or priority, the one that names an account, and the question
//! before marking hundreds.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Widget};

use super::theme::Theme;
use super::{fit, overlay_block};
use crate::domain::text::sanitize_line;
use crate::domain::{Category, Priority, Status};
use crate::tui::model::{BulkField, BulkPrompt};

const WIDTH: u16 = 48;

fn how_many(targets: &[(i64, i64)]) -> String {
    match targets {
        [(id, _)] => format!("#{id}"),
        _ => format!("{} marked tickets", targets.len()),
    }
}

pub fn render(frame: &mut Frame, screen: Rect, prompt: &BulkPrompt, theme: Theme) {
    let (title, lines) = match prompt {
        BulkPrompt::Choose { field, choice, targets } => {
            let (what, values): (&str, Vec<String>) = match field {
                BulkField::Status => ("Status", Status::ALL.iter().map(ToString::to_string).collect()),
                BulkField::Category => ("Category", Category::ALL.iter().map(ToString::to_string).collect()),
                BulkField::Priority => ("Priority", Priority::ALL.iter().map(ToString::to_string).collect()),
            };
            let mut lines = vec![Line::styled(format!("{what} for {}", how_many(targets)), theme.bold())];
            lines.extend(values.into_iter().enumerate().map(|(i, value)| {
                let marker = if i == *choice { "▸ " } else { "  " };
                let line = Line::raw(format!("{marker}{value}"));
                if i == *choice { line.style(theme.selected()) } else { line }
            }));
            (" Change ", lines)
        }
        BulkPrompt::AssignTo { name, refused, targets } => {
            let lines = vec![
                Line::styled(format!("Assign {}", how_many(targets)), theme.bold()),
                Line::from(vec![
                    Span::styled("To: ", theme.accent()),
                    Span::raw(sanitize_line(name).into_owned()),
                    Span::styled("▏", theme.key()),
                ]),
                match refused {
                    Some(why) => Line::styled(format!("✗ {}", sanitize_line(why)), theme.error()),
                    None => Line::styled("a name, me, or none; Enter assigns", theme.dim()),
                },
            ];
            (" Assign ", lines)
        }
        BulkPrompt::ConfirmMarks { targets } => {
            let lines = vec![
                Line::styled(format!("Mark all {} tickets the list holds?", targets.len()), theme.bold()),
                Line::styled("y marks them, n marks none", theme.dim()),
            ];
            (" Mark many ", lines)
        }
    };
    let rows = u16::try_from(lines.len()).unwrap_or(u16::MAX);
    let area = fit::centered(screen, WIDTH, rows.saturating_add(2));
    if area.is_empty() {
        return;
    }
    let block = overlay_block(title, theme);
    let inner = block.inner(area);
    let buf = frame.buffer_mut();
    Clear.render(area, buf);
    block.render(area, buf);
    for (i, line) in lines.iter().enumerate() {
        if let Some(row) = fit::row(inner, u16::try_from(i).unwrap_or(u16::MAX)) {
            if line.style == theme.selected() {
                buf.set_style(row, theme.selected());
            }
            fit::put(buf, row, line);
        }
    }
}
