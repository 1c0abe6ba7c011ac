//! Ticket text is untrusted: it comes from customers and from other agents on
//! the same host. This is the one place that decides which characters could
//! drive a terminal, and how they are shown instead.

use std::borrow::Cow;

/// C0 controls, DEL and C1 controls.
pub fn is_control(c: char) -> bool {
    matches!(c, '\u{0}'..='\u{1f}' | '\u{7f}'..='\u{9f}')
}

/// BiDi embeddings, overrides and isolates: they reorder what follows them,
/// so a title could display differently from what it says.
pub fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// Characters never written raw to a terminal, except newline and tab, which
/// multi-line views keep.
pub fn is_unsafe(c: char) -> bool {
    is_control(c) || is_bidi_control(c)
}

/// What an unsafe character looks like on screen: C0 as its Unicode control
/// picture (ESC shows as ␛), DEL as ␡, anything else as the replacement char.
fn visible(c: char) -> char {
    match c {
        '\u{0}'..='\u{1f}' => char::from_u32(0x2400 + c as u32).unwrap_or('\u{fffd}'),
        '\u{7f}' => '\u{2421}',
        _ => '\u{fffd}',
    }
}

/// Makes text safe for a terminal, keeping newlines and tabs (for detail views).
pub fn sanitize(text: &str) -> Cow<'_, str> {
    replace_where(text, |c| is_unsafe(c) && c != '\n' && c != '\t', visible)
}

/// Makes text safe for a one-line cell: newlines and tabs become spaces too.
pub fn sanitize_line(text: &str) -> Cow<'_, str> {
    replace_where(text, is_unsafe, |c| match c {
        '\n' | '\t' | '\r' => ' ',
        other => visible(other),
    })
}

fn replace_where(text: &str, hit: impl Fn(char) -> bool, with: impl Fn(char) -> char) -> Cow<'_, str> {
    if !text.chars().any(&hit) {
        return Cow::Borrowed(text);
    }
    Cow::Owned(text.chars().map(|c| if hit(c) { with(c) } else { c }).collect())
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

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
        "del\u{7f}ete",
        "bell\u{7}\u{8}backspace\r carriage",
    ];

    fn terminal_safe(s: &str) -> bool {
        !s.chars().any(|c| is_unsafe(c) && c != '\n' && c != '\t')
    }

    #[test]
    fn hostile_strings_come_out_inert() {
        for raw in HOSTILE {
            let shown = sanitize(raw);
            assert!(terminal_safe(&shown), "{raw:?} -> {shown:?}");
            let line = sanitize_line(raw);
            assert!(!line.chars().any(is_unsafe), "{raw:?} -> {line:?}");
            assert_eq!(shown.chars().count(), raw.chars().count(), "one for one");
        }
    }

    #[test]
    fn escape_shows_as_control_picture() {
        assert_eq!(sanitize("a\u{1b}[2Jb"), "a\u{241b}[2Jb");
        assert_eq!(sanitize("x\u{202e}y"), "x\u{fffd}y");
    }

    #[test]
    fn safe_text_is_borrowed_untouched() {
        let text = "Ünïcode 漢字 🎫\nsecond\tline";
        assert!(matches!(sanitize(text), Cow::Borrowed(_)));
        assert_eq!(sanitize_line(text), "Ünïcode 漢字 🎫 second line");
    }

    proptest::proptest! {
        #[test]
        fn sanitize_never_leaves_unsafe_chars(s in "\\PC*|[\\x00-\\x{a0}\\x{2060}-\\x{2070}\\x{2020}-\\x{2030}]*") {
            proptest::prop_assert!(terminal_safe(&sanitize(&s)));
            proptest::prop_assert!(!sanitize_line(&s).chars().any(is_unsafe));
        }
    }
}
