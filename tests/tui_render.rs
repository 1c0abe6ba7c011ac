//! Render snapshots of the terminal UI, built from models made here: every
//! pane, overlay and empty state at the wide (120×35) and narrow (80×24)
//! layouts, hostile ticket text, and every context at sizes down to 1×1.
//!
//! Snapshots are symbols only (the test backend keeps no colours in its text
//! form); colour is checked separately. `INSTA_UPDATE=always cargo test
//! --test tui_render` rewrites them; review every changed `.snap` by eye.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;
use ratatui::style::{Color, Modifier};

use ticketdesk::classify::chain::Health;
use ticketdesk::classify::claude::ClaudeError;
use ticketdesk::classify::{Confidence, Source};
use ticketdesk::domain::stats::Outcome;
use ticketdesk::domain::text::find_unsafe;
use ticketdesk::domain::{Category, Priority, Status};
use ticketdesk::tui::model::{
    ClassifierStatus, Detail, Ends, Failure, Fetch, Field, FieldError, FormErrors, Join, Loading, Model,
    Notice, Overlay, Pane, StatusPicker, Suggesting,
};
use ticketdesk::tui::ui;

mod common;

use common::sample_desk::{NOW, detail_ticket, empty_stats, hostile_rows, sample_rows, stats_view};

const WIDE: (u16, u16) = (120, 35);

/// An error the screen has to show, with these words.
fn failure(text: &str) -> Failure {
    Failure::new(std::io::Error::other(text.to_owned()))
}
const NARROW: (u16, u16) = (80, 24);

/// A desk with sample tickets loaded, the list focused.
fn desk() -> Model {
    let mut model = Model::new("~/.local/share/ticketdesk/tickets.db".into(), NOW, false);
    model.list.rows = sample_rows();
    model.list.fetch = Fetch::Done;
    model.list.ends = Ends { newest: true, oldest: false };
    model.list.selected = 2;
    model.stats = Loading::Ready(stats_view());
    model
}

/// A form being filled in: the category suggested, the priority set by hand
/// and then contradicted by the suggestion.
fn filled_form(model: &mut Model) {
    let form = &mut model.form;
    form.title.insert_str("Charged twice for the November invoice");
    form.description.insert_str(
        "Our card was charged twice for invoice INV-2291 on 3 November, same amount both times. \
         Please refund the duplicate.\nWe are on the annual Scale plan.",
    );
    form.category.suggest(Category::Billing, Source::Claude, Confidence::High, true);
    form.priority.step(Priority::ALL, true); // low, by hand
    form.priority.suggest(Priority::High, Source::Claude, Confidence::High, true);
    form.suggesting = Suggesting::Done { reason: "a duplicate charge on an invoice".into() };
    form.field = Field::Description;
    model.focus = Pane::Form;
}

fn render(model: &Model, (width, height): (u16, u16)) -> Terminal<TestBackend> {
    let mut terminal = Terminal::new(TestBackend::new(width, height)).unwrap();
    terminal.draw(|frame| ui::draw(frame, model)).unwrap();
    terminal
}

fn text_of(buffer: &Buffer) -> String {
    let area = buffer.area;
    let mut out = String::new();
    for y in area.top()..area.bottom() {
        for x in area.left()..area.right() {
            out.push_str(buffer[(x, y)].symbol());
        }
        out.push('\n');
    }
    out
}

fn screen(model: &Model, size: (u16, u16)) -> String {
    text_of(render(model, size).backend().buffer())
}

macro_rules! snapshot {
    ($name:expr, $model:expr, $size:expr) => {{
        let terminal = render(&$model, $size);
        insta::assert_snapshot!(format!("{}_{}x{}", $name, $size.0, $size.1), terminal.backend());
    }};
}

#[test]
fn list_focused_with_rows() {
    let model = desk();
    snapshot!("list", model, WIDE);
    snapshot!("list", model, NARROW);
    let text = screen(&model, WIDE);
    assert!(text.contains("3/18+"), "position in the border");
    assert!(text.contains("360 tickets · 118 open"), "counts in the header");
}

/// The row of the screen holding `needle`, and whether its cells there are reversed.
fn row_reversed(model: &Model, size: (u16, u16), needle: &str) -> bool {
    let terminal = render(model, size);
    let buffer = terminal.backend().buffer();
    let text = text_of(buffer);
    let y = text.lines().position(|l| l.contains(needle)).expect(needle) as u16;
    let x = (0..size.0).find(|x| buffer[(*x, y)].symbol() == "#").expect("an id") + 1;
    buffer[(x, y)].modifier.contains(Modifier::REVERSED)
}

