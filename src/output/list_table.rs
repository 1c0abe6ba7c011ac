//! The `list` command's output for people and for programs. On a terminal:
//! aligned columns that fit its width, the least needed dropped first when it
//! is narrow, titles cut with `…` by display width (wide characters count
//! double), colour if wanted. Into a pipe: one ticket per line, fields
//! separated by tabs, nothing cut, as `cut` and `awk` expect. Ticket text is
//! sanitised either way: tabs and line breaks inside it become spaces.

use std::io::{self, Write};
use time::OffsetDateTime;

use super::paint::Paint;
use crate::domain::Ticket;
use crate::domain::text::sanitize_line;
use crate::domain::timestamp::age;
use crate::domain::width::{truncate, width as display_width};

/// The pipe's fields, in order, for `--header`.
pub const FIELDS: [&str; 7] = ["id", "status", "priority", "category", "assignee", "created_at", "title"];

/// Prints `tickets` one per line, tab-separated, nothing cut; `header`
/// first if asked for.
pub fn write_rows(out: &mut impl Write, tickets: &[Ticket], header: bool, paint: Paint) -> io::Result<()> {
    if header {
        writeln!(out, "{}", FIELDS.join("\t"))?;
    }
    for t in tickets {
        let assignee = t.assignee.as_deref().map_or_else(|| "-".into(), sanitize_line);
        writeln!(
            out,
            "{}\t{}\t{}\t{}\t{assignee}\t{}\t{}",
            t.id,
            paint.status(t.status, t.status.as_str()),
            paint.priority(t.priority, t.priority.as_str()),
            t.category,
            t.created_at,
            sanitize_line(&t.title),
        )?;
    }
    Ok(())
}

/// A column of the table: its heading, and what to do when room runs out.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Column {
    Id,
    Status,
    Priority,
    Category,
    Assignee,
    Age,
}

const COLUMNS: [(Column, &str); 6] = [
    (Column::Id, "ID"),
    (Column::Status, "STATUS"),
    (Column::Priority, "PRIORITY"),
    (Column::Category, "CATEGORY"),
    (Column::Assignee, "ASSIGNEE"),
    (Column::Age, "AGE"),
];

/// Dropped in this order while the title would get fewer cells than
/// [`TITLE_ROOM`]: the id and the title always stay.
const DROP_ORDER: [Column; 5] =
    [Column::Assignee, Column::Age, Column::Category, Column::Priority, Column::Status];
const TITLE_ROOM: usize = 24;
const GAP: &str = "  ";

fn pad(text: &str, width: usize) -> String {
    " ".repeat(width.saturating_sub(display_width(text)))
}

