//! Generated checks: a secret of every kind, wrapped in ordinary ticket text,
//! never survives redaction, not even in part; ordinary text never changes.

use super::redact;
use super::tests::ORDINARY;
use super::tokens::FAMILIES;
use proptest::prelude::*;
use proptest::sample::select;
use proptest::strategy::Union;
use proptest::string::string_regex;

/// Ticket words around the secret (no labels such as "key:", which would
/// legitimately claim only the first word after them).
const WORDS: &[&str] = &[
    "hello",
    "the",
    "printer",
    "refund",
    "please",
    "urgent",
    "login",
    "fails",
    "after",
    "update",
    "thanks",
    "account",
    "billing",
    "my",
    "see",
    "and",
    "at",
    "order 48213",
    "#123",
    "$1,299.00",
    "2026-11-28",
    "14:05",
    "v2.3.10",
    "Ünïcödé",
    "日本語",
    "🙂",
];

/// A secret as written, and the pieces of it that must not be in the output.
type Secret = (String, Vec<String>);

fn words() -> impl Strategy<Value = String> {
    prop::collection::vec(select(WORDS), 0..5).prop_map(|w| w.join(" "))
}

/// `before`, the secret, `after`, with a separator on each side; returns the
/// text, the wrapper alone, and the fragments.
fn wrapped(secret: impl Strategy<Value = Secret>) -> impl Strategy<Value = (String, String, Vec<String>)> {
    let opening = select(&[" ", "\n", ", ", " (", " \"", "\t", " <", ": "][..]);
    let closing = select(&[" ", ". ", ", ", ") ", "\n", "\" ", "! ", "> ", ".\n"][..]);
    (words(), opening, secret, closing, words()).prop_map(
        |(before, open, (secret, fragments), close, after)| {
            let text = format!("{before}{open}{secret}{close}{after}");
            let wrapper = format!("{before}{open}{close}{after}");
            (text, wrapper, fragments)
        },
    )
}

/// Fragments that appear in the output more often than in the wrapper alone.
fn survivors(text: &str, wrapper: &str, fragments: &[String]) -> Vec<String> {
    let out = redact(text);
    fragments
        .iter()
        .filter(|f| out.matches(f.as_str()).count() > wrapper.matches(f.as_str()).count())
        .cloned()
        .collect()
}

/// Every 10-character window of a token: no piece of it may survive.
fn windows(token: &str) -> Vec<String> {
    let chars: Vec<char> = token.chars().collect();
    if chars.len() <= 10 {
        return vec![token.to_owned()];
    }
    chars.windows(10).map(|w| w.iter().collect()).collect()
}

/// A token generated from each known format's own pattern.
fn known_token() -> impl Strategy<Value = Secret> {
    let each: Vec<BoxedStrategy<String>> = FAMILIES
        .iter()
        .map(|family| {
            let check = family.check;
            string_regex(family.pattern)
                .expect("generator")
                .prop_filter("the family accepts it", move |s| check(s))
                .boxed()
        })
        .collect();
    Union::new(each).prop_map(|token| {
        let fragments = windows(&token);
        (token, fragments)
    })
}

fn email() -> impl Strategy<Value = Secret> {
    ("[a-z]{3,8}[0-9]{2}", "[a-z]{3,8}[0-9]", select(&["com", "org", "de", "io"][..]), 0..8usize).prop_map(
        |(local, domain, tld, form)| {
            let text = match form {
                0 => format!("{local}@{domain}.{tld}"),
                1 => format!("{local} [at] {domain} [dot] {tld}"),
                2 => format!("{local}(AT){domain}(DOT){tld}"),
                3 => format!("{local} at {domain} dot {tld}"),
                4 => format!("{local}＠{domain}．{tld}"),
                5 => format!("{local}\u{200B}@{domain}.{tld}"),
                6 => format!("\"{local} x\"@{domain}.{tld}"),
                _ => format!("{local}.x at {domain}.{tld}"),
            };
            (text, vec![local, domain])
        },
    )
}

