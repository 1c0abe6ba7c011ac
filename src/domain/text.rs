//! Ticket text is untrusted: it comes from customers and from other agents on
//! the same host. This is the one place that decides which characters could
//! drive a terminal or throw its columns out, and how they are shown instead.

use std::borrow::Cow;
use std::ops::RangeInclusive;

use unicode_properties::{GeneralCategoryGroup, UnicodeEmoji, UnicodeGeneralCategory};

/// Why a character never reaches a terminal as it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unsafe {
    /// C0 controls, DEL and C1 controls: escape sequences, bells, line moves.
    Control,
    /// U+2028 and U+2029: line breaks in all but name.
    LineBreak,
    /// Unicode's Bidi_Control set: the marks ALM, LRM and RLM, embeddings,
    /// overrides and isolates. They reorder or redirect the text around them,
    /// so a line could display differently from what it says.
    Bidi,
    /// Invisible characters terminals draw at different widths (none, one,
    /// two cells, or glued to a neighbour), which moves every column after
    /// them: format characters (general category Cf, less the joiners and
    /// tags below), the blank Hangul fillers, and the code points Unicode
    /// reserves as default-ignorable.
    Invisible,
}

use Unsafe::{Bidi, Control, Invisible, LineBreak};

/// Every character in the four classes, in code point order.
const UNSAFE: &[(char, char, Unsafe)] = &[
    ('\u{0}', '\u{1f}', Control),
    ('\u{7f}', '\u{9f}', Control),
    ('\u{ad}', '\u{ad}', Invisible), // soft hyphen: no cells here, one in wcwidth
    ('\u{600}', '\u{605}', Invisible), // prepended concatenation marks
    ('\u{61c}', '\u{61c}', Bidi),    // ALM
    ('\u{6dd}', '\u{6dd}', Invisible), // end of ayah
    ('\u{70f}', '\u{70f}', Invisible), // Syriac abbreviation mark
    ('\u{890}', '\u{891}', Invisible), // pound and piastre marks above
    ('\u{8e2}', '\u{8e2}', Invisible), // disputed end of ayah
    ('\u{115f}', '\u{1160}', Invisible), // Hangul choseong and jungseong fillers
    ('\u{180e}', '\u{180e}', Invisible), // Mongolian vowel separator
    ('\u{200b}', '\u{200b}', Invisible), // zero width space
    ('\u{200e}', '\u{200f}', Bidi),  // LRM, RLM
    ('\u{2028}', '\u{2029}', LineBreak), // line and paragraph separators
    ('\u{202a}', '\u{202e}', Bidi),  // embeddings and overrides
    ('\u{2060}', '\u{2065}', Invisible), // word joiner, invisible operators
    ('\u{2066}', '\u{2069}', Bidi),  // isolates
    ('\u{206a}', '\u{206f}', Invisible), // deprecated shaping controls
    ('\u{3164}', '\u{3164}', Invisible), // Hangul filler
    ('\u{feff}', '\u{feff}', Invisible), // zero width no-break space (BOM)
    ('\u{ffa0}', '\u{ffa0}', Invisible), // halfwidth Hangul filler
    ('\u{fff0}', '\u{fffb}', Invisible), // reserved; interlinear annotation
    ('\u{110bd}', '\u{110bd}', Invisible), // Kaithi number sign
    ('\u{110cd}', '\u{110cd}', Invisible), // Kaithi number sign above
    ('\u{13430}', '\u{1343f}', Invisible), // Egyptian hieroglyph format controls
    ('\u{1bca0}', '\u{1bca3}', Invisible), // shorthand format controls
    ('\u{1d173}', '\u{1d17a}', Invisible), // musical beam and slur controls
    ('\u{e0000}', '\u{e001f}', Invisible), // language tag, reserved
    ('\u{e0080}', '\u{e00ff}', Invisible), // reserved
    ('\u{e01f0}', '\u{e0fff}', Invisible), // reserved
];

/// The class of a character that never reaches a terminal as it is, if any.
pub fn unsafe_class(c: char) -> Option<Unsafe> {
    if (' '..='~').contains(&c) {
        return None;
    }
    let at = UNSAFE.partition_point(|&(_, last, _)| last < c);
    UNSAFE.get(at).filter(|&&(first, _, _)| first <= c).map(|&(_, _, class)| class)
}

/// C0 controls, DEL and C1 controls.
pub fn is_control(c: char) -> bool {
    unsafe_class(c) == Some(Control)
}

/// U+2028 LINE SEPARATOR and U+2029 PARAGRAPH SEPARATOR.
pub fn is_line_separator(c: char) -> bool {
    unsafe_class(c) == Some(LineBreak)
}

/// Unicode's Bidi_Control characters: ALM, LRM, RLM, embeddings, overrides, isolates.
pub fn is_bidi_control(c: char) -> bool {
    unsafe_class(c) == Some(Bidi)
}

/// Invisible format characters (see [`Unsafe::Invisible`]).
pub fn is_invisible(c: char) -> bool {
    unsafe_class(c) == Some(Invisible)
}

/// Characters never written raw to a terminal, wherever they stand, except
/// newline and tab, which multi-line views keep.
pub fn is_unsafe(c: char) -> bool {
    unsafe_class(c).is_some()
}

/// Every unsafe character as a few ranges, in code point order.
pub fn unsafe_ranges() -> Vec<RangeInclusive<char>> {
    let mut ranges: Vec<RangeInclusive<char>> = Vec::new();
    for &(first, last, _) in UNSAFE {
        match ranges.last_mut() {
            Some(open) if u32::from(*open.end()) + 1 == u32::from(first) => *open = *open.start()..=last,
            _ => ranges.push(first..=last),
        }
    }
    ranges
}

