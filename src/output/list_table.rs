//! The human `list` table: aligned columns that fit the terminal, ticket text
//! sanitised and truncated by display width (wide characters count double).

use std::io::{self, Write};
use time::OffsetDateTime;

use crate::domain::Ticket;
use crate::domain::text::sanitize_line;
use crate::domain::timestamp::age;
use crate::domain::width::{truncate, width as display_width};

fn pad(text: &str, width: usize) -> String {
    let fill = width.saturating_sub(display_width(text));
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
    let mut widths = header.map(display_width);
    for row in &rows {
        for (w, cell) in widths.iter_mut().zip(row.iter()).take(6) {
            *w = (*w).max(display_width(cell));
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
    use crate::domain::text::{find_unsafe, tests::any_text};
    use crate::domain::{Category, Priority, Status};
    use proptest::prelude::*;
    use time::macros::datetime;

    /// Starts every title, so a test can find where the title column begins.
    const MARK: char = '¦';

    fn ticket(id: i64, title: &str, assignee: Option<&str>) -> Ticket {
        Ticket {
            id,
            title: title.to_owned(),
            description: "d".into(),
            category: Category::Billing,
            priority: Priority::High,
            status: Status::InProgress,
            created_at: "2024-01-01T00:00:00.000Z".into(),
            updated_at: "2024-01-01T00:00:00.000Z".into(),
            assignee: assignee.map(str::to_owned),
            version: 1,
        }
    }

    fn table(tickets: &[Ticket], width: usize) -> String {
        let mut out = Vec::new();
        write_tickets(&mut out, tickets, width, datetime!(2024-01-03 00:00 UTC)).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn titles_are_cut_by_cells_and_never_inside_a_sequence() {
        let heart = "❤\u{fe0f}";
        let out = table(&[ticket(1, &format!("{MARK}{}", heart.repeat(20)), None)], 80);
        let row = out.lines().nth(1).unwrap();
        assert!(display_width(row) <= 80, "{row:?} is {} cells", display_width(row));
        assert!(row.ends_with(&format!("{heart}…")), "{row:?}");
    }

    #[test]
    fn separators_and_stray_joiners_stay_inside_the_row() {
        let out = table(&[ticket(7, "one\u{2028}two \u{200f}x\u{200d}y", Some("bob"))], 100);
        assert_eq!(out.lines().count(), 2);
        assert!(out.ends_with("one two \u{fffd}x\u{fffd}y\n"), "{out:?}");
    }

    proptest! {
        /// Whatever the titles and assignees hold, every row has the same
        /// width up to its title, the title fits the width left, and nothing
        /// but the newline that ends a row breaks a line.
        #[test]
        fn every_row_keeps_its_columns(
            rows in proptest::collection::vec((any_text(60), proptest::option::of(any_text(12))), 1..5),
            width in 20usize..140,
        ) {
            prop_assume!(rows.iter().all(|(_, a)| a.as_deref().is_none_or(|a| !a.contains(MARK))));
            let tickets: Vec<Ticket> = rows
                .iter()
                .enumerate()
                .map(|(i, (title, assignee))| ticket(i as i64 + 1, &format!("{MARK}{title}"), assignee.as_deref()))
                .collect();
            let out = table(&tickets, width);
            let breaks = ['\r', '\u{b}', '\u{c}', '\u{85}', '\u{2028}', '\u{2029}'];
            prop_assert!(!out.contains(breaks), "{:?}", out);
            prop_assert!(find_unsafe(&out).iter().all(|&(_, c)| c == '\n'), "{:?}", out);
            let lines: Vec<&str> = out.split_terminator('\n').collect();
            prop_assert_eq!(lines.len(), tickets.len() + 1);
            let title_at = display_width(&lines[0][..lines[0].find("TITLE").unwrap()]);
            for line in &lines[1..] {
                let at = line.find(MARK).unwrap();
                prop_assert_eq!(display_width(&line[..at]), title_at, "{:?}", line);
                prop_assert!(display_width(line) <= width.max(title_at + 10), "{:?} in {}", line, width);
            }
        }
    }
}
