//! Ways to reach a person: e-mail addresses (plain, quoted, spelled out) and
//! phone numbers (international, national shapes, or introduced as a number).

use super::{Claim, EMAIL, PHONE, char_before, each_candidate, longest_number_prefix};
use regex::Regex;
use std::sync::LazyLock;

// ------------------------------------------------------------------- emails

/// `jane.doe@example.com`, `"jane doe"@example.com`, `jane @ example.com`
/// (but not "logins are @example.com", a domain).
/// The normaliser has already turned `＠`, `[at]` and `(dot)` into `@` and `.`.
static EMAIL_RE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r#"(?:"[^"\r\n@\x01]+"|[\w.%+-]+)(?:@|[ \t]@[ \t])"#,
        // Counted repeats of a Unicode class ("\p{L}{2,63}") compile slowly.
        r"[\w-]+(?:\.[\w-]+)*\.(?:\p{L}\p{L}+|xn--[a-z0-9-]+)",
    ))
    .expect("email regex")
});

pub(super) fn emails(text: &str, found: &mut Vec<Claim>) {
    found.extend(EMAIL_RE.find_iter(text).map(|m| Claim::new(m.range(), EMAIL)));
}

/// `john dot doe at gmail dot com`, `john.doe at gmail.com`.
static SPELLED_EMAIL_RE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r"(?i)(?P<local>[\w%+-]+(?:(?:\.|[ \t]+dot[ \t]+)[\w%+-]+)*)",
        r"[ \t]+at[ \t]+",
        r"(?P<domain>[\w-]+(?:(?:\.|[ \t]+dot[ \t]+)[\w-]+)+)",
    ))
    .expect("spelled email regex")
});

pub(super) fn spelled_out_emails(text: &str, found: &mut Vec<Claim>) {
    let mut at = 0;
    while let Some(caps) = SPELLED_EMAIL_RE.captures_at(text, at) {
        let (Some(whole), Some(local), Some(domain)) = (caps.get(0), caps.name("local"), caps.name("domain"))
        else {
            break;
        };
        if is_spelled_mailbox(local.as_str(), domain.as_str()) {
            found.push(Claim::new(whole.range(), EMAIL));
            at = whole.end();
        } else {
            // "hello at john.doe at example.com": the address may start inside
            // the domain just rejected; any later start in the local part would
            // meet the same domain.
            at = domain.start();
        }
    }
}

fn is_spelled_mailbox(local: &str, domain: &str) -> bool {
    let spelled = |s: &str| s.to_ascii_lowercase().split_whitespace().any(|w| w == "dot");
    let tld = domain.rsplit(|c: char| c == '.' || c.is_whitespace()).next().unwrap_or_default();
    let tld_ok = (2..=24).contains(&tld.chars().count()) && tld.chars().all(char::is_alphabetic);
    // "log in at app.example.com" is an instruction, not an address: a bare
    // "at" counts when the dots are spelled out too, or the local part
    // looks like a mailbox (john.doe, j_doe, jane+billing).
    let mailbox = spelled(domain) || spelled(local) || local.contains(['.', '_', '+']);
    tld_ok && mailbox
}

// ------------------------------------------------------------------- phones

/// `+44 20 7946 0958`, `+1 (555) 123-4567`, `0049 30 1234567`, `+44 (0)20 ...`.
static INTERNATIONAL_PHONE_RE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:\+|(?-u:\b)00)[1-9][0-9]{0,2}(?:[ .-]?\([0-9]{1,4}\))?(?:[ .-]?[0-9]{1,5}){1,6}(?-u:\b)")
        .expect("phone regex")
});

pub(super) fn international_phones(text: &str, found: &mut Vec<Claim>) {
    each_candidate(&INTERNATIONAL_PHONE_RE, text, |caps| {
        let m = caps.get(0)?;
        let glued = char_before(text, m.start()).is_some_and(|c| c.is_alphanumeric() || c == '#');
        if glued || continues_a_number(text, m.as_str(), m.start()) {
            return None;
        }
        let len = longest_number_prefix(m.as_str(), 7..=15)?;
        found.push(Claim::new(m.start()..m.start() + len, PHONE));
        Some(m.start() + len)
    });
}

