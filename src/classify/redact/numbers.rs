//! Numbers that identify money or machines: payment cards (Luhn-checked),
//! IBANs (mod-97-checked) and IP addresses.

use super::{CARD, Claim, IBAN, IP, char_after, char_before, each_candidate};
use regex::Regex;
use std::net::Ipv6Addr;
use std::sync::LazyLock;

// -------------------------------------------------------------------- cards

/// A maximal run of digit groups, split by spaces, a line break (a number
/// wrapped by a mail client), or one of `- . / _`.
static DIGIT_RUN_RE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"[0-9]+(?:(?:[ \t]{1,2}|[ \t]*\r?\n[ \t]*|[-./_])[0-9]+)*").expect("digit run regex")
});

pub(super) fn cards(text: &str, found: &mut Vec<Claim>) {
    for run in DIGIT_RUN_RE.find_iter(text) {
        // A group glued to a word ("sha3f2a4111…", "v2.3") or a sign ("+4111…")
        // is part of something else; the rest of the run may still hold a card.
        let glued_before = char_before(text, run.start()).is_some_and(|c| c.is_alphanumeric() || c == '+');
        let glued_after = char_after(text, run.end()).is_some_and(char::is_alphanumeric);
        let mut groups = digit_groups(run.as_str());
        if glued_after {
            groups.pop();
        }
        if glued_before && !groups.is_empty() {
            groups.remove(0);
        }
        for (from, to) in cards_in_run(run.as_str(), &groups) {
            found.push(Claim::new(run.start() + from..run.start() + to, CARD));
        }
    }
}

/// Byte ranges of the card numbers in a run: from each group, the longest
/// span of whole groups that holds 13–19 digits and passes Luhn, so
/// "4111 1111 1111 1111 12" still loses its card and two cards in a row
/// are both found. Groups of one or two digits join no card: they are dates,
/// versions and counts, not the 4-4-4-4 or 4-6-5 blocks cards are printed in.
fn cards_in_run(run: &str, groups: &[(usize, usize)]) -> Vec<(usize, usize)> {
    let mut windows: Vec<(usize, usize)> = Vec::new();
    let mut first = 0;
    while first < groups.len() {
        match longest_card_from(run, groups, first) {
            Some(last) => {
                windows.push((first, last));
                first = last + 1;
            }
            None => first += 1,
        }
    }
    widen(run, groups, &mut windows);
    windows.iter().map(|&(first, last)| (groups[first].0, groups[last].1)).collect()
}

fn longest_card_from(run: &str, groups: &[(usize, usize)], first: usize) -> Option<usize> {
    let mut best = None;
    let mut digits = String::new();
    for (last, &(from, to)) in groups.iter().enumerate().skip(first) {
        let short = |(from, to): (usize, usize)| to - from < 3;
        if last > first && (short((from, to)) || short(groups[first])) {
            break;
        }
        digits.push_str(&run[from..to]);
        if digits.len() > 19 {
            break;
        }
        if digits.len() >= 13 && luhn_valid(&digits) {
            best = Some(last);
        }
    }
    best
}

/// A number written right against a card ("ref 48213 4111 1111 1111 1111")
/// makes the card's boundaries ambiguous: a wrong guess would leave one of
/// its blocks behind, so the neighbouring blocks of three or more digits go
/// with it, unless a block is part of a date or version ("2026-11-28").
fn widen(run: &str, groups: &[(usize, usize)], windows: &mut [(usize, usize)]) {
    let block = |i: usize| groups[i].1 - groups[i].0 >= 3;
    // Groups `i` and `i + 1` are written as one short-grouped number.
    let dotted = |i: usize| {
        let between = &run[groups[i].1..groups[i + 1].0];
        between.contains(['-', '.', '/']) && !(block(i) && block(i + 1))
    };
    let alone = |i: usize| block(i) && (i == 0 || !dotted(i - 1)) && (i + 1 == groups.len() || !dotted(i));
    for k in 0..windows.len() {
        let floor = if k == 0 { 0 } else { windows[k - 1].1 + 1 };
        let ceiling = windows.get(k + 1).map_or(groups.len(), |w| w.0);
        let (mut first, mut last) = windows[k];
        while first > floor && alone(first - 1) {
            first -= 1;
        }
        while last + 1 < ceiling && alone(last + 1) {
            last += 1;
        }
        windows[k] = (first, last);
    }
}

fn digit_groups(run: &str) -> Vec<(usize, usize)> {
    let mut groups = Vec::new();
    let mut start = None;
    for (i, c) in run.char_indices() {
        match (c.is_ascii_digit(), start) {
            (true, None) => start = Some(i),
            (false, Some(s)) => {
                groups.push((s, i));
                start = None;
            }
            _ => {}
        }
    }
    if let Some(s) = start {
        groups.push((s, run.len()));
    }
    groups
}

