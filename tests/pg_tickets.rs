//! Single tickets on a PostgreSQL desk: every write and read behaves as the
//! SQLite desk's does for the same input, and two sessions changing one
//! ticket meet the same conflicts.

#[path = "common/postgres.rs"]
mod pg_server;

use std::sync::mpsc;
use std::time::Duration;

use ticketdesk::domain::timestamp;
use ticketdesk::domain::{
    Category, Event, EventField, EventSource, Field, NewTicket, Origins, Priority, Source, Status, Suggested,
    Ticket, TicketEdit,
};
use ticketdesk::store::postgres::PgDesk;
use ticketdesk::store::{BULK_MAX, BulkChange, Skipped, Store, StoreError};

const LOCK_TIMEOUT: Duration = Duration::from_millis(300);

/// A fresh migrated database, and desks on it writing as named agents.
struct Desk {
    db: pg_server::Database,
}

impl Desk {
    /// A new database, made a desk by attaching to it once (migrating).
    fn new(server: &pg_server::Server) -> Desk {
        let desk = Desk { db: server.database() };
        desk.agent("setup");
        desk
    }

    fn agent(&self, actor: &str) -> PgDesk {
        PgDesk::attach(&self.db.url, LOCK_TIMEOUT, actor).expect("attach a desk")
    }

    /// A desk writing as this process's account, as the SQLite store does.
    fn mine(&self) -> PgDesk {
        self.agent(&ticketdesk::actor::current())
    }

    fn raw(&self) -> postgres::Client {
        self.db.connect()
    }
}

fn sqlite() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("desk.db")).unwrap();
    (dir, store)
}

fn ticket(title: &str, category: Category, priority: Priority) -> NewTicket {
    NewTicket::new(title, "Something is wrong", category, priority).unwrap()
}

fn is_stored_time(text: &str) -> bool {
    timestamp::parse_stored(text).is_some_and(|at| timestamp::format(at) == text)
}

/// An event without what differs between two runs (its id, its time).
fn shape(event: &Event) -> (i64, String, EventField, Option<String>, Option<String>, EventSource) {
    assert!(is_stored_time(&event.at), "event time {:?}", event.at);
    (
        event.ticket_id,
        event.actor.clone(),
        event.field,
        event.old_value.clone(),
        event.new_value.clone(),
        event.source,
    )
}

/// A ticket without its update time, which is "now" on each engine.
fn without_update_time(ticket: &Ticket) -> Ticket {
    assert!(is_stored_time(&ticket.updated_at), "updated_at {:?}", ticket.updated_at);
    Ticket { updated_at: String::new(), ..ticket.clone() }
}

fn suggested_by_claude() -> Origins {
    Origins {
        category: EventSource::Claude,
        priority: EventSource::Person,
        suggested: Some(Suggested {
            source: Source::Claude,
            category: Category::Billing,
            priority: Priority::Low,
        }),
    }
}

#[test]
fn a_new_ticket_reads_back_as_the_sqlite_desk_stores_it() {
    let Some(server) = pg_server::server() else { return };
    let desk = Desk::new(&server);
    let mut pg = desk.mine();
    let (_dir, mut lite) = sqlite();
    let mut dated = ticket("  Invoice doubled ", Category::Billing, Priority::High);
    dated.created_at = Some("2024-02-29T23:59:59.999Z".into());
    dated.status = Some(Status::InProgress);
    dated.assignee = Some("alice".into());
    let plain = ticket("Cannot log in", Category::Account, Priority::Medium);
    for (new, origins) in [(&dated, suggested_by_claude()), (&plain, Origins::PERSON)] {
        let on_pg = pg.add(new, origins).unwrap();
        let on_lite = lite.add(new, origins).unwrap();
        assert_eq!(on_pg.version, 1);
        assert_eq!(pg.get(on_pg.id).unwrap(), on_pg, "get returns what add returned");
        if new.created_at.is_some() {
            assert_eq!(without_update_time(&on_pg), without_update_time(&on_lite));
        } else {
            let now = |t: &Ticket| Ticket { created_at: String::new(), ..without_update_time(t) };
            assert_eq!(now(&on_pg), now(&on_lite));
            assert!(is_stored_time(&on_pg.created_at));
        }
        let pg_history: Vec<_> = pg.history(on_pg.id).unwrap().iter().map(shape).collect();
        let lite_history: Vec<_> = lite.history(on_lite.id).unwrap().iter().map(shape).collect();
        assert_eq!(pg_history, lite_history);
        assert_eq!(pg_history.len(), 3, "created, category, priority");
    }
    assert_eq!(pg.stats().unwrap(), lite.stats().unwrap(), "the suggestion is counted on both");
    assert!(matches!(pg.get(99), Err(StoreError::NotFound(99))));
}

