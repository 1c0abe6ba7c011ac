//! One store API over the desk's engines. Everything above this module (the
//! commands, the screen, the classifier) talks to a [`Store`] and never learns
//! which database holds the desk; each engine module speaks its own SQL and
//! shares everything that is not SQL (validation, the search rule, history
//! shapes, errors).

pub(crate) mod bulk;
pub(crate) mod conflict;
mod copy;
pub(crate) mod error;
mod location;
mod output_file;
pub mod postgres;
mod sqlite;
pub(crate) mod totals;

pub use bulk::{BULK_MAX, BulkChange, BulkOutcome, Skipped};
pub use copy::{CopyCounts, CopyReport, DeskRecord};
pub use error::StoreError;
pub use location::Location;
pub use output_file::OutputFile;
pub use sqlite::{APPLICATION_ID, CheckReport, ImportError, ImportRow, RepairReport, Similar, default_path};

/// A ticket's text and the labels an agent gave it, for training.
pub type Labelled = (String, String, crate::domain::Category, crate::domain::Priority);

use std::path::Path;
use std::time::Duration;

use crate::domain::{Cursor, Event, Filter, NewTicket, Origins, Page, Stats, Ticket, TicketEdit};
use postgres::PgDesk;
use sqlite::SqliteDesk;

/// How long a writer waits for another process's write lock before giving up.
pub const DEFAULT_BUSY_TIMEOUT: Duration = Duration::from_secs(10);

/// An open desk. Owns its connection: whoever holds the `Store` is the only
/// one talking to the database through it.
pub struct Store {
    engine: Engine,
    location: Location,
}

enum Engine {
    Sqlite(SqliteDesk),
    // Boxed: a server desk holds its connection settings beside the client.
    Postgres(Box<PgDesk>),
}

/// Runs `$call` on whichever engine holds the desk, as `$desk`.
macro_rules! on_engine {
    ($self:ident, $desk:ident => $call:expr) => {
        match &$self.engine {
            Engine::Sqlite($desk) => $call,
            Engine::Postgres($desk) => $call,
        }
    };
    (mut $self:ident, $desk:ident => $call:expr) => {
        match &mut $self.engine {
            Engine::Sqlite($desk) => $call,
            Engine::Postgres($desk) => $call,
        }
    };
}

/// Stops a query running on another thread (a list superseded by a newer one).
pub struct Interrupt(InterruptEngine);

enum InterruptEngine {
    Sqlite(rusqlite::InterruptHandle),
    Postgres(Box<postgres::PgInterrupt>),
}

impl Interrupt {
    pub fn interrupt(&self) {
        match &self.0 {
            InterruptEngine::Sqlite(handle) => handle.interrupt(),
            InterruptEngine::Postgres(handle) => handle.interrupt(),
        }
    }
}

impl Store {
    /// Opens (creating if needed) the SQLite desk at `path`, refusing any file
    /// that is not ours, and brings its schema up to date.
    pub fn open(path: &Path) -> Result<Store, StoreError> {
        Self::open_with_timeout(path, DEFAULT_BUSY_TIMEOUT)
    }

    pub fn open_with_timeout(path: &Path, busy_timeout: Duration) -> Result<Store, StoreError> {
        Self::open_at(&Location::File(path.to_owned()), busy_timeout)
    }

    /// Opens the desk at `location`; writes wait up to `busy_timeout` for
    /// another's lock.
    pub fn open_at(location: &Location, busy_timeout: Duration) -> Result<Store, StoreError> {
        let engine = match location {
            Location::File(path) => Engine::Sqlite(SqliteDesk::open_with_timeout(path, busy_timeout)?),
            Location::Server(target) => Engine::Postgres(Box::new(PgDesk::open(target, busy_timeout)?)),
        };
        Ok(Store { engine, location: location.clone() })
    }

    /// Opens like [`Store::open_at`], and calls `waiting` once if that has not
    /// finished after `patience`: someone else holds the desk's lock (the
    /// first import into an empty desk does, start to end; a server may be
    /// slow to answer or another agent migrating it), and a person at a
    /// terminal should hear why nothing happens yet.
    ///
    /// The open runs on this thread (on a thread of its own it would cost a
    /// fresh heap, a tenth of a quick command's time); a small thread only
    /// watches the clock, and is waited for only once it has spoken.
    pub fn open_telling_waits(
        location: &Location,
        busy_timeout: Duration,
        patience: Duration,
        waiting: impl FnOnce() + Send + 'static,
    ) -> Result<Store, StoreError> {
        use std::sync::atomic::{AtomicBool, Ordering};
        let (opened, done) = std::sync::mpsc::channel::<()>();
        let told = std::sync::Arc::new(AtomicBool::new(false));
        let teller = {
            let (told, shown) = (told.clone(), location.shown());
            std::thread::spawn(move || {
                if done.recv_timeout(patience) == Err(std::sync::mpsc::RecvTimeoutError::Timeout) {
                    told.store(true, Ordering::SeqCst);
                    tracing::info!(desk = %shown, "waiting for another process's lock to open the desk");
                    waiting();
                }
            })
        };
        let started = std::time::Instant::now();
        let result = Self::open_at(location, busy_timeout);
        drop(opened);
        if told.load(Ordering::SeqCst) {
            // Let the message finish before anything else is written.
            let _ = teller.join();
            let waited_ms = started.elapsed().as_millis() as u64;
            tracing::info!(waited_ms, opened = result.is_ok(), "done waiting to open the desk");
        }
        result
    }

