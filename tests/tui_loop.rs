//! The whole screen without a terminal: the real loop, driver, database
//! threads and classifier on a temp desk, drawing into a test backend, fed by
//! a script of keys that waits on the answers it needs.

use std::collections::VecDeque;
use std::path::PathBuf;
use std::time::Duration;
use std::time::Instant;

use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use tokio::sync::mpsc::{UnboundedReceiver, unbounded_channel};
use tokio::time::timeout;

use ticketdesk::config::{ClassifierMode, Config};
use ticketdesk::domain::{Category, NewTicket, Origins, Page, Priority};
use ticketdesk::store::Store;
use ticketdesk::tui::app::App;
use ticketdesk::tui::driver::Driver;
use ticketdesk::tui::event::Events;
use ticketdesk::tui::model::Model;
use ticketdesk::tui::msg::Msg;

mod common;

use common::sample_desk::NOW;

/// One step of a script: a message from the "terminal", or waiting for the
/// workers' message that matches (every message on the way is let through).
enum Step {
    Send(Msg),
    Until(&'static str, Wanted),
}

/// Which message a step waits for.
type Wanted = Box<dyn Fn(&Msg) -> bool>;

/// Keys typed as text.
fn typing(text: &str) -> Vec<Step> {
    text.chars().map(|c| Step::Send(Msg::Key(KeyEvent::from(KeyCode::Char(c))))).collect()
}

fn key(code: KeyCode) -> Step {
    Step::Send(Msg::Key(KeyEvent::from(code)))
}

fn ctrl(c: char) -> Step {
    Step::Send(Msg::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL)))
}

fn until(what: &'static str, wanted: impl Fn(&Msg) -> bool + 'static) -> Step {
    Step::Until(what, Box::new(wanted))
}

/// The script, and the inbox the driver's workers answer on.
struct Script<'a> {
    inbox: &'a mut UnboundedReceiver<Msg>,
    steps: VecDeque<Step>,
    waiting: Option<(&'static str, Wanted)>,
}

impl Events for Script<'_> {
    async fn next(&mut self) -> Option<Msg> {
        loop {
            if let Some((what, wanted)) = &self.waiting {
                let msg = timeout(Duration::from_secs(20), self.inbox.recv())
                    .await
                    .unwrap_or_else(|_| panic!("waited 20 s for {what}"))?;
                if wanted(&msg) {
                    self.waiting = None;
                }
                return Some(msg);
            }
            match self.steps.pop_front()? {
                Step::Send(msg) => return Some(msg),
                Step::Until(what, wanted) => self.waiting = Some((what, wanted)),
            }
        }
    }
}

/// A desk with one ticket, and the app on it, started.
struct Session {
    _dir: tempfile::TempDir,
    draft: PathBuf,
    inbox: UnboundedReceiver<Msg>,
    app: App<Terminal<TestBackend>>,
}

impl Session {
    fn start() -> Session {
        Session::on(&[("Invoice total is wrong", "billed twice", Category::Billing)])
    }

    /// A desk with no tickets at all, as on a first run.
    fn start_empty() -> Session {
        Session::on(&[])
    }

    /// The app on a desk holding these tickets (title, description, category), low priority.
    fn on(tickets: &[(&str, &str, Category)]) -> Session {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("tickets.db");
        let mut store = Store::open(&db).unwrap();
        for (title, description, category) in tickets {
            let ticket = NewTicket::new(title, description, *category, Priority::Low).unwrap();
            store.add(&ticket, Origins::PERSON).unwrap();
        }
        drop(store);
        // A short pause, so the walk is quick; no network: the offline model answers.
        let config = Config { classifier: ClassifierMode::Local, debounce_ms: 50, ..Config::default() };
        let draft = dir.path().join("draft.json");
        let (tx, inbox) = unbounded_channel();
        let desk = ticketdesk::store::Location::File(db);
        let driver = Driver::open(&config, &desk, Some(draft.clone()), tx).unwrap();
        let terminal = Terminal::new(TestBackend::new(120, 35)).unwrap();
        let mut app = App::new(Model::new("desk.db".into(), NOW, false), terminal, driver);
        app.start(&config, &desk, vec![]).unwrap();
        Session { _dir: dir, draft, inbox, app }
    }

