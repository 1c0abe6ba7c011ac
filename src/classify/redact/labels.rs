//! Values that a label names as secret: `password: …` (in several
//! languages), `api_key=…`, `"client_secret": "…"`, `Authorization: Bearer …`.
//! The label stays, so the model still reads "the customer sent a password".

use super::{Claim, PASSWORD, TOKEN, is_placeholder};
use regex::{Captures, Regex};
use std::sync::LazyLock;

/// A label must not be the tail of a longer word ("spin: 3", "bypass: x"),
/// but may end an identifier ("db_password=", "GITHUB_TOKEN=", "x.oauth=").
/// Scripts written without spaces (CJK) need no boundary at all.
const LEFT_EDGE: &str = r"(?:^|[^\p{Latin}\p{Cyrillic}\p{Greek}0-9])";

/// `:`, `=`, `:=`, `=>`, `==`, after an optional closing quote or bracket of
/// a key (`"password":`, `dict['secret'] =`, `apikey[] =`), before an
/// optional `@` (Objective-C's `@"…"`).
const SYMBOL_SEPARATOR: &str = r#"["'\]]{0,2}(?:\[\])?[ \t]*(?::=|=>|==|[:=])[ \t]*@?"#;

const VALUE: &str = r#""[^"\n\x01]*"|'[^'\n\x01]*'|[^\s\x01]+"#;

/// How much a label alone says about the value after it.
#[derive(Clone, Copy, PartialEq)]
enum Label {
    /// Only ever followed by the secret ("pin is 4321", "api_key=x").
    Strong,
    /// An everyday word: a secret only when the value looks like one.
    Weak,
}

/// Whether the value after a label is the secret, from the separator between.
fn is_secret(label: Label, separator: &str, value: &str, prose_after_is: bool) -> bool {
    let inner = value.trim_matches(|c| c == '"' || c == '\'');
    if inner.is_empty() || is_placeholder(value) {
        return false;
    }
    let quoted = inner.len() < value.len();
    if separator.contains([':', '=']) {
        return label == Label::Strong || inner.chars().any(|c| c.is_ascii_digit()) || looks_generated(inner);
    }
    if !separator.trim().is_empty() {
        // "password is …": the word after "is" decides.
        return label == Label::Strong && !prose_after_is;
    }
    // No separator at all: `password abc123XY`, `private_key "…";`.
    looks_generated(inner) || (label == Label::Strong && quoted && inner.len() >= 6 && !inner.contains(' '))
}

// ---------------------------------------------------------------- passwords

/// Labels that are only ever followed by the secret ("pin is 4321").
const STRONG_PASSWORD_LABELS: &str = concat!(
    r"password|passwort|passwd|passcode|passphrase|pasword|passwrd|pword|pwd|kennwort|",
    r"mot[ \t]de[ \t]passe|contraseña|contrasena|senha|wachtwoord|lösenord|losenord|adgangskode|",
    r"salasana|hasło|haslo|heslo|jelszó|jelszo|пароль|şifre|sifre|密码|密碼|パスワード|비밀번호|",
    r"pin[ \t_-]?code|pin",
);

/// Short or everyday words: a secret only after `:` or `=` ("pass: x").
const WEAK_PASSWORD_LABELS: &str = r"pass|pw|mdp|clave";

/// Labels that may end a longer identifier ("newPassword", "dbpasswd").
const GLUED_PASSWORD_LABELS: &str = r"passwor[dt]|passwd|passphrase|passcode";

