//! What leaves the machine: ticket text is scrubbed of personal data and
//! secrets before it is sent to Claude. Each kind of value becomes a typed
//! placeholder (`[EMAIL]`, `[CARD]`, ...) so the model still sees that, say, a
//! card number was mentioned, which helps it classify.
//!
//! Rules run in a fixed order, most specific first: a labelled password or a
//! prefixed API key is caught before the generic digit and entropy rules could
//! take it apart. Every regex is compiled once.

use regex::{Captures, Regex};
use std::borrow::Cow;
use std::net::Ipv6Addr;
use std::sync::LazyLock;

pub const EMAIL: &str = "[EMAIL]";
pub const PHONE: &str = "[PHONE]";
pub const CARD: &str = "[CARD]";
pub const IBAN: &str = "[IBAN]";
pub const IP: &str = "[IP]";
pub const TOKEN: &str = "[TOKEN]";
pub const PASSWORD: &str = "[PASSWORD]";

/// Replaces emails, phone numbers, payment cards, IBANs, IP addresses, API
/// keys and tokens, and labelled passwords with placeholders.
pub fn redact(text: &str) -> String {
    let rules: [fn(&str) -> Cow<'_, str>; 11] = [
        passwords,
        labelled_secrets,
        prefixed_tokens,
        emails,
        ibans,
        ipv6,
        ipv4,
        international_phones,
        cards,
        national_phones,
        high_entropy_tokens,
    ];
    let mut out = text.to_owned();
    for rule in rules {
        if let Cow::Owned(changed) = rule(&out) {
            out = changed;
        }
    }
    out
}

/// Rewrites every match of `re` for which `replace` returns a replacement;
/// `replace` sees the whole text so it can check the characters around a match.
fn replace_checked<'t>(
    text: &'t str,
    re: &Regex,
    mut replace: impl FnMut(&str, &Captures<'_>) -> Option<String>,
) -> Cow<'t, str> {
    let mut out = String::new();
    let mut copied = 0;
    let mut changed = false;
    for caps in re.captures_iter(text) {
        let Some(whole) = caps.get(0) else { continue };
        if let Some(with) = replace(text, &caps) {
            out.push_str(&text[copied..whole.start()]);
            out.push_str(&with);
            copied = whole.end();
            changed = true;
        }
    }
    if !changed {
        return Cow::Borrowed(text);
    }
    out.push_str(&text[copied..]);
    Cow::Owned(out)
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

// ---------------------------------------------------------------- passwords

static PASSWORD_RE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r#"(?i)\b(password|passwd|passcode|passphrase|pwd)("?\s*(?:[:=]|\bis\b|\bwas\b)\s*)("[^"\n]*"|'[^'\n]*'|\S+)"#,
    )
    .expect("password regex")
});

/// Words that follow "password is" in ordinary complaints; they are not
/// the password, and keeping them helps the model ("password is wrong").
const NOT_A_PASSWORD: &[&str] = &[
    "a",
    "an",
    "the",
    "my",
    "not",
    "no",
    "now",
    "still",
    "being",
    "been",
    "wrong",
    "incorrect",
    "invalid",
    "expired",
    "correct",
    "right",
    "too",
    "required",
    "rejected",
    "missing",
    "empty",
    "blank",
    "reset",
    "changed",
    "locked",
    "case",
    "saved",
    "set",
    "same",
    "different",
    "accepted",
    "forgotten",
    "lost",
    "unknown",
    "weak",
    "strong",
    "long",
    "short",
    "definitely",
    "always",
    "never",
    "also",
    "just",
    "only",
];

/// True when a value was already redacted (so a second pass changes nothing).
fn is_placeholder(value: &str) -> bool {
    [EMAIL, PHONE, CARD, IBAN, IP, TOKEN, PASSWORD].iter().any(|p| value.starts_with(p))
}

fn passwords(text: &str) -> Cow<'_, str> {
    replace_checked(text, &PASSWORD_RE, |_, caps| {
        let separator = &caps[2];
        let value = &caps[3];
        if is_placeholder(value) {
            return None;
        }
        let word = value.trim_end_matches(|c: char| !c.is_alphanumeric()).to_lowercase();
        let is_prose = !separator.contains([':', '=']) && NOT_A_PASSWORD.contains(&word.as_str());
        (!is_prose).then(|| format!("{}{}{PASSWORD}", &caps[1], separator))
    })
}