/// "1-800-001-0000", "020 0010 0000", "(020) 0010 0000", a card's "0012"
/// block: a "00" right after another digit group is the tail of a longer
/// number, not a number dialled from abroad.
fn continues_a_number(text: &str, number: &str, at: usize) -> bool {
    let mut before = text[..at].chars().rev();
    number.starts_with("00")
        && before.next().is_some_and(|c| c.is_whitespace() || "-./".contains(c))
        && before.next().is_some_and(|c| c.is_ascii_digit() || c == ')')
}

/// A number introduced as a phone number: "call me at 5551234567",
/// "my number is 555-1234".
static PHONE_CONTEXT_RE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r"(?i)(?-u:\b)(?:phone|telephone|tel|mobile|mob|cell|whatsapp|signal|fax|sms|",
        r"call me|reach me|text me|ring me|my number|contact number|callback number)(?-u:\b)",
        r"[ \t]*(?:number|no\.?|nr\.?|#)?[ \t]*(?:is|:|at|on)?[ \t]*",
        r"(?P<number>\+?\(?[0-9][0-9 ().-]{5,20}[0-9])(?-u:\b)",
    ))
    .expect("phone context regex")
});

pub(super) fn phones_in_context(text: &str, found: &mut Vec<Claim>) {
    each_candidate(&PHONE_CONTEXT_RE, text, |caps| {
        let number = caps.name("number")?;
        let len = longest_number_prefix(number.as_str(), 7..=15)?;
        found.push(Claim::new(number.start()..number.start() + len, PHONE));
        Some(number.start() + len)
    });
}

/// National shapes, each 9–12 digits:
/// North American `(555) 123-4567` / `555-123-4567` / `1-800-555-0199`;
/// trunk-prefixed `020 7946 0958` / `06 12 34 56 78` / `07700 900123`;
/// an area code in parentheses `(03) 9123 4567` / `(11) 91234-5678`;
/// Indian mobiles `98765 43210`; three threes `612 345 678`;
/// Brazilian mobiles `11 91234-5678`.
static NATIONAL_PHONE_RE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r"(?:(?-u:\b)1[ .-])?(?:\([0-9]{3}\)[ .-]?|(?-u:\b)[0-9]{3}[ .-])[0-9]{3}[ .-][0-9]{4}(?-u:\b)",
        r"|(?-u:\b)0[0-9]{1,4}[ ./-]?[0-9]{2,4}(?:[ .-]?[0-9]{2,4}){1,3}(?-u:\b)",
        r"|\(0?[0-9]{1,4}\)[ .-]?[0-9]{3,5}[ .-]?[0-9]{3,4}(?-u:\b)",
        r"|(?-u:\b)[6-9][0-9]{4}[ -][0-9]{5}(?-u:\b)",
        r"|(?-u:\b)[2-9][0-9]{2}[ -][0-9]{3}[ -][0-9]{3}(?-u:\b)",
        r"|(?-u:\b)[1-9][0-9][ -]9[0-9]{4}-[0-9]{4}(?-u:\b)",
    ))
    .expect("national phone regex")
});

pub(super) fn national_phones(text: &str, found: &mut Vec<Claim>) {
    each_candidate(&NATIONAL_PHONE_RE, text, |caps| {
        let m = caps.get(0)?;
        // "#0012345678" is an order number, "$1.234.567.890" an amount, the
        // "05 …" of "14:05 …" the end of a time.
        let mut before = text[..m.start()].chars().rev();
        let glued = match before.next() {
            Some(':') => before.next().is_some_and(|c| c.is_ascii_digit()),
            Some(c) => c.is_alphanumeric() || "#$€£.,/".contains(c),
            None => false,
        };
        if glued {
            return None;
        }
        let len = longest_number_prefix(m.as_str(), 9..=12)?;
        // A date followed by more digits ("01.02.2024.5") or a time ("28 14:05").
        let rest = &text[m.start() + len..];
        let continues =
            rest.starts_with(['.', ',', '/', ':']) && rest[1..].starts_with(|c: char| c.is_ascii_digit());
        if continues {
            return None;
        }
        found.push(Claim::new(m.start()..m.start() + len, PHONE));
        Some(m.start() + len)
    });
}
