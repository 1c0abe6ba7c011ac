//! Other agents' commits reach an open PostgreSQL desk by notification:
//! its own commits are no news, another session's are, once.

mod common;

use std::time::{Duration, Instant};

use common::Desk;
use ticketdesk::domain::{Category, NewTicket, Origins, Priority};
use ticketdesk::store::{Location, Store};

fn ticket(title: &str) -> NewTicket {
    NewTicket::new(title, "a description", Category::General, Priority::Low).unwrap()
}

/// Looks until `store` hears news, for at most five seconds.
fn hears(store: &mut Store) -> bool {
    let deadline = Instant::now() + Duration::from_secs(5);
    while Instant::now() < deadline {
        if store.others_committed().unwrap() {
            return true;
        }
    }
    false
}

#[test]
fn a_session_hears_others_commits_and_never_its_own() {
    let Some(desk) = Desk::postgres() else { return };
    let location = Location::parse(&desk.location).unwrap();
    let mut own = Store::open_at(&location, Duration::from_secs(5)).unwrap();
    let mut other = Store::open_at(&location, Duration::from_secs(5)).unwrap();
    assert!(own.others_committed().unwrap(), "the first look starts listening");
    own.add(&ticket("mine"), Origins::PERSON).unwrap();
    // Our own commit's notification arrives too; it must not count.
    for _ in 0..50 {
        assert!(!own.others_committed().unwrap(), "our own save is no news");
    }
    other.add(&ticket("theirs"), Origins::PERSON).unwrap();
    assert!(hears(&mut own), "another session's save is news");
    assert!(!own.others_committed().unwrap(), "told once");
    other.note(2, "a note is a commit too").unwrap();
    assert!(hears(&mut own));
}