static PASSWORD_RE: LazyLock<Regex> = LazyLock::new(|| {
    let is_word = r"[ \t]+(?:is|was|ist|war|est|es|era|é|è|er)[ \t]+";
    Regex::new(&format!(
        concat!(
            r"(?i)(?:{edge}(?:(?P<strong>{strong})|(?P<weak>{weak}))|(?P<glued>{glued}))",
            r"(?P<sep>{symbol}|{is_word}|[ \t]+)(?P<value>{value})",
        ),
        edge = LEFT_EDGE,
        strong = STRONG_PASSWORD_LABELS,
        weak = WEAK_PASSWORD_LABELS,
        glued = GLUED_PASSWORD_LABELS,
        symbol = SYMBOL_SEPARATOR,
        is_word = is_word,
        value = VALUE,
    ))
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
    "falsch",
    "nicht",
    "abgelaufen",
    "faux",
    "pas",
    "incorrecte",
    "expiré",
    "incorrecta",
    "caducada",
];

pub(super) fn passwords(text: &str, found: &mut Vec<Claim>) {
    for caps in PASSWORD_RE.captures_iter(text) {
        let (Some(sep), Some(value)) = (caps.name("sep"), caps.name("value")) else { continue };
        // Short labels ("pass", "pw") need a `:` or `=`: "boarding pass is ready".
        if caps.name("weak").is_some() && !sep.as_str().contains([':', '=']) {
            continue;
        }
        let word = value.as_str().trim_end_matches(|c: char| !c.is_alphanumeric()).to_lowercase();
        if is_secret(Label::Strong, sep.as_str(), value.as_str(), NOT_A_PASSWORD.contains(&word.as_str())) {
            found.push(Claim::new(value.range(), PASSWORD));
        }
    }
}

// ------------------------------------------------------- labelled API secrets

/// Labels whose value is a secret whatever it looks like.
const STRONG_SECRET_LABELS: &str = concat!(
    r"api[ _-]?key|apikey|x-api-key|api[ _-]?token|api[ _-]?secret|",
    r"secret[ _-]?access[ _-]?key|access[ _-]?key[ _-]?secret|secret[ _-]?key|client[ _-]?secret|",
    r"app[ _-]?secret|consumer[ _-]?secret|secret|access[ _-]?key[ _-]?id|access[ _-]?key|",
    r"access[ _-]?token|auth[ _-]?token|_authtoken|_auth|refresh[ _-]?token|id[ _-]?token|",
    r"bearer[ _-]?token|session[ _-]?(?:id|token|key|cookie)|sess(?:ion)?id|jsessionid|phpsessid|",
    r"csrf[ _-]?token|xsrf[ _-]?token|account[ _-]?key|shared[ _-]?access[ _-]?(?:key|signature)|",
    r"sharedaccesssignature|private[ _-]?key|signing[ _-]?key|encryption[ _-]?key|master[ _-]?key|",
    r"licen[cs]e[ _-]?key|product[ _-]?key|recovery[ _-]?(?:key|code)s?|backup[ _-]?codes?|",
    r"(?:2fa|mfa|otp|totp|verification)[ _-]?code|otp|totp",
);

/// Everyday words that label a secret only when the value looks like one
/// ("token: q1w2e3r4" yes, "session: expired" no).
const WEAK_SECRET_LABELS: &str = r"token|signature|sig|sid|session|credentials?|cred|oauth|auth|key|pat";

/// Labels that may end a longer identifier ("theApiKey", "accessToken").
const GLUED_SECRET_LABELS: &str = r"api[_-]?key|secret[_-]?key|client[_-]?secret|access[_-]?token|auth[_-]?token|refresh[_-]?token|private[_-]?key";

static LABELLED_SECRET_RE: LazyLock<Regex> = LazyLock::new(|| {
    let value = r#""[^"\n\x01]*"|'[^'\n\x01]*'|[^\s"',;\x01]+"#;
    Regex::new(&format!(
        concat!(
            r"(?i)(?:{edge}(?:(?P<strong>{strong})|(?P<weak>{weak}))|(?P<glued>{glued})|(?P<glued_weak>token|secret))",
            r"(?P<sep>{symbol}|[ \t]+)(?P<value>{value})",
        ),
        edge = LEFT_EDGE,
        strong = STRONG_SECRET_LABELS,
        weak = WEAK_SECRET_LABELS,
        glued = GLUED_SECRET_LABELS,
        symbol = SYMBOL_SEPARATOR,
        value = value,
    ))
    .expect("labelled secret regex")
});

pub(super) fn labelled_secrets(text: &str, found: &mut Vec<Claim>) {
    for caps in LABELLED_SECRET_RE.captures_iter(text) {
        let (Some(sep), Some(value)) = (caps.name("sep"), caps.name("value")) else { continue };
        let weak = caps.name("weak").is_some() || caps.name("glued_weak").is_some();
        let label = if weak { Label::Weak } else { Label::Strong };
        if is_secret(label, sep.as_str(), value.as_str(), false) {
            found.push(Claim::new(value.range(), TOKEN));
        }
    }
}

/// `<password>…</password>`, `<dbPassword>…`, `<apiKey>…` in pasted XML.
static XML_SECRET_RE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r"(?i)<[\w.-]*?(?P<label>passwor[dt]|passwd|pwd|secret|token|api[_-]?key|private[_-]?key|",
        r"access[_-]?key|credentials?)(?:\s[^>\n]*)?>(?P<value>[^<\n\x01]+)</",
    ))
    .expect("xml secret regex")
});

pub(super) fn xml_secrets(text: &str, found: &mut Vec<Claim>) {
    for caps in XML_SECRET_RE.captures_iter(text) {
        let (Some(label), Some(value)) = (caps.name("label"), caps.name("value")) else { continue };
        if value.as_str().trim().is_empty() || is_placeholder(value.as_str()) {
            continue;
        }
        let label = label.as_str().to_ascii_lowercase();
        let placeholder = if label.starts_with("passw") || label == "pwd" { PASSWORD } else { TOKEN };
        found.push(Claim::new(value.range(), placeholder));
    }
}

/// Made up rather than written: long enough, and mixing digits with letters
/// (or upper with lower case, the way random base64 does).
fn looks_generated(value: &str) -> bool {
    let has = |f: fn(&char) -> bool| value.chars().any(|c| f(&c));
    let letters = has(char::is_ascii_alphabetic);
    let mixed = has(char::is_ascii_digit) || (has(char::is_ascii_uppercase) && has(char::is_ascii_lowercase));
    value.chars().count() >= 8 && letters && mixed && !value.contains(char::is_whitespace)
}

// -------------------------------------------------------------- auth schemes

static AUTH_SCHEME_RE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)(?-u:\b)(?P<scheme>bearer|basic|token|ntlm|negotiate)[ \t]+(?P<value>[A-Za-z0-9._~+/:-]{8,}=*)",
    )
    .expect("auth scheme regex")
});

pub(super) fn auth_schemes(text: &str, found: &mut Vec<Claim>) {
    for caps in AUTH_SCHEME_RE.captures_iter(text) {
        let Some(value) = caps.name("value") else { continue };
        // A full stop or colon after the value ends the sentence, not the token.
        let credential = value.as_str().trim_end_matches(['.', ':']);
        if credential_after_scheme(&caps, credential) {
            found.push(Claim::new(value.start()..value.start() + credential.len(), TOKEN));
        }
    }
}

/// "bearer instruments" is prose; a credential has digits, symbols or length.
/// After "token" only a long value counts ("token expired yesterday").
fn credential_after_scheme(caps: &Captures<'_>, value: &str) -> bool {
    let is_token_word = caps.name("scheme").is_some_and(|s| s.as_str().eq_ignore_ascii_case("token"));
    if is_token_word {
        return value.len() >= 20 && value.chars().any(|c| c.is_ascii_digit());
    }
    value.len() >= 20 || value.chars().any(|c| !c.is_ascii_alphabetic())
}
