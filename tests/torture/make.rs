//! What the actors write: the desk's values and plain text to fill tickets.

pub const STATUSES: [&str; 4] = ["open", "in_progress", "resolved", "closed"];
pub const PRIORITIES: [&str; 4] = ["low", "medium", "high", "critical"];
pub const CATEGORIES: [&str; 4] = ["billing", "technical", "account", "general"];
pub const PEOPLE: [&str; 4] = ["alice", "bob", "carol", "dave"];

const WORDS: &[&str] = &[
    "printer", "invoice", "refund", "login", "password", "export", "report", "screen", "crash", "slow",
    "charged", "twice", "account", "locked", "upgrade", "plan", "missing", "email", "reset", "sync",
    "mobile", "app", "error", "timeout", "billing", "renewal", "discount", "team", "seat", "backup",
];

/// Words a terminal shows as typed; the command line also gets these.
const WIDE: &[&str] = &["café", "naïve", "Größe", "日本語", "déjà", "C++", "multi-agent", "O'Brien"];

/// `n` plain words, as typed at a screen.
pub fn phrase(rng: &mut fastrand::Rng, n: usize) -> String {
    (0..n).map(|_| WORDS[rng.usize(..WORDS.len())]).collect::<Vec<_>>().join(" ")
}

/// `n` words, one in four from outside ASCII or with punctuation, as a
/// script passes them on the command line.
pub fn text(rng: &mut fastrand::Rng, n: usize) -> String {
    (0..n)
        .map(
            |_| {
                if rng.u8(..4) == 0 { WIDE[rng.usize(..WIDE.len())] } else { WORDS[rng.usize(..WORDS.len())] }
            },
        )
        .collect::<Vec<_>>()
        .join(" ")
}

/// A value of `all` other than `now`.
pub fn other(rng: &mut fastrand::Rng, all: &[&'static str], now: &str) -> &'static str {
    loop {
        let pick = all[rng.usize(..all.len())];
        if pick != now {
            return pick;
        }
    }
}

/// A unique first word for a title: letters and digits, so a search term
/// matches it by prefix, ending in `z` so that no token is a prefix of another.
pub fn token(actor: &str, n: usize) -> String {
    format!("{actor}t{n}z")
}

pub fn position(all: &[&str], value: &str) -> usize {
    all.iter().position(|v| *v == value).expect("a known value")
}
