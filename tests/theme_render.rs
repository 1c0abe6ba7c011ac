//! The screen in each theme, as snapshots that keep the colours: each row's
//! text, then its runs of style. And colour only ever repeats what the text
//! says: every theme, and no colour at all, draws the same symbols.
//!
//! `INSTA_UPDATE=always cargo test --test theme_render` rewrites them;
//! review every changed `.snap` by eye.

use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;
use ratatui::style::Color;

use ticketdesk::tui::model::{Detail, Fetch, Loading, Model, Notice, Overlay, Pane};
use ticketdesk::tui::ui;
use ticketdesk::tui::ui::theme::Palette;

mod common;

use common::sample_desk::{NOW, detail_ticket, sample_rows, stats_view};

const SIZE: (u16, u16) = (100, 30);

/// The sample desk, a row selected, an error on the status line.
fn desk(palette: Palette, color: bool) -> Model {
    let mut model = Model::new("~/tickets.db".into(), NOW, color);
    model.palette = palette;
    model.list.rows = sample_rows();
    model.list.fetch = Fetch::Done;
    model.list.selected = 1;
    model.stats = Loading::Ready(stats_view());
    model.notice = Some(Notice::NotSaved(ticketdesk::tui::model::Failure::new(std::io::Error::other(
        "database is locked",
    ))));
    model
}

fn buffer(model: &Model) -> Buffer {
    let mut terminal = Terminal::new(TestBackend::new(SIZE.0, SIZE.1)).unwrap();
    terminal.draw(|frame| ui::draw(frame, model)).unwrap();
    terminal.backend().buffer().clone()
}

fn text(buffer: &Buffer) -> String {
    let area = buffer.area;
    (area.top()..area.bottom())
        .map(|y| (area.left()..area.right()).map(|x| buffer[(x, y)].symbol()).collect::<String>() + "\n")
        .collect()
}

/// Each row's text, then each run of cells drawn in the same non-plain
/// style: `  12-20 fg Cyan bg Reset BOLD`.
fn styled(buffer: &Buffer) -> String {
    let area = buffer.area;
    let mut out = String::new();
    for y in area.top()..area.bottom() {
        let row: String = (area.left()..area.right()).map(|x| buffer[(x, y)].symbol()).collect();
        out.push_str(&format!("{y:02} {}\n", row.trim_end()));
        let mut x = area.left();
        while x < area.right() {
            let cell = &buffer[(x, y)];
            let style = (cell.fg, cell.bg, cell.modifier);
            let start = x;
            while x < area.right() && {
                let next = &buffer[(x, y)];
                (next.fg, next.bg, next.modifier) == style
            } {
                x += 1;
            }
            if style != (Color::Reset, Color::Reset, ratatui::style::Modifier::empty()) {
                out.push_str(&format!(
                    "     {start}-{} fg {:?} bg {:?} {:?}\n",
                    x - 1,
                    style.0,
                    style.1,
                    style.2
                ));
            }
        }
    }
    out
}

const THEMES: [(&str, Palette, bool); 4] = [
    ("dark", Palette::Dark, true),
    ("light", Palette::Light, true),
    ("high_contrast", Palette::HighContrast, true),
    ("no_colour", Palette::Dark, false),
];

#[test]
fn each_theme_draws_the_desk() {
    for (name, palette, color) in THEMES {
        insta::assert_snapshot!(format!("desk_{name}"), styled(&buffer(&desk(palette, color))));
    }
}

#[test]
fn each_theme_draws_a_ticket() {
    for (name, palette, color) in THEMES {
        let mut model = desk(palette, color);
        model.notice = None;
        model.overlay = Some(Overlay::Detail(Detail::new(detail_ticket())));
        insta::assert_snapshot!(format!("detail_{name}"), styled(&buffer(&model)));
    }
}

/// The states whose meaning colour might be tempted to carry alone.
fn states(palette: Palette, color: bool) -> Vec<Model> {
    let base = desk(palette, color);
    let mut form = base.clone();
    form.focus = Pane::Form;
    let mut stats = base.clone();
    stats.focus = Pane::Stats;
    let mut detail = base.clone();
    detail.overlay = Some(Overlay::Detail(Detail::new(detail_ticket())));
    let mut help = base.clone();
    help.overlay = Some(Overlay::Help);
    vec![base, form, stats, detail, help]
}

#[test]
fn colour_never_says_what_the_text_does_not() {
    let plain: Vec<String> = states(Palette::Dark, false).iter().map(|m| text(&buffer(m))).collect();
    for (name, palette, color) in THEMES {
        let drawn: Vec<String> = states(palette, color).iter().map(|m| text(&buffer(m))).collect();
        assert_eq!(drawn, plain, "{name} draws other symbols than no colour does");
    }
    // Every priority and status reads as its own word, colour or not.
    let screen = &plain[0];
    for word in ["!! critical", "!  high", "open", "in_progress", "resolved", "closed"] {
        assert!(screen.contains(word), "{word}:\n{screen}");
    }
}

#[test]
fn the_themes_really_differ() {
    let drawn: Vec<String> = THEMES.iter().map(|(_, p, c)| styled(&buffer(&desk(*p, *c)))).collect();
    for i in 0..drawn.len() {
        for j in i + 1..drawn.len() {
            assert_ne!(drawn[i], drawn[j], "{} and {} look the same", THEMES[i].0, THEMES[j].0);
        }
    }
}