// ------------------------------------------------------- labelled API secrets

static LABELLED_SECRET_RE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r#"(?i)\b(api[ _-]?key|secret[ _-]?key|client[ _-]?secret|secret|access[ _-]?token|auth[ _-]?token|refresh[ _-]?token|token)("?\s*[:=]\s*)("[^"\n]*"|'[^'\n]*'|[^\s"',;]+)"#,
    )
    .expect("labelled secret regex")
});

fn labelled_secrets(text: &str) -> Cow<'_, str> {
    replace_checked(text, &LABELLED_SECRET_RE, |_, caps| {
        (!is_placeholder(&caps[3])).then(|| format!("{}{}{TOKEN}", &caps[1], &caps[2]))
    })
}

// ------------------------------------------------------------ prefixed tokens

static PREFIXED_TOKEN_RE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r"\b(?:",
        r"sk-ant-[A-Za-z0-9_-]{8,}",                                 // Anthropic
        r"|sk-[A-Za-z0-9_-]{16,}",                                   // other "sk-" secret keys
        r"|gh[pousr]_[A-Za-z0-9]{20,}",                              // GitHub tokens
        r"|github_pat_[A-Za-z0-9_]{20,}",                            // GitHub fine-grained tokens
        r"|xox[abprs]-[A-Za-z0-9-]{10,}",                            // Slack
        r"|(?:AKIA|ASIA)[A-Z0-9]{16}",                               // AWS access key ids
        r"|AIza[0-9A-Za-z_-]{35}",                                   // Google API keys
        r"|glpat-[A-Za-z0-9_-]{20,}",                                // GitLab
        r"|(?:sk|pk|rk)_(?:live|test)_[A-Za-z0-9]{10,}",             // Stripe
        r"|eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*", // JWT
        r")",
    ))
    .expect("prefixed token regex")
});

static AUTH_SCHEME_RE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b(bearer|basic)(\s+)([A-Za-z0-9._~+/-]{8,}=*)").expect("auth scheme regex")
});

fn prefixed_tokens(text: &str) -> Cow<'_, str> {
    let text = replace_checked(text, &PREFIXED_TOKEN_RE, |_, _| Some(TOKEN.to_owned()));
    let replaced = replace_checked(&text, &AUTH_SCHEME_RE, |_, caps| {
        // "bearer instruments" is prose; a credential has digits, symbols or length.
        let value = &caps[3];
        let looks_secret = value.len() >= 20 || value.chars().any(|c| !c.is_ascii_alphabetic());
        looks_secret.then(|| format!("{}{}{TOKEN}", &caps[1], &caps[2]))
    });
    Cow::Owned(replaced.into_owned())
}

// ------------------------------------------------------------------- emails

static EMAIL_RE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"[\w.%+-]+@[\w-]+(?:\.[\w-]+)*\.\w{2,}").expect("email regex"));

fn emails(text: &str) -> Cow<'_, str> {
    EMAIL_RE.replace_all(text, EMAIL)
}

// -------------------------------------------------------------------- IBANs

static IBAN_RE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,3})?\b").expect("iban regex")
});

fn ibans(text: &str) -> Cow<'_, str> {
    replace_checked(text, &IBAN_RE, |_, caps| is_valid_iban(&caps[0]).then(|| IBAN.to_owned()))
}

/// ISO 13616: move the country code and check digits to the end, read letters
/// as 10..35, and the whole number must be 1 modulo 97.
pub fn is_valid_iban(candidate: &str) -> bool {
    let compact: String = candidate.chars().filter(|c| !c.is_whitespace()).collect::<String>().to_uppercase();
    if !(15..=34).contains(&compact.len()) || !compact.is_ascii() {
        return false;
    }
    let (head, tail) = compact.split_at(4);
    let mut remainder: u32 = 0;
    for c in tail.chars().chain(head.chars()) {
        let value = match c.to_digit(36) {
            Some(v) => v,
            None => return false,
        };
        // Letters count as two digits (10..35), digits as one.
        remainder = if value >= 10 { (remainder * 100 + value) % 97 } else { (remainder * 10 + value) % 97 };
    }
    remainder == 1
}

// ---------------------------------------------------------------------- IPs

