//! The list's table: which columns fit, and the rows drawn cell by cell at
//! fixed columns, each cut by display width, so wide characters in a title
//! never push the columns after it.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::Line;

use super::fit;
use super::theme::{self, CATEGORY_WIDTH, PRIORITY_WIDTH, STATUS_WIDTH, Theme};
use crate::domain::Ticket;
use crate::domain::text::sanitize_line;
use crate::domain::timestamp;
use crate::tui::model::Model;

const MARKER: &str = "›";
/// A ticket marked for a change to many (selected or not: the selection
/// shows as the reversed band).
const MARKED: &str = "●";
const AGE_WIDTH: usize = 4;
const ASSIGNEE_WIDTH: usize = 8;
/// Below this many cells for title and description together, the description goes.
const MIN_SHARED: usize = 30;
const MAX_TITLE: usize = 60;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Column {
    Marker,
    Id,
    Title,
    Description,
    Category,
    Priority,
    Status,
    Assignee,
    Age,
}

impl Column {
    fn heading(self) -> &'static str {
        match self {
            Column::Marker => "",
            Column::Id => "#",
            Column::Title => "Title",
            Column::Description => "Description",
            Column::Category => "Category",
            Column::Priority => "Priority",
            Column::Status => "Status",
            Column::Assignee => "Owner",
            Column::Age => "Age",
        }
    }

    fn right_aligned(self) -> bool {
        matches!(self, Column::Id | Column::Age)
    }
}

/// Columns and their widths for `width` cells: the fixed columns keep their
/// widths, title and description share the rest; on a narrow pane the
/// description goes first, then the age, category and status.
fn columns(width: usize, id_width: usize) -> Vec<(Column, usize)> {
    let mut fixed = vec![
        (Column::Marker, 1),
        (Column::Id, id_width),
        (Column::Category, CATEGORY_WIDTH),
        (Column::Priority, PRIORITY_WIDTH),
        (Column::Status, STATUS_WIDTH),
        (Column::Assignee, ASSIGNEE_WIDTH),
        (Column::Age, AGE_WIDTH),
    ];
    // Cells left for `flex_columns` flexible columns, one space between columns.
    let spare = |fixed: &[(Column, usize)], flex_columns: usize| {
        let used: usize = fixed.iter().map(|(_, w)| w + 1).sum();
        width.saturating_sub(used + flex_columns - 1)
    };
    let with_description = spare(&fixed, 2) >= MIN_SHARED;
    if !with_description {
        for drop in [Column::Assignee, Column::Age, Column::Category, Column::Status, Column::Id] {
            if spare(&fixed, 1) >= 12 {
                break;
            }
            fixed.retain(|(c, _)| *c != drop);
        }
    }
    let (title, description) = if with_description {
        let flex = spare(&fixed, 2);
        let title = (flex * 3 / 5).min(MAX_TITLE);
        (title, Some(flex - title))
    } else {
        (spare(&fixed, 1), None)
    };
    let order = [
        Column::Marker,
        Column::Id,
        Column::Title,
        Column::Description,
        Column::Category,
        Column::Priority,
        Column::Status,
        Column::Assignee,
        Column::Age,
    ];
    order
        .into_iter()
        .filter_map(|column| match column {
            Column::Title => Some((column, title)),
            Column::Description => description.map(|w| (column, w)),
            _ => fixed.iter().find(|(c, _)| *c == column).copied(),
        })
        .collect()
}