const PHONE_SHAPES: &[&str] = &[
    "+44 20 #### ####",
    "+1 (###) ###-####",
    "+49 30 #######",
    "+91 9#### #####",
    "+33 6 ## ## ## ##",
    "(###) ###-####",
    "###-###-####",
    "1-800-###-####",
    "020 #### ####",
    "07### ######",
    "06 ## ## ## ##",
    "9#### #####",
    "(11) 9####-####",
    "6## ### ###",
    "my number is ###-####",
    "phone: ##########",
];

/// ASCII, fullwidth, Arabic-Indic and Devanagari digits.
const DIGIT_ZEROS: &[char] = &['0', '\u{FF10}', '\u{0660}', '\u{0966}'];

fn in_script(digits: &str, zero: char) -> String {
    digits
        .chars()
        .map(|c| c.to_digit(10).and_then(|d| char::from_u32(zero as u32 + d)).unwrap_or(c))
        .collect()
}

/// The runs of three or more digits in `text`, as written.
fn digit_groups(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_numeric()).filter(|g| g.chars().count() >= 3).map(str::to_owned).collect()
}

fn phone() -> impl Strategy<Value = Secret> {
    (select(PHONE_SHAPES), prop::collection::vec(0..10u32, 12), select(DIGIT_ZEROS)).prop_map(
        |(shape, digits, zero)| {
            let mut next = digits.into_iter().cycle();
            let ascii: String =
                shape
                    .chars()
                    .map(|c| {
                        if c == '#' {
                            char::from_digit(next.next().unwrap_or(0), 10).unwrap_or('0')
                        } else {
                            c
                        }
                    })
                    .collect();
            let text = in_script(&ascii, zero);
            let fragments = digit_groups(&text);
            (text, fragments)
        },
    )
}

/// The digit that makes `body` pass Luhn.
fn luhn_digit(body: &str) -> char {
    (0..10)
        .map(|d| char::from_digit(d, 10).unwrap_or('0'))
        .find(|&d| super::luhn_valid(&format!("{body}{d}")))
        .unwrap_or('0')
}

fn card() -> impl Strategy<Value = Secret> {
    let prefix = select(&["4", "51", "37", "6011"][..]);
    let separator = select(&[" ", "-", ".", "/", "_", "\n", "", "  "][..]);
    (prefix, prop::collection::vec(0..10u32, 15), separator, select(DIGIT_ZEROS)).prop_map(
        |(prefix, random, sep, zero)| {
            let amex = prefix == "37";
            let len = if amex { 15 } else { 16 };
            let mut body: String = prefix.to_owned();
            body.extend(random.iter().filter_map(|&d| char::from_digit(d, 10)).take(len - 1 - prefix.len()));
            let number = format!("{body}{}", luhn_digit(&body));
            let layout: &[usize] = if amex { &[4, 6, 5] } else { &[4, 4, 4, 4] };
            let mut groups = Vec::new();
            let mut at = 0;
            for size in layout {
                groups.push(in_script(&number[at..at + size], zero));
                at += size;
            }
            (groups.join(sep), groups)
        },
    )
}

/// ISO 13616 check digits for a country and BBAN.
fn iban(country: &str, bban: &str) -> String {
    let rearranged = format!("{bban}{country}00");
    let remainder = rearranged.chars().fold(0u32, |r, c| {
        let v = c.to_digit(36).unwrap_or(0);
        if v >= 10 { (r * 100 + v) % 97 } else { (r * 10 + v) % 97 }
    });
    format!("{country}{:02}{bban}", 98 - remainder)
}

fn iban_secret() -> impl Strategy<Value = Secret> {
    let shape = select(&[("DE", ""), ("GB", "WEST"), ("NL", "ABNA"), ("FR", "")][..]);
    (shape, "[0-9]{14,23}", select(&[" ", "-", ""][..])).prop_map(|((country, bank), digits, sep)| {
        let len = match country {
            "DE" => 18,
            "GB" => 14,
            "NL" => 10,
            _ => 23,
        };
        let bban = format!("{bank}{}", &digits[..len.min(digits.len())]);
        let compact = iban(country, &bban);
        let groups: Vec<String> =
            compact.as_bytes().chunks(4).map(|c| String::from_utf8_lossy(c).into_owned()).collect();
        let fragments = groups.iter().filter(|g| g.len() == 4).cloned().collect();
        (groups.join(sep), fragments)
    })
}

