//! The human `list` table: aligned columns that fit the terminal, ticket text
//! sanitised and truncated by display width (wide characters count double).

use std::io::{self, Write};
use time::OffsetDateTime;
use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

use crate::domain::Ticket;
use crate::domain::text::sanitize_line;
use crate::domain::timestamp::age;

/// Cuts `text` to at most `width` columns, ending in "…" when cut.
pub fn truncate(text: &str, width: usize) -> String {
    if text.width() <= width {
        return text.to_owned();
    }
    let mut out = String::new();
    let mut used = 0;
    for c in text.chars() {
        let w = c.width().unwrap_or(0);
        if used + w + 1 > width {
            break;
        }
        out.push(c);
        used += w;
    }
    if width > 0 {
        out.push('…');
    }
    out
}

fn pad(text: &str, width: usize) -> String {
    let fill = width.saturating_sub(text.width());
    format!("{text}{}", " ".repeat(fill))
}

/// Prints `tickets` as a table no wider than `width` columns.
pub fn write_tickets(
    out: &mut impl Write,
    tickets: &[Ticket],
    width: usize,
    now: OffsetDateTime,
) -> io::Result<()> {
    let rows: Vec<[String; 7]> = tickets
        .iter()
        .map(|t| {
            [
                format!("#{}", t.id),
                t.status.as_str().to_owned(),
                t.priority.as_str().to_owned(),
                t.category.as_str().to_owned(),
                t.assignee.as_deref().map_or_else(|| "-".to_owned(), |a| sanitize_line(a).into_owned()),
                age(&t.created_at, now),
                sanitize_line(&t.title).into_owned(),
            ]
        })
        .collect();
    let header = ["ID", "STATUS", "PRIORITY", "CATEGORY", "ASSIGNEE", "AGE", "TITLE"];
    let mut widths = header.map(str::width);
    for row in &rows {
        for (w, cell) in widths.iter_mut().zip(row.iter()).take(6) {
            *w = (*w).max(cell.width());
        }
    }
    let fixed: usize = widths[..6].iter().sum::<usize>() + 2 * 6;
    let title_width = width.saturating_sub(fixed).max(10);
    let line = |cells: [&str; 7]| -> String {
        let mut line = String::new();
        for (i, cell) in cells.iter().enumerate().take(6) {
            line.push_str(&pad(cell, widths[i]));
            line.push_str("  ");
        }
        line.push_str(&truncate(cells[6], title_width));
        line.trim_end().to_owned()
    };
    writeln!(out, "{}", line(header))?;
    for row in &rows {
        writeln!(out, "{}", line([&row[0], &row[1], &row[2], &row[3], &row[4], &row[5], &row[6]]))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn truncation_counts_columns_not_chars() {
        assert_eq!(truncate("abcdef", 6), "abcdef");
        assert_eq!(truncate("abcdef", 4), "abc…");
        assert_eq!(truncate("漢字漢字", 5), "漢字…");
        assert_eq!(truncate("漢字漢字", 5).width(), 5);
    }
}
