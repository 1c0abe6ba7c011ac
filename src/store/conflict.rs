//! The refusal both engines give a change made from a version of a ticket
//! that has since moved on.

use super::StoreError;
use crate::domain::Ticket;

/// The refusal of a change made from version `seen` of a ticket that has
/// moved on: who made its latest change and when (`last`, notes aside), else
/// "someone" at its last update. Both engines refuse with this.
pub(crate) fn conflict(current: &Ticket, seen: i64, last: Option<(String, String)>) -> StoreError {
    let (by, at) = last.unwrap_or_else(|| ("someone".into(), current.updated_at.clone()));
    let id = current.id;
    tracing::info!(
        id,
        seen,
        current = current.version,
        "change refused: the ticket changed since it was read"
    );
    StoreError::Conflict { id, by, at, current: current.version, seen }
}
