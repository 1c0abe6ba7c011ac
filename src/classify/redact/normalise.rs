//! The copy of the text that the rules match against, and the way back.
//!
//! Customers (and copy-paste) write the same value in many ways: `＠` for
//! `@`, `٤١١١` for `4111`, a zero-width space inside an address, `[at]` and
//! `(dot)` to dodge scrapers. The copy folds all of them to one plain form:
//! NFKC, decimal digits of every script as ASCII digits, dashes as `-`,
//! invisible characters dropped, bracketed `at`/`dot` as `@`/`.`. Every byte
//! of the copy remembers the original bytes it came from, so a match in the
//! copy maps back to exactly the original text it covers.

use std::ops::Range;
use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::canonical_combining_class;
use unicode_properties::{GeneralCategory, UnicodeGeneralCategory};

pub(super) struct Normalised {
    pub text: String,
    /// For each byte of `text`, the original byte range it came from.
    origin: Vec<(usize, usize)>,
}

impl Normalised {
    pub fn new(original: &str) -> Self {
        let mut n = Normalised { text: String::with_capacity(original.len()), origin: Vec::new() };
        n.origin.reserve(original.len());
        let mut pos = 0;
        while let Some(c) = original[pos..].chars().next() {
            if let Some((symbol, len)) = spelled_symbol(&original[pos..]) {
                n.push_symbol(symbol, pos, pos + len);
                pos += len;
                continue;
            }
            let mut end = pos + c.len_utf8();
            let next = original[end..].chars().next();
            if c.is_ascii() && next.is_none_or(|d| d.is_ascii()) {
                n.push(c, pos, end);
                pos = end;
                continue;
            }
            // A character and the combining marks after it normalise together.
            while let Some(mark) = original[end..].chars().next() {
                if canonical_combining_class(mark) == 0 {
                    break;
                }
                end += mark.len_utf8();
            }
            for folded in original[pos..end].nfkc().filter_map(fold) {
                n.push(folded, pos, end);
            }
            pos = end;
        }
        n
    }

    /// The original byte range behind a non-empty range of the copy.
    pub fn original_range(&self, span: Range<usize>) -> Range<usize> {
        let start = self.origin[span.start].0;
        let end = self.origin[span.end - 1].1;
        start..end
    }

    fn push(&mut self, c: char, from: usize, to: usize) {
        self.text.push(c);
        self.origin.extend(std::iter::repeat_n((from, to), c.len_utf8()));
    }

    /// `john [at] example`: the spaces before the bracket belong to the `@` too.
    fn push_symbol(&mut self, symbol: char, mut from: usize, to: usize) {
        while self.text.ends_with([' ', '\t']) {
            self.text.pop();
            if let Some((start, _)) = self.origin.pop() {
                from = start;
            }
        }
        self.push(symbol, from, to);
    }
}

/// One character of NFKC output as the rules should see it, or `None` for
/// an invisible one.
fn fold(c: char) -> Option<char> {
    if c.is_ascii() {
        return Some(c);
    }
    if is_invisible(c) {
        return None;
    }
    if matches!(c, '\u{2028}' | '\u{2029}' | '\u{85}') {
        return Some('\n');
    }
    if c == '\u{2212}' || c.general_category() == GeneralCategory::DashPunctuation {
        return Some('-');
    }
    Some(ascii_digit(c).unwrap_or(c))
}

/// Zero-width spaces and joiners, soft hyphens, BiDi marks and other format
/// characters, plus the few invisible letters and selectors people paste.
fn is_invisible(c: char) -> bool {
    c.general_category() == GeneralCategory::Format
        || matches!(
            c,
            '\u{034F}'
                | '\u{115F}'
                | '\u{1160}'
                | '\u{3164}'
                | '\u{FFA0}'
                | '\u{180B}'..='\u{180D}'
                | '\u{180F}'
                | '\u{FE00}'..='\u{FE0F}'
                | '\u{E0100}'..='\u{E01EF}'
        )
}

/// A decimal digit of any script as its ASCII digit. Unicode assigns decimal
/// digits only in runs of ten, 0 to 9, so the value is the distance from the
/// start of the run (modulo ten, for runs of runs).
fn ascii_digit(c: char) -> Option<char> {
    let is_digit = |c: char| c.general_category() == GeneralCategory::DecimalNumber;
    if !is_digit(c) {
        return None;
    }
    let mut zero = c as u32;
    while let Some(before) = zero.checked_sub(1).and_then(char::from_u32) {
        if !is_digit(before) {
            break;
        }
        zero -= 1;
    }
    char::from_digit((c as u32 - zero) % 10, 10)
}

/// `[at]`, `(dot)`, `{ at }`, `<AT>` and the spaces after them, as `@` or `.`,
/// with the number of bytes read.
fn spelled_symbol(rest: &str) -> Option<(char, usize)> {
    let bytes = rest.as_bytes();
    if !matches!(bytes.first(), Some(b'[' | b'(' | b'{' | b'<')) {
        return None;
    }
    let skip_blanks = |mut i: usize| {
        while matches!(bytes.get(i), Some(b' ' | b'\t')) {
            i += 1;
        }
        i
    };
    let word_at = skip_blanks(1);
    let (symbol, word_len) = if rest.get(word_at..word_at + 3).is_some_and(|w| w.eq_ignore_ascii_case("dot"))
    {
        ('.', 3)
    } else if rest.get(word_at..word_at + 2).is_some_and(|w| w.eq_ignore_ascii_case("at")) {
        ('@', 2)
    } else {
        return None;
    };
    let close_at = skip_blanks(word_at + word_len);
    if !matches!(bytes.get(close_at), Some(b']' | b')' | b'}' | b'>')) {
        return None;
    }
    Some((symbol, skip_blanks(close_at + 1)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn folded(text: &str) -> String {
        Normalised::new(text).text
    }

    #[test]
    fn folds_compatibility_forms_digits_and_invisibles() {
        assert_eq!(folded("john＠example．com"), "john@example.com");
        assert_eq!(folded("٤١١١ ۴۱۱۱ ४१११ ４１１１"), "4111 4111 4111 4111");
        assert_eq!(folded("jo\u{200B}hn\u{2060}@\u{FEFF}x.com"), "john@x.com");
        assert_eq!(folded("555\u{2013}1234 \u{2212}5"), "555-1234 -5");
        assert_eq!(folded("ﬁle e\u{301}"), "file é");
    }

    #[test]
    fn reads_bracketed_at_and_dot() {
        assert_eq!(folded("john.doe [at] gmail [dot] com"), "john.doe@gmail.com");
        assert_eq!(folded("a(AT)b{ dot }c <at> d"), "a@b.c@d");
        assert_eq!(folded("[attach] (dotted) [a t]"), "[attach] (dotted) [a t]");
    }

    #[test]
    fn maps_every_byte_back_to_its_source() {
        let original = "x ＠ y [at] z";
        let n = Normalised::new(original);
        assert_eq!(n.text, "x @ y@z");
        let at = n.text.find('@').unwrap();
        assert_eq!(&original[n.original_range(at..at + 1)], "＠");
        let spelled = n.text.rfind('@').unwrap();
        assert_eq!(&original[n.original_range(spelled..spelled + 1)], " [at] ");
        assert_eq!(&original[n.original_range(0..n.text.len())], original);
    }

    #[test]
    fn plain_ascii_is_copied_as_is() {
        let text = "Refund #123 for $1,299.00 on 2026-11-28 at 14:05 (v2.3.10)\n\tthanks";
        assert_eq!(folded(text), text);
    }
}
