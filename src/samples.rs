//! The sample tickets, built into the binary: a desk to try things on after
//! `cargo install`, where no `assets/` folder exists, and the offline
//! classifier's seed.

use crate::store::{ImportError, Store, StoreError};
use crate::transfer::{self, RowError};

/// 360 labelled tickets, one JSON object per line.
pub const SAMPLE_TICKETS: &str = include_str!("../assets/sample-tickets.jsonl");

#[derive(Debug, thiserror::Error)]
pub enum SamplesError {
    /// Samples mixed into a working desk would pass for real tickets.
    #[error("the desk already holds {0} tickets; the sample tickets go only into an empty desk")]
    NotEmpty(i64),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("the built-in sample tickets: {0}")]
    Import(#[from] ImportError<RowError>),
}

/// Imports the sample tickets into `store`, which must hold no tickets, in
/// one transaction; returns how many were added. For `import --samples` and
/// the empty desk's screen.
pub fn import_samples(store: &mut Store) -> Result<u64, SamplesError> {
    let held = store.stats()?.total_tickets;
    if held > 0 {
        return Err(SamplesError::NotEmpty(held));
    }
    Ok(store.import(transfer::read_jsonl(SAMPLE_TICKETS.as_bytes()))?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_samples_fill_an_empty_desk_once() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(&dir.path().join("t.db")).unwrap();
        let lines = SAMPLE_TICKETS.lines().filter(|l| !l.trim().is_empty()).count() as u64;
        assert_eq!(import_samples(&mut store).unwrap(), lines);
        assert_eq!(store.stats().unwrap().total_tickets, lines as i64);
        let again = import_samples(&mut store).unwrap_err();
        assert!(matches!(again, SamplesError::NotEmpty(n) if n == lines as i64), "{again}");
        assert_eq!(store.stats().unwrap().total_tickets, lines as i64, "nothing added the second time");
    }
}