    /// Where the desk is.
    pub fn location(&self) -> &Location {
        &self.location
    }

    /// Where the desk is, for people: a path, or a URL without its password.
    pub fn shown(&self) -> String {
        self.location.shown()
    }

    /// The account this process writes as (recorded in the history).
    pub fn actor(&self) -> &str {
        on_engine!(self, desk => desk.actor())
    }

    /// Whether this store's commits still reach everyone else (see the
    /// SQLite engine's desk registry). A write checks this after it commits,
    /// so nothing is reported saved that nobody else can see.
    pub fn check_in_place(&self) -> Result<(), StoreError> {
        on_engine!(self, desk => desk.check_in_place())
    }

    /// A handle that stops this store's running query from another thread.
    pub fn interrupt_handle(&self) -> Interrupt {
        Interrupt(match &self.engine {
            Engine::Sqlite(desk) => InterruptEngine::Sqlite(desk.interrupt_handle()),
            Engine::Postgres(desk) => InterruptEngine::Postgres(Box::new(desk.interrupt_handle())),
        })
    }

    /// Whether another process committed since the last call (the first call
    /// only starts watching). This store's own commits are not news.
    pub fn others_committed(&mut self) -> Result<bool, StoreError> {
        on_engine!(mut self, desk => desk.others_committed())
    }

    /// Prepares a file a command writes (exports, backups): never onto the
    /// desk itself, always whole (see [`OutputFile`]).
    pub fn output_file(&self, path: &Path) -> Result<OutputFile, StoreError> {
        on_engine!(self, desk => desk.output_file(path))
    }

    /// A consistent copy of the whole desk, as a SQLite desk at `destination`
    /// (written beside it and renamed into place). Returns its size.
    pub fn backup(&mut self, destination: &Path) -> Result<u64, StoreError> {
        let busy_timeout = match &mut self.engine {
            Engine::Sqlite(desk) => return desk.backup(destination),
            Engine::Postgres(desk) => desk.lock_timeout(),
        };
        let output = self.output_file(destination)?;
        {
            let mut copy = Store::open_at(&Location::File(output.path().to_owned()), busy_timeout)?;
            let report = self.copy_into(&mut copy)?;
            if !report.ok() {
                return Err(StoreError::Postgres(format!(
                    "the backup differs from the desk: {}",
                    report.differences.join("; ")
                )));
            }
        }
        output.finish()
    }

    /// Sets up a server desk's owner role (migrations) and agent role (may
    /// add and change tickets and add history, never rewrite it).
    pub fn init_roles(&mut self, owner: &str, agent: &str) -> Result<postgres::RolesReport, StoreError> {
        match &mut self.engine {
            Engine::Postgres(desk) => desk.init_roles(owner, agent),
            Engine::Sqlite(_) => Err(StoreError::ServerOnly {
                what: "db init-roles",
                instead: "who may use a SQLite desk is its file's group and modes (ticketdesk doctor explains them)",
            }),
        }
    }

    pub fn check(&mut self) -> Result<CheckReport, StoreError> {
        on_engine!(mut self, desk => desk.check())
    }

    pub fn repair(&mut self) -> Result<RepairReport, StoreError> {
        on_engine!(mut self, desk => desk.repair())
    }

    /// Writes a new ticket with its history (created, and where its category
    /// and priority came from), and returns it as stored.
    pub fn add(&mut self, ticket: &NewTicket, origins: Origins) -> Result<Ticket, StoreError> {
        on_engine!(mut self, desk => desk.add(ticket, origins))
    }

    pub fn get(&mut self, id: i64) -> Result<Ticket, StoreError> {
        on_engine!(mut self, desk => desk.get(id))
    }

