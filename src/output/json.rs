//! JSON that is lossless and still safe to print to a terminal: on top of
//! what serde_json escapes (C0, `"` and `\`), every character the sanitiser
//! would replace (DEL, C1, line separators, BiDi controls, invisible format
//! characters, stray joiners and tags) is written as a `\u` escape.

use serde::Serialize;
use serde_json::ser::{Formatter, PrettyFormatter};
use std::io::{self, Write};

use crate::domain::text::find_unsafe;

/// A pretty formatter that escapes every terminal-unsafe character.
struct SafeFormatter<'a>(PrettyFormatter<'a>);

impl Formatter for SafeFormatter<'_> {
    fn write_string_fragment<W: ?Sized + Write>(&mut self, writer: &mut W, fragment: &str) -> io::Result<()> {
        // serde_json cuts strings at the characters it escapes itself, none
        // of which can hold a sequence together, so judging each fragment on
        // its own sees the same neighbours as judging the whole string.
        let mut copied = 0;
        for (at, c) in find_unsafe(fragment) {
            writer.write_all(&fragment.as_bytes()[copied..at])?;
            // Beyond the BMP, JSON spells a character as its UTF-16 surrogate pair.
            for unit in c.encode_utf16(&mut [0; 2]) {
                write!(writer, "\\u{unit:04x}")?;
            }
            copied = at + c.len_utf8();
        }
        writer.write_all(&fragment.as_bytes()[copied..])
    }

    // Indentation is delegated so the output keeps serde_json's pretty layout.
    fn begin_array<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.begin_array(w)
    }
    fn end_array<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.end_array(w)
    }
    fn begin_array_value<W: ?Sized + Write>(&mut self, w: &mut W, first: bool) -> io::Result<()> {
        self.0.begin_array_value(w, first)
    }
    fn end_array_value<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.end_array_value(w)
    }
    fn begin_object<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.begin_object(w)
    }
    fn end_object<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.end_object(w)
    }
    fn begin_object_key<W: ?Sized + Write>(&mut self, w: &mut W, first: bool) -> io::Result<()> {
        self.0.begin_object_key(w, first)
    }
    fn begin_object_value<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.begin_object_value(w)
    }
    fn end_object_value<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.end_object_value(w)
    }
}

/// A compact formatter with the same escaping, for one-object-per-line files.
struct SafeCompactFormatter;

impl Formatter for SafeCompactFormatter {
    fn write_string_fragment<W: ?Sized + Write>(&mut self, writer: &mut W, fragment: &str) -> io::Result<()> {
        SafeFormatter(PrettyFormatter::new()).write_string_fragment(writer, fragment)
    }
}

/// Writes `value` as indented, terminal-safe JSON followed by a newline.
pub fn write_pretty<T: Serialize + ?Sized>(out: &mut impl Write, value: &T) -> io::Result<()> {
    let mut ser = serde_json::Serializer::with_formatter(&mut *out, SafeFormatter(PrettyFormatter::new()));
    value.serialize(&mut ser).map_err(io::Error::other)?;
    out.write_all(b"\n")
}

/// Writes `value` as one line of terminal-safe JSON followed by a newline.
pub fn write_line<T: Serialize + ?Sized>(out: &mut impl Write, value: &T) -> io::Result<()> {
    let mut ser = serde_json::Serializer::with_formatter(&mut *out, SafeCompactFormatter);
    value.serialize(&mut ser).map_err(io::Error::other)?;
    out.write_all(b"\n")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::text::tests::HOSTILE;

    #[test]
    fn hostile_text_is_escaped_and_round_trips() {
        for raw in HOSTILE {
            for compact in [false, true] {
                let mut out = Vec::new();
                if compact {
                    write_line(&mut out, &serde_json::json!({ "t": raw })).unwrap();
                } else {
                    write_pretty(&mut out, &serde_json::json!({ "t": raw })).unwrap();
                }
                let printed = String::from_utf8(out).unwrap();
                assert!(
                    find_unsafe(&printed).iter().all(|&(_, c)| c == '\n'),
                    "raw unsafe char in {printed:?}"
                );
                let back: serde_json::Value = serde_json::from_str(&printed).unwrap();
                assert_eq!(back["t"], *raw);
            }
        }
    }

    #[test]
    fn escapes_beyond_the_bmp_are_surrogate_pairs() {
        let mut out = Vec::new();
        write_line(&mut out, &serde_json::json!({ "t": "a\u{e0041}\u{2028}👩\u{200d}💻" })).unwrap();
        assert_eq!(String::from_utf8(out).unwrap(), "{\"t\":\"a\\udb40\\udc41\\u2028👩\u{200d}💻\"}\n");
    }

    #[test]
    fn pretty_layout_is_kept() {
        let mut out = Vec::new();
        write_pretty(&mut out, &serde_json::json!({ "a": [1, 2] })).unwrap();
        assert_eq!(String::from_utf8(out).unwrap(), "{\n  \"a\": [\n    1,\n    2\n  ]\n}\n");
    }
}