#[test]
fn selection_is_reversed_only_while_the_list_has_the_keys() {
    let mut model = desk();
    assert!(row_reversed(&model, WIDE, "#338"));
    assert!(!row_reversed(&model, WIDE, "#339"));
    model.focus = Pane::Form;
    assert!(!row_reversed(&model, WIDE, "#338"), "the list is not focused");
    assert!(screen(&model, WIDE).contains("› #338"), "but the selection is still marked");
}

#[test]
fn the_cursor_shows_only_in_the_field_being_edited() {
    let mut model = desk();
    filled_form(&mut model);
    let reversed = |model: &Model| {
        let terminal = render(model, WIDE);
        let buffer = terminal.backend().buffer();
        // The form is the lower-left pane of the wide layout.
        let mut cells = Vec::new();
        for y in 19..33 {
            for x in 1..59 {
                if buffer[(x, y)].modifier.contains(Modifier::REVERSED) {
                    cells.push((x, y));
                }
            }
        }
        cells
    };
    // Editing the description: one cursor cell, after its last character.
    assert_eq!(reversed(&model).len(), 1, "{:?}", reversed(&model));
    model.focus = Pane::List;
    assert_eq!(reversed(&model), vec![], "no cursor while the list has the keys");
}

#[test]
fn list_with_search_and_filters() {
    let mut model = desk();
    model.list.category = Some(Category::Billing);
    model.list.priority = Some(Priority::High);
    model.list.search = "refund".into();
    model.list.searching = true;
    model.list.rows.retain(|t| t.category == Category::Billing);
    model.list.selected = 1;
    snapshot!("list_search", model, WIDE);
    snapshot!("list_search", model, NARROW);
}

/// Saved views as tabs in the list's border, the one in use in brackets
/// (so it reads without colour); on a narrow screen only that one, with its
/// place among them.
#[test]
fn views_show_as_tabs() {
    let mut model = desk();
    let views = ticketdesk::config::views::views(true, &Default::default());
    ticketdesk::tui::update::views::set_views(&mut model.list, views, NOW);
    snapshot!("list_views", model, WIDE);
    snapshot!("list_views", model, NARROW);
    assert!(screen(&model, WIDE).contains(" Open Mine Unassigned Critical [All] "));
    assert!(screen(&model, (60, 20)).contains("[All] 5/5"), "{}", screen(&model, (60, 20)));
}

/// A query the box cannot read: carets under the mistake, the reason beside
/// them, and the last good rows still below.
#[test]
fn a_query_mistake_is_pointed_at_under_the_search_box() {
    let mut model = desk();
    model.list.searching = true;
    model.list.search = "cat:billing pri:>=urgent refund".into();
    model.list.query_error = ticketdesk::domain::Filter::from_query(&model.list.search, NOW, "alice").err();
    snapshot!("list_query_error", model, WIDE);
    snapshot!("list_query_error", model, NARROW);
    let text = screen(&model, WIDE);
    let box_line = text.lines().find(|l| l.contains("pri:>=urgent")).unwrap();
    let caret_line = text.lines().find(|l| l.contains("^^^^^^")).unwrap();
    let column = |line: &str, needle: &str| line[..line.find(needle).unwrap()].chars().count();
    assert_eq!(column(caret_line, "^^^^^^ "), column(box_line, "urgent"), "the carets sit under the mistake");
    assert!(caret_line.contains("priority must be one of low, medium, high, critical"));
    assert!(text.contains("#338"), "the last good rows stay");
}

#[test]
fn form_with_a_suggestion_and_a_hint() {
    let mut model = desk();
    filled_form(&mut model);
    snapshot!("form", model, WIDE);
    snapshot!("form", model, NARROW);
    let text = screen(&model, NARROW);
    assert!(text.contains("claude · high · cached"), "{text}");
    assert!(text.contains("(suggested: high)"), "{text}");
}

/// Three open or recent tickets like the draft, under the form.
fn with_duplicates(model: &mut Model) {
    let rows = sample_rows();
    model.form.duplicates =
        [12, 11, 16].iter().map(|i| rows[*i].clone()).filter(|t| t.category == Category::Billing).collect();
}

