//! The database's owners. Two threads, each with its own connection: a reader
//! for lists and stats (WAL readers never wait for writers) and a writer for
//! changes. Jobs arrive on channels; answers go back to the app's inbox as
//! messages, errors as the errors they are. Nothing here touches the terminal.
//!
//! The writer also watches for other processes' commits. `PRAGMA
//! data_version` on a connection moves when any *other* connection commits,
//! so on the writer's own connection it never moves for this screen's own
//! writes: only another agent's change comes back as `DatabaseChanged`. (On
//! the reader's it would move for every save made here too, and the list and
//! stats would be read twice.)

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc;
use std::thread::{self, JoinHandle};
use std::time::Duration;
use tokio::sync::mpsc::UnboundedSender;

use super::model::{Failure, StatsView};
use super::msg::{Change, ChangeRefused, Msg};
use crate::domain::{Filter, NewTicket, Origins, Page, Status, TicketEdit};
use crate::store::{Interrupt, Location, Store, StoreError};

/// Days in the stats sparkline.
pub const SPARKLINE_DAYS: u32 = 30;

pub enum ReadJob {
    // The filter is boxed: it is by far the biggest job, and jobs are moved around.
    List {
        generation: u64,
        filter: Box<Filter>,
        page: Page,
        limit: usize,
        reselect: Option<i64>,
    },
    Stats,
    Detail(i64),
    /// Every ticket a filter selects, with its version (for marking them all).
    Targets(Box<Filter>),
    /// Possible duplicates of the form's draft at this generation.
    Similar {
        generation: u64,
        text: String,
    },
}

pub enum WriteJob {
    Save(NewTicket, Origins),
    SetStatus {
        id: i64,
        status: Status,
        version: i64,
    },
    Assign {
        id: i64,
        assignee: Option<String>,
        version: i64,
    },
    Note {
        id: i64,
        text: String,
    },
    /// One change to many tickets, each at the version the agent saw.
    Bulk {
        targets: Vec<(i64, i64)>,
        change: crate::store::BulkChange,
    },
    /// The built-in sample tickets, into an empty desk.
    ImportSamples,
}

/// How often the idle writer asks SQLite whether another process committed.
/// `PRAGMA data_version` costs microseconds, so this is free.
const CHANGE_POLL: Duration = Duration::from_millis(200);

/// How long a write waits for the lock before the app says it is waiting.
const WRITE_PATIENCE: Duration = Duration::from_millis(500);

/// The app's side of the reader: sending a list query interrupts an older one
/// still running, so typing in search never queues behind a slow query.
pub struct Reader {
    jobs: mpsc::Sender<ReadJob>,
    running_list: Arc<AtomicU64>,
    interrupt: Interrupt,
    pub thread: JoinHandle<()>,
}

impl Reader {
    pub fn send(&self, job: ReadJob) {
        if let ReadJob::List { generation, .. } = &job {
            let running = self.running_list.load(Ordering::SeqCst);
            if running != 0 && running < *generation {
                self.interrupt.interrupt();
            }
        }
        // Fails only after the thread ended; the app notices through its handle.
        let _ = self.jobs.send(job);
    }
}

pub struct Writer {
    jobs: mpsc::Sender<WriteJob>,
    pub thread: JoinHandle<()>,
}

impl Writer {
    pub fn send(&self, job: WriteJob) {
        let _ = self.jobs.send(job);
    }
}

/// Opens the reader's connection and starts its thread.
pub fn spawn_reader(
    location: Location,
    busy_timeout: Duration,
    inbox: UnboundedSender<Msg>,
) -> Result<Reader, StoreError> {
    let store = crate::commands::open_store(&location, busy_timeout)?;
    let interrupt = store.interrupt_handle();
    let running_list = Arc::new(AtomicU64::new(0));
    let (jobs, queue) = mpsc::channel();
    let running = Arc::clone(&running_list);
    let thread = thread::Builder::new()
        .name("db-reader".into())
        .spawn(move || read_loop(store, queue, running, inbox))
        .map_err(|e| StoreError::Io { path: location.shown().into(), source: e })?;
    Ok(Reader { jobs, running_list, interrupt, thread })
}