static IPV6_RE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(?:[0-9a-f]{0,4}:){2,7}(?:\d{1,3}(?:\.\d{1,3}){3}|[0-9a-f]{0,4})(?:%[0-9a-z]+)?")
        .expect("ipv6 regex")
});

fn ipv6(text: &str) -> Cow<'_, str> {
    replace_checked(text, &IPV6_RE, |text, caps| {
        let m = caps.get(0)?;
        let touching = |c: Option<char>| c.is_some_and(|c| c.is_alphanumeric() || c == ':' || c == '_');
        if touching(char_before(text, m.start())) || touching(char_after(text, m.end())) {
            return None;
        }
        let address = m.as_str().split('%').next().unwrap_or_default();
        // "dead::beef" parses too, but real addresses almost always carry a digit.
        let plausible = address.chars().any(|c| c.is_ascii_digit());
        (plausible && address.parse::<Ipv6Addr>().is_ok()).then(|| IP.to_owned())
    })
}

static IPV4_RE: LazyLock<Regex> = LazyLock::new(|| {
    let octet = r"(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)";
    Regex::new(&format!(r"\b{octet}(?:\.{octet}){{3}}\b(?:/\d{{1,2}}\b)?")).expect("ipv4 regex")
});

fn ipv4(text: &str) -> Cow<'_, str> {
    replace_checked(text, &IPV4_RE, |text, caps| {
        let m = caps.get(0)?;
        // "1.2.3.4.5" is a version string, not an address.
        let rest = &text[m.end()..];
        let continues = rest.starts_with('.') && rest[1..].starts_with(|c: char| c.is_ascii_digit());
        let after_dot = char_before(text, m.start()) == Some('.');
        (!continues && !after_dot).then(|| IP.to_owned())
    })
}

// ------------------------------------------------------------------- phones

/// `+44 20 7946 0958`, `+1 (555) 123-4567`, `0049 30 1234567`, `+44 (0)20 ...`.
static INTERNATIONAL_PHONE_RE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:\+|\b00)[1-9]\d{0,2}(?:[ .-]?\(\d{1,4}\))?(?:[ .-]?\d{1,5}){1,6}\b").expect("phone regex")
});

fn international_phones(text: &str) -> Cow<'_, str> {
    replace_checked(text, &INTERNATIONAL_PHONE_RE, |text, caps| {
        let m = caps.get(0)?;
        let glued = char_before(text, m.start()).is_some_and(|c| c.is_alphanumeric() || c == '#');
        (!glued && (7..=15).contains(&digit_count(m.as_str()))).then(|| PHONE.to_owned())
    })
}

/// National formats: North American `(555) 123-4567` / `555-123-4567` /
/// `1-800-555-0199`, trunk-prefixed `020 7946 0958` / `06 12 34 56 78` /
/// `07700 900123`, and area codes in parentheses `(03) 9123 4567`.
static NATIONAL_PHONE_RE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r"(?:\b1[ .-])?(?:\(\d{3}\)[ .-]?|\b\d{3}[ .-])\d{3}[ .-]\d{4}\b",
        r"|\b0\d{1,4}[ .-]?\d{2,4}(?:[ .-]?\d{2,4}){1,3}\b",
        r"|\(0?\d{1,4}\)[ .-]?\d{3,4}[ .-]?\d{3,4}\b",
    ))
    .expect("national phone regex")
});

/// A number introduced as a phone number: "call me at 5551234567".
static PHONE_CONTEXT_RE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r"(?i)\b(phone|telephone|tel|mobile|cell|whatsapp|fax|call me|reach me|text me)\b",
        r"(\s*(?:number|no\.?|#)?\s*(?:is|:|at|on)?\s*)",
        r"(\+?\(?\d[\d ().-]{5,20}\d)\b",
    ))
    .expect("phone context regex")
});

fn national_phones(text: &str) -> Cow<'_, str> {
    let text = replace_checked(text, &PHONE_CONTEXT_RE, |_, caps| {
        (7..=15).contains(&digit_count(&caps[3])).then(|| format!("{}{}{PHONE}", &caps[1], &caps[2]))
    });
    let replaced = replace_checked(&text, &NATIONAL_PHONE_RE, |text, caps| {
        let m = caps.get(0)?;
        let digits = digit_count(m.as_str());
        // "#0012345678" is an order number; dates like 01.02.2024 are too short.
        let glued =
            char_before(text, m.start()).is_some_and(|c| c.is_alphanumeric() || "#$€£.,/".contains(c));
        let continues = char_after(text, m.end()).is_some_and(|c| c == '.' || c == ',' || c == '/')
            && text[m.end() + 1..].starts_with(|c: char| c.is_ascii_digit());
        (!glued && !continues && (9..=12).contains(&digits)).then(|| PHONE.to_owned())
    });
    Cow::Owned(replaced.into_owned())
}