/// The Luhn checksum that every payment card number satisfies.
pub fn luhn_valid(digits: &str) -> bool {
    let mut sum = 0;
    for (i, c) in digits.chars().rev().enumerate() {
        let Some(mut d) = c.to_digit(10) else { return false };
        if i % 2 == 1 {
            d *= 2;
            if d > 9 {
                d -= 9;
            }
        }
        sum += d;
    }
    !digits.is_empty() && sum % 10 == 0
}

// -------------------------------------------------------------------- IBANs

static IBAN_RE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(?-u:\b)[A-Z]{2}[0-9]{2}(?:[ -]?[A-Z0-9]{4}){2,7}(?:[ -]?[A-Z0-9]{1,3})?(?-u:\b)")
        .expect("iban regex")
});

pub(super) fn ibans(text: &str, found: &mut Vec<Claim>) {
    each_candidate(&IBAN_RE, text, |caps| {
        let m = caps.get(0)?;
        let len = longest_valid_iban(m.as_str())?;
        found.push(Claim::new(m.start()..m.start() + len, IBAN));
        Some(m.start() + len)
    });
}

/// The longest prefix (in bytes) that is a valid IBAN, so a word the pattern
/// swallowed after the number ("… 0130 00 CODE") does not hide it.
fn longest_valid_iban(candidate: &str) -> Option<usize> {
    let ends: Vec<usize> = candidate
        .char_indices()
        .filter(|(_, c)| *c != ' ' && *c != '-')
        .map(|(i, c)| i + c.len_utf8())
        .collect();
    (15..=ends.len().min(34)).rev().map(|n| ends[n - 1]).find(|&end| is_valid_iban(&candidate[..end]))
}

/// ISO 13616: move the country code and check digits to the end, read letters
/// as 10..35, and the whole number must be 1 modulo 97.
pub fn is_valid_iban(candidate: &str) -> bool {
    let compact: String =
        candidate.chars().filter(|c| !c.is_whitespace() && *c != '-').collect::<String>().to_uppercase();
    if !(15..=34).contains(&compact.len()) || !compact.is_ascii() {
        return false;
    }
    let (head, tail) = compact.split_at(4);
    if !head[..2].chars().all(|c| c.is_ascii_alphabetic()) {
        return false;
    }
    let mut remainder: u32 = 0;
    for c in tail.chars().chain(head.chars()) {
        let Some(value) = c.to_digit(36) else { return false };
        // Letters count as two digits (10..35), digits as one.
        remainder = if value >= 10 { (remainder * 100 + value) % 97 } else { (remainder * 10 + value) % 97 };
    }
    remainder == 1
}

// ---------------------------------------------------------------------- IPs

static IPV6_RE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(?:[0-9a-f]{0,4}:){2,7}(?:[0-9]{1,3}(?:\.[0-9]{1,3}){3}|[0-9a-f]{0,4})(?:%[0-9a-z]+)?")
        .expect("ipv6 regex")
});

pub(super) fn ipv6(text: &str, found: &mut Vec<Claim>) {
    for m in IPV6_RE.find_iter(text) {
        let touching = |c: Option<char>| c.is_some_and(|c| c.is_alphanumeric() || c == ':' || c == '_');
        if touching(char_before(text, m.start())) || touching(char_after(text, m.end())) {
            continue;
        }
        let address = m.as_str().split('%').next().unwrap_or_default();
        // "dead::beef" parses too, but real addresses almost always carry a digit.
        let plausible = address.chars().any(|c| c.is_ascii_digit());
        if plausible && address.parse::<Ipv6Addr>().is_ok() {
            found.push(Claim::new(m.range(), IP));
        }
    }
}

/// Octets of up to three digits, leading zeros allowed (`192.168.001.020`);
/// the values are checked in code.
static IPV4_RE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?-u:\b)[0-9]{1,3}(?:\.[0-9]{1,3}){3}(?-u:\b)(?:/[0-9]{1,2}(?-u:\b))?").expect("ipv4 regex")
});

pub(super) fn ipv4(text: &str, found: &mut Vec<Claim>) {
    for m in IPV4_RE.find_iter(text) {
        let address = m.as_str().split('/').next().unwrap_or_default();
        if !address.split('.').all(|octet| octet.parse::<u8>().is_ok()) {
            continue;
        }
        // "1.2.3.4.5" is a version string, not an address.
        let rest = &text[m.end()..];
        let continues = rest.starts_with('.') && rest[1..].starts_with(|c: char| c.is_ascii_digit());
        let after_dot = char_before(text, m.start()) == Some('.');
        if !continues && !after_dot {
            found.push(Claim::new(m.range(), IP));
        }
    }
}