#[test]
fn an_edit_from_a_stale_version_is_refused_naming_who_changed_it_and_when() {
    let Some(server) = pg_server::server() else { return };
    let desk = Desk::new(&server);
    let (mut mine, mut alice) = (desk.agent("bob"), desk.agent("alice"));
    let added =
        mine.add(&ticket("Printer jam", Category::Technical, Priority::Low), Origins::PERSON).unwrap();
    let raise = TicketEdit { priority: Some(Priority::High), ..TicketEdit::default() };
    let raised = alice.edit(added.id, &raise, Some(1)).unwrap();
    assert_eq!((raised.version, raised.priority), (2, Priority::High));
    assert!(raised.updated_at >= added.updated_at);
    alice.note(added.id, "called the customer").unwrap();

    let close = TicketEdit { status: Some(Status::Closed), ..TicketEdit::default() };
    let err = mine.edit(added.id, &close, Some(1)).unwrap_err();
    let last =
        mine.history(added.id).unwrap().into_iter().rfind(|e| e.field == EventField::Priority).unwrap();
    match &err {
        StoreError::Conflict { id, by, at, current, seen } => {
            assert_eq!((*id, by.as_str(), at, *current, *seen), (added.id, "alice", &last.at, 2, 1));
        }
        other => panic!("expected a conflict, got {other:?}"),
    }
    assert!(err.to_string().starts_with(&format!("#{} was changed by alice ", added.id)), "{err}");
    assert_eq!(mine.get(added.id).unwrap().status, Status::Open, "nothing written");

    let closed = mine.edit(added.id, &close, Some(2)).unwrap();
    assert_eq!((closed.version, closed.status), (3, Status::Closed));
    let unchanged = mine.edit(added.id, &close, None).unwrap();
    assert_eq!(unchanged, closed, "the same value again writes nothing");
    let fields: Vec<_> = mine.history(added.id).unwrap().iter().map(|e| e.field).collect();
    let f = |name| EventField::named(name).unwrap();
    assert_eq!(fields, ["created", "category", "priority", "priority", "note", "status"].map(f));
    assert!(matches!(mine.edit(404, &close, None), Err(StoreError::NotFound(404))));
}

#[test]
fn an_edit_changes_every_field_at_once_as_on_sqlite() {
    let Some(server) = pg_server::server() else { return };
    let desk = Desk::new(&server);
    let mut pg = desk.mine();
    let (_dir, mut lite) = sqlite();
    let new = ticket("Slow pages", Category::Technical, Priority::Low);
    let (a, b) = (pg.add(&new, Origins::PERSON).unwrap(), lite.add(&new, Origins::PERSON).unwrap());
    let edit = TicketEdit {
        title: Some("Very slow pages".into()),
        description: Some("Every page takes 30 s".into()),
        category: Some(Category::Technical),
        priority: Some(Priority::Critical),
        status: Some(Status::InProgress),
    };
    let (a, b) = (pg.edit(a.id, &edit, Some(1)).unwrap(), lite.edit(b.id, &edit, Some(1)).unwrap());
    assert_eq!(a.version, 2, "one edit, one version step");
    assert_eq!(without_update_time(&Ticket { created_at: String::new(), ..a.clone() }), {
        without_update_time(&Ticket { created_at: String::new(), ..b.clone() })
    });
    let events = |h: Vec<Event>| h.iter().map(shape).collect::<Vec<_>>();
    assert_eq!(events(pg.history(a.id).unwrap()), events(lite.history(b.id).unwrap()));
}

