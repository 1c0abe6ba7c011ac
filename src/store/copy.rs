//! Copying a whole desk into an empty one, on either engine: every ticket as
//! it is (id, version, timestamps, assignee), its history and notes, and what
//! was suggested when it was saved. The target takes it all in one
//! transaction or nothing; afterwards both sides are counted and a sample of
//! tickets compared field by field.

use std::sync::mpsc;

use super::{Store, StoreError};
use crate::domain::{Event, Suggested, Ticket};

/// One ticket with everything that belongs to it.
#[derive(Debug, Clone, PartialEq)]
pub struct DeskRecord {
    pub ticket: Ticket,
    /// Oldest first.
    pub events: Vec<Event>,
    pub suggested: Option<Suggested>,
}

/// How much a desk holds.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CopyCounts {
    pub tickets: u64,
    pub events: u64,
    pub suggestions: u64,
}

/// What a copy did, and what the check afterwards found.
#[derive(Debug)]
pub struct CopyReport {
    pub source: CopyCounts,
    pub target: CopyCounts,
    /// Tickets compared field by field, with their history.
    pub sampled: usize,
    /// Every difference found; empty when the copy is faithful.
    pub differences: Vec<String>,
}

impl CopyReport {
    pub fn ok(&self) -> bool {
        self.differences.is_empty()
    }
}

/// Records in flight between the reading and the writing side.
const IN_FLIGHT: usize = 1024;

/// The first fifty tickets, then every five hundredth: spread over the whole desk,
/// cheap to compare, the same every run.
fn sampled(position: u64) -> bool {
    position < 50 || position.is_multiple_of(500)
}

impl Store {
    /// Copies this whole desk into `target`, which must hold no tickets,
    /// then compares the two. The target commits everything or nothing.
    pub fn copy_into(&mut self, target: &mut Store) -> Result<CopyReport, StoreError> {
        let mut sample = Vec::new();
        let written = std::thread::scope(|scope| {
            let (send, records) = mpsc::sync_channel::<Result<DeskRecord, StoreError>>(IN_FLIGHT);
            let source = &mut *self;
            scope.spawn(move || {
                let mut position = 0;
                let read = source.read_records(&mut |record| {
                    position += 1;
                    send.send(Ok(record)).is_ok()
                });
                // A failed read ends the copy with its error, never with a
                // target that looks complete.
                if let Err(e) = read {
                    let _ = send.send(Err(e));
                }
            });
            let mut position = 0;
            let mut records = records.into_iter().inspect(|record| {
                if let Ok(record) = record {
                    if sampled(position) {
                        sample.push(record.ticket.id);
                    }
                    position += 1;
                }
            });
            target.write_records(&mut records)
        })?;
        let source = self.counts()?;
        let target_counts = target.counts()?;
        let mut differences = Vec::new();
        if written != source {
            differences.push(format!("copied {written:?}, but the source holds {source:?}"));
        }
        if target_counts != source {
            differences.push(format!("the target holds {target_counts:?}, the source {source:?}"));
        }
        for &id in &sample {
            let (ours, theirs) = (self.get(id)?, target.get(id));
            match theirs {
                Ok(theirs) if theirs == ours => {}
                Ok(theirs) => differences.push(format!("#{id} differs: {ours:?} became {theirs:?}")),
                Err(e) => differences.push(format!("#{id} is missing from the target: {e}")),
            }
            let (ours, theirs) = (self.history(id)?, target.history(id));
            if theirs.as_ref().ok() != Some(&ours) {
                differences.push(format!("the history of #{id} differs"));
            }
        }
        Ok(CopyReport { source, target: target_counts, sampled: sample.len(), differences })
    }
}