    /// Applies the fields of `edit` that differ from the stored ticket, in one
    /// write transaction, recording each change, and returns the ticket as it
    /// now is. With `expected_version`, refuses (with who changed it) if the
    /// ticket moved on since that version. An edit that changes nothing
    /// writes nothing.
    pub fn edit(
        &mut self,
        id: i64,
        edit: &TicketEdit,
        expected_version: Option<i64>,
    ) -> Result<Ticket, StoreError> {
        on_engine!(mut self, desk => desk.edit(id, edit, expected_version))
    }

    /// Gives the ticket to `assignee` (`None`: to nobody), with the same
    /// version check and history as [`Store::edit`].
    pub fn assign(
        &mut self,
        id: i64,
        assignee: Option<&str>,
        expected_version: Option<i64>,
    ) -> Result<Ticket, StoreError> {
        on_engine!(mut self, desk => desk.assign(id, assignee, expected_version))
    }

    /// Applies `change` to every `(id, version seen)` in one transaction;
    /// tickets changed meanwhile are skipped and listed.
    pub fn bulk_change(
        &mut self,
        targets: &[(i64, i64)],
        change: &BulkChange,
    ) -> Result<BulkOutcome, StoreError> {
        on_engine!(mut self, desk => desk.bulk_change(targets, change))
    }

    /// Appends an internal note to a ticket.
    pub fn note(&mut self, ticket_id: i64, text: &str) -> Result<Event, StoreError> {
        on_engine!(mut self, desk => desk.note(ticket_id, text))
    }

    /// A ticket's history and notes, oldest first.
    pub fn history(&mut self, ticket_id: i64) -> Result<Vec<Event>, StoreError> {
        on_engine!(mut self, desk => desk.history(ticket_id))
    }

    /// Up to `limit` tickets passing `filter`, newest first, starting after
    /// `after` when given.
    pub fn list(
        &mut self,
        filter: &Filter,
        limit: usize,
        after: Option<&Cursor>,
    ) -> Result<Vec<Ticket>, StoreError> {
        on_engine!(mut self, desk => desk.list(filter, limit, after))
    }

    /// One page of up to `limit` tickets passing `filter`, always newest first.
    pub fn page(&mut self, filter: &Filter, limit: usize, page: &Page) -> Result<Vec<Ticket>, StoreError> {
        on_engine!(mut self, desk => desk.page(filter, limit, page))
    }

    /// Calls `each` with every ticket in id order, from one consistent
    /// snapshot even while others write.
    pub fn for_each_ticket(&mut self, each: impl FnMut(Ticket) -> anyhow::Result<()>) -> anyhow::Result<u64> {
        on_engine!(mut self, desk => desk.for_each_ticket(each))
    }

    /// Inserts every row in one write transaction. The first bad row (from
    /// the source or refused by the database) rolls back everything.
    pub fn import<E>(
        &mut self,
        rows: impl IntoIterator<Item = Result<ImportRow, E>>,
    ) -> Result<u64, ImportError<E>> {
        on_engine!(mut self, desk => desk.import(rows))
    }

    /// Open or recent tickets that resemble `text`, most alike first.
    pub fn similar(
        &mut self,
        text: &str,
        limit: usize,
        except: Option<i64>,
    ) -> Result<Vec<Similar>, StoreError> {
        on_engine!(mut self, desk => desk.similar(text, limit, except))
    }

    /// The newest labelled tickets, for the offline model to learn from.
    pub fn recent_labelled(&mut self, limit: usize) -> Result<Vec<Labelled>, StoreError> {
        on_engine!(mut self, desk => desk.recent_labelled(limit))
    }

    /// Every ticket with its history and suggestion, in id order, from one
    /// snapshot; stops early when `each` says so.
    pub(crate) fn read_records(
        &mut self,
        each: &mut dyn FnMut(DeskRecord) -> bool,
    ) -> Result<(), StoreError> {
        on_engine!(mut self, desk => desk.read_records(each))
    }

    /// Writes whole records into this desk, which must hold no tickets: all
    /// of them in one transaction, or none.
    pub(crate) fn write_records(
        &mut self,
        records: &mut dyn Iterator<Item = Result<DeskRecord, StoreError>>,
    ) -> Result<CopyCounts, StoreError> {
        on_engine!(mut self, desk => desk.write_records(records))
    }

    /// How many tickets, events and suggestions the desk holds.
    pub fn counts(&mut self) -> Result<CopyCounts, StoreError> {
        on_engine!(mut self, desk => desk.counts())
    }

    /// Totals from the running counts (never a scan).
    pub fn stats(&mut self) -> Result<Stats, StoreError> {
        on_engine!(mut self, desk => desk.stats())
    }

    /// Tickets created on each of the last `days` days, oldest first.
    pub fn daily_counts(&mut self, days: u32) -> Result<Vec<u64>, StoreError> {
        on_engine!(mut self, desk => desk.daily_counts(days))
    }
}