fn read_loop(
    mut store: Store,
    queue: mpsc::Receiver<ReadJob>,
    running: Arc<AtomicU64>,
    inbox: UnboundedSender<Msg>,
) {
    while let Ok(first) = queue.recv() {
        // Take everything waiting: only the newest list query, one stats
        // refresh, one detail and the newest draft's duplicates are worth running.
        let mut list = None;
        let mut stats = false;
        let mut detail = None;
        let mut similar = None;
        let mut targets = None;
        for job in std::iter::once(first).chain(queue.try_iter()) {
            match job {
                ReadJob::Targets(filter) => targets = Some(filter),
                ReadJob::List { .. } => list = Some(job),
                ReadJob::Stats => stats = true,
                ReadJob::Detail(id) => detail = Some(id),
                ReadJob::Similar { generation, text } => similar = Some((generation, text)),
            }
        }
        let mut answers = Vec::new();
        if let Some(ReadJob::List { generation, filter, page, limit, reselect }) = list {
            running.store(generation, Ordering::SeqCst);
            let result = store.page(&filter, limit, &page);
            running.store(0, Ordering::SeqCst);
            // An interrupted query was superseded: its successor is queued.
            if !matches!(result, Err(StoreError::Interrupted)) {
                let result = result.map_err(Failure::from);
                answers.push(Msg::ListLoaded { generation, page, limit, reselect, result });
            }
        }
        if stats {
            let result = retry_interrupted(|| load_stats(&mut store));
            answers.push(Msg::StatsLoaded(result.map_err(Failure::from)));
        }
        if let Some(id) = detail {
            let result = store.get(id).and_then(|t| Ok((t, store.history(id)?))).map_err(Failure::from);
            answers.push(Msg::DetailLoaded { id, result });
        }
        if let Some((generation, text)) = similar {
            let result = retry_interrupted(|| find_similar(&mut store, &text)).map_err(Failure::from);
            answers.push(Msg::SimilarFound { generation, result });
        }
        if let Some(filter) = targets {
            // One more than may be changed at once, to know when it is too many.
            let result = retry_interrupted(|| store.list(&filter, crate::store::BULK_MAX + 1, None));
            let result = result.map(|found| found.iter().map(|t| (t.id, t.version)).collect());
            answers.push(Msg::Targets(result.map_err(Failure::from)));
        }
        if answers.into_iter().any(|answer| inbox.send(answer).is_err()) {
            return;
        }
    }
}

/// An interrupt meant for a list query can land on the job after it; that
/// job just asks again.
fn retry_interrupted<T>(mut job: impl FnMut() -> Result<T, StoreError>) -> Result<T, StoreError> {
    job().or_else(|e| match e {
        StoreError::Interrupted => job(),
        other => Err(other),
    })
}

fn find_similar(store: &mut Store, text: &str) -> Result<Vec<crate::domain::Ticket>, StoreError> {
    let found = store.similar(text, super::model::DUPLICATES_SHOWN, None)?;
    Ok(found.into_iter().map(|s| s.ticket).collect())
}

fn load_stats(store: &mut Store) -> Result<StatsView, StoreError> {
    Ok(StatsView { stats: store.stats()?, per_day: store.daily_counts(SPARKLINE_DAYS)? })
}

/// Opens the writer's connection and starts its thread. A change that finds
/// the database locked (an import holding it) is kept and retried until it
/// goes through; the app is told it is waiting. Nothing is dropped. While
/// idle, the thread watches for other processes' commits and for the desk
/// being moved or its log deleted under it.
pub fn spawn_writer(location: Location, inbox: UnboundedSender<Msg>) -> Result<Writer, StoreError> {
    let mut store = Store::open_at(&location, WRITE_PATIENCE)?;
    let (jobs, queue) = mpsc::channel::<WriteJob>();
    let (watching, started) = mpsc::channel::<()>();
    let thread = thread::Builder::new()
        .name("db-writer".into())
        .spawn(move || {
            // The store is used on this thread only (a server desk's client
            // cannot run on the screen's event loop).
            let mut watch = Watch::new(&mut store);
            let _ = watching.send(());
            loop {
                let sent = match queue.recv_timeout(CHANGE_POLL) {
                    Ok(job) => serve(&mut store, &job, &inbox),
                    Err(mpsc::RecvTimeoutError::Timeout) => {
                        watch.look(&mut store).is_none_or(|news| inbox.send(news).is_ok())
                    }
                    Err(mpsc::RecvTimeoutError::Disconnected) => return,
                };
                if !sent {
                    return; // the app has gone
                }
            }
        })
        .map_err(|e| StoreError::Io { path: location.shown().into(), source: e })?;
    // Watching starts before this returns: a commit made by anyone once the
    // writer exists is news, however late its thread got to run.
    let _ = started.recv();
    Ok(Writer { jobs, thread })
}

/// Carries out one write, retrying while another process holds the lock,
/// and sends its answer. `false` once the app has gone.
fn serve(store: &mut Store, job: &WriteJob, inbox: &UnboundedSender<Msg>) -> bool {
    let mut waited = false;
    let reply = loop {
        // A desk lost under us takes nothing more: a write would reach a
        // file nobody else sees.
        let attempt = store.check_in_place().map_err(WriteFailed::from).and_then(|()| write(store, job));
        match attempt {
            Err(WriteFailed::Lost(why)) => {
                if inbox.send(Msg::DeskLost(why.clone())).is_err() {
                    return false;
                }
                break reply_for(job, why);
            }
            Err(WriteFailed::Busy) => {
                if !waited && inbox.send(Msg::WriteBusy(true)).is_err() {
                    return false;
                }
                waited = true;
            }
            Err(WriteFailed::Refused(why)) => break reply_for(job, why),
            Ok(reply) => break reply,
        }
    };
    if waited && inbox.send(Msg::WriteBusy(false)).is_err() {
        return false;
    }
    inbox.send(reply).is_ok()
}