#[test]
fn of_two_sessions_changing_one_ticket_at_once_exactly_one_wins() {
    let Some(server) = pg_server::server() else { return };
    let desk = Desk::new(&server);
    let added = desk.mine().add(&ticket("Race", Category::General, Priority::Low), Origins::PERSON).unwrap();
    // A third session holds the row, so both writers are waiting on it
    // before either may go on.
    let mut holder = desk.raw();
    let mut hold = holder.transaction().unwrap();
    hold.execute("SELECT 1 FROM tickets WHERE id = $1 FOR UPDATE", &[&added.id]).unwrap();
    let (done, results) = mpsc::channel();
    for (who, status) in [("alice", Status::Resolved), ("bob", Status::Closed)] {
        let mut agent = PgDesk::attach(&desk.db.url, Duration::from_secs(30), who).unwrap();
        let done = done.clone();
        std::thread::spawn(move || {
            let edit = TicketEdit { status: Some(status), ..TicketEdit::default() };
            done.send((who, agent.edit(added.id, &edit, Some(1)))).unwrap();
        });
    }
    wait_for_lock_waiters(&mut desk.raw(), 2);
    hold.rollback().unwrap();
    let mut outcomes: Vec<_> = (0..2).map(|_| results.recv().unwrap()).collect();
    outcomes.sort_by_key(|(_, result)| result.is_err());
    let [(winner, won), (_, lost)] = &outcomes[..] else { unreachable!() };
    let won = won.as_ref().expect("one edit goes through");
    assert_eq!(won.version, 2);
    match lost {
        Err(StoreError::Conflict { by, current: 2, seen: 1, .. }) => assert_eq!(by, winner),
        other => panic!("the other edit meets the conflict, got {other:?}"),
    }
    let statuses =
        desk.mine().history(added.id).unwrap().iter().filter(|e| e.field == EventField::Status).count();
    assert_eq!(statuses, 1);
}

/// Blocks until `n` sessions wait for a row lock (the server says so).
fn wait_for_lock_waiters(client: &mut postgres::Client, n: i64) {
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    loop {
        let waiting: i64 = client
            .query_one(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'",
                &[],
            )
            .unwrap()
            .get(0);
        if waiting >= n {
            return;
        }
        assert!(std::time::Instant::now() < deadline, "only {waiting} sessions came to wait for the lock");
        std::thread::yield_now();
    }
}

#[test]
fn assigning_records_who_had_it_and_checks_the_version() {
    let Some(server) = pg_server::server() else { return };
    let desk = Desk::new(&server);
    let (mut pg, mut bob) = (desk.mine(), desk.agent("bob"));
    let (_dir, mut lite) = sqlite();
    let new = ticket("Refund", Category::Billing, Priority::Medium);
    let (a, b) = (pg.add(&new, Origins::PERSON).unwrap(), lite.add(&new, Origins::PERSON).unwrap());
    for (who, version) in [(Some("alice"), 1), (Some("alice"), 2), (None, 2)] {
        let (x, y) =
            (pg.assign(a.id, who, Some(version)).unwrap(), lite.assign(b.id, who, Some(version)).unwrap());
        assert_eq!((x.assignee.as_deref(), x.version), (y.assignee.as_deref(), y.version));
    }
    assert_eq!(pg.get(a.id).unwrap().version, 3, "assigning to the same account wrote nothing");
    let events = |h: Vec<Event>| h.iter().map(shape).collect::<Vec<_>>();
    assert_eq!(events(pg.history(a.id).unwrap()), events(lite.history(b.id).unwrap()));
    bob.assign(a.id, Some("bob"), None).unwrap();
    let err = pg.assign(a.id, Some("carol"), Some(3)).unwrap_err();
    assert!(
        matches!(err, StoreError::Conflict { ref by, current: 4, seen: 3, .. } if by == "bob"),
        "{err:?}"
    );
    let bad = pg.assign(a.id, Some("no spaces allowed"), None).unwrap_err();
    assert!(matches!(bad, StoreError::Postgres(_)), "the schema refuses a bad account name: {bad:?}");
}