// -------------------------------------------------------------------- cards

static CARD_RE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\b\d(?:[ -]?\d){12,18}\b").expect("card regex"));

fn cards(text: &str) -> Cow<'_, str> {
    replace_checked(text, &CARD_RE, |text, caps| {
        let m = caps.get(0)?;
        if char_before(text, m.start()).is_some_and(|c| c == '+' || c == '.') {
            return None;
        }
        redact_card_run(m.as_str())
    })
}

/// Finds the longest run of whole digit groups that is a Luhn-valid card
/// number of 13–19 digits, so "4111 1111 1111 1111 12" still loses its card.
fn redact_card_run(run: &str) -> Option<String> {
    // Group boundaries as byte offsets: start of each group, end of each group.
    let mut groups: Vec<(usize, usize)> = Vec::new();
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
    let mut best: Option<(usize, usize)> = None;
    for first in 0..groups.len() {
        for last in first..groups.len() {
            let (from, to) = (groups[first].0, groups[last].1);
            let digits: String = run[from..to].chars().filter(char::is_ascii_digit).collect();
            let longer = best.is_none_or(|(f, t)| to - from > t - f);
            if (13..=19).contains(&digits.len()) && luhn_valid(&digits) && longer {
                best = Some((from, to));
            }
        }
    }
    let (from, to) = best?;
    Some(format!("{}{CARD}{}", &run[..from], &run[to..]))
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

// ------------------------------------------------------ high-entropy strings

static LONG_STRING_RE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"[A-Za-z0-9+/_-]{32,}={0,2}").expect("long string regex"));

fn high_entropy_tokens(text: &str) -> Cow<'_, str> {
    replace_checked(text, &LONG_STRING_RE, |text, caps| {
        let m = caps.get(0)?;
        // Part of a URL path or a file name: "/a/b" and "x.y" neighbours.
        if char_before(text, m.start()).is_some_and(|c| c.is_alphanumeric()) {
            return None;
        }
        looks_like_secret(m.as_str()).then(|| TOKEN.to_owned())
    })
}