/// What the idle writer watches: other processes' commits, and whether the
/// desk is still in place.
struct Watch {
    lost: bool,
}

impl Watch {
    fn new(store: &mut Store) -> Watch {
        // Starts the store watching; what it says now is no news.
        let _ = store.others_committed();
        Watch { lost: false }
    }

    /// The news since the last look, if any.
    fn look(&mut self, store: &mut Store) -> Option<Msg> {
        // Tell the agent at once if the file or its log went away under us,
        // before they type a ticket that cannot be saved.
        if !self.lost
            && let Err(e) = store.check_in_place()
        {
            self.lost = true;
            return Some(Msg::DeskLost(e.into()));
        }
        // A lock held elsewhere (the first import into an empty desk) makes
        // the question wait: it is asked again at the next look.
        store.others_committed().ok()?.then_some(Msg::DatabaseChanged)
    }
}

enum WriteFailed {
    /// The lock is still held after [`WRITE_PATIENCE`]: try again.
    Busy,
    /// The desk was moved or its log deleted under us (see `Store::check_in_place`).
    Lost(Failure),
    Refused(Failure),
}

impl From<StoreError> for WriteFailed {
    fn from(e: StoreError) -> WriteFailed {
        match e {
            StoreError::Busy { .. } => WriteFailed::Busy,
            lost @ StoreError::Detached { .. } => WriteFailed::Lost(lost.into()),
            other => WriteFailed::Refused(other.into()),
        }
    }
}

fn write(store: &mut Store, job: &WriteJob) -> Result<Msg, WriteFailed> {
    Ok(match job {
        WriteJob::Save(ticket, origins) => Msg::Saved(Ok(store.add(ticket, *origins)?)),
        WriteJob::SetStatus { id, status, version } => {
            let edit = TicketEdit { status: Some(*status), ..TicketEdit::default() };
            Msg::Changed(Ok(store.edit(*id, &edit, Some(*version))?))
        }
        WriteJob::Assign { id, assignee, version } => {
            Msg::Changed(Ok(store.assign(*id, assignee.as_deref(), Some(*version))?))
        }
        WriteJob::Note { id, text } => Msg::Noted(Ok(store.note(*id, text)?)),
        WriteJob::Bulk { targets, change } => Msg::BulkDone(Ok(store.bulk_change(targets, change)?)),
        WriteJob::ImportSamples => match crate::samples::import_samples(store) {
            Ok(count) => Msg::SamplesImported(Ok(count)),
            Err(crate::samples::SamplesError::Store(e)) => return Err(e.into()),
            Err(refused) => Msg::SamplesImported(Err(Failure::new(refused))),
        },
    })
}

/// The message that reports a refused job.
fn reply_for(job: &WriteJob, why: Failure) -> Msg {
    let refused = |change| Msg::Changed(Err(ChangeRefused { change, why: why.clone() }));
    match job {
        WriteJob::Save(..) => Msg::Saved(Err(why.clone())),
        WriteJob::SetStatus { id, status, .. } => refused(Change::Status { id: *id, status: *status }),
        WriteJob::Assign { id, .. } => refused(Change::Assign { id: *id }),
        WriteJob::Note { .. } => Msg::Noted(Err(why.clone())),
        WriteJob::Bulk { .. } => Msg::BulkDone(Err(why.clone())),
        WriteJob::ImportSamples => Msg::SamplesImported(Err(why.clone())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{Category, Priority};

    fn ticket(title: &str) -> NewTicket {
        NewTicket::new(title, "d", Category::General, Priority::Low).unwrap()
    }

    /// The watch asks the writer's own connection, which never sees its own
    /// commits move `data_version`: a save made here is not news, another
    /// process's is, once.
    #[test]
    fn the_watch_hears_other_processes_commits_and_never_its_own() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("desk.db");
        let mut own = Store::open(&path).unwrap();
        let mut other = Store::open(&path).unwrap();
        let mut watch = Watch::new(&mut own);
        assert!(watch.look(&mut own).is_none(), "nothing yet");
        own.add(&ticket("mine"), Origins::PERSON).unwrap();
        assert!(watch.look(&mut own).is_none(), "our own save is no news");
        other.add(&ticket("theirs"), Origins::PERSON).unwrap();
        assert!(matches!(watch.look(&mut own), Some(Msg::DatabaseChanged)));
        assert!(watch.look(&mut own).is_none(), "told once");
        own.add(&ticket("mine again"), Origins::PERSON).unwrap();
        other.add(&ticket("theirs again"), Origins::PERSON).unwrap();
        assert!(matches!(watch.look(&mut own), Some(Msg::DatabaseChanged)), "theirs, even after ours");
    }
}