#[test]
fn notes_join_the_history_in_order_and_are_held_to_the_rules() {
    let Some(server) = pg_server::server() else { return };
    let desk = Desk::new(&server);
    let mut pg = desk.mine();
    let (_dir, mut lite) = sqlite();
    let new = ticket("Password reset", Category::Account, Priority::Low);
    let (a, b) = (pg.add(&new, Origins::PERSON).unwrap(), lite.add(&new, Origins::PERSON).unwrap());
    let note = pg.note(a.id, "  asked for the\nlast four digits \n").unwrap();
    assert_eq!(note.new_value.as_deref(), Some("asked for the\nlast four digits"));
    assert_eq!(shape(&note), shape(&lite.note(b.id, "  asked for the\nlast four digits \n").unwrap()));
    let resolve = TicketEdit { status: Some(Status::Resolved), ..TicketEdit::default() };
    pg.edit(a.id, &resolve, None).unwrap();
    lite.edit(b.id, &resolve, None).unwrap();
    pg.note(a.id, "done").unwrap();
    lite.note(b.id, "done").unwrap();
    let history = pg.history(a.id).unwrap();
    assert!(history.windows(2).all(|w| w[0].id < w[1].id), "oldest first");
    let events = |h: &[Event]| h.iter().map(shape).collect::<Vec<_>>();
    assert_eq!(events(&history), events(&lite.history(b.id).unwrap()));
    assert_eq!(pg.get(a.id).unwrap().version, 2, "a note is not a change of the ticket");

    assert!(matches!(pg.note(404, "x"), Err(StoreError::NotFound(404))));
    assert!(matches!(pg.history(404), Err(StoreError::NotFound(404))));
    for bad in [" \n ", "nul\0inside"] {
        let (x, y) = (pg.note(a.id, bad).unwrap_err(), lite.note(b.id, bad).unwrap_err());
        match (&x, &y) {
            (StoreError::Invalid(x), StoreError::Invalid(y)) => assert_eq!((x.field, x), (Field::Note, y)),
            _ => panic!("{bad:?}: {x:?} / {y:?}"),
        }
    }
    // Past the application's checks, straight to the server.
    let raw = desk.raw().execute(
        "INSERT INTO ticket_events (ticket_id, actor, field, new_value) VALUES ($1, 'x', 'note', '   ')",
        &[&a.id],
    );
    let err = raw.unwrap_err();
    assert_eq!(err.as_db_error().and_then(|e| e.constraint()), Some("note_not_blank"));
}

/// Fails with the field and message a broken rule gives, or panics.
fn invalid(result: Result<Ticket, StoreError>) -> (Field, String) {
    match result {
        Err(StoreError::Invalid(e)) => (e.field, e.message),
        other => panic!("expected a broken rule, got {other:?}"),
    }
}

#[test]
fn invalid_tickets_past_the_application_are_refused_with_the_same_field_as_on_sqlite() {
    let Some(server) = pg_server::server() else { return };
    let desk = Desk::new(&server);
    let mut pg = desk.mine();
    let (_dir, mut lite) = sqlite();
    let good = ticket("Fine", Category::General, Priority::Low);
    let with = |change: &dyn Fn(&mut NewTicket)| {
        let mut t = good.clone();
        change(&mut t);
        t
    };
    let bad = [
        with(&|t| t.title = String::new()),
        with(&|t| t.title = "x".repeat(201)),
        with(&|t| t.title = " padded".into()),
        with(&|t| t.title = "bell\u{7}".into()),
        with(&|t| t.title = "zero\u{200b}width".into()),
        with(&|t| t.description = " \t\n".into()),
        with(&|t| t.description = "y".repeat(65_537)),
        with(&|t| t.description = "nul\0inside".into()),
        with(&|t| t.created_at = Some("2024-02-30T00:00:00.000Z".into())),
        with(&|t| t.created_at = Some("2024-02-01T00:00:00Z".into())),
        with(&|t| t.created_at = Some("yesterday".into())),
    ];
    for t in &bad {
        let on_pg = invalid(pg.add(t, Origins::PERSON));
        let on_lite = invalid(lite.add(t, Origins::PERSON));
        assert_eq!(on_pg, on_lite, "{:?}", t.title);
    }
    // PostgreSQL text cannot hold NUL; the SQLite schema's title rules let
    // it through (its ranges start at U+0001). Refused as a control character.
    let (field, _) = invalid(pg.add(&with(&|t| t.title = "nul\0".into()), Origins::PERSON));
    assert_eq!(field, Field::Title);
    let added = pg.add(&good, Origins::PERSON).unwrap();
    let lite_added = lite.add(&good, Origins::PERSON).unwrap();
    let edits = [
        TicketEdit { title: Some(String::new()), ..TicketEdit::default() },
        TicketEdit { title: Some("tab\tinside".into()), ..TicketEdit::default() },
        TicketEdit { description: Some("   ".into()), ..TicketEdit::default() },
        TicketEdit { description: Some("a\0b".into()), ..TicketEdit::default() },
    ];
    for edit in &edits {
        assert_eq!(
            invalid(pg.edit(added.id, edit, None)),
            invalid(lite.edit(lite_added.id, edit, None)),
            "{edit:?}"
        );
    }
    assert_eq!(pg.get(added.id).unwrap().version, 1, "nothing written");
    assert_eq!(pg.stats().unwrap().total_tickets, 1);
    // A raw INSERT names the same rule.
    let err = desk
        .raw()
        .execute(
            "INSERT INTO tickets (title, description, category, priority) VALUES ('t', 'd', 'x', 'low')",
            &[],
        )
        .unwrap_err();
    assert_eq!(err.as_db_error().and_then(|e| e.constraint()), Some("category_known"));
}

