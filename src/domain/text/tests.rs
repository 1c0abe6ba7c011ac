use super::*;
use proptest::prelude::*;
use unicode_properties::GeneralCategory;

/// Strings a hostile ticket might carry, each aimed at the agent's terminal.
pub const HOSTILE: &[&str] = &[
    "\u{1b}]0;pwned title\u{7}",         // OSC 0: retitle the window
    "\u{1b}]52;c;ZWNobyBoYWNrZWQ=\u{7}", // OSC 52: write the clipboard
    "\u{1b}[2J\u{1b}[H",                 // clear screen, cursor home
    "\u{1b}]8;;https://evil.example\u{1b}\\click\u{1b}]8;;\u{1b}\\", // OSC 8 link
    "\u{9b}31mred via C1 CSI",           // 8-bit CSI
    "\u{9d}0;title via C1 OSC\u{9c}",    // 8-bit OSC + ST
    "invoice \u{202e}fdp.exe",           // right-to-left override
    "\u{2066}isolated\u{2069}",          // BiDi isolate
    "refund \u{200f}42\u{061c} €",       // RLM and ALM
    "first\u{2028}second\u{2029}third",  // line and paragraph separators
    "a\u{200d}\u{200d}b x\u{200d}👩 \u{200b}\u{2060}\u{feff}", // stray joiners, zero widths
    "\u{3164}\u{115f}\u{ffa0}",          // blank Hangul fillers
    "ok\u{e0069}\u{e0067}\u{e006e}\u{e006f}\u{e0072}\u{e0065}", // hidden ASCII in tag characters
    "del\u{7f}ete",
    "bell\u{7}\u{8}backspace\r carriage",
];

/// Text as `find_unsafe` judges it after `sanitize_line`: nothing left.
fn line_safe(s: &str) -> bool {
    find_unsafe(s).is_empty()
}

/// After `sanitize`: nothing left but newlines and tabs.
fn terminal_safe(s: &str) -> bool {
    find_unsafe(s).iter().all(|&(_, c)| c == '\n' || c == '\t')
}

#[test]
fn hostile_strings_come_out_inert() {
    for raw in HOSTILE {
        let shown = sanitize(raw);
        assert!(terminal_safe(&shown), "{raw:?} -> {shown:?}");
        let line = sanitize_line(raw);
        assert!(line_safe(&line), "{raw:?} -> {line:?}");
        assert_eq!(shown.chars().count(), raw.chars().count(), "one for one");
        assert_eq!(line.chars().count(), raw.chars().count(), "one for one");
    }
}

#[test]
fn escape_shows_as_control_picture() {
    assert_eq!(sanitize("a\u{1b}[2Jb"), "a\u{241b}[2Jb");
    assert_eq!(sanitize("x\u{202e}y"), "x\u{fffd}y");
}

#[test]
fn bidi_marks_and_separators_are_caught() {
    assert_eq!(sanitize_line("a\u{200f}b\u{061c}c\u{200e}"), "a\u{fffd}b\u{fffd}c\u{fffd}");
    assert_eq!(sanitize_line("one\u{2028}two\u{2029}three"), "one two three");
    assert_eq!(sanitize("one\u{2028}two\u{2029}three"), "one\ntwo\nthree");
    assert_eq!(sanitize_line("Re\u{ad}fund"), "Re-fund");
    assert_eq!(sanitize_line("a\u{200b}b\u{feff}c\u{3164}"), "a\u{fffd}b\u{fffd}c\u{fffd}");
}

#[test]
fn emoji_sequences_keep_their_joiners() {
    for text in [
        "👩\u{200d}💻 on call",
        "👩🏽\u{200d}💻",
        "❤\u{fe0f}\u{200d}🔥",
        "🏳\u{fe0f}\u{200d}🌈",
        "🧑\u{200d}🧑\u{200d}🧒",
        "🏴\u{e0067}\u{e0062}\u{e0073}\u{e0063}\u{e0074}\u{e007f} Scotland",
        "می\u{200c}خواهم",
        "क्\u{200c}ष",
    ] {
        assert!(matches!(sanitize_line(text), Cow::Borrowed(_)), "{text:?} -> {:?}", sanitize_line(text));
    }
}

#[test]
fn stray_joiners_and_tags_are_shown() {
    assert_eq!(sanitize_line("a\u{200d}b"), "a\u{fffd}b");
    assert_eq!(sanitize_line("x\u{200d}👩"), "x\u{fffd}👩");
    assert_eq!(sanitize_line("👩\u{200d}x"), "👩\u{fffd}x");
    assert_eq!(sanitize_line("👩\u{200d}"), "👩\u{fffd}");
    assert_eq!(sanitize_line("👩\u{200d}\u{200d}💻"), "👩\u{fffd}\u{fffd}💻");
    assert_eq!(sanitize_line("क्\u{200d}ष"), "क्\u{fffd}ष");
    assert_eq!(sanitize_line("pay\u{200c}pal"), "pay\u{fffd}pal");
    assert_eq!(sanitize_line("ی\u{200c}\u{3164}"), "ی\u{fffd}\u{fffd}");
    assert_eq!(sanitize_line("a\u{e0061}\u{e007f}"), "a\u{fffd}\u{fffd}");
    assert_eq!(sanitize_line("🏴\u{e0061}\u{e0062}"), "🏴\u{fffd}\u{fffd}", "no cancel tag");
    assert_eq!(sanitize_line("🏴\u{e007f}"), "🏴\u{fffd}", "no tag before the cancel tag");
    assert_eq!(sanitize_line("🏴\u{e0061}\u{e007f}\u{e0062}\u{e007f}"), "🏴\u{fffd}\u{fffd}\u{fffd}\u{fffd}");
}