#[test]
fn form_with_possible_duplicates() {
    let mut model = desk();
    filled_form(&mut model);
    with_duplicates(&mut model);
    snapshot!("form_duplicates", model, WIDE);
    snapshot!("form_duplicates", model, NARROW);
    for size in [WIDE, NARROW] {
        let text = screen(&model, size);
        for want in [
            "Possible duplicates · Ctrl-O 1-3 opens one",
            " 1 #328 open billing \"Annual renewal debited three times",
            " 2 #329 resolved billing \"Refund sent to a card I closed",
            " 3 #324 open billing \"Invoice bills 1,200 seats",
            "Ctrl-O 1-3 open a possible duplicate",
        ] {
            assert!(text.contains(want), "{size:?} {want}:\n{text}");
        }
    }
    // Without duplicates the footer does not offer the key.
    model.form.duplicates.clear();
    assert!(!screen(&model, WIDE).contains("Ctrl-O"));
}

#[test]
fn a_chord_half_typed_shows_how_it_ends() {
    let mut model = desk();
    filled_form(&mut model);
    model.pending_chord = Some(KeyEvent::new(KeyCode::Char('x'), KeyModifiers::CONTROL));
    let text = screen(&model, NARROW);
    let footer = text.lines().rev().nth(1).unwrap();
    assert_eq!(footer.trim_end(), " Ctrl-X Ctrl-E edit in $EDITOR  Esc cancel", "{text}");
}

#[test]
fn form_while_thinking_and_saving() {
    let mut model = desk();
    filled_form(&mut model);
    model.form.suggesting = Suggesting::Thinking;
    model.form.saving = true;
    model.form.field = Field::Category;
    snapshot!("form_thinking", model, NARROW);
    let text = screen(&model, NARROW);
    assert!(text.contains("thinking…") && text.contains("saving…"), "{text}");
}

#[test]
fn form_with_validation_errors() {
    let mut model = desk();
    model.focus = Pane::Form;
    model.form.title.insert_str("Overlong title ".repeat(14));
    model.form.errors = FormErrors {
        title: Some(FieldError::Invalid("must be at most 200 characters (got 209)".into())),
        description: Some(FieldError::Invalid("must not be empty".into())),
        category: Some(FieldError::Unset),
        priority: Some(FieldError::Unset),
    };
    model.form.field = Field::Title;
    model.notice = Some(Notice::NotSaved(failure("fix the marked fields")));
    snapshot!("form_errors", model, WIDE);
    snapshot!("form_errors", model, NARROW);
    assert!(screen(&model, NARROW).contains("209/200"));
}

#[test]
fn stats_pane() {
    let mut model = desk();
    model.focus = Pane::Stats;
    snapshot!("stats", model, WIDE);
    snapshot!("stats", model, NARROW);
    let text = screen(&model, NARROW);
    for want in [
        "Total 360",
        "Open 118",
        "11.61",
        "critical",
        "technical",
        "last 30 days",
        "claude          84% of 211    72% of 211",
        "local           81% of 130    71% of 130",
        "local keeps up: category 81% vs claude 84%",
    ] {
        assert!(text.contains(want), "{want}: {text}");
    }
}

/// The local model behind Claude, and a desk that has not saved a
/// suggestion yet (no block at all).
#[test]
fn stats_say_when_local_trails_and_nothing_before_any_suggestion() {
    let mut model = desk();
    model.focus = Pane::Stats;
    let Loading::Ready(view) = &mut model.stats else { unreachable!() };
    view.stats.suggestions.local.priority = Outcome { kept: 70, changed: 60 };
    let text = screen(&model, NARROW);
    assert!(text.contains("local trails: priority 54% vs claude 72%"), "{text}");
    let Loading::Ready(view) = &mut model.stats else { unreachable!() };
    view.stats.suggestions = Default::default();
    let text = screen(&model, NARROW);
    assert!(!text.contains("Suggestions kept"), "{text}");
    assert!(text.contains("last 30 days"), "{text}");
}

#[test]
fn stats_loading_and_failed() {
    let mut model = desk();
    model.focus = Pane::Stats;
    model.stats = Loading::Loading;
    assert!(screen(&model, NARROW).contains("loading…"));
    model.stats = Loading::Failed(failure("database is locked"));
    snapshot!("stats_failed", model, NARROW);
}