#[test]
fn stats_from_the_totals_agree_with_counting_rows_and_with_sqlite() {
    let Some(server) = pg_server::server() else { return };
    let desk = Desk::new(&server);
    let mut pg = desk.mine();
    let (_dir, mut lite) = sqlite();
    let today = time::OffsetDateTime::now_utc();
    let mut ids = Vec::new();
    for (i, (&category, &priority)) in
        Category::ALL.iter().cycle().zip(Priority::ALL.iter().cycle()).take(11).enumerate()
    {
        let mut new = ticket(&format!("Ticket {i}"), category, priority);
        let days_ago = [0, 0, 1, 3, 9][i % 5];
        new.created_at = Some(timestamp::format(today - time::Duration::days(days_ago)));
        let origins = if i % 3 == 0 { suggested_by_claude() } else { Origins::PERSON };
        ids.push((pg.add(&new, origins).unwrap().id, lite.add(&new, origins).unwrap().id));
    }
    for (n, &(a, b)) in ids.iter().enumerate().filter(|(n, _)| n % 2 == 0) {
        let edit = TicketEdit {
            status: Some(Status::ALL[n % 4]),
            category: Some(Category::Billing),
            ..TicketEdit::default()
        };
        pg.edit(a, &edit, None).unwrap();
        lite.edit(b, &edit, None).unwrap();
    }
    let targets: Vec<_> = ids.iter().take(4).map(|&(a, _)| (a, pg.get(a).unwrap().version)).collect();
    let lite_targets: Vec<_> = ids.iter().take(4).map(|&(_, b)| (b, lite.get(b).unwrap().version)).collect();
    pg.bulk_change(&targets, &BulkChange::Priority(Priority::Low)).unwrap();
    lite.bulk_change(&lite_targets, &BulkChange::Priority(Priority::Low)).unwrap();

    let stats = pg.stats().unwrap();
    assert_eq!(stats, lite.stats().unwrap());
    let count = |sql: &str| -> i64 { desk.raw().query_one(sql, &[]).unwrap().get(0) };
    assert_eq!(stats.total_tickets, count("SELECT count(*) FROM tickets"));
    assert_eq!(stats.open_tickets, count("SELECT count(*) FROM tickets WHERE status = 'open'"));
    assert_eq!(
        stats.category_breakdown.billing,
        count("SELECT count(*) FROM tickets WHERE category = 'billing'")
    );
    assert_eq!(stats.priority_breakdown.low, count("SELECT count(*) FROM tickets WHERE priority = 'low'"));
    assert!((stats.avg_tickets_per_day - 11.0 / 10.0).abs() < 1e-9, "{}", stats.avg_tickets_per_day);
    assert!(stats.suggestions.claude.category.kept + stats.suggestions.claude.category.changed > 0);

    assert_eq!(pg.daily_counts(7).unwrap(), lite.daily_counts(7).unwrap());
    assert_eq!(pg.daily_counts(4).unwrap(), [2, 0, 2, 5]);
    assert_eq!(pg.daily_counts(0).unwrap(), [5], "at least today");
}

