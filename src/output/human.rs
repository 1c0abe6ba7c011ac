//! Human text for one ticket, the desk's stats and a ticket's history.

use std::io::{self, Write};

use crate::domain::text::{sanitize, sanitize_line};
use crate::domain::{Stats, Ticket};

pub fn write_ticket(out: &mut impl Write, t: &Ticket) -> io::Result<()> {
    writeln!(out, "#{} {}", t.id, sanitize_line(&t.title))?;
    writeln!(out, "status:    {}", t.status)?;
    writeln!(out, "priority:  {}", t.priority)?;
    writeln!(out, "category:  {}", t.category)?;
    writeln!(out, "assignee:  {}", t.assignee.as_deref().map_or("nobody".into(), sanitize_line))?;
    writeln!(out, "version:   {}", t.version)?;
    writeln!(out, "created:   {}", t.created_at)?;
    writeln!(out, "updated:   {}", t.updated_at)?;
    writeln!(out)?;
    for line in sanitize(&t.description).lines() {
        writeln!(out, "  {line}")?;
    }
    Ok(())
}

pub fn write_stats(out: &mut impl Write, s: &Stats) -> io::Result<()> {
    writeln!(out, "total:        {}", s.total_tickets)?;
    writeln!(out, "open:         {}", s.open_tickets)?;
    writeln!(out, "per day:      {:.2}", s.avg_tickets_per_day)?;
    let p = &s.priority_breakdown;
    writeln!(
        out,
        "by priority:  low {}  medium {}  high {}  critical {}",
        p.low, p.medium, p.high, p.critical
    )?;
    let c = &s.category_breakdown;
    writeln!(
        out,
        "by category:  billing {}  technical {}  account {}  general {}",
        c.billing, c.technical, c.account, c.general
    )?;
    for (source, fields) in [("claude", &s.suggestions.claude), ("local", &s.suggestions.local)] {
        writeln!(out, "{:<14}{}", format!("{source} kept:"), suggestion_line(fields))?;
    }
    Ok(())
}

/// "category 12 of 15 (80%) · priority 9 of 15 (60%)", or "no suggestions yet".
pub fn suggestion_line(fields: &crate::domain::stats::FieldOutcomes) -> String {
    let part = |name: &str, o: crate::domain::stats::Outcome| match o.kept_percent() {
        Some(percent) => format!("{name} {} of {} ({percent}%)", o.kept, o.kept + o.changed),
        None => format!("{name} —"),
    };
    if fields.category.kept_percent().is_none() && fields.priority.kept_percent().is_none() {
        return "no suggestions saved yet".to_owned();
    }
    format!("{} · {}", part("category", fields.category), part("priority", fields.priority))
}

/// The history of a ticket, one line per event, oldest first.
pub fn history_lines(events: &[crate::domain::Event]) -> Vec<String> {
    use crate::domain::{EventField, EventSource};
    events
        .iter()
        .map(|e| {
            let when = e.at.get(..16).unwrap_or(&e.at).replace('T', " ");
            let value = |v: &Option<String>| -> String {
                v.as_deref().map_or_else(|| "nobody".to_owned(), |s| sanitize_line(s).into_owned())
            };
            let what = match e.field {
                EventField::Created => format!("created \"{}\"", value(&e.new_value)),
                EventField::Note => format!("note: {}", value(&e.new_value)),
                EventField::Description => "edited the description".to_owned(),
                field if e.old_value.is_none() && field != EventField::Assignee => {
                    format!("{} {}", field.as_str(), value(&e.new_value))
                }
                field => format!("{} {} → {}", field.as_str(), value(&e.old_value), value(&e.new_value)),
            };
            let source = match e.source {
                EventSource::Person => String::new(),
                other => format!(" ({})", other.as_str()),
            };
            format!("{when}  {}  {what}{source}", sanitize_line(&e.actor))
        })
        .collect()
}
