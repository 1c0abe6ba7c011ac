//! What leaves the machine: ticket text is scrubbed of personal data and
//! secrets before it is sent to Claude. Each kind of value becomes a typed
//! placeholder (`[EMAIL]`, `[CARD]`, ...) so the model still sees that, say, a
//! card number was mentioned, which helps it classify.
//!
//! Rules match against a normalised copy of the text ([`normalise`]): NFKC,
//! digits of every script read as ASCII digits, invisible characters dropped,
//! `[at]`/`(dot)` read as `@`/`.`. Each match is mapped back to the original
//! bytes it came from, and the output is the *original* text with those spans
//! replaced. Sending the normalised text instead would be simpler, but it would
//! rewrite what the customer wrote even where nothing was secret (fullwidth
//! text, ligatures, emoji joiners, typographic dashes), so ordinary text comes
//! out byte for byte as it went in.
//!
//! Rules run in a fixed order, most specific first: a private key block, a
//! token of a known format, a URL credential, an e-mail address or a labelled
//! password is claimed before the generic digit and entropy rules could take
//! it apart. A claimed span is
//! masked in the working copy, so later rules neither match inside it nor
//! claim it twice. Every regex is compiled once.

mod contacts;
mod labels;
mod normalise;
mod numbers;
mod tokens;
mod urls;

#[cfg(test)]
mod props;
#[cfg(test)]
mod tests;

use normalise::Normalised;
use regex::{Captures, Regex};
use std::ops::{Range, RangeInclusive};

pub use numbers::{is_valid_iban, luhn_valid};

pub const EMAIL: &str = "[EMAIL]";
pub const PHONE: &str = "[PHONE]";
pub const CARD: &str = "[CARD]";
pub const IBAN: &str = "[IBAN]";
pub const IP: &str = "[IP]";
pub const TOKEN: &str = "[TOKEN]";
pub const PASSWORD: &str = "[PASSWORD]";

/// Stands in for claimed bytes in the working copy: a control character that
/// no rule treats as part of a value, so nothing matches across a claim.
const MASK: char = '\u{1}';

/// One value to replace: a byte range of the normalised text.
#[derive(Debug, Clone)]
struct Claim {
    span: Range<usize>,
    placeholder: &'static str,
}

impl Claim {
    fn new(span: Range<usize>, placeholder: &'static str) -> Self {
        Claim { span, placeholder }
    }
}

/// A rule looks at the working copy and proposes claims.
type Rule = fn(&str, &mut Vec<Claim>);

/// The order matters: see the module comment.
const RULES: &[Rule] = &[
    tokens::private_keys,
    tokens::known_tokens,
    urls::url_secrets,
    contacts::emails,
    contacts::spelled_out_emails,
    labels::xml_secrets,
    labels::passwords,
    labels::labelled_secrets,
    labels::auth_schemes,
    numbers::ibans,
    numbers::ipv6,
    numbers::ipv4,
    contacts::international_phones,
    numbers::cards,
    contacts::phones_in_context,
    contacts::national_phones,
    tokens::hex_tokens,
    tokens::high_entropy_tokens,
];

/// Replaces emails, phone numbers, payment cards, IBANs, IP addresses, API
/// keys and tokens, private keys, and labelled passwords with placeholders.
pub fn redact(text: &str) -> String {
    let normalised = Normalised::new(text);
    let mut scan = Scan::new(&normalised.text);
    let mut found = Vec::new();
    for rule in RULES {
        rule(&scan.text, &mut found);
        scan.accept(&mut found);
    }
    rebuild(text, &normalised, &scan.claims)
}

/// The working copy and what has been claimed in it so far.
struct Scan {
    text: String,
    taken: Vec<bool>,
    claims: Vec<Claim>,
}

impl Scan {
    fn new(text: &str) -> Self {
        Scan { text: text.to_owned(), taken: vec![false; text.len()], claims: Vec::new() }
    }