/// Writers never queue on the running totals: while one transaction that
/// moved a total is still open, another agent's ticket of the same kind
/// saves at once (its change waits, pending, to be folded in), and stats,
/// `db check` and a repair count both all along.
#[test]
fn writers_never_wait_on_the_totals_and_pending_changes_count_at_once() {
    let Some(server) = pg_server::server() else { return };
    let desk = Desk::new(&server);
    let mut open = desk.raw();
    let mut slow = open.transaction().unwrap();
    slow.execute(
        "INSERT INTO tickets (title, description, category, priority) VALUES ('Slow', 'still open', 'billing', 'high')",
        &[],
    )
    .unwrap();
    // The lock timeout is 300 ms: waiting for the open transaction fails.
    let mut quick = desk.agent("quick");
    quick.add(&ticket("Quick", Category::Billing, Priority::High), Origins::PERSON).unwrap();
    quick.add(&ticket("Claude's", Category::Billing, Priority::High), suggested_by_claude()).unwrap();
    let mut reader = desk.mine();
    assert_eq!(reader.stats().unwrap().total_tickets, 2);
    assert_eq!(reader.stats().unwrap().suggestions.claude.category.kept, 1);
    let sum = |sql: &str| -> i64 { desk.raw().query_one(sql, &[]).unwrap().get(0) };
    assert!(sum("SELECT count(*) FROM ticket_count_changes") > 0, "the quick changes are pending");
    assert!(reader.check().unwrap().ok());
    slow.commit().unwrap();
    assert_eq!(reader.stats().unwrap().total_tickets, 3);
    assert!(reader.check().unwrap().ok());
    // The next write that finds nobody folding folds everything pending.
    quick.add(&ticket("Later", Category::General, Priority::Low), Origins::PERSON).unwrap();
    assert_eq!(sum("SELECT count(*) FROM ticket_count_changes"), 0);
    assert_eq!(sum("SELECT count(*) FROM suggestion_count_changes"), 0);
    assert_eq!(sum("SELECT sum(n)::bigint FROM ticket_counts"), 4);
    // A repair counts afresh and leaves nothing pending.
    desk.raw()
        .batch_execute(
            "INSERT INTO ticket_count_changes VALUES ('general', 'low', 'open', 5);
             INSERT INTO suggestion_count_changes VALUES ('local', 'priority', 2, 0);",
        )
        .unwrap();
    assert_eq!(reader.check().unwrap().problems.len(), 2, "{:?}", reader.check().unwrap());
    reader.repair().unwrap();
    assert!(reader.check().unwrap().ok());
    assert_eq!(sum("SELECT count(*) FROM ticket_count_changes"), 0);
    assert_eq!(reader.stats().unwrap().total_tickets, 4);
}

#[test]
fn an_empty_desk_has_empty_stats() {
    let Some(server) = pg_server::server() else { return };
    let desk = Desk::new(&server);
    let (_dir, mut lite) = sqlite();
    assert_eq!(desk.mine().stats().unwrap(), lite.stats().unwrap());
    assert_eq!(desk.mine().daily_counts(3).unwrap(), [0, 0, 0]);
    assert!(desk.mine().recent_labelled(5).unwrap().is_empty());
}

#[test]
fn recent_labelled_tickets_come_newest_first_with_long_text_cut() {
    let Some(server) = pg_server::server() else { return };
    let desk = Desk::new(&server);
    let mut pg = desk.mine();
    let (_dir, mut lite) = sqlite();
    for (i, at) in ["2025-01-01T00:00:00.000Z", "2025-03-01T00:00:00.000Z", "2025-02-01T00:00:00.000Z"]
        .iter()
        .enumerate()
    {
        let mut new =
            NewTicket::new(&format!("t{i}"), &"é".repeat(9000), Category::ALL[i], Priority::ALL[i]).unwrap();
        new.created_at = Some((*at).into());
        pg.add(&new, Origins::PERSON).unwrap();
        lite.add(&new, Origins::PERSON).unwrap();
    }
    let recent = pg.recent_labelled(2).unwrap();
    assert_eq!(recent, lite.recent_labelled(2).unwrap());
    assert_eq!(recent.iter().map(|r| r.0.as_str()).collect::<Vec<_>>(), ["t1", "t2"]);
    assert_eq!(recent[0].1.chars().count(), 8192);
}

