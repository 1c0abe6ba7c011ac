//! Possible duplicates: tickets written as a near-copy of an existing one
//! find the original, and unrelated text finds nothing.

mod common;

use common::Desk;
use ticketdesk::store::Store;

/// A near-copy of a ticket as a customer writing in again might send it:
/// the title reworded (its first word dropped), every fourth word of the
/// description dropped, the rest in a new frame.
fn near_copy(title: &str, description: &str) -> String {
    let title: Vec<&str> = title.split_whitespace().skip(1).collect();
    let kept: Vec<&str> =
        description.split_whitespace().enumerate().filter(|(i, _)| i % 4 != 3).map(|(_, w)| w).collect();
    format!("Re: {}\n\nWriting again about this. {}", title.join(" "), kept.join(" "))
}

/// A looser copy: only every other word of the description, no title.
fn loose_copy(description: &str) -> String {
    let kept: Vec<&str> = description.split_whitespace().step_by(2).collect();
    format!("Following up. {}", kept.join(" "))
}

fn sample_desk() -> (Desk, Vec<(i64, String, String)>) {
    let desk = Desk::new();
    desk.ok(&["import", concat!(env!("CARGO_MANIFEST_DIR"), "/assets/sample-tickets.jsonl")]);
    let tickets = desk.json(&["list", "--limit", "1000"]);
    let tickets = tickets
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            (
                t["id"].as_i64().unwrap(),
                t["title"].as_str().unwrap().to_owned(),
                t["description"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    (desk, tickets)
}

#[test]
fn a_near_copy_of_a_sample_ticket_lists_the_original_first() {
    let (desk, tickets) = sample_desk();
    let mut store = Store::open(&desk.db).unwrap();
    let n = tickets.len();
    let mut rate = |copy: &dyn Fn(&str, &str) -> String| {
        let (mut first, mut listed) = (0, 0);
        for (id, title, description) in &tickets {
            let found = store.similar(&copy(title, description), 3, None).unwrap();
            first += usize::from(found.first().map(|s| s.ticket.id) == Some(*id));
            listed += usize::from(found.iter().any(|s| s.ticket.id == *id));
        }
        (first, listed)
    };
    let (first, listed) = rate(&near_copy);
    let (loose_first, loose_listed) = rate(&|_, description| loose_copy(description));
    let percent = |k: usize| 100.0 * k as f64 / n as f64;
    eprintln!(
        "near-copies of {n} sample tickets: original first {:.1}%, in the top three {:.1}%; \
         half-word copies: first {:.1}%, top three {:.1}%",
        percent(first),
        percent(listed),
        percent(loose_first),
        percent(loose_listed)
    );
    assert!(first * 100 >= n * 90, "original first for only {first} of {n}");
    assert!(loose_first * 100 >= n * 70, "loose copies: original first for only {loose_first} of {n}");
}

#[test]
fn unrelated_text_finds_nothing_and_closed_old_tickets_are_not_offered() {
    let (desk, tickets) = sample_desk();
    let mut store = Store::open(&desk.db).unwrap();
    assert!(store.similar("Quarterly offsite lunch menu vote", 3, None).unwrap().is_empty());
    let (id, title, description) = &tickets[0];
    let text = near_copy(title, description);
    assert_eq!(store.similar(&text, 3, None).unwrap()[0].ticket.id, *id);
    assert!(
        store.similar(&text, 3, Some(*id)).unwrap().iter().all(|s| s.ticket.id != *id),
        "the ticket itself is never offered"
    );
    // Closed a long time ago: no longer a live duplicate.
    desk.conn()
        .execute(
            "UPDATE tickets SET status = 'closed', created_at = '2020-01-01T00:00:00.000Z' WHERE id = ?1",
            [id],
        )
        .unwrap();
    assert!(store.similar(&text, 3, None).unwrap().iter().all(|s| s.ticket.id != *id));
}

#[test]
fn the_same_address_outweighs_any_words() {
    let desk = Desk::new();
    let old = desk.add(
        "Invoice question",
        "Hello, this is jane.doe@example.com about my March invoice",
        "billing",
        "low",
    );
    desk.add("Invoice question for April", "The April invoice total looks wrong to me", "billing", "low");
    let mut store = Store::open(&desk.db).unwrap();
    let found = store.similar("New problem: jane.doe@example.com cannot log in", 3, None).unwrap();
    assert_eq!(found.first().map(|s| s.ticket.id), Some(old));
}
