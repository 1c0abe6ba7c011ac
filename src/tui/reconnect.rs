//! Getting a server desk back after its server went away (restarted, or the
//! network dropped): a fresh session, tried again and again with a growing
//! pause, and, for a change whose connection broke under it, a look at the
//! desk to see whether it landed before it is sent again. A SQLite desk never
//! gets here: a file does not go away this way.

use std::time::Duration;

use super::msg::Msg;
use super::worker::WriteJob;
use crate::domain::{EventField, Filter, Ticket};
use crate::store::{Location, Store, StoreError};

/// The pause before the second try; it doubles up to [`LONGEST_PAUSE`].
const FIRST_PAUSE: Duration = Duration::from_millis(200);
const LONGEST_PAUSE: Duration = Duration::from_secs(2);

/// How many of the newest tickets are looked through for a save that may
/// have landed: the save is seconds old, and its ticket among the newest.
const NEWEST_LOOKED_AT: usize = 50;

/// Whether this error means the server is out of reach (rather than the
/// change refused): worth a fresh session and another try.
pub fn is_lost(error: &StoreError) -> bool {
    matches!(error, StoreError::Unreachable { .. })
}

/// Opens `location` again, pausing 0.2 s, 0.4 s, … up to 2 s between tries,
/// until it opens. `None` once `gone` says nobody is waiting any more.
pub fn reopen(location: &Location, busy_timeout: Duration, gone: impl Fn() -> bool) -> Option<Store> {
    let mut pause = FIRST_PAUSE;
    loop {
        if gone() {
            return None;
        }
        match Store::open_at(location, busy_timeout) {
            Ok(store) => return Some(store),
            Err(e) => tracing::info!(desk = %location.shown(), error = %e, "server still out of reach"),
        }
        std::thread::sleep(pause);
        pause = (pause * 2).min(LONGEST_PAUSE);
    }
}

/// The answer for `job` if its connection broke after the server had
/// committed it: then it is already in the desk and must not be sent again.
/// `None` means it did not land and is sent again.
///
/// Status and assignee changes carry the version they saw, so sending them
/// again could never apply them twice (it would only meet a conflict with
/// ourselves); a bulk change carries a version per ticket, and sample
/// tickets go only into an empty desk. A new ticket and a note carry no
/// version: they are looked for, as this agent's newest with the same text.
pub fn landed(store: &mut Store, job: &WriteJob) -> Result<Option<Msg>, StoreError> {
    Ok(match job {
        WriteJob::Save(ticket, _) => {
            let newest = store.list(&Filter::default(), NEWEST_LOOKED_AT, None)?;
            let same = newest.into_iter().filter(|t| {
                t.title == ticket.title
                    && t.description == ticket.description
                    && t.category == ticket.category
                    && t.priority == ticket.priority
            });
            let mut mine = None;
            for found in same {
                if store.history(found.id)?.first().is_some_and(|e| e.actor == store.actor()) {
                    mine = Some(found);
                    break;
                }
            }
            mine.map(|t| Msg::Saved(Ok(t)))
        }
        WriteJob::SetStatus { id, status, version } => {
            changed_by_us(store, *id, *version, |t| t.status == *status)?.map(|t| Msg::Changed(Ok(t)))
        }
        WriteJob::Assign { id, assignee, version } => {
            changed_by_us(store, *id, *version, |t| t.assignee == *assignee)?.map(|t| Msg::Changed(Ok(t)))
        }
        WriteJob::Note { id, text } => {
            let Ok(text) = crate::domain::ticket::validate_note(text) else { return Ok(None) };
            let last = store.history(*id)?.pop();
            last.filter(|e| {
                e.field == EventField::Note
                    && e.actor == store.actor()
                    && e.new_value.as_deref() == Some(&text)
            })
            .map(|e| Msg::Noted(Ok(e)))
        }
        WriteJob::Bulk { .. } | WriteJob::ImportSamples => None,
    })
}

/// The ticket, if it moved exactly one version past `seen`, by this agent,
/// to what `wanted` says.
fn changed_by_us(
    store: &mut Store,
    id: i64,
    seen: i64,
    wanted: impl Fn(&Ticket) -> bool,
) -> Result<Option<Ticket>, StoreError> {
    let ticket = match store.get(id) {
        Ok(ticket) => ticket,
        Err(StoreError::NotFound(_)) => return Ok(None),
        Err(e) => return Err(e),
    };
    if ticket.version != seen + 1 || !wanted(&ticket) {
        return Ok(None);
    }
    let history = store.history(id)?;
    let last_change = history.iter().rev().find(|e| e.field != EventField::Note);
    Ok(last_change.is_some_and(|e| e.actor == store.actor()).then_some(ticket))
}