/// Long hex strings are always hashes or keys; other long strings count when
/// they mix letters and digits and are about as varied as random data.
fn looks_like_secret(s: &str) -> bool {
    let body = s.trim_end_matches('=');
    if body.len() >= 32 && body.chars().all(|c| c.is_ascii_hexdigit()) {
        return body.chars().any(|c| c.is_ascii_alphabetic()) || body.len() >= 40;
    }
    let has_digit = body.chars().any(|c| c.is_ascii_digit());
    let has_lower = body.chars().any(|c| c.is_ascii_lowercase());
    let has_upper = body.chars().any(|c| c.is_ascii_uppercase());
    if !has_digit || !(has_lower || has_upper) {
        return false;
    }
    // Paths are mostly lower case words; random base64 mixes cases.
    if body.contains('/') && !(has_lower && has_upper) {
        return false;
    }
    shannon_entropy(body) >= 3.5
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

#[cfg(test)]
mod tests {
    use super::*;

    /// (input, expected output) pairs: each kind with positive and negative cases.
    const TABLE: &[(&str, &str)] = &[
        // Emails.
        ("write to jane.doe@example.com please", "write to [EMAIL] please"),
        ("JOHN+billing@mail.example.co.uk.", "[EMAIL]."),
        ("ünïcödé@exämple.de", "[EMAIL]"),
        ("the @mention and user@localhost stay", "the @mention and user@localhost stay"),
        // Phones, international.
        ("call +44 20 7946 0958 now", "call [PHONE] now"),
        ("+1 (555) 123-4567", "[PHONE]"),
        ("+33 1 23 45 67 89", "[PHONE]"),
        ("+44 (0)20 7946 0958", "[PHONE]"),
        ("0049 30 1234567", "[PHONE]"),
        ("+4915112345678", "[PHONE]"),
        // Phones, national.
        ("(555) 123-4567", "[PHONE]"),
        ("555-123-4567", "[PHONE]"),
        ("555.123.4567", "[PHONE]"),
        ("1-800-555-0199", "[PHONE]"),
        ("020 7946 0958", "[PHONE]"),
        ("07700 900123", "[PHONE]"),
        ("06 12 34 56 78", "[PHONE]"),
        ("(03) 9123 4567", "[PHONE]"),
        ("my phone number is 5551234567", "my phone number is [PHONE]"),
        ("Tel: 5551234", "Tel: [PHONE]"),
        // Ordinary numbers stay.
        ("order #12345 failed", "order #12345 failed"),
        ("order #0012345678 failed", "order #0012345678 failed"),
        ("since 2019 and in 2024", "since 2019 and in 2024"),
        ("got a 500 error", "got a 500 error"),
        ("between 2019-2024", "between 2019-2024"),
        ("on 01.02.2024 at 10:30", "on 01.02.2024 at 10:30"),
        ("charged $1,234.56 twice", "charged $1,234.56 twice"),
        ("Windows 10.0.19045.3803", "Windows 10.0.19045.3803"),
        ("5551234567 is an account number", "5551234567 is an account number"),
        ("invoice 1234567 and 7654321", "invoice 1234567 and 7654321"),
        // Cards (Luhn-valid) and non-cards.
        ("card 4111 1111 1111 1111 exp 12/27", "card [CARD] exp 12/27"),
        ("4111-1111-1111-1111", "[CARD]"),
        ("5500005555555559", "[CARD]"),
        ("amex 3782 822463 10005", "amex [CARD]"),
        ("4111 1111 1111 1111 12", "[CARD] 12"),
        ("4111 1111 1111 1112", "4111 1111 1111 1112"),
        ("1234567890123456", "1234567890123456"),
        // IBANs (mod-97) and near misses.
        ("IBAN DE89 3704 0044 0532 0130 00 thanks", "IBAN [IBAN] thanks"),
        ("GB82WEST12345698765432", "[IBAN]"),
        ("fr14 2004 1010 0505 0001 3m02 606", "[IBAN]"),
        ("GB82WEST12345698765433 and GB82 WEST 1234", "GB82WEST12345698765433 and GB82 WEST 1234"),
        // IP addresses.
        ("from 192.168.1.20 and 10.0.0.1", "from [IP] and [IP]"),
        ("subnet 10.0.0.0/8", "subnet [IP]"),
        ("host 2001:db8:85a3::8a2e:370:7334 down", "host [IP] down"),
        ("::1 and fe80::1%eth0", "[IP] and [IP]"),
        ("::ffff:192.0.2.128", "[IP]"),
        ("version 1.2.3.4.5 and 999.1.1.1", "version 1.2.3.4.5 and 999.1.1.1"),
        ("at 10:30:00 use std::vector or dead::beef", "at 10:30:00 use std::vector or dead::beef"),
        ("mac 00:1A:2B:3C:4D:5E", "mac 00:1A:2B:3C:4D:5E"),
        // Tokens.
        ("key sk-ant-api03-AbCdEf0123456789_xyz-QRS", "key [TOKEN]"),
        ("sk-proj-abcdefghijklmnop1234", "[TOKEN]"),
        ("ghp_abcdefghijklmnopqrstuvwxyz0123456789", "[TOKEN]"),
        ("xoxb-1234567890-abcdefghij", "[TOKEN]"),
        ("AKIAIOSFODNN7EXAMPLE", "[TOKEN]"),
        ("Authorization: Bearer abc.def-123_XYZ", "Authorization: Bearer [TOKEN]"),
        ("bearer instruments are fine", "bearer instruments are fine"),
        ("sha 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08", "sha [TOKEN]"),
        ("dGhpcyBpcyBhIHNlY3JldCB0b2tlbiB2YWx1ZQ==", "[TOKEN]"),
        ("api_key=abc123", "api_key=[TOKEN]"),
        (r#"{"token": "q1w2e3r4"}"#, r#"{"token": [TOKEN]}"#),
        ("supercalifragilisticexpialidocious_words", "supercalifragilisticexpialidocious_words"),
        ("id 550e8400-e29b-41d4-a716-446655440000", "id 550e8400-e29b-41d4-a716-446655440000"),
        ("/var/log/application/server/errors.log", "/var/log/application/server/errors.log"),
        ("the token expired yesterday", "the token expired yesterday"),
        // Passwords keep their label.
        ("password: hunter2", "password: [PASSWORD]"),
        ("Password=S3cr3t!", "Password=[PASSWORD]"),
        ("pwd: abc def", "pwd: [PASSWORD] def"),
        ("my passcode is 4242", "my passcode is [PASSWORD]"),
        (r#"password: "correct horse battery""#, "password: [PASSWORD]"),
        (r#"{"password":"hunter2"}"#, r#"{"password":[PASSWORD]}"#),
        ("my password is wrong", "my password is wrong"),
        ("password was reset", "password was reset"),
        ("forgot my password again", "forgot my password again"),
    ];

    #[test]
    fn table_of_examples() {
        let mut failures = Vec::new();
        for (input, expected) in TABLE {
            let got = redact(input);
            if got != *expected {
                failures.push(format!("{input:?}\n   expected {expected:?}\n        got {got:?}"));
            }
        }
        assert!(failures.is_empty(), "{} redaction mismatches:\n{}", failures.len(), failures.join("\n"));
    }

    #[test]
    fn a_realistic_ticket_keeps_its_meaning() {
        let ticket = "Hi, I'm Jane (jane@corp.example, +1 415 555 0134). I was charged twice on card \
                      4242 4242 4242 4242 for order #88231. Our server 203.0.113.9 shows a 500 error \
                      since 2024. password: Tr0ub4dor&3";
        let out = redact(ticket);
        assert_eq!(
            out,
            "Hi, I'm Jane ([EMAIL], [PHONE]). I was charged twice on card [CARD] for order #88231. \
             Our server [IP] shows a 500 error since 2024. password: [PASSWORD]"
        );
    }

    #[test]
    fn text_without_secrets_is_unchanged() {
        for text in ["", "   ", "The app crashes when I click Save.", "Refund for invoice 2024-0042?"] {
            assert_eq!(redact(text), text);
        }
    }

    #[test]
    fn redaction_is_idempotent() {
        for (input, _) in TABLE {
            let once = redact(input);
            assert_eq!(redact(&once), once, "second pass changed {input:?}");
        }
    }

    #[test]
    fn luhn_and_iban_checks() {
        assert!(luhn_valid("4111111111111111"));
        assert!(luhn_valid("378282246310005"));
        assert!(!luhn_valid("4111111111111112"));
        assert!(!luhn_valid(""));
        assert!(!luhn_valid("41x1"));
        assert!(is_valid_iban("DE89370400440532013000"));
        assert!(is_valid_iban("gb82 west 1234 5698 7654 32"));
        assert!(!is_valid_iban("GB82WEST12345698765433"));
        assert!(!is_valid_iban("DE89"));
        assert!(!is_valid_iban("DE89 3704 0044 0532 0130 0Ä"));
    }

    #[test]
    fn never_panics_on_awkward_input() {
        let awkward = [
            "\u{0}\u{1b}[31m+",
            "++++++++",
            "0000000000000000000000000000000000000000000000000000",
            "password:",
            "password: ",
            "@@@@.com",
            "::::::::::",
            "é4111 1111 1111 1111é",
            "+",
            "1.1.1.1.1.1.1.1",
            "Bearer",
            "🙂 4111111111111111 🙂 jane@example.com 🙂",
        ];
        for text in awkward {
            let _ = redact(text);
        }
        // Thousands of pseudo-random mixes of the awkward pieces of every rule.
        let pieces = [
            "+", "00", "4111", " ", "-", ".", ":", "::", "@", "é", "🙂", "(", ")", "#", "/", "=", "\"", "'",
            "password", " is ", "Bearer ", "sk-ant-", "DE89", "1", "0", "255", "ab", "\n", "[TOKEN]",
            "token=",
        ];
        let mut seed: u64 = 0x2545_f491_4f6c_dd1d;
        for _ in 0..3000 {
            let mut text = String::new();
            for _ in 0..(seed % 24) {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                text.push_str(pieces[(seed % pieces.len() as u64) as usize]);
            }
            let _ = redact(&text);
        }
        // A 200,000-character pseudo-random paste is one token, found in linear time.
        let alphabet = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
        let long: String =
            (0..200_000usize).map(|i| alphabet[(i * 7919 + i / 13) % alphabet.len()] as char).collect();
        assert_eq!(redact(&long), TOKEN);
    }
}