    /// Keeps the proposals that touch nothing claimed before (nor each
    /// other), then masks them.
    fn accept(&mut self, found: &mut Vec<Claim>) {
        for claim in found.drain(..) {
            let Range { start, end } = claim.span;
            let in_bounds = start < end && end <= self.text.len();
            let on_chars = in_bounds && self.text.is_char_boundary(start) && self.text.is_char_boundary(end);
            if !on_chars || self.taken[start..end].iter().any(|&t| t) {
                continue;
            }
            self.taken[start..end].iter_mut().for_each(|t| *t = true);
            let mask: String = std::iter::repeat_n(MASK, end - start).collect();
            self.text.replace_range(start..end, &mask);
            self.claims.push(claim);
        }
    }
}

/// The original text with every claimed span replaced by its placeholder.
fn rebuild(original: &str, normalised: &Normalised, claims: &[Claim]) -> String {
    let mut spans: Vec<(Range<usize>, &str)> =
        claims.iter().map(|c| (normalised.original_range(c.span.clone()), c.placeholder)).collect();
    spans.sort_by_key(|(range, _)| range.start);
    let mut out = String::with_capacity(original.len());
    let mut copied = 0;
    for (range, placeholder) in spans {
        // Two claims can share an original character when NFKC expanded it
        // ("ﬁ" → "fi"); the first placeholder covers both.
        if range.start < copied {
            copied = copied.max(range.end);
            continue;
        }
        out.push_str(&original[copied..range.start]);
        out.push_str(placeholder);
        copied = range.end;
    }
    out.push_str(&original[copied..]);
    out
}

// ------------------------------------------------------------ shared helpers

/// Every match of `re`, offered to `accept`, which returns where what it
/// claimed ends. A rejected match is retried one character later instead of
/// after its end, so "#123 020 7946 0958" still finds the phone behind the
/// order number. Only for patterns of bounded length, or a rejection could
/// rescan the text once per character.
fn each_candidate(re: &Regex, text: &str, mut accept: impl FnMut(&Captures<'_>) -> Option<usize>) {
    let mut at = 0;
    while let Some(caps) = re.captures_at(text, at) {
        let Some(whole) = caps.get(0) else { break };
        let next = whole.start() + char_after(text, whole.start()).map_or(1, char::len_utf8);
        at = accept(&caps).map_or(next, |end| end.max(next));
        if at > text.len() {
            break;
        }
    }
}

/// The longest prefix of a run of digit groups that holds `digits` digits
/// and ends between groups, not inside a dashed, dotted or slashed one
/// (a number followed by a date: "0201234567 2026-11-28"), in bytes.
fn longest_number_prefix(number: &str, digits: RangeInclusive<usize>) -> Option<usize> {
    let bytes = number.as_bytes();
    let ends_a_group = |end: usize| match bytes.get(end..) {
        Some([next, after, ..]) if b"-./".contains(next) => !after.is_ascii_digit(),
        Some([next, ..]) => !next.is_ascii_digit(),
        _ => true,
    };
    (1..=bytes.len())
        .rev()
        .filter(|&end| bytes[end - 1].is_ascii_digit() && ends_a_group(end))
        .find(|&end| digits.contains(&digit_count(&number[..end])))
}

fn char_before(text: &str, at: usize) -> Option<char> {
    text[..at].chars().next_back()
}

fn char_after(text: &str, at: usize) -> Option<char> {
    text[at..].chars().next()
}

fn digit_count(s: &str) -> usize {
    s.bytes().filter(u8::is_ascii_digit).count()
}

/// True when a value was already redacted (so a second pass changes nothing).
fn is_placeholder(value: &str) -> bool {
    let value = value.trim_matches(|c| c == '"' || c == '\'');
    [EMAIL, PHONE, CARD, IBAN, IP, TOKEN, PASSWORD].iter().any(|p| value.starts_with(p))
}

/// Bits per character of the string's own character distribution.
fn shannon_entropy(s: &str) -> f64 {
    let mut counts = [0u32; 128];
    let mut total = 0u32;
    for b in s.bytes().filter(u8::is_ascii) {
        counts[b as usize] += 1;
        total += 1;
    }
    if total == 0 {
        return 0.0;
    }
    counts
        .iter()
        .filter(|&&n| n > 0)
        .map(|&n| {
            let p = f64::from(n) / f64::from(total);
            -p * p.log2()
        })
        .sum()
}
