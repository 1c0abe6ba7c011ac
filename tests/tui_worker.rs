//! The screen's database threads on a real desk: what they answer, how a
//! refusal comes back (typed, with the change it was about), how a write
//! waits out another process's lock, and how another process's commit is
//! heard.

use std::time::Duration;

use rusqlite::Connection;
use tokio::sync::mpsc::{UnboundedReceiver, unbounded_channel};
use tokio::time::timeout;

use ticketdesk::domain::{Category, NewTicket, Origins, Page, Priority, Status};
use ticketdesk::store::{Location, Store};
use ticketdesk::tui::msg::{Change, Msg};
use ticketdesk::tui::worker::{ReadJob, WriteJob, spawn_reader, spawn_writer};

/// A desk holding one ticket, in a folder of its own.
fn desk() -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("tickets.db");
    Store::open(&path).unwrap().add(&ticket("first"), Origins::PERSON).unwrap();
    (dir, path)
}

fn ticket(title: &str) -> NewTicket {
    NewTicket::new(title, "the printer is on fire", Category::Technical, Priority::High).unwrap()
}

/// The next message, or a panic naming what did not come.
async fn next(inbox: &mut UnboundedReceiver<Msg>, waiting_for: &str) -> Msg {
    timeout(Duration::from_secs(10), inbox.recv())
        .await
        .unwrap_or_else(|_| panic!("no {waiting_for} within 10 s"))
        .expect("the inbox closed")
}

#[tokio::test]
async fn reads_answer_each_question_and_refusals_stay_typed() {
    let (_dir, path) = desk();
    let (tx, mut inbox) = unbounded_channel();
    let reader = spawn_reader(Location::File(path), Duration::from_secs(1), tx).unwrap();
    let list = ReadJob::List {
        generation: 7,
        filter: Box::default(),
        page: Page::Newest,
        limit: 50,
        reselect: None,
    };
    reader.send(list);
    match next(&mut inbox, "list").await {
        Msg::ListLoaded { generation: 7, result: Ok(rows), .. } => assert_eq!(rows[0].title, "first"),
        other => panic!("{other:?}"),
    }
    reader.send(ReadJob::Detail(999));
    match next(&mut inbox, "detail").await {
        Msg::DetailLoaded { id: 999, result: Err(why) } => assert_eq!(why.to_string(), "no ticket #999"),
        other => panic!("{other:?}"),
    }
    reader.send(ReadJob::Stats);
    match next(&mut inbox, "stats").await {
        Msg::StatsLoaded(Ok(view)) => assert_eq!(view.stats.total_tickets, 1),
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn a_write_answers_with_the_ticket_and_a_refusal_with_the_change_and_why() {
    let (_dir, path) = desk();
    let (tx, mut inbox) = unbounded_channel();
    let writer = spawn_writer(Location::File(path), tx).unwrap();
    writer.send(WriteJob::Save(ticket("second"), Origins::PERSON));
    let saved = match next(&mut inbox, "the save").await {
        Msg::Saved(Ok(saved)) => saved,
        other => panic!("{other:?}"),
    };
    assert_eq!((saved.title.as_str(), saved.version), ("second", 1));
    writer.send(WriteJob::SetStatus { id: saved.id, status: Status::Closed, version: 1 });
    assert!(
        matches!(next(&mut inbox, "the change").await, Msg::Changed(Ok(t)) if t.status == Status::Closed)
    );
    // The screen still shows version 1: the change is refused, not made.
    writer.send(WriteJob::SetStatus { id: saved.id, status: Status::Resolved, version: 1 });
    match next(&mut inbox, "the refusal").await {
        Msg::Changed(Err(refused)) => {
            assert_eq!(refused.change, Change::Status { id: saved.id, status: Status::Resolved });
            let why = refused.why.to_string();
            assert!(why.contains("was changed by") && why.contains("you had version 1"), "{why}");
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn a_write_waits_for_another_processs_lock_says_so_and_then_goes_through() {
    let (_dir, path) = desk();
    let holder = Connection::open(&path).unwrap();
    holder.execute_batch("BEGIN IMMEDIATE").unwrap();
    let (tx, mut inbox) = unbounded_channel();
    let writer = spawn_writer(Location::File(path.clone()), tx).unwrap();
    writer.send(WriteJob::Save(ticket("queued"), Origins::PERSON));
    assert!(matches!(next(&mut inbox, "the wait").await, Msg::WriteBusy(true)));
    holder.execute_batch("ROLLBACK").unwrap();
    assert!(matches!(next(&mut inbox, "the end of the wait").await, Msg::WriteBusy(false)));
    assert!(matches!(next(&mut inbox, "the save").await, Msg::Saved(Ok(t)) if t.title == "queued"));
}

#[tokio::test]
async fn another_processs_commit_is_heard() {
    let (_dir, path) = desk();
    let (tx, mut inbox) = unbounded_channel();
    let _writer = spawn_writer(Location::File(path.clone()), tx).unwrap();
    Store::open(&path).unwrap().add(&ticket("from elsewhere"), Origins::PERSON).unwrap();
    assert!(matches!(next(&mut inbox, "the news").await, Msg::DatabaseChanged));
}