const ZWJ: char = '\u{200d}';
const ZWNJ: char = '\u{200c}';
const CANCEL_TAG: char = '\u{e007f}';

/// Tag characters: invisible ASCII look-alikes whose one use is to spell a
/// subdivision flag after 🏴 (England, Scotland, Wales).
fn is_tag(c: char) -> bool {
    ('\u{e0020}'..=CANCEL_TAG).contains(&c)
}

/// An emoji that can be joined into a sequence: an emoji, not a part of one
/// (digits, skin tones and regional indicators are parts).
fn is_pictograph(c: char) -> bool {
    !c.is_ascii() && c.is_emoji_char() && !c.is_emoji_component()
}

/// Where a ZWJ may stand: between two emoji (after the first one's skin tone
/// or emoji style), as in 👩‍💻. Anywhere else terminals disagree on it: some
/// glue the next character into the previous cell, others show a box.
fn joins_emoji(before: &str, after: &str) -> bool {
    let mut back =
        before.chars().rev().skip_while(|&c| c == '\u{fe0f}' || ('\u{1f3fb}'..='\u{1f3ff}').contains(&c));
    back.next().is_some_and(is_pictograph) && after.chars().next().is_some_and(is_pictograph)
}

/// Where a ZWNJ may stand: between two letters or marks of the scripts that
/// need it to stop a join (Persian, Indic); between ASCII letters it does
/// nothing on a terminal but hide.
fn joins_letters(before: &str, after: &str) -> bool {
    let letter = |c: char| {
        !c.is_ascii()
            && !is_unsafe(c)
            && matches!(c.general_category_group(), GeneralCategoryGroup::Letter | GeneralCategoryGroup::Mark)
    };
    before.chars().next_back().is_some_and(letter) && after.chars().next().is_some_and(letter)
}

/// Whether the tag run `run`, after `before`, spells a flag: an emoji, tags,
/// then the cancel tag that ends them.
fn is_flag_tags(before: &str, run: &str) -> bool {
    let mut tags = run.chars();
    before.chars().next_back().is_some_and(is_pictograph)
        && tags.next_back() == Some(CANCEL_TAG)
        && tags.clone().next().is_some()
        && tags.all(|c| c != CANCEL_TAG)
}

/// Where `text` holds characters that must not reach a terminal as they are,
/// with their byte offsets: every [`is_unsafe`] character, and the joiners
/// and tags that stand outside the sequences that need them. Newline and tab
/// are included; callers that keep them skip them.
pub fn find_unsafe(text: &str) -> Vec<(usize, char)> {
    let mut found = Vec::new();
    let mut tags_end = 0; // end of the tag run already judged
    for (at, c) in text.char_indices() {
        if (' '..='~').contains(&c) || at < tags_end {
            continue;
        }
        let (before, after) = (&text[..at], &text[at + c.len_utf8()..]);
        let stray = match c {
            ZWJ => !joins_emoji(before, after),
            ZWNJ => !joins_letters(before, after),
            c if is_tag(c) => {
                tags_end = text[at..].find(|c: char| !is_tag(c)).map_or(text.len(), |n| at + n);
                let run = &text[at..tags_end];
                if !is_flag_tags(before, run) {
                    found.extend(run.char_indices().map(|(i, c)| (at + i, c)));
                }
                false
            }
            c => is_unsafe(c),
        };
        if stray {
            found.push((at, c));
        }
    }
    found
}

/// What an unsafe character looks like on screen: C0 as its Unicode control
/// picture (ESC shows as ␛), DEL as ␡, a soft hyphen as the hyphen most
/// terminals draw for it, anything else as the replacement character.
fn visible(c: char) -> char {
    match c {
        '\u{0}'..='\u{1f}' => char::from_u32(0x2400 + c as u32).unwrap_or('\u{fffd}'),
        '\u{7f}' => '\u{2421}',
        '\u{ad}' => '-',
        _ => '\u{fffd}',
    }
}

/// Makes text safe for a terminal, keeping newlines and tabs (for detail
/// views); line and paragraph separators become newlines.
pub fn sanitize(text: &str) -> Cow<'_, str> {
    replace_unsafe(text, |c| match c {
        '\n' | '\t' => None,
        '\u{2028}' | '\u{2029}' => Some('\n'),
        other => Some(visible(other)),
    })
}

/// Makes text safe for a one-line cell: every line break and tab becomes a
/// space too.
pub fn sanitize_line(text: &str) -> Cow<'_, str> {
    replace_unsafe(text, |c| {
        Some(match c {
            '\n' | '\t' | '\r' | '\u{2028}' | '\u{2029}' => ' ',
            other => visible(other),
        })
    })
}

/// Replaces each character [`find_unsafe`] reports with what `with` says
/// (`None` keeps it): one character for one.
fn replace_unsafe(text: &str, with: impl Fn(char) -> Option<char>) -> Cow<'_, str> {
    let mut out: Option<String> = None;
    let mut copied = 0;
    for (at, c) in find_unsafe(text) {
        let Some(shown) = with(c) else { continue };
        let out = out.get_or_insert_with(|| String::with_capacity(text.len()));
        out.push_str(&text[copied..at]);
        out.push(shown);
        copied = at + c.len_utf8();
    }
    match out {
        None => Cow::Borrowed(text),
        Some(mut out) => {
            out.push_str(&text[copied..]);
            Cow::Owned(out)
        }
    }
}

#[cfg(test)]
pub(crate) mod tests;