#[test]
fn help_overlay() {
    let mut model = desk();
    model.overlay = Some(Overlay::Help);
    snapshot!("help", model, WIDE);
    snapshot!("help", model, NARROW);
    let text = screen(&model, WIDE);
    for want in ["Keys — Esc closes", "Ctrl-C", "quit from anywhere", "clear filters and search"] {
        assert!(text.contains(want), "{want}: {text}");
    }
}

#[test]
fn detail_overlay() {
    let mut model = desk();
    model.overlay = Some(Overlay::Detail(Detail { scroll: 0, ..Detail::new(detail_ticket()) }));
    snapshot!("detail", model, WIDE);
    snapshot!("detail", model, NARROW);
    model.overlay = Some(Overlay::Detail(Detail { scroll: 4, ..Detail::new(detail_ticket()) }));
    snapshot!("detail_scrolled", model, (40, 12));
    // Scrolling far past the end still shows text, not an empty box.
    model.overlay = Some(Overlay::Detail(Detail { scroll: 500, ..Detail::new(detail_ticket()) }));
    assert!(screen(&model, NARROW).contains("Marta (finance)"));
}

/// A note from the editor keeps its lines, in the box and in the history.
#[test]
fn detail_with_a_note_of_several_lines() {
    let mut model = desk();
    let ticket = detail_ticket();
    let note = |text: &str| ticketdesk::domain::Event {
        id: 1,
        ticket_id: ticket.id,
        at: "2026-11-24T11:30:00.000Z".into(),
        actor: "alice".into(),
        field: ticketdesk::domain::EventField::Note,
        old_value: None,
        new_value: Some(text.into()),
        source: ticketdesk::domain::EventSource::Person,
    };
    let detail = Detail {
        history: Loading::Ready(vec![note("Called the bank.\nTwo refunds on their way.")]),
        note: Some("Refund references:\n  RF-771, RF-772\nCall Marta on Friday".into()),
        ..Detail::new(ticket)
    };
    model.overlay = Some(Overlay::Detail(detail));
    snapshot!("detail_note", model, NARROW);
    let text = screen(&model, (80, 40));
    for want in [
        "alice  note: Called the bank.",
        "      Two refunds on their way.",
        "Note: Refund references:",
        "        RF-771, RF-772",
        "      Call Marta on Friday▏",
    ] {
        assert!(text.contains(want), "{want}:\n{text}");
    }
    // More lines than the box holds: the last ones, and a mark for the rest.
    let Some(Overlay::Detail(detail)) = &mut model.overlay else { unreachable!() };
    detail.note = Some((1..=9).map(|n| format!("line {n}")).collect::<Vec<_>>().join("\n"));
    let text = screen(&model, (80, 40));
    assert!(text.contains("  ↑   line 4") && text.contains("line 9▏") && !text.contains("line 3"), "{text}");
}

#[test]
fn status_picker() {
    let mut model = desk();
    let ticket = model.list.rows[2].clone();
    model.overlay = Some(Overlay::StatusPicker(StatusPicker { ticket, choice: 2 }));
    snapshot!("picker", model, WIDE);
    snapshot!("picker", model, NARROW);
    let text = screen(&model, NARROW);
    assert!(text.contains("in_progress ✓ current"), "{text}");
}

#[test]
fn first_run_greets() {
    let mut model = Model::new("/tmp/new.db".into(), NOW, false);
    model.list.fetch = Fetch::Done;
    model.stats = Loading::Ready(empty_stats());
    snapshot!("first_run", model, WIDE);
    snapshot!("first_run", model, NARROW);
    let text = screen(&model, NARROW);
    assert!(text.contains("i  load the built-in sample tickets"), "one key loads the samples:\n{text}");
    assert!(!text.contains("assets/"), "no path that exists only in a source checkout:\n{text}");
}

#[test]
fn no_match_says_how_to_clear() {
    let mut model = desk();
    model.list.rows.clear();
    model.list.category = Some(Category::Account);
    model.list.status = Some(Status::Closed);
    model.list.search = "invoice".into();
    snapshot!("no_match", model, WIDE);
    snapshot!("no_match", model, NARROW);
    let text = screen(&model, NARROW);
    assert!(text.contains("No tickets match"), "{text}");
}

#[test]
fn loading_and_list_error() {
    let mut model = desk();
    model.list.fetch = Fetch::Loading(Join::Page);
    assert!(screen(&model, NARROW).contains("loading…"));
    model.list.fetch = Fetch::Done;
    model.list.fetch = Fetch::Failed(failure("database is locked"));
    let text = screen(&model, NARROW);
    assert!(text.contains("Could not load tickets: database is locked"), "{text}");
}

