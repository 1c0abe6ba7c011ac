//! Human views of one ticket and of the desk's stats.

use std::io::{self, Write};

use crate::domain::text::{sanitize, sanitize_line};
use crate::domain::{Stats, Ticket};

pub fn write_ticket(out: &mut impl Write, t: &Ticket) -> io::Result<()> {
    writeln!(out, "#{} {}", t.id, sanitize_line(&t.title))?;
    writeln!(out, "status:    {}", t.status)?;
    writeln!(out, "priority:  {}", t.priority)?;
    writeln!(out, "category:  {}", t.category)?;
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
    )
}