fn ipv4() -> impl Strategy<Value = Secret> {
    (prop::array::uniform4(0..=255u8), any::<bool>()).prop_map(|(octets, padded)| {
        let parts: Vec<String> =
            octets.iter().map(|o| if padded { format!("{o:03}") } else { o.to_string() }).collect();
        let text = parts.join(".");
        (text.clone(), vec![text])
    })
}

fn password() -> impl Strategy<Value = Secret> {
    let label = select(
        &["password", "Passwort", "mot de passe", "pass", "pw", "PIN", "pwd", "contraseña", "senha"][..],
    );
    let separator = select(&[": ", "=", " = ", ":"][..]);
    (label, separator, "[A-Za-z0-9!#%*]{5,12}[0-9]")
        .prop_map(|(label, sep, value)| (format!("{label}{sep}{value}"), vec![value]))
}

fn private_key() -> impl Strategy<Value = Secret> {
    let kind = select(&["", "RSA ", "EC ", "OPENSSH ", "ENCRYPTED "][..]);
    (kind, prop::collection::vec("[A-Za-z0-9+/]{64}", 1..4), any::<bool>()).prop_map(
        |(kind, lines, whole)| {
            let end = if whole { format!("\n-----END {kind}PRIVATE KEY-----") } else { String::new() };
            let text = format!("-----BEGIN {kind}PRIVATE KEY-----\n{}{end}", lines.join("\n"));
            let fragments = lines.iter().map(|l| l[..20].to_owned()).collect();
            (text, fragments)
        },
    )
}

fn secret_url() -> impl Strategy<Value = Secret> {
    let slack = ("[A-Z0-9]{8}", "[A-Z0-9]{8}", "[A-Za-z0-9]{24}").prop_map(|(team, bot, secret)| {
        (format!("https://hooks.slack.com/services/T{team}/B{bot}/{secret}"), vec![secret])
    });
    let discord = ("[0-9]{18}", "[A-Za-z0-9_-]{68}").prop_map(|(id, token)| {
        let fragment = token[..20].to_owned();
        (format!("https://discord.com/api/webhooks/{id}/{token}"), vec![fragment])
    });
    let credentials = ("[a-z]{3,8}", "[A-Za-z0-9!$*]{5,12}[0-9]")
        .prop_map(|(user, pass)| (format!("https://{user}:{pass}@git.example.com/repo.git"), vec![pass]));
    prop_oneof![slack, discord, credentials]
}

proptest! {
    // Failures are kept as examples in `tests.rs`, not in a regressions file;
    // PROPTEST_CASES raises the count for a longer search.
    #![proptest_config(ProptestConfig {
        cases: std::env::var("PROPTEST_CASES").ok().and_then(|n| n.parse().ok()).unwrap_or(1024),
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn no_known_token_survives((text, wrapper, fragments) in wrapped(known_token())) {
        let left = survivors(&text, &wrapper, &fragments);
        prop_assert!(left.is_empty(), "{:?} -> {:?} kept {:?}", text, redact(&text), left);
    }

    #[test]
    fn no_personal_data_or_credential_survives(
        (text, wrapper, fragments) in wrapped(prop_oneof![
            email(), phone(), card(), iban_secret(), ipv4(), password(), private_key(), secret_url(),
        ])
    ) {
        let left = survivors(&text, &wrapper, &fragments);
        prop_assert!(left.is_empty(), "{:?} -> {:?} kept {:?}", text, redact(&text), left);
    }

    #[test]
    fn ordinary_text_never_changes(
        pieces in prop::collection::vec(select(ORDINARY), 1..6),
        separator in select(&[" ", ", ", ". ", "\n", " - "][..]),
    ) {
        let text = pieces.join(separator);
        prop_assert_eq!(redact(&text), text);
    }
}
