//! `theme = "auto"` on a real terminal: the program asks for the background
//! colour (OSC 11) before it takes the screen, and draws in the light or the
//! dark palette by the answer; a terminal that stays silent costs at most
//! about 100 ms, and gets the dark one.

mod common;

use std::time::Duration;

use common::Desk;
use common::pty::Screen;
use crossterm::style::{Color, SetForegroundColor};

const QUERY: &[u8] = b"\x1b]11;?";
/// The alternate screen: the program has taken the terminal.
const TAKEN: &[u8] = b"\x1b[?1049h";
/// What every terminal answers to a device-attributes query (DA1).
const DA1_REPLY: &[u8] = b"\x1b[?62;22c";

/// The accent colour of each palette (the app's name is in it), as the
/// escape that sets it begins: the colour may be set with a background after it.
fn accent(color: Color) -> Vec<u8> {
    let set = SetForegroundColor(color).to_string();
    set.strip_suffix('m').unwrap_or(&set).as_bytes().to_vec()
}

fn dark_accent() -> Vec<u8> {
    accent(Color::DarkCyan)
}

fn light_accent() -> Vec<u8> {
    accent(Color::DarkBlue)
}

/// Whether the output sets the colour whose escape begins `set` (then `;` or `m`).
fn sets(output: &[u8], set: &[u8]) -> bool {
    output.windows(set.len() + 1).any(|w| w[..set.len()] == *set && matches!(w[set.len()], b';' | b'm'))
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

fn start(desk: &Desk, config: &str, no_color: bool) -> Screen {
    let dir = desk.dir.path().join("config/ticketdesk");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("config.toml"), config).unwrap();
    let mut cmd = desk.std_cmd();
    cmd.env("TERM", "xterm-256color").env_remove("NO_COLOR");
    if no_color {
        cmd.env("NO_COLOR", "1");
    }
    Screen::start(cmd, 100, 30)
}

/// Waits for the first whole frame (the list's empty state), then quits.
fn first_frame_then_quit(screen: &mut Screen) -> Vec<u8> {
    screen.wait_for(b"Welcome to ticketdesk", Duration::from_secs(15));
    let output = screen.output();
    screen.send(b"q");
    assert_eq!(screen.wait_for_exit(Duration::from_secs(15)), Some(0));
    output
}

#[test]
fn the_answer_picks_the_palette_in_any_of_the_reply_forms() {
    let replies: [(&[u8], bool); 5] = [
        (b"\x1b]11;rgb:ffff/ffff/ffff\x1b\\", true),
        (b"\x1b]11;rgb:ff/ff/ff\x07", true),
        (b"\x1b]11;rgb:fdf6/e3e3/fdfd\x1b\\", true),
        (b"\x1b]11;rgb:0000/0000/0000\x1b\\", false),
        (b"\x1b]11;rgb:28/2c/34\x07", false),
    ];
    for (reply, light) in replies {
        let desk = Desk::new();
        let mut screen = start(&desk, "", false);
        screen.wait_for(QUERY, Duration::from_secs(15));
        assert!(!contains(&screen.output(), TAKEN), "asked before the screen is taken");
        screen.send(&[reply, DA1_REPLY].concat());
        let output = first_frame_then_quit(&mut screen);
        let shown = String::from_utf8_lossy(reply);
        assert_eq!(sets(&output, &light_accent()), light, "{shown}");
        assert_eq!(sets(&output, &dark_accent()), !light, "{shown}");
    }
}

#[test]
fn a_terminal_that_does_not_answer_gets_the_dark_palette_within_the_wait() {
    let desk = Desk::new();
    let mut screen = start(&desk, "", false);
    let asked = screen.wait_for(QUERY, Duration::from_secs(15));
    let taken = screen.wait_for(TAKEN, Duration::from_secs(15));
    let waited = taken - asked;
    // The wait is ~100 ms; the margin is for a busy machine, and still far
    // below the second such probes wait by default.
    assert!(waited < Duration::from_millis(700), "waited {waited:?} for a silent terminal");
    let output = first_frame_then_quit(&mut screen);
    assert!(sets(&output, &dark_accent()) && !sets(&output, &light_accent()));
}

#[test]
fn a_chosen_theme_or_no_colour_asks_nothing() {
    for (config, no_color, accent) in [
        ("theme = \"light\"\n", false, Some(light_accent())),
        ("theme = \"dark\"\n", false, Some(dark_accent())),
        ("", true, None),
    ] {
        let desk = Desk::new();
        let mut screen = start(&desk, config, no_color);
        let output = first_frame_then_quit(&mut screen);
        assert!(!contains(&output, QUERY), "{config} NO_COLOR={no_color}");
        match accent {
            Some(accent) => assert!(sets(&output, &accent), "{config}"),
            None => assert!(!contains(&output, b"\x1b[38;5;"), "no colour at all"),
        }
    }
}
