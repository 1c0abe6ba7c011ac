//! Secrets carried inside URLs: a password (or token) in the user part, the
//! secret path of a chat webhook, a secret query parameter, and path
//! segments that look generated. The rest of the URL stays readable.

use super::{Claim, PASSWORD, TOKEN, shannon_entropy};
use regex::Regex;
use std::sync::LazyLock;

static URL_RE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(?-u:\b)[a-z][a-z0-9+.-]{1,20}://[^\s<>\x22'`\x01]+").expect("url regex")
});

/// Hosts whose webhook URLs are secret after a known path marker: whoever
/// has the URL can post to the channel.
const WEBHOOKS: &[(&str, &str)] = &[
    ("hooks.slack.com", "/services/"),
    ("hooks.slack.com", "/workflows/"),
    ("hooks.slack.com", "/triggers/"),
    ("discord.com", "/webhooks/"),
    ("discordapp.com", "/webhooks/"),
    ("webhook.office.com", "/webhookb2/"),
    ("outlook.office.com", "/webhook/"),
    ("outlook.office365.com", "/webhook/"),
    ("hooks.zapier.com", "/hooks/catch/"),
    ("maker.ifttt.com", "/trigger/"),
    ("api.telegram.org", "/bot"),
];

/// Query parameters whose value is a credential whatever it looks like.
const SECRET_PARAMS: &[&str] = &[
    "access_token",
    "api_key",
    "api-key",
    "apikey",
    "auth",
    "auth_token",
    "authtoken",
    "client_secret",
    "code",
    "hmac",
    "id_token",
    "jwt",
    "key",
    "otp",
    "pass",
    "passwd",
    "password",
    "private_token",
    "pwd",
    "refresh_token",
    "secret",
    "session",
    "sessionid",
    "sid",
    "sig",
    "signature",
    "token",
    "x-amz-credential",
    "x-amz-security-token",
    "x-amz-signature",
    "x-goog-credential",
    "x-goog-signature",
];

pub(super) fn url_secrets(text: &str, found: &mut Vec<Claim>) {
    for m in URL_RE.find_iter(text) {
        let url = trim_trailing_punctuation(m.as_str());
        for (range, placeholder) in secrets_in_url(url) {
            found.push(Claim::new(m.start() + range.start..m.start() + range.end, placeholder));
        }
    }
}

/// Sentence punctuation after a URL is not part of it, nor is a closing
/// bracket that opened before it ("(see https://x.example/a)"); a bracket
/// the URL itself opened stays ("…/[TOKEN]").
fn trim_trailing_punctuation(url: &str) -> &str {
    const PAIRS: [(char, char); 3] = [('(', ')'), ('[', ']'), ('{', '}')];
    // Counted once, so a URL followed by a thousand ")" is still one pass.
    let open = PAIRS.map(|(o, _)| url.matches(o).count());
    let mut close = PAIRS.map(|(_, c)| url.matches(c).count());
    let mut url = url;
    loop {
        url = url.trim_end_matches(['.', ',', ';', ':', '!', '?']);
        let Some(last) = url.chars().next_back() else { return url };
        match PAIRS.iter().position(|&(_, c)| c == last) {
            Some(k) if close[k] > open[k] => {
                close[k] -= 1;
                url = &url[..url.len() - last.len_utf8()];
            }
            _ => return url,
        }
    }
}

type Found = (std::ops::Range<usize>, &'static str);

/// Byte ranges (within `url`) of its secret parts.
fn secrets_in_url(url: &str) -> Vec<Found> {
    let mut out = Vec::new();
    let Some(scheme_end) = url.find("://").map(|i| i + 3) else { return out };
    let authority_end = url[scheme_end..].find(['/', '?', '#']).map_or(url.len(), |i| scheme_end + i);
    let authority = &url[scheme_end..authority_end];
    let host_start = match authority.rfind('@') {
        Some(at) => {
            user_info(&authority[..at], scheme_end, &mut out);
            scheme_end + at + 1
        }
        None => scheme_end,
    };
    let host = url[host_start..authority_end].split(':').next().unwrap_or_default().to_ascii_lowercase();
    let path_end = url[authority_end..].find(['?', '#']).map_or(url.len(), |i| authority_end + i);
    path_secrets(url, &host, authority_end..path_end, &mut out);
    parameter_secrets(url, path_end, &mut out);
    out
}

/// `user:password@`: the password goes; a lone generated user part is a token
/// (`https://ghp_…@github.com`).
fn user_info(info: &str, offset: usize, out: &mut Vec<Found>) {
    match info.find(':') {
        Some(colon) if colon + 1 < info.len() => {
            out.push((offset + colon + 1..offset + info.len(), PASSWORD))
        }
        Some(_) => {}
        None if looks_generated(info) => out.push((offset..offset + info.len(), TOKEN)),
        None => {}
    }
}

fn path_secrets(url: &str, host: &str, path: std::ops::Range<usize>, out: &mut Vec<Found>) {
    let text = &url[path.clone()];
    let webhook = WEBHOOKS
        .iter()
        .filter(|(h, _)| host == *h || host.ends_with(&format!(".{h}")))
        .find_map(|(_, marker)| text.find(marker).map(|i| i + marker.len()));
    if let Some(secret_from) = webhook {
        if secret_from < text.len() {
            out.push((path.start + secret_from..path.end, TOKEN));
        }
        return;
    }
    let mut at = path.start;
    for segment in text.split('/') {
        if looks_generated(segment) {
            out.push((at..at + segment.len(), TOKEN));
        }
        at += segment.len() + 1;
    }
}

/// `?token=…&sig=…` and fragments (`#access_token=…`).
fn parameter_secrets(url: &str, from: usize, out: &mut Vec<Found>) {
    let mut at = from;
    for pair in url[from..].split(['?', '#', '&', ';']) {
        if let Some((name, value)) = pair.split_once('=') {
            let name = name.to_ascii_lowercase();
            let named_secret = SECRET_PARAMS.contains(&name.as_str())
                || ["token", "secret", "password", "signature", "key"].iter().any(|s| name.ends_with(s));
            if !value.is_empty() && (named_secret || looks_generated(value)) {
                let start = at + name.len() + 1;
                out.push((start..start + value.len(), TOKEN));
            }
        }
        at += pair.len() + 1;
    }
}

/// A generated path segment or value: 16+ characters of a token alphabet,
/// mixing digits with both cases, about as varied as random data.
fn looks_generated(s: &str) -> bool {
    let alphabet = s.chars().all(|c| c.is_ascii_alphanumeric() || "-_~+=%".contains(c));
    let has = |f: fn(&char) -> bool| s.chars().any(|c| f(&c));
    s.len() >= 16
        && alphabet
        && has(char::is_ascii_digit)
        && has(char::is_ascii_uppercase)
        && has(char::is_ascii_lowercase)
        && shannon_entropy(s) >= 3.0
}