    async fn play(&mut self, steps: Vec<Step>) {
        let mut script = Script { inbox: &mut self.inbox, steps: steps.into(), waiting: None };
        self.app.run(&mut script).await.unwrap();
    }

    fn screen(&self) -> String {
        let buffer = self.app.terminal().backend().buffer();
        let area = buffer.area;
        (area.top()..area.bottom())
            .map(|y| (area.left()..area.right()).map(|x| buffer[(x, y)].symbol()).collect::<String>() + "\n")
            .collect()
    }
}

fn loaded(msg: &Msg) -> bool {
    matches!(msg, Msg::StatsLoaded(_))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_ticket_typed_gets_a_suggestion_and_once_saved_is_in_the_list() {
    let mut session = Session::start();
    session.play(vec![until("the first list and stats", loaded)]).await;
    assert!(session.screen().contains("Invoice total is wrong"), "{}", session.screen());

    // Each character typed is an edit of the draft; the classifier must
    // answer the last.
    let (title, description) = ("Charged twice", "The card was charged twice, refund");
    let mut steps = vec![key(KeyCode::Char('n'))];
    steps.extend(typing(title));
    steps.push(key(KeyCode::Tab));
    steps.extend(typing(description));
    // Each character of the title is an edit of the draft too.
    let generation = (title.chars().count() + description.chars().count()) as u64;
    steps.push(until(
        "the suggestion",
        move |msg| matches!(msg, Msg::Suggested { generation: g, .. } if *g == generation),
    ));
    session.play(steps).await;
    let screen = session.screen();
    assert!(screen.contains("◀ billing ▶"), "the category is filled in:\n{screen}");
    assert!(screen.contains("local · "), "and says where it came from:\n{screen}");
    assert!(!screen.contains("thinking…"), "{screen}");
    let kept = || ticketdesk::tui::draft::load(&session.draft);
    wait_until("the draft kept on disk", || kept().is_some_and(|d| d.description == description));

    session
        .play(vec![
            key(KeyCode::Tab),
            key(KeyCode::Tab),
            key(KeyCode::Right),
            ctrl('s'),
            until("the save", |msg| matches!(msg, Msg::Saved(_))),
            until("the list and stats read again", loaded),
        ])
        .await;
    let screen = session.screen();
    assert!(screen.contains("Saved #2"), "{screen}");
    assert!(screen.contains("Charged twice"), "the new row is in the list:\n{screen}");
    assert!(screen.contains("2 tickets"), "{screen}");
    let model = &session.app.model;
    assert!(model.form.is_blank(), "a fresh form for the next ticket");
    assert_eq!(model.list.rows.first().map(|t| t.title.as_str()), Some("Charged twice"));
    wait_until("the draft forgotten", || !session.draft.exists());
}

/// Polls `done` until it holds; panics after 10 s naming `what`.
fn wait_until(what: &str, done: impl Fn() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while !done() {
        assert!(Instant::now() < deadline, "no {what} within 10 s");
        std::thread::sleep(Duration::from_millis(5));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_a_change_draws_a_frame() {
    let mut session = Session::start();
    session.play(vec![until("the first list and stats", loaded)]).await;
    let drawn = session.app.frames();
    let release = KeyEvent::new_with_kind(KeyCode::Char('j'), KeyModifiers::NONE, KeyEventKind::Release);
    let stale =
        Msg::ListLoaded { generation: 0, page: Page::Newest, limit: 50, reselect: None, result: Ok(vec![]) };
    session
        .play(vec![
            Step::Send(Msg::Key(release)),
            Step::Send(stale),
            Step::Send(Msg::WriteBusy(false)),
            Step::Send(Msg::Key(KeyEvent::from(KeyCode::Char('z')))),
        ])
        .await;
    assert_eq!(session.app.frames(), drawn, "nothing changed, nothing drawn");
    session.play(vec![key(KeyCode::Char('?'))]).await;
    assert_eq!(session.app.frames(), drawn + 1, "the help overlay is one frame");
    assert!(session.screen().contains("Keys — Esc closes"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_near_copy_of_a_ticket_lists_it_under_the_form_and_ctrl_o_1_opens_it() {
    let mut session = Session::on(&[
        (
            "Charged twice for the March invoice",
            "My card ending 4242 was charged twice for invoice INV-3381. Please refund the duplicate payment.",
            Category::Billing,
        ),
        ("Cannot log in after password reset", "The reset link says expired every time.", Category::Account),
        (
            "Dashboard export times out",
            "Exporting the quarterly report fails after a minute.",
            Category::Technical,
        ),
        ("Question about seats", "How many seats does the starter plan include?", Category::General),
    ]);
    session.play(vec![until("the first list and stats", loaded)]).await;

    let mut steps = vec![key(KeyCode::Char('n'))];
    steps.extend(typing("Charged twice, March invoice"));
    steps.push(key(KeyCode::Tab));
    steps.extend(typing("Card 4242 charged twice for INV-3381, refund the duplicate please"));
    steps.push(until(
        "possible duplicates",
        |msg| matches!(msg, Msg::SimilarFound { result: Ok(found), .. } if !found.is_empty()),
    ));
    session.play(steps).await;
    let screen = session.screen();
    assert!(screen.contains("Possible duplicates · Ctrl-O 1-3 opens one"), "{screen}");
    assert!(screen.contains(r#" 1 #1 open billing "Charged twice for the March invoice""#), "{screen}");
    assert!(!screen.contains("Dashboard export times out\""), "only what resembles the draft:\n{screen}");

    session
        .play(vec![
            ctrl('o'),
            key(KeyCode::Char('1')),
            until("the ticket", |msg| matches!(msg, Msg::DetailLoaded { .. })),
        ])
        .await;
    let screen = session.screen();
    assert!(screen.contains("Ticket #1"), "{screen}");
    assert!(screen.contains("My card ending 4242 was charged twice"), "{screen}");
    session.play(vec![key(KeyCode::Esc)]).await;
    let model = &session.app.model;
    assert_eq!(model.form.title_text(), "Charged twice, March invoice", "the draft waits behind the detail");
    assert_eq!(model.form.duplicates.first().map(|t| t.id), Some(1));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_empty_desk_loads_the_built_in_samples_with_one_key() {
    let mut session = Session::start_empty();
    session.play(vec![until("the first list and stats", loaded)]).await;
    let screen = session.screen();
    assert!(screen.contains("i  load the built-in sample tickets"), "{screen}");
    assert!(!screen.contains("assets/"), "no path that exists only in a source checkout:\n{screen}");

    let imported = |msg: &Msg| matches!(msg, Msg::SamplesImported(_));
    session
        .play(vec![
            key(KeyCode::Char('i')),
            until("the samples", imported),
            until("the list and stats read again", loaded),
        ])
        .await;
    let samples = ticketdesk::samples::SAMPLE_TICKETS.lines().filter(|l| !l.trim().is_empty()).count();
    let screen = session.screen();
    assert!(screen.contains(&format!("Loaded {samples} sample tickets")), "{screen}");
    assert!(screen.contains(&format!("{samples} tickets")), "the counts read again:\n{screen}");
    assert!(!session.app.model.list.rows.is_empty(), "rows on screen");
    assert!(!screen.contains("Welcome to ticketdesk"), "{screen}");

    // The desk holds tickets now: a second press is refused, and says why.
    session.play(vec![key(KeyCode::Char('i')), until("the refusal", imported)]).await;
    let screen = session.screen();
    assert!(screen.contains("Sample tickets not loaded: the desk already holds"), "{screen}");
}
