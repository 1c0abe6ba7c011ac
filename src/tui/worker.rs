//! The database's owners. Two threads, each with its own connection: a reader
//! for lists and stats (WAL readers never wait for writers) and a writer for
//! changes. Jobs arrive on channels; answers go back to the app's inbox as
//! messages. Nothing here touches the terminal.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc;
use std::thread::{self, JoinHandle};
use tokio::sync::mpsc::UnboundedSender;

use super::model::StatsView;
use super::msg::Msg;
use crate::domain::{Filter, NewTicket, Page, Status, TicketEdit};
use crate::store::{Store, StoreError};

/// Days in the stats sparkline.
pub const SPARKLINE_DAYS: u32 = 30;

pub enum ReadJob {
    List { generation: u64, filter: Filter, page: Page, limit: usize, reselect: Option<i64> },
    Stats,
}

pub enum WriteJob {
    Save(NewTicket),
    SetStatus { id: i64, status: Status },
}

/// The app's side of the reader: sending a list query interrupts an older one
/// still running, so typing in search never queues behind a slow query.
pub struct Reader {
    jobs: mpsc::Sender<ReadJob>,
    running_list: Arc<AtomicU64>,
    interrupt: rusqlite::InterruptHandle,
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

fn message(err: StoreError) -> String {
    crate::domain::text::sanitize_line(&err.to_string()).into_owned()
}

/// Opens the reader's connection and starts its thread.
pub fn spawn_reader(path: PathBuf, inbox: UnboundedSender<Msg>) -> Result<Reader, StoreError> {
    let store = Store::open(&path)?;
    let interrupt = store.interrupt_handle();
    let running_list = Arc::new(AtomicU64::new(0));
    let (jobs, queue) = mpsc::channel();
    let running = Arc::clone(&running_list);
    let thread = thread::Builder::new()
        .name("db-reader".into())
        .spawn(move || read_loop(store, queue, running, inbox))
        .map_err(|e| StoreError::Io { path, source: e })?;
    Ok(Reader { jobs, running_list, interrupt, thread })
}

fn read_loop(
    store: Store,
    queue: mpsc::Receiver<ReadJob>,
    running: Arc<AtomicU64>,
    inbox: UnboundedSender<Msg>,
) {
    while let Ok(first) = queue.recv() {
        // Take everything waiting: only the newest list query and one stats
        // refresh are worth running.
        let mut list = None;
        let mut stats = false;
        for job in std::iter::once(first).chain(queue.try_iter()) {
            match job {
                ReadJob::List { .. } => list = Some(job),
                ReadJob::Stats => stats = true,
            }
        }
        if let Some(ReadJob::List { generation, filter, page, limit, reselect }) = list {
            running.store(generation, Ordering::SeqCst);
            let result = store.page(&filter, limit, &page);
            running.store(0, Ordering::SeqCst);
            // An interrupted query was superseded: its successor is queued.
            if !matches!(result, Err(StoreError::Interrupted)) {
                let result = result.map_err(message);
                if inbox.send(Msg::ListLoaded { generation, page, limit, reselect, result }).is_err() {
                    return;
                }
            }
        }
        if stats {
            // An interrupt meant for a list query can land here; just ask again.
            let result = load_stats(&store).or_else(|e| match e {
                StoreError::Interrupted => load_stats(&store),
                other => Err(other),
            });
            if inbox.send(Msg::StatsLoaded(result.map_err(message))).is_err() {
                return;
            }
        }
    }
}

fn load_stats(store: &Store) -> Result<StatsView, StoreError> {
    Ok(StatsView { stats: store.stats()?, per_day: store.daily_counts(SPARKLINE_DAYS)? })
}

/// Opens the writer's connection and starts its thread.
pub fn spawn_writer(path: PathBuf, inbox: UnboundedSender<Msg>) -> Result<Writer, StoreError> {
    let mut store = Store::open(&path)?;
    let (jobs, queue) = mpsc::channel::<WriteJob>();
    let thread = thread::Builder::new()
        .name("db-writer".into())
        .spawn(move || {
            for job in queue {
                let reply = match job {
                    WriteJob::Save(ticket) => Msg::Saved(store.add(&ticket).map_err(message)),
                    WriteJob::SetStatus { id, status } => {
                        let edit = TicketEdit { status: Some(status), ..TicketEdit::default() };
                        Msg::StatusChanged(store.edit(id, &edit).map_err(message))
                    }
                };
                if inbox.send(reply).is_err() {
                    return;
                }
            }
        })
        .map_err(|e| StoreError::Io { path, source: e })?;
    Ok(Writer { jobs, thread })
}
