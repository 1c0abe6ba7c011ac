//! `assign`, `take`, `note` and `history`: working a shared desk.

use anyhow::{Context, Result};
use std::io::{self, Read, Write};

use super::{human, stdout};
use crate::cli::VersionCheck;
use crate::domain::text::{sanitize, sanitize_line};
use crate::output::json;
use crate::store::Store;

/// Gives a ticket to `user`, to nobody (`None`), or to yourself (`take`).
pub fn assign(
    store: &mut Store,
    id: i64,
    user: Option<&str>,
    check: &VersionCheck,
    as_json: bool,
) -> Result<()> {
    let ticket = store.assign(id, user, check.if_version)?;
    let mut out = stdout();
    if as_json {
        json::write_pretty(&mut out, &ticket)?;
    } else {
        match &ticket.assignee {
            Some(who) => writeln!(out, "#{} is assigned to {}", ticket.id, sanitize_line(who))?,
            None => writeln!(out, "#{} is assigned to nobody", ticket.id)?,
        }
    }
    Ok(out.flush()?)
}

pub fn note(store: &mut Store, id: i64, text: Option<&str>, edit: bool, as_json: bool) -> Result<()> {
    let text = match text {
        Some("-") => {
            let mut read = String::new();
            io::stdin().read_to_string(&mut read).context("cannot read the note from standard input")?;
            read
        }
        Some(text) => text.to_owned(),
        None => String::new(),
    };
    let text = if edit {
        let ticket = store.get(id)?;
        let instructions = format!(
            "# A note on #{id}, {}. Notes are never changed or removed.\n\
             # Save and quit to add it; empty it, or quit with an error (:cq in vi), to add nothing.",
            crate::domain::text::sanitize_line(&ticket.title)
        );
        crate::editor::edit(&text, &instructions)?
            .ok_or_else(|| anyhow::anyhow!("no note added: the editor left no text or failed"))?
    } else {
        text
    };
    let event = store.note(id, &text)?;
    let mut out = stdout();
    if as_json {
        json::write_pretty(&mut out, &event)?;
    } else {
        writeln!(out, "Noted on #{id}")?;
    }
    Ok(out.flush()?)
}

pub fn history(store: &mut Store, id: i64, as_json: bool) -> Result<()> {
    let events = store.history(id)?;
    let mut out = stdout();
    if as_json {
        json::write_pretty(&mut out, &events)?;
    } else {
        for line in human::history_lines(&events) {
            writeln!(out, "{}", sanitize(&line))?;
        }
    }
    Ok(out.flush()?)
}