fn hostile_model() -> Model {
    let mut model = desk();
    model.db_label = "/tmp/\u{1b}[31mevil\u{202e}.db".into();
    model.list.rows = hostile_rows();
    model.list.selected = 4;
    model.list.search = "\u{1b}]52;c;x\u{7}".into();
    model.notice = Some(Notice::NotSaved(failure("\u{1b}[2J\u{9b}bad")));
    // The server's own words never reach the status line: it says the code.
    model.classifier = ClassifierStatus::On(Health::Refused(ClaudeError::Unauthorized {
        message: Some("\u{1b}[5mkey \u{202e}revoked".into()),
    }));
    model
}

fn assert_inert(buffer: &Buffer, what: &str) {
    for (i, cell) in buffer.content().iter().enumerate() {
        assert!(
            find_unsafe(cell.symbol()).is_empty(),
            "{what}: cell {i} holds {:?}\n{}",
            cell.symbol(),
            text_of(buffer)
        );
    }
}

#[test]
fn hostile_text_is_inert_and_columns_stay_aligned() {
    let model = hostile_model();
    snapshot!("hostile", model, WIDE);
    snapshot!("hostile", model, NARROW);
    for size in [WIDE, NARROW, (200, 60), (40, 12)] {
        let terminal = render(&model, size);
        assert_inert(terminal.backend().buffer(), &format!("list {size:?}"));
    }
    // Shown as visible stand-ins, not silently dropped.
    let text = screen(&model, WIDE);
    for shown in ["␛]0;pwned title␇", "invoice �fdp.exe", "Claude unavailable: 401", "/tmp/␛[31mevil�.db"]
    {
        assert!(text.contains(shown), "{shown}:\n{text}");
    }
    for ticket in hostile_rows() {
        let mut model = hostile_model();
        model.overlay = Some(Overlay::Detail(Detail { scroll: 0, ..Detail::new(ticket.clone()) }));
        assert_inert(render(&model, NARROW).backend().buffer(), "detail");
        model.overlay = Some(Overlay::StatusPicker(StatusPicker { ticket, choice: 0 }));
        assert_inert(render(&model, NARROW).backend().buffer(), "picker");
    }

    for size in [WIDE, NARROW, (200, 60)] {
        assert_categories_aligned(&model, size);
    }
}

/// Every row's category starts in the header's "Category" column, whatever
/// the title holds.
fn assert_categories_aligned(model: &Model, size: (u16, u16)) {
    let terminal = render(model, size);
    let buffer = terminal.backend().buffer();
    let lines: Vec<Vec<&str>> =
        (0..size.1).map(|y| (0..size.0).map(|x| buffer[(x, y)].symbol()).collect()).collect();
    let starts_with = |line: &[&str], x: usize, word: &str| {
        word.chars().enumerate().all(|(i, c)| line.get(x + i).is_some_and(|s| *s == c.to_string()))
    };
    let (header_y, column) = lines
        .iter()
        .enumerate()
        .find_map(|(y, line)| (0..line.len()).find(|x| starts_with(line, *x, "Category")).map(|x| (y, x)))
        .expect("a Category column");
    for (i, ticket) in model.list.rows.iter().enumerate() {
        let line = &lines[header_y + 1 + i];
        assert!(
            starts_with(line, column, ticket.category.as_str()),
            "{size:?} row {i}: category not at column {column}:\n{}",
            text_of(buffer)
        );
    }
}

/// Titles with characters terminals draw at widths of their own: line and
/// paragraph separators, BiDi marks, stray joiners, zero-width and blank
/// characters. They show as stand-ins, the columns after them stay put, and
/// a real emoji sequence keeps its joiner.
#[test]
fn invisible_characters_show_and_keep_the_columns() {
    let titles = [
        ("one\u{2028}two\u{2029}three", "one two three"),
        ("refund \u{200f}42\u{61c} due", "refund �42� due"),
        ("stray\u{200d}\u{200d}joiners x\u{200d}👩 end", "stray��joiners x�👩"),
        ("zero\u{200b}width\u{feff} \u{3164}\u{ffa0} blank", "zero�width� �� blank"),
        ("coder 👩\u{200d}💻 at work", "coder 👩\u{200d}💻"),
    ];
    let mut model = desk();
    model.list.rows = titles
        .iter()
        .enumerate()
        .map(|(i, (title, _))| {
            common::sample_desk::ticket(
                50 - i as i64,
                title,
                "d",
                Category::ALL[i % 4],
                Priority::Low,
                Status::Open,
                i as i64,
            )
        })
        .collect();
    for size in [WIDE, NARROW] {
        assert_inert(render(&model, size).backend().buffer(), &format!("list {size:?}"));
        assert_categories_aligned(&model, size);
    }
    let text = screen(&model, WIDE);
    for (_, shown) in titles {
        assert!(text.contains(shown), "{shown}:\n{text}");
    }
}

