//! `status --query … --to …` and `assign --query … --to …`: one change to
//! every ticket a query selects, each checked against the version it had when
//! selected; tickets changed meanwhile are skipped and named.

use anyhow::{Result, bail};
use std::io::Write;

use super::{UsageError, stdout};
use crate::domain::Filter;
use crate::output::json;
use crate::store::{BULK_MAX, BulkChange, Store};

pub fn bulk(store: &mut Store, filter: &Filter, change: BulkChange, as_json: bool) -> Result<()> {
    let selected = store.list(filter, BULK_MAX + 1, None)?;
    if selected.len() > BULK_MAX {
        bail!("the query selects more than {BULK_MAX} tickets; narrow it (nothing was changed)");
    }
    let targets: Vec<(i64, i64)> = selected.iter().map(|t| (t.id, t.version)).collect();
    tracing::info!(selected = targets.len(), "bulk change: tickets selected, applying");
    let outcome = store.bulk_change(&targets, &change)?;
    let mut out = stdout();
    if as_json {
        #[derive(serde::Serialize)]
        struct Skip {
            id: i64,
            reason: String,
        }
        #[derive(serde::Serialize)]
        struct Report<'a> {
            changed: &'a [i64],
            already: &'a [i64],
            skipped: Vec<Skip>,
        }
        let skipped = outcome.skipped.iter().map(|s| Skip { id: s.id(), reason: s.to_string() }).collect();
        json::write_pretty(
            &mut out,
            &Report { changed: &outcome.changed, already: &outcome.already, skipped },
        )?;
    } else {
        let noun = |n: usize| if n == 1 { "ticket" } else { "tickets" };
        writeln!(out, "Changed {} {}", outcome.changed.len(), noun(outcome.changed.len()))?;
        if !outcome.already.is_empty() {
            writeln!(out, "{} already as asked", outcome.already.len())?;
        }
        for skipped in &outcome.skipped {
            writeln!(out, "Skipped {skipped}")?;
        }
    }
    out.flush()?;
    if !outcome.skipped.is_empty() {
        bail!(
            "{} of {} tickets were skipped: someone changed them meanwhile",
            outcome.skipped.len(),
            targets.len()
        );
    }
    Ok(())
}

/// The account `--to` names: a name, `me`, or `none` (nobody).
pub fn assignee(to: &str, me: &str) -> Result<Option<String>, UsageError> {
    match to {
        "none" => Ok(None),
        "me" => Ok(Some(me.to_owned())),
        name if crate::actor::is_account_name(name) => Ok(Some(name.to_owned())),
        _ => Err(UsageError(
            "--to takes an account name (letters, digits, '.', '_', '@', '-'), me or none".into(),
        )),
    }
}
