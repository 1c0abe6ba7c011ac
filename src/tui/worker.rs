//! The database's owners. Two threads, each with its own connection: a reader
//! for lists and stats (WAL readers never wait for writers) and a writer for
//! changes. Jobs arrive on channels; answers go back to the app's inbox as
//! messages. Nothing here touches the terminal.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc;
use std::thread::{self, JoinHandle};
use std::time::Duration;
use tokio::sync::mpsc::UnboundedSender;

use super::model::StatsView;
use super::msg::Msg;
use crate::domain::{Filter, NewTicket, Origins, Page, Status, TicketEdit};
use crate::store::{Store, StoreError};

/// Days in the stats sparkline.
pub const SPARKLINE_DAYS: u32 = 30;

pub enum ReadJob {
    List { generation: u64, filter: Filter, page: Page, limit: usize, reselect: Option<i64> },
    Stats,
    Detail(i64),
}

pub enum WriteJob {
    Save(NewTicket, Origins),
    SetStatus { id: i64, status: Status, version: i64 },
    Assign { id: i64, assignee: Option<String>, version: i64 },
    Note { id: i64, text: String },
}

/// How often the reader asks SQLite whether another process committed.
/// `PRAGMA data_version` costs microseconds, so this is free.
const CHANGE_POLL: Duration = Duration::from_millis(200);

/// How long a write waits for the lock before the app says it is waiting.
const WRITE_PATIENCE: Duration = Duration::from_millis(500);

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
pub fn spawn_reader(
    path: PathBuf,
    busy_timeout: Duration,
    inbox: UnboundedSender<Msg>,
) -> Result<Reader, StoreError> {
    let store = crate::commands::open_store(&path, busy_timeout)?;
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
    let mut seen_version = store.data_version().ok();
    let mut lost = false;
    loop {
        let first = match queue.recv_timeout(CHANGE_POLL) {
            Ok(job) => job,
            Err(mpsc::RecvTimeoutError::Timeout) => {
                // Tell the agent at once if the file or its log went away
                // under us, before they type a ticket that cannot be saved.
                if !lost && let Err(e) = store.check_in_place() {
                    lost = true;
                    if inbox.send(Msg::DeskLost(message(e))).is_err() {
                        return;
                    }
                }
                // Another connection committed since the last look: tell the app.
                // (The app's own writer is another connection too, so its saves
                // come back this way as well; a spare refresh costs little.)
                let version = store.data_version().ok();
                if version != seen_version {
                    seen_version = version;
                    if inbox.send(Msg::DatabaseChanged).is_err() {
                        return;
                    }
                }
                continue;
            }
            Err(mpsc::RecvTimeoutError::Disconnected) => return,
        };
        // Take everything waiting: only the newest list query, one stats
        // refresh and one detail are worth running.
        let mut list = None;
        let mut stats = false;
        let mut detail = None;
        for job in std::iter::once(first).chain(queue.try_iter()) {
            match job {
                ReadJob::List { .. } => list = Some(job),
                ReadJob::Stats => stats = true,
                ReadJob::Detail(id) => detail = Some(id),
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
        if let Some(id) = detail {
            let result = store.get(id).and_then(|t| Ok((t, store.history(id)?))).map_err(message);
            if inbox.send(Msg::DetailLoaded { id, result }).is_err() {
                return;
            }
        }
    }
}

fn load_stats(store: &Store) -> Result<StatsView, StoreError> {
    Ok(StatsView { stats: store.stats()?, per_day: store.daily_counts(SPARKLINE_DAYS)? })
}

/// Opens the writer's connection and starts its thread. A change that finds
/// the database locked (an import holding it) is kept and retried until it
/// goes through; the app is told it is waiting. Nothing is dropped.
pub fn spawn_writer(path: PathBuf, inbox: UnboundedSender<Msg>) -> Result<Writer, StoreError> {
    let mut store = Store::open_with_timeout(&path, WRITE_PATIENCE)?;
    let (jobs, queue) = mpsc::channel::<WriteJob>();
    let thread = thread::Builder::new()
        .name("db-writer".into())
        .spawn(move || {
            for job in queue {
                let mut waited = false;
                let reply = loop {
                    // A desk lost under us takes nothing more: a write would
                    // reach a file nobody else sees.
                    let attempt = store
                        .check_in_place()
                        .map_err(|e| WriteFailed::Lost(message(e)))
                        .and_then(|()| write(&mut store, &job));
                    match attempt {
                        Err(WriteFailed::Lost(message)) => {
                            if inbox.send(Msg::DeskLost(message.clone())).is_err() {
                                return;
                            }
                            break reply_for(&job, message);
                        }
                        Err(WriteFailed::Busy) => {
                            if !waited && inbox.send(Msg::WriteBusy(true)).is_err() {
                                return;
                            }
                            waited = true;
                        }
                        Err(WriteFailed::Refused(message)) => break reply_for(&job, message),
                        Ok(reply) => break reply,
                    }
                };
                if waited && inbox.send(Msg::WriteBusy(false)).is_err() {
                    return;
                }
                if inbox.send(reply).is_err() {
                    return;
                }
            }
        })
        .map_err(|e| StoreError::Io { path, source: e })?;
    Ok(Writer { jobs, thread })
}

enum WriteFailed {
    /// The lock is still held after [`WRITE_PATIENCE`]: try again.
    Busy,
    /// The desk was moved or its log deleted under us (see `Store::check_in_place`).
    Lost(String),
    Refused(String),
}

fn write(store: &mut Store, job: &WriteJob) -> Result<Msg, WriteFailed> {
    let fail = |e: StoreError| match e {
        StoreError::Busy { .. } => WriteFailed::Busy,
        lost @ StoreError::Detached { .. } => WriteFailed::Lost(message(lost)),
        other => WriteFailed::Refused(message(other)),
    };
    Ok(match job {
        WriteJob::Save(ticket, origins) => Msg::Saved(Ok(store.add(ticket, *origins).map_err(fail)?)),
        WriteJob::SetStatus { id, status, version } => {
            let edit = TicketEdit { status: Some(*status), ..TicketEdit::default() };
            Msg::Changed(Ok(store.edit(*id, &edit, Some(*version)).map_err(fail)?))
        }
        WriteJob::Assign { id, assignee, version } => {
            Msg::Changed(Ok(store.assign(*id, assignee.as_deref(), Some(*version)).map_err(fail)?))
        }
        WriteJob::Note { id, text } => Msg::Noted(Ok(store.note(*id, text).map_err(fail)?)),
    })
}

/// The message that reports a refused job.
fn reply_for(job: &WriteJob, message: String) -> Msg {
    match job {
        WriteJob::Save(..) => Msg::Saved(Err(message)),
        WriteJob::SetStatus { id, status, .. } => {
            Msg::Changed(Err(format!("#{id} not set to {status}: {message}")))
        }
        WriteJob::Assign { id, .. } => Msg::Changed(Err(format!("#{id} not assigned: {message}"))),
        WriteJob::Note { .. } => Msg::Noted(Err(message)),
    }
}