#[test]
fn no_colour_means_no_colour() {
    let mut model = desk();
    filled_form(&mut model);
    model.notice = Some(Notice::NotSaved(failure("disk full")));
    for color in [false, true] {
        model.color = color;
        let terminal = render(&model, WIDE);
        let coloured = terminal
            .backend()
            .buffer()
            .content()
            .iter()
            .filter(|c| c.fg != Color::Reset || c.bg != Color::Reset)
            .count();
        assert_eq!(coloured > 0, color, "color = {color}");
    }
}

/// Every context and state the screen can be in.
fn every_state() -> Vec<(&'static str, Model)> {
    let mut states = Vec::new();
    let base = desk();
    states.push(("list", base.clone()));
    let mut searching = base.clone();
    searching.list.searching = true;
    searching.list.search = "refund 退款".into();
    states.push(("search", searching));
    let mut form = base.clone();
    filled_form(&mut form);
    form.form.field = Field::Title;
    states.push(("form", form.clone()));
    let mut selector = form.clone();
    selector.form.field = Field::Priority;
    selector.form.suggesting = Suggesting::Thinking;
    selector.form.errors.title = Some(FieldError::Invalid("must not be empty".into()));
    states.push(("selector", selector));
    let mut duplicates = form.clone();
    duplicates.form.duplicates = hostile_rows();
    duplicates.form.field = Field::Description;
    states.push(("duplicates", duplicates));
    let mut stats = base.clone();
    stats.focus = Pane::Stats;
    states.push(("stats", stats.clone()));
    let mut failed = stats.clone();
    failed.stats = Loading::Failed(failure("no such table"));
    states.push(("stats failed", failed));
    let mut detail = base.clone();
    detail.overlay = Some(Overlay::Detail(Detail { scroll: 3, ..Detail::new(detail_ticket()) }));
    states.push(("detail", detail.clone()));
    let Some(Overlay::Detail(open)) = &mut detail.overlay else { unreachable!() };
    open.note = Some("\u{1b}[2Jfirst\nsecond \u{202e}line\n\nfourth".repeat(3));
    states.push(("note", detail));
    let mut picker = base.clone();
    picker.overlay = Some(Overlay::StatusPicker(StatusPicker { ticket: detail_ticket(), choice: 3 }));
    states.push(("picker", picker));
    let mut help = base.clone();
    help.overlay = Some(Overlay::Help);
    states.push(("help", help));
    let mut first = Model::new(String::new(), NOW, true);
    first.list.fetch = Fetch::Done;
    states.push(("first run", first));
    let mut loading = Model::new("x".repeat(300), NOW, true);
    loading.focus = Pane::Stats;
    states.push(("loading", loading));
    let mut no_match = base.clone();
    no_match.list.rows.clear();
    no_match.list.search = "zzz".into();
    states.push(("no match", no_match));
    states.push(("hostile", hostile_model()));
    let mut scrolled = base;
    scrolled.list.selected = 17;
    scrolled.list.top = 40; // out of range: must not panic
    scrolled.list.fetch = Fetch::Failed(failure("database is locked"));
    states.push(("scrolled", scrolled));
    states
}

/// The sizes the brief names, then odd ones around the edges of the layouts.
const SIZES: [(u16, u16); 14] = [
    (1, 1),
    (10, 5),
    (40, 12),
    (80, 24),
    (100, 30),
    (200, 60),
    (2, 2),
    (30, 1),
    (1, 30),
    (3, 40),
    (150, 2),
    (20, 8),
    (99, 29),
    (100, 29),
];

#[test]
fn every_context_draws_at_every_size() {
    for (name, model) in every_state() {
        for focus in Pane::ALL {
            let mut model = model.clone();
            model.focus = focus;
            for size in SIZES {
                let terminal = render(&model, size);
                assert_inert(terminal.backend().buffer(), &format!("{name} {focus:?} {size:?}"));
            }
        }
    }
}
