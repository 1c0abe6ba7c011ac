//! `theme = "auto"`: the terminal is asked for its background colour (OSC 11)
//! before the screen takes it over and before any key is read, and the light
//! or the dark palette chosen to suit. A terminal that does not answer within
//! [`PATIENCE`] gets the dark palette.
//!
//! The asking is terminal-colorsaurus's: it sends a device-attributes query
//! (DA1) right behind OSC 11, which every terminal answers, so one that does
//! not know OSC 11 is found out at once rather than after the wait, and a
//! reply never arrives late among the keys.

use std::time::{Duration, Instant};

use terminal_colorsaurus::{Color, QueryOptions};

use super::ui::theme::Palette;
use crate::config::ThemeChoice;

/// How long the terminal has to answer.
pub const PATIENCE: Duration = Duration::from_millis(100);

/// The palette for the configured theme, asking the terminal for `auto`.
/// Without colour there is nothing to choose, and nothing is asked.
pub fn palette(choice: ThemeChoice, color: bool) -> Palette {
    match choice {
        ThemeChoice::Dark => Palette::Dark,
        ThemeChoice::Light => Palette::Light,
        ThemeChoice::HighContrast => Palette::HighContrast,
        ThemeChoice::Auto if !color => Palette::Dark,
        ThemeChoice::Auto => ask(),
    }
}

fn ask() -> Palette {
    let started = Instant::now();
    let mut options = QueryOptions::default();
    options.timeout = PATIENCE;
    match terminal_colorsaurus::background_color(options) {
        Ok(background) => {
            let palette = for_background(&background);
            tracing::debug!(?palette, ?background, waited = ?started.elapsed(), "the terminal's background");
            palette
        }
        Err(why) => {
            tracing::debug!(%why, waited = ?started.elapsed(), "no background colour from the terminal: dark");
            Palette::Dark
        }
    }
}

/// Light backgrounds (lighter than the perceptual middle grey) take the
/// light palette; the rest the dark one.
pub fn for_background(background: &Color) -> Palette {
    if background.perceived_lightness() > 0.5 { Palette::Light } else { Palette::Dark }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn light_backgrounds_take_the_light_palette() {
        let rgb = |r: u16, g: u16, b: u16| Color::rgb(r, g, b);
        assert_eq!(for_background(&rgb(0xffff, 0xffff, 0xffff)), Palette::Light);
        assert_eq!(for_background(&rgb(0xfdfd, 0xf6f6, 0xe3e3)), Palette::Light, "a cream page");
        assert_eq!(for_background(&rgb(0, 0, 0)), Palette::Dark);
        assert_eq!(for_background(&rgb(0x2828, 0x2c2c, 0x3434)), Palette::Dark, "a charcoal one");
        assert_eq!(for_background(&rgb(0x0000, 0x2b2b, 0x3636)), Palette::Dark, "a deep blue one");
    }

    #[test]
    fn only_auto_asks_and_never_without_colour() {
        // None of these touches the terminal: the tests have none to ask.
        assert_eq!(palette(ThemeChoice::Light, true), Palette::Light);
        assert_eq!(palette(ThemeChoice::HighContrast, true), Palette::HighContrast);
        assert_eq!(palette(ThemeChoice::Dark, true), Palette::Dark);
        assert_eq!(palette(ThemeChoice::Auto, false), Palette::Dark);
    }
}