#[test]
fn a_bulk_change_skips_a_ticket_changed_meanwhile_and_applies_the_rest_at_once() {
    let Some(server) = pg_server::server() else { return };
    let desk = Desk::new(&server);
    let (mut mine, mut other) = (desk.mine(), desk.agent("alice"));
    let seen: Vec<(i64, i64)> = (0..4)
        .map(|i| {
            let t = mine
                .add(&ticket(&format!("t{i}"), Category::Billing, Priority::Low), Origins::PERSON)
                .unwrap();
            (t.id, t.version)
        })
        .collect();
    other
        .edit(seen[1].0, &TicketEdit { priority: Some(Priority::High), ..TicketEdit::default() }, None)
        .unwrap();
    let resolved = mine
        .edit(seen[2].0, &TicketEdit { status: Some(Status::Resolved), ..TicketEdit::default() }, None)
        .unwrap();
    desk.raw().execute("DELETE FROM tickets WHERE id = $1", &[&seen[3].0]).unwrap();
    let targets = [seen[0], seen[1], (seen[2].0, resolved.version), seen[3]];
    let outcome = mine.bulk_change(&targets, &BulkChange::Status(Status::Resolved)).unwrap();
    assert_eq!(outcome.changed, [seen[0].0]);
    assert_eq!(outcome.already, [seen[2].0]);
    assert_eq!(outcome.skipped.len(), 2);
    assert!(
        matches!(&outcome.skipped[0], Skipped::Changed { id, by, .. } if *id == seen[1].0 && by == "alice")
    );
    assert_eq!(outcome.skipped[1], Skipped::Gone(seen[3].0));
    assert!(outcome.skipped[0].to_string().starts_with(&format!("#{} was changed by alice", seen[1].0)));
    assert_eq!(mine.get(seen[1].0).unwrap().status, Status::Open, "the skipped ticket is untouched");
    let status_events = |desk: &mut PgDesk, id| {
        desk.history(id).unwrap().iter().filter(|e| e.field == EventField::Status).count()
    };
    assert_eq!([status_events(&mut mine, seen[0].0), status_events(&mut mine, seen[1].0)], [1, 0]);

    let assigned = mine
        .bulk_change(&[(seen[0].0, 2), (seen[1].0, 2)], &BulkChange::Assignee(Some("bob".into())))
        .unwrap();
    assert_eq!(assigned.changed, [seen[0].0, seen[1].0]);
    assert_eq!(mine.get(seen[1].0).unwrap().assignee.as_deref(), Some("bob"));

    let mut too_many = vec![seen[0]; BULK_MAX];
    too_many.push(seen[1]);
    let err = mine.bulk_change(&too_many, &BulkChange::Category(Category::General)).unwrap_err();
    assert!(matches!(err, StoreError::TooMany { asked: 10_001, max: BULK_MAX }), "{err}");
    assert_eq!(mine.get(seen[0].0).unwrap().category, Category::Billing);
}

#[test]
fn a_bulk_change_that_changes_nothing_writes_nothing() {
    let Some(server) = pg_server::server() else { return };
    let desk = Desk::new(&server);
    let mut mine = desk.mine();
    let t = mine.add(&ticket("t", Category::Billing, Priority::Low), Origins::PERSON).unwrap();
    let outcome = mine.bulk_change(&[(t.id, 1)], &BulkChange::Category(Category::Billing)).unwrap();
    assert_eq!((outcome.changed.len(), outcome.already.as_slice()), (0, &[t.id][..]));
    assert_eq!(mine.get(t.id).unwrap().version, 1);
}

#[test]
fn a_row_locked_by_another_session_past_the_lock_timeout_is_a_busy_desk() {
    let Some(server) = pg_server::server() else { return };
    let desk = Desk::new(&server);
    let mut mine = desk.mine();
    let t = mine.add(&ticket("Held", Category::General, Priority::Low), Origins::PERSON).unwrap();
    let mut holder = desk.raw();
    let mut hold = holder.transaction().unwrap();
    hold.execute("SELECT 1 FROM tickets WHERE id = $1 FOR UPDATE", &[&t.id]).unwrap();
    let edit = TicketEdit { priority: Some(Priority::High), ..TicketEdit::default() };
    assert!(busy(mine.edit(t.id, &edit, Some(1))));
    assert!(busy(mine.assign(t.id, Some("alice"), None)));
    assert!(busy(mine.bulk_change(&[(t.id, 1)], &BulkChange::Status(Status::Closed))));
    assert_eq!(mine.get(t.id).unwrap().version, 1, "reads do not wait");
    hold.rollback().unwrap();
    assert_eq!(mine.edit(t.id, &edit, Some(1)).unwrap().version, 2, "the desk works once the lock is gone");
}