/// Prints `tickets` as a table no wider than `width` columns.
pub fn write_tickets(
    out: &mut impl Write,
    tickets: &[Ticket],
    width: usize,
    now: OffsetDateTime,
    paint: Paint,
) -> io::Result<()> {
    let cell = |t: &Ticket, column: Column| match column {
        Column::Id => format!("#{}", t.id),
        Column::Status => t.status.as_str().to_owned(),
        Column::Priority => t.priority.as_str().to_owned(),
        Column::Category => t.category.as_str().to_owned(),
        Column::Assignee => {
            t.assignee.as_deref().map_or_else(|| "-".to_owned(), |a| sanitize_line(a).into_owned())
        }
        Column::Age => age(&t.created_at, now),
    };
    let mut shown: Vec<(Column, &str, usize)> = COLUMNS
        .iter()
        .map(|(column, heading)| {
            let widest = tickets.iter().map(|t| display_width(&cell(t, *column))).max().unwrap_or(0);
            (*column, *heading, widest.max(display_width(heading)))
        })
        .collect();
    let fixed = |shown: &[(Column, &str, usize)]| shown.iter().map(|(_, _, w)| w + GAP.len()).sum::<usize>();
    for column in DROP_ORDER {
        if fixed(&shown) + TITLE_ROOM <= width {
            break;
        }
        shown.retain(|(c, _, _)| *c != column);
    }
    let title_width = width.saturating_sub(fixed(&shown)).max(1);
    let mut heading = String::new();
    for (_, name, w) in &shown {
        heading.push_str(&format!("{}{}{GAP}", paint.heading(name), pad(name, *w)));
    }
    writeln!(out, "{}{}", heading, paint.heading("TITLE"))?;
    for t in tickets {
        let mut line = String::new();
        for (column, _, w) in &shown {
            let text = cell(t, *column);
            let painted = match column {
                Column::Status => paint.status(t.status, &text),
                Column::Priority => paint.priority(t.priority, &text),
                _ => text.clone(),
            };
            line.push_str(&format!("{painted}{}{GAP}", pad(&text, *w)));
        }
        line.push_str(&truncate(&sanitize_line(&t.title), title_width));
        writeln!(out, "{}", line.trim_end())?;
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
        write_tickets(&mut out, tickets, width, datetime!(2024-01-03 00:00 UTC), Paint::plain()).unwrap();
        String::from_utf8(out).unwrap()
    }

    fn rows(tickets: &[Ticket], header: bool) -> String {
        let mut out = Vec::new();
        write_rows(&mut out, tickets, header, Paint::plain()).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn a_narrow_terminal_loses_the_least_needed_columns_first() {
        let tickets = [ticket(12, "Refund for the duplicate charge on the March invoice", Some("alice"))];
        let wide = table(&tickets, 120);
        assert!(wide.starts_with("ID   STATUS       PRIORITY  CATEGORY  ASSIGNEE  AGE  TITLE"), "{wide}");
        assert!(wide.contains("Refund for the duplicate charge on the March invoice"), "{wide}");
        let narrow = table(&tickets, 64);
        assert!(narrow.starts_with("ID   STATUS       PRIORITY  CATEGORY  TITLE"), "{narrow}");
        let tiny = table(&tickets, 44);
        assert!(tiny.starts_with("ID   STATUS       TITLE"), "{tiny}");
        for (out, width) in [(&wide, 120), (&narrow, 64), (&tiny, 44)] {
            for line in out.lines() {
                assert!(display_width(line) <= width, "{line:?} in {width}");
            }
        }
        assert!(tiny.lines().nth(1).unwrap().ends_with('…'), "{tiny}");
    }

    #[test]
    fn colour_does_not_move_the_columns() {
        let tickets = [ticket(1, "one", None), ticket(22, "two", Some("bob"))];
        let mut out = Vec::new();
        let paint = Paint::new(clap::ColorChoice::Always, false, false);
        write_tickets(&mut out, &tickets, 100, datetime!(2024-01-03 00:00 UTC), paint).unwrap();
        let coloured = String::from_utf8(out).unwrap();
        assert!(coloured.contains("\x1b[1mhigh\x1b[0m"), "{coloured:?}");
        let stripped = regex::Regex::new("\x1b\\[[0-9;]*m").unwrap().replace_all(&coloured, "");
        assert_eq!(stripped, table(&tickets, 100));
    }

    #[test]
    fn piped_rows_are_whole_and_tab_separated() {
        let long = "A title much longer than any terminal is wide: ".repeat(6);
        let tickets = [ticket(7, &long, Some("bob")), ticket(8, "tab\there\nand \u{1b}[31mred", None)];
        let out = rows(&tickets, false);
        let lines: Vec<&str> = out.lines().collect();
        assert_eq!(lines.len(), 2, "no header unless asked for: {out:?}");
        let fields: Vec<&str> = lines[0].split('\t').collect();
        assert_eq!(
            fields,
            ["7", "in_progress", "high", "billing", "bob", "2024-01-01T00:00:00.000Z", long.as_str()]
        );
        let fields: Vec<&str> = lines[1].split('\t').collect();
        assert_eq!(fields.len(), FIELDS.len(), "a tab in a title stays out of the fields: {out:?}");
        assert_eq!(fields[4], "-");
        assert!(find_unsafe(&out).iter().all(|&(_, c)| c == '\n' || c == '\t'), "{out:?}");
        let with_header = rows(&tickets, true);
        assert_eq!(
            with_header.lines().next(),
            Some("id\tstatus\tpriority\tcategory\tassignee\tcreated_at\ttitle")
        );
        assert_eq!(rows(&[], false), "");
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
                prop_assert!(display_width(line) <= width, "{:?} in {}", line, width);
            }
        }
    }
}