#[test]
fn safe_text_is_borrowed_untouched() {
    let text = "Ünïcode 漢字 🎫 e\u{301} ❤\u{fe0f}\nsecond\tline";
    assert!(matches!(sanitize(text), Cow::Borrowed(_)));
    assert_eq!(sanitize_line(text), "Ünïcode 漢字 🎫 e\u{301} ❤\u{fe0f} second line");
}

#[test]
fn every_format_character_is_caught_or_needs_its_neighbours() {
    let contextual = |c: char| c == ZWJ || c == ZWNJ || is_tag(c);
    for c in (0..=0x10ffff).filter_map(char::from_u32) {
        let category = c.general_category();
        if category == GeneralCategory::Format {
            assert!(is_unsafe(c) || contextual(c), "U+{:04X} is a format character", c as u32);
        }
        if is_unsafe(c) {
            assert!(
                matches!(
                    category,
                    GeneralCategory::Control
                        | GeneralCategory::Format
                        | GeneralCategory::LineSeparator
                        | GeneralCategory::ParagraphSeparator
                        | GeneralCategory::Unassigned
                ) || ['\u{115f}', '\u{1160}', '\u{3164}', '\u{ffa0}'].contains(&c),
                "U+{:04X} ({category:?}) is refused without a reason",
                c as u32
            );
        }
    }
}

#[test]
fn classes_cover_the_named_characters() {
    assert!(is_control('\u{1b}') && is_control('\u{85}') && !is_control(' '));
    assert!(is_line_separator('\u{2028}') && is_line_separator('\u{2029}'));
    for c in ['\u{61c}', '\u{200e}', '\u{200f}', '\u{202a}', '\u{202e}', '\u{2066}', '\u{2069}'] {
        assert!(is_bidi_control(c), "U+{:04X}", c as u32);
    }
    assert!(is_invisible('\u{200b}') && is_invisible('\u{e0001}') && !is_invisible(ZWJ));
    assert!(!is_unsafe('\u{fe0f}') && !is_unsafe('\u{301}') && !is_unsafe('\u{202f}'));
}

#[test]
fn ranges_list_exactly_the_unsafe_characters() {
    let ranges = unsafe_ranges();
    assert!(ranges.windows(2).all(|w| u32::from(*w[0].end()) + 1 < u32::from(*w[1].start())));
    for c in (0..=0x10ffff).filter_map(char::from_u32) {
        assert_eq!(ranges.iter().any(|r| r.contains(&c)), is_unsafe(c), "U+{:04X}", c as u32);
    }
}

/// Chars that form sequences or break lines, mixed into any text so that the
/// cases that need neighbours come up often.
#[rustfmt::skip]
const TRICKY: &[char] = &[
    '\u{200d}', '\u{200c}', '\u{fe0f}', '\u{1f3fd}', '👩', '💻', '❤', '🏴', '\u{e0067}', '\u{e007f}',
    'ی', 'क', '\u{94d}', 'ل', 'ا', '🇦', '\u{301}', '漢', 'a', ' ', '\n', '\r', '\t', '\u{2028}',
    '\u{1b}', '\u{202e}', '\u{ad}', '\u{3164}',
];

/// Any text: chars from the whole Unicode range and the tricky ones above.
pub(crate) fn any_text(max_chars: usize) -> impl Strategy<Value = String> {
    let one = prop_oneof![3 => any::<char>(), 2 => proptest::sample::select(TRICKY)];
    proptest::collection::vec(one, 0..max_chars).prop_map(String::from_iter)
}

proptest! {
    #[test]
    fn sanitize_changes_only_what_it_must(s in any_text(40)) {
        let found: Vec<usize> = find_unsafe(&s).iter().map(|&(at, _)| at).collect();
        let line = sanitize_line(&s);
        prop_assert!(line_safe(&line), "{:?} -> {:?}", s, line);
        prop_assert_eq!(line.chars().count(), s.chars().count());
        for ((at, a), b) in s.char_indices().zip(line.chars()) {
            prop_assert_eq!(a != b, found.contains(&at), "{:?} -> {:?} at {}", s, line, at);
        }
        let shown = sanitize(&s);
        prop_assert!(terminal_safe(&shown), "{:?} -> {:?}", s, shown);
        prop_assert_eq!(shown.chars().count(), s.chars().count());
        prop_assert_eq!(sanitize_line(&line), line.clone(), "a second pass changes nothing");
    }
}
