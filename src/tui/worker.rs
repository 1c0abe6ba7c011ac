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
use std::sync::{Mutex, PoisonError, mpsc};
use std::thread::{self, JoinHandle};
use std::time::Duration;
use tokio::sync::mpsc::UnboundedSender;

use super::model::{Failure, StatsView};
use super::msg::{Change, ChangeRefused, Msg, Worker};
use super::reconnect;
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

/// How often the idle writer of a server desk reads the notifications the
/// server already sent: no query, only a look at the socket, so it may be
/// often enough that another agent's change shows well within a blink.
const NOTIFICATION_POLL: Duration = Duration::from_millis(50);

/// How long a write waits for the lock before the app says it is waiting.
const WRITE_PATIENCE: Duration = Duration::from_millis(500);

/// The app's side of the reader: sending a list query interrupts an older one
/// still running, so typing in search never queues behind a slow query.
pub struct Reader {
    jobs: mpsc::Sender<ReadJob>,
    running_list: Arc<AtomicU64>,
    /// The reader's session's; replaced when it opens a new one.
    interrupt: Arc<Mutex<Option<Interrupt>>>,
    pub thread: JoinHandle<()>,
}

impl Reader {
    pub fn send(&self, job: ReadJob) {
        if let ReadJob::List { generation, .. } = &job {
            let running = self.running_list.load(Ordering::SeqCst);
            if running != 0 && running < *generation {
                let handle = self.interrupt.lock().unwrap_or_else(PoisonError::into_inner);
                handle.iter().for_each(Interrupt::interrupt);
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

/// What a database thread needs to open its desk again after the server
/// went away, and to tell the app meanwhile.
struct Reconnect {
    location: Location,
    busy_timeout: Duration,
    worker: Worker,
    inbox: UnboundedSender<Msg>,
}

impl Reconnect {
    /// Says the server is out of reach, opens a new session (trying until
    /// it opens), says it is back. `None` once the app has gone.
    fn reopen(&self) -> Option<Store> {
        let tell = |lost| self.inbox.send(Msg::ServerLost { worker: self.worker, lost }).ok();
        tell(true)?;
        tracing::warn!(desk = %self.location.shown(), "lost the server; opening a new session");
        let store = reconnect::reopen(&self.location, self.busy_timeout, || self.inbox.is_closed())?;
        tracing::info!(desk = %self.location.shown(), "the server is back");
        tell(false)?;
        Some(store)
    }
}

/// Starts a thread that opens the desk, then serves it with `serve`, and
/// waits for the open: a desk that will not open is an error here, before
/// the terminal is touched. The store lives and dies on that thread: a
/// server desk's client runs a runtime of its own, which may be neither
/// started nor dropped on the app's async threads.
fn start_owner(
    name: &str,
    shown: String,
    open: impl FnOnce() -> Result<Store, StoreError> + Send + 'static,
    serve: impl FnOnce(Store) + Send + 'static,
) -> Result<(JoinHandle<()>, Interrupt), StoreError> {
    let (opened, outcome) = mpsc::sync_channel(1);
    let io = |source| StoreError::Io { path: shown.clone().into(), source };
    let thread = thread::Builder::new()
        .name(name.into())
        .spawn(move || match open() {
            Ok(store) => {
                if opened.send(Ok(store.interrupt_handle())).is_ok() {
                    serve(store);
                }
            }
            Err(e) => drop(opened.send(Err(e))),
        })
        .map_err(io)?;
    let stopped = || io(std::io::Error::other("the database thread stopped while opening the desk"));
    let interrupt = outcome.recv().map_err(|_| stopped())??;
    Ok((thread, interrupt))
}

/// Opens the reader's connection and starts its thread.
pub fn spawn_reader(
    location: Location,
    busy_timeout: Duration,
    inbox: UnboundedSender<Msg>,
) -> Result<Reader, StoreError> {
    let running_list = Arc::new(AtomicU64::new(0));
    let (jobs, queue) = mpsc::channel();
    let running = Arc::clone(&running_list);
    let shown = location.shown();
    let open = {
        let location = location.clone();
        move || crate::commands::open_store(&location, busy_timeout)
    };
    let again = Reconnect { location, busy_timeout, worker: Worker::Reader, inbox };
    let handle = Arc::new(Mutex::new(None::<Interrupt>));
    let thread_handle = Arc::clone(&handle);
    let (thread, interrupt) = start_owner("db-reader", shown, open, move |store| {
        read_loop(store, queue, running, thread_handle, again)
    })?;
    *handle.lock().unwrap_or_else(PoisonError::into_inner) = Some(interrupt);
    let interrupt = handle;
    Ok(Reader { jobs, running_list, interrupt, thread })
}

/// What the reader was asked and has not answered yet: only the newest list
/// query, one stats refresh, one detail, the newest draft's duplicates and
/// the newest marking are worth running.
#[derive(Default)]
struct Asked {
    list: Option<ReadJob>,
    stats: bool,
    detail: Option<i64>,
    similar: Option<(u64, String)>,
    targets: Option<Box<Filter>>,
}

impl Asked {
    fn is_empty(&self) -> bool {
        self.list.is_none()
            && !self.stats
            && self.detail.is_none()
            && self.similar.is_none()
            && self.targets.is_none()
    }

    fn add(&mut self, job: ReadJob) {
        match job {
            ReadJob::Targets(filter) => self.targets = Some(filter),
            ReadJob::List { .. } => self.list = Some(job),
            ReadJob::Stats => self.stats = true,
            ReadJob::Detail(id) => self.detail = Some(id),
            ReadJob::Similar { generation, text } => self.similar = Some((generation, text)),
        }
    }
}

/// The server went away under a job: it is asked again on a new session.
struct Lost;

/// A job's result for the app, unless the server went away under it.
fn settle<T>(result: Result<T, StoreError>) -> Result<Result<T, Failure>, Lost> {
    match result {
        Err(e) if reconnect::is_lost(&e) => Err(Lost),
        other => Ok(other.map_err(Failure::from)),
    }
}

fn read_loop(
    mut store: Store,
    queue: mpsc::Receiver<ReadJob>,
    running: Arc<AtomicU64>,
    interrupt: Arc<Mutex<Option<Interrupt>>>,
    again: Reconnect,
) {
    while let Ok(first) = queue.recv() {
        let mut asked = Asked::default();
        asked.add(first);
        while !asked.is_empty() {
            queue.try_iter().for_each(|job| asked.add(job));
            match answer(&mut store, &asked, &running) {
                Ok(Answered { answers, list_interrupted }) => {
                    if answers.into_iter().any(|answer| again.inbox.send(answer).is_err()) {
                        return;
                    }
                    // An interrupted list query was meant to give way to a
                    // newer one, which is queued by now or soon. A server's
                    // cancel request travels on its own connection and can
                    // land on that newer query instead: the list asked last
                    // is asked again unless a newer one replaces it.
                    let list = if list_interrupted { asked.list.take() } else { None };
                    asked = Asked { list, ..Asked::default() };
                }
                Err(Lost) => {
                    let Some(fresh) = again.reopen() else { return };
                    *interrupt.lock().unwrap_or_else(PoisonError::into_inner) =
                        Some(fresh.interrupt_handle());
                    store = fresh;
                }
            }
        }
    }
}

/// What one round of answering sent back, and whether the list query was
/// interrupted (so not answered).
struct Answered {
    answers: Vec<Msg>,
    list_interrupted: bool,
}

fn answer(store: &mut Store, asked: &Asked, running: &AtomicU64) -> Result<Answered, Lost> {
    let mut answers = Vec::new();
    let mut list_interrupted = false;
    if let Some(ReadJob::List { generation, filter, page, limit, reselect }) = &asked.list {
        running.store(*generation, Ordering::SeqCst);
        let result = store.page(filter, *limit, page);
        running.store(0, Ordering::SeqCst);
        if matches!(result, Err(StoreError::Interrupted)) {
            list_interrupted = true;
        } else {
            let (generation, page, limit, reselect) = (*generation, page.clone(), *limit, *reselect);
            answers.push(Msg::ListLoaded { generation, page, limit, reselect, result: settle(result)? });
        }
    }
    if asked.stats {
        answers.push(Msg::StatsLoaded(settle(retry_interrupted(|| load_stats(store)))?));
    }
    if let Some(id) = asked.detail {
        let result = store.get(id).and_then(|t| Ok((t, store.history(id)?)));
        answers.push(Msg::DetailLoaded { id, result: settle(result)? });
    }
    if let Some((generation, text)) = &asked.similar {
        let result = settle(retry_interrupted(|| find_similar(store, text)))?;
        answers.push(Msg::SimilarFound { generation: *generation, result });
    }
    if let Some(filter) = &asked.targets {
        // One more than may be changed at once, to know when it is too many.
        let result = retry_interrupted(|| store.list(filter, crate::store::BULK_MAX + 1, None));
        let result = result.map(|found| found.iter().map(|t| (t.id, t.version)).collect());
        answers.push(Msg::Targets(settle(result)?));
    }
    Ok(Answered { answers, list_interrupted })
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
/// goes through; the app is told it is waiting. A change whose server went
/// away is kept too, and carried out once a new session opens. Nothing is
/// dropped. While idle, the thread watches for other processes' commits and
/// for the desk being moved or its log deleted under it.
pub fn spawn_writer(location: Location, inbox: UnboundedSender<Msg>) -> Result<Writer, StoreError> {
    let (jobs, queue) = mpsc::channel::<WriteJob>();
    let poll = if matches!(location, Location::Server(_)) { NOTIFICATION_POLL } else { CHANGE_POLL };
    let shown = location.shown();
    let open = {
        let location = location.clone();
        move || {
            let mut store = Store::open_at(&location, WRITE_PATIENCE)?;
            // Watching starts before the open is reported: a commit made by
            // anyone once the writer exists is news, however late its loop
            // gets to run. What the first look says is no news.
            let _ = store.others_committed();
            Ok(store)
        }
    };
    let again = Reconnect { location, busy_timeout: WRITE_PATIENCE, worker: Worker::Writer, inbox };
    let (thread, _) = start_owner("db-writer", shown, open, move |mut store| {
        let mut watch = Watch::default();
        loop {
            let sent = match queue.recv_timeout(poll) {
                Ok(job) => serve(&mut store, &job, &again),
                Err(mpsc::RecvTimeoutError::Timeout) => match watch.look(&mut store) {
                    Ok(news) => news.is_none_or(|news| again.inbox.send(news).is_ok()),
                    Err(Lost) => reopen_writer(&mut store, &again),
                },
                Err(mpsc::RecvTimeoutError::Disconnected) => return,
            };
            if !sent {
                return; // the app has gone
            }
        }
    })?;
    Ok(Writer { jobs, thread })
}

/// Puts a new session in place of one whose server went away, listening for
/// others' commits again; what they committed meanwhile was not heard, so
/// the screen reads what it shows again. `false` once the app has gone.
fn reopen_writer(store: &mut Store, again: &Reconnect) -> bool {
    let Some(fresh) = again.reopen() else { return false };
    *store = fresh;
    // Starts listening; if that fails, the next look finds out.
    let _ = store.others_committed();
    again.inbox.send(Msg::DatabaseChanged).is_ok()
}

/// Carries out one write, retrying while another process holds the lock or
/// while the server is away, and sends its answer. `false` once the app
/// has gone.
fn serve(store: &mut Store, job: &WriteJob, again: &Reconnect) -> bool {
    let inbox = &again.inbox;
    let mut waited = false;
    // The server went away during an attempt: it may have committed it.
    let mut broke = false;
    let reply = loop {
        if broke {
            match reconnect::landed(store, job) {
                Ok(Some(reply)) => break reply,
                Err(e) if reconnect::is_lost(&e) => {
                    if !reopen_writer(store, again) {
                        return false;
                    }
                    continue;
                }
                // Not there (or not found out): the attempt below says.
                Ok(None) | Err(_) => {}
            }
        }
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
            Err(WriteFailed::Unreachable) => {
                broke = true;
                if !reopen_writer(store, again) {
                    return false;
                }
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
#[derive(Default)]
struct Watch {
    lost: bool,
}

impl Watch {
    /// The news since the last look, if any; [`Lost`] when the server went away.
    fn look(&mut self, store: &mut Store) -> Result<Option<Msg>, Lost> {
        // Tell the agent at once if the file or its log went away under us,
        // before they type a ticket that cannot be saved.
        if !self.lost
            && let Err(e) = store.check_in_place()
        {
            self.lost = true;
            return Ok(Some(Msg::DeskLost(e.into())));
        }
        // A lock held elsewhere (the first import into an empty desk) makes
        // the question wait: it is asked again at the next look.
        match store.others_committed() {
            Ok(news) => Ok(news.then_some(Msg::DatabaseChanged)),
            Err(e) if reconnect::is_lost(&e) => Err(Lost),
            Err(_) => Ok(None),
        }
    }
}

enum WriteFailed {
    /// The lock is still held after [`WRITE_PATIENCE`]: try again.
    Busy,
    /// The server went away: try again on a new session.
    Unreachable,
    /// The desk was moved or its log deleted under us (see `Store::check_in_place`).
    Lost(Failure),
    Refused(Failure),
}

impl From<StoreError> for WriteFailed {
    fn from(e: StoreError) -> WriteFailed {
        match e {
            StoreError::Busy { .. } => WriteFailed::Busy,
            lost if reconnect::is_lost(&lost) => WriteFailed::Unreachable,
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
        let _ = own.others_committed(); // starts watching, as the writer's open does
        let mut watch = Watch::default();
        let mut look = |own: &mut Store| watch.look(own).ok().flatten();
        assert!(look(&mut own).is_none(), "nothing yet");
        own.add(&ticket("mine"), Origins::PERSON).unwrap();
        assert!(look(&mut own).is_none(), "our own save is no news");
        other.add(&ticket("theirs"), Origins::PERSON).unwrap();
        assert!(matches!(look(&mut own), Some(Msg::DatabaseChanged)));
        assert!(look(&mut own).is_none(), "told once");
        own.add(&ticket("mine again"), Origins::PERSON).unwrap();
        other.add(&ticket("theirs again"), Origins::PERSON).unwrap();
        assert!(matches!(look(&mut own), Some(Msg::DatabaseChanged)), "theirs, even after ours");
    }

    /// A cancel meant for an older list query can land on the newest one (a
    /// server's cancel request travels on a connection of its own). Here the
    /// interrupts land on the only query asked: it must still be answered,
    /// or the list would wait for rows that never come.
    #[tokio::test(flavor = "multi_thread")]
    async fn a_list_query_interrupted_with_nothing_newer_asked_is_asked_again() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("desk.db");
        drop(Store::open(&path).unwrap());
        // Enough tickets that the search below takes a while to read them.
        rusqlite::Connection::open(&path)
            .unwrap()
            .execute_batch(
                "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 20000)
                 INSERT INTO tickets (title, description, category, priority)
                 SELECT 'printer ' || i, 'the printer is on fire ' || i, 'technical', 'high' FROM n;",
            )
            .unwrap();
        let (inbox, mut answers) = tokio::sync::mpsc::unbounded_channel();
        let reader = spawn_reader(Location::File(path), Duration::from_secs(5), inbox).unwrap();
        let now = time::OffsetDateTime::now_utc();
        let filter = Filter::from_query("printer -fire", now, "me").unwrap();
        let job = |generation| ReadJob::List {
            generation,
            filter: Box::new(filter.clone()),
            page: Page::Newest,
            limit: 50,
            reselect: None,
        };
        reader.send(job(1));
        let interrupts = reader.interrupt.lock().unwrap().take().unwrap();
        let until = std::time::Instant::now() + Duration::from_millis(200);
        while std::time::Instant::now() < until {
            interrupts.interrupt();
            std::thread::yield_now();
        }
        let answer = tokio::time::timeout(Duration::from_secs(10), answers.recv()).await;
        match answer {
            Ok(Some(Msg::ListLoaded { generation: 1, result: Ok(rows), .. })) => assert!(rows.is_empty()),
            other => panic!("no answer to the only list query asked: {other:?}"),
        }
    }
}