/// The heading row, then the rows that fit, the selection kept in view.
pub fn render(buf: &mut Buffer, area: Rect, model: &Model, focused: bool, theme: Theme) {
    let list = &model.list;
    let fit_rows = usize::from(area.height.saturating_sub(1));
    let last = list.rows.len() - 1;
    let selected = list.selected.min(last);
    // The model's `top` assumes no search box; keep the selection in view.
    // Never leave rows blank at the bottom while earlier ones could show.
    let mut top = list.top.min(list.rows.len().saturating_sub(fit_rows));
    if selected < top {
        top = selected;
    } else if fit_rows > 0 && selected >= top + fit_rows {
        top = selected + 1 - fit_rows;
    }
    let visible = &list.rows[top..(top + fit_rows).min(list.rows.len())];
    let id_width = visible.iter().map(|t| t.id.to_string().len() + 1).max().unwrap_or(2).max(2);
    let columns = columns(usize::from(area.width), id_width);

    let header: Vec<(String, Style)> =
        columns.iter().map(|(c, _)| (c.heading().to_owned(), theme.heading())).collect();
    draw_row(buf, area, 0, &columns, &header);
    for (i, ticket) in visible.iter().enumerate() {
        let y = u16::try_from(i + 1).unwrap_or(u16::MAX);
        let is_selected = top + i == selected;
        if is_selected
            && focused
            && let Some(row) = fit::row(area, y)
        {
            buf.set_style(row, theme.selected());
        }
        // The selected row is one reversed band in one style: moving the
        // selection then rewrites two plain rows, not a row of colour changes
        // (over SSH those bytes are the latency).
        let uniform = (is_selected && focused).then(|| theme.selected());
        let cells: Vec<(String, Style)> = columns
            .iter()
            .map(|(c, w)| {
                let (text, style) = cell(*c, *w, ticket, is_selected, model, theme);
                (text, uniform.unwrap_or(style))
            })
            .collect();
        draw_row(buf, area, y, &columns, &cells);
    }
}

fn draw_row(buf: &mut Buffer, area: Rect, y: u16, columns: &[(Column, usize)], cells: &[(String, Style)]) {
    let Some(row) = fit::row(area, y) else { return };
    let mut x = 0usize;
    for ((column, width), (text, style)) in columns.iter().zip(cells) {
        let text = if column.right_aligned() {
            fit::pad_left(text, *width)
        } else {
            fit::truncate(text, *width).into_owned()
        };
        let dx = u16::try_from(x).unwrap_or(u16::MAX);
        let cells = u16::try_from(*width).unwrap_or(u16::MAX);
        fit::put(buf, fit::columns(row, dx, cells), &Line::styled(text, *style));
        x += width + 1;
    }
}

fn cell(
    column: Column,
    width: usize,
    ticket: &Ticket,
    selected: bool,
    model: &Model,
    theme: Theme,
) -> (String, Style) {
    match column {
        Column::Marker => {
            let marked = model.list.marks.contains_key(&ticket.id);
            let marker = if marked {
                MARKED
            } else if selected {
                MARKER
            } else {
                ""
            };
            (marker.to_owned(), theme.accent())
        }
        Column::Id => (format!("#{}", ticket.id), theme.dim()),
        Column::Title => (sanitize_line(&ticket.title).into_owned(), theme.plain()),
        Column::Description => (one_line(&ticket.description, width), theme.dim()),
        Column::Category => (ticket.category.to_string(), theme.category()),
        Column::Priority => (theme::priority_label(ticket.priority), theme.priority(ticket.priority)),
        Column::Status => (ticket.status.to_string(), theme.status(ticket.status)),
        Column::Assignee => match ticket.assignee.as_deref() {
            None => ("—".to_owned(), theme.dim()),
            Some(who) if who == model.list.me => ("me".to_owned(), theme.accent()),
            Some(who) => (sanitize_line(who).into_owned(), theme.plain()),
        },
        Column::Age => (timestamp::age(&ticket.created_at, model.now), theme.dim()),
    }
}

/// The start of a description as one line: safe, whitespace runs collapsed.
/// Only as much as could show is looked at, however long the text.
fn one_line(description: &str, width: usize) -> String {
    let head: String = description.chars().take(width * 4 + 16).collect();
    sanitize_line(&head).split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn total(columns: &[(Column, usize)]) -> usize {
        columns.iter().map(|(_, w)| w + 1).sum::<usize>() - 1
    }

    #[test]
    fn columns_fill_the_width_exactly() {
        for width in [118, 98, 78, 60, 38, 20] {
            let columns = columns(width, 4);
            assert!(total(&columns) <= width, "{width}: {columns:?}");
            assert!(columns.iter().any(|(c, _)| *c == Column::Title));
        }
        let wide = columns(118, 4);
        assert_eq!(total(&wide), 118);
        assert!(wide.iter().any(|(c, _)| *c == Column::Description));
    }

    #[test]
    fn long_descriptions_are_cut_before_work() {
        let long = "word\n\t".repeat(100_000);
        let line = one_line(&long, 10);
        assert!(line.len() < 100 && !line.contains('\n'));
    }
}