fn busy<T: std::fmt::Debug>(result: Result<T, StoreError>) -> bool {
    matches!(result, Err(StoreError::Busy { waited }) if waited == LOCK_TIMEOUT)
}

#[test]
fn two_bulk_changes_over_the_same_tickets_in_opposite_orders_wait_for_each_other() {
    let Some(server) = pg_server::server() else { return };
    let desk = Desk::new(&server);
    let mut mine = desk.mine();
    let [a, b] = ["a", "b"]
        .map(|t| mine.add(&ticket(t, Category::General, Priority::Low), Origins::PERSON).unwrap().id);
    // Both changes wait behind a third session's lock on the first ticket,
    // so they start together.
    let mut holder = desk.raw();
    let mut hold = holder.transaction().unwrap();
    hold.execute("SELECT 1 FROM tickets WHERE id = $1 FOR UPDATE", &[&a]).unwrap();
    let (done, results) = mpsc::channel();
    let runs = [
        ("alice", vec![(a, 1), (b, 1)], BulkChange::Status(Status::Resolved)),
        ("bob", vec![(b, 1), (a, 1)], BulkChange::Priority(Priority::High)),
    ];
    for (who, targets, change) in runs {
        let mut agent = PgDesk::attach(&desk.db.url, Duration::from_secs(30), who).unwrap();
        let done = done.clone();
        std::thread::spawn(move || done.send((who, agent.bulk_change(&targets, &change))).unwrap());
    }
    wait_for_lock_waiters(&mut desk.raw(), 2);
    hold.rollback().unwrap();
    let mut outcomes: Vec<_> = (0..2).map(|_| results.recv().unwrap()).collect();
    outcomes.sort_by_key(|(_, outcome)| outcome.as_ref().map(|o| o.changed.is_empty()).ok());
    let [(winner, first), (_, second)] = &outcomes[..] else { unreachable!() };
    let (first, second) = (first.as_ref().unwrap(), second.as_ref().expect("no deadlock"));
    assert_eq!(first.changed.len(), 2);
    assert!(second.changed.is_empty());
    assert!(second.skipped.iter().all(|s| matches!(s, Skipped::Changed { by, .. } if by == winner)));
    assert_eq!(second.skipped.len(), 2);
}

#[test]
fn a_ticket_named_twice_in_a_bulk_change_is_skipped_the_second_time_as_on_sqlite() {
    let Some(server) = pg_server::server() else { return };
    let desk = Desk::new(&server);
    let mut pg = desk.mine();
    let (_dir, mut lite) = sqlite();
    let new = ticket("twice", Category::Account, Priority::Low);
    let (a, b) = (pg.add(&new, Origins::PERSON).unwrap().id, lite.add(&new, Origins::PERSON).unwrap().id);
    let (c, d) = (pg.add(&new, Origins::PERSON).unwrap().id, lite.add(&new, Origins::PERSON).unwrap().id);
    let change = BulkChange::Assignee(Some("alice".into()));
    let on_pg = pg.bulk_change(&[(a, 1), (a, 1), (c, 1)], &change).unwrap();
    let on_lite = lite.bulk_change(&[(b, 1), (b, 1), (d, 1)], &change).unwrap();
    let without_time = |outcome: &ticketdesk::store::BulkOutcome| {
        let skipped: Vec<_> = outcome
            .skipped
            .iter()
            .map(|s| match s {
                Skipped::Changed { id, by, at } => {
                    assert!(is_stored_time(at), "{at}");
                    (*id, by.clone())
                }
                Skipped::Gone(id) => (*id, String::new()),
            })
            .collect();
        (outcome.changed.clone(), outcome.already.clone(), skipped)
    };
    assert_eq!(without_time(&on_pg), without_time(&on_lite));
    assert_eq!(on_pg.changed, [a, c]);
    let events = |h: Vec<Event>| h.iter().map(shape).collect::<Vec<_>>();
    assert_eq!(events(pg.history(a).unwrap()), events(lite.history(b).unwrap()));
}
