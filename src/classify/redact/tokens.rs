//! Secrets recognisable by their shape: private key blocks, the token
//! formats that secret scanners know (cloud keys, CI and chat tokens, payment
//! and mail API keys, JWTs), then any long hex or random-looking string.

use super::{Claim, TOKEN, char_before, shannon_entropy};
use regex::{Regex, RegexSet};
use std::sync::{LazyLock, OnceLock};

// --------------------------------------------------------- private key blocks

static PEM_BEGIN_RE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"-----BEGIN[ A-Z0-9]*PRIVATE KEY(?: BLOCK)?-----").expect("pem begin regex")
});

static PEM_END_RE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"-----END[ A-Z0-9]*PRIVATE KEY(?: BLOCK)?-----").expect("pem end regex"));

/// The header lines and base64 lines after a BEGIN line, also with JSON's
/// literal `\n` between them.
static PEM_BODY_RE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\A(?:[ \t]*(?:\r?\n|\\n)[ \t]*(?:[A-Za-z-]+:[^\n]*|[A-Za-z0-9+/=]{16,}))*")
        .expect("pem body regex")
});

static PUTTY_HEADER_RE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"PuTTY-User-Key-File-[0-9]+").expect("putty header regex"));

static PUTTY_MAC_RE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"Private-MAC:[ \t]*[0-9a-fA-F]+").expect("putty mac regex"));

/// A PEM private key (RSA, EC, DSA, OpenSSH, PKCS#8, PGP) from its BEGIN line
/// to its END line, or, cut short, the BEGIN line and the key lines after it;
/// a PuTTY key file up to its MAC, or its first line.
pub(super) fn private_keys(text: &str, found: &mut Vec<Claim>) {
    blocks(text, &PEM_BEGIN_RE, &PEM_END_RE, |after| PEM_BODY_RE.find(after).map_or(0, |m| m.end()), found);
    blocks(text, &PUTTY_HEADER_RE, &PUTTY_MAC_RE, |after| after.find('\n').unwrap_or(after.len()), found);
}

/// Each `begin` up to the first `end` after it, unless another `begin` comes
/// first; then up to what `cut_short` measures after the `begin`. Every
/// marker is found once, so a paste of many unfinished blocks stays linear.
fn blocks(text: &str, begin: &Regex, end: &Regex, cut_short: impl Fn(&str) -> usize, found: &mut Vec<Claim>) {
    let begins: Vec<_> = begin.find_iter(text).collect();
    let ends: Vec<_> = end.find_iter(text).collect();
    let mut next_end = 0;
    for (i, b) in begins.iter().enumerate() {
        while ends.get(next_end).is_some_and(|e| e.start() < b.end()) {
            next_end += 1;
        }
        let next_begin = begins.get(i + 1).map_or(text.len(), |n| n.start());
        let stop = match ends.get(next_end) {
            Some(e) if e.start() < next_begin => e.end(),
            _ => b.end() + cut_short(&text[b.end()..next_begin]),
        };
        found.push(Claim::new(b.start()..stop, TOKEN));
    }
}

// ------------------------------------------------------------- token formats

/// One token format. `pattern` has no boundary of its own: most formats must
/// start a word (`word: true`, an ASCII word boundary, so a token glued to a
/// non-ASCII letter is still found); a few prefixes are distinctive enough to
/// be found inside a longer string.
pub(super) struct Family {
    /// Names the format in test failures.
    #[cfg_attr(not(test), allow(dead_code))]
    pub name: &'static str,
    pub pattern: &'static str,
    word: bool,
    pub check: fn(&str) -> bool,
}

const fn word(name: &'static str, pattern: &'static str) -> Family {
    Family { name, pattern, word: true, check: |_| true }
}

const fn anywhere(name: &'static str, pattern: &'static str) -> Family {
    Family { name, pattern, word: false, check: |_| true }
}

/// A family whose short prefix also starts ordinary capitalised words, so the
/// rest must look generated (a digit or a lower-case letter after the prefix).
const fn checked(name: &'static str, pattern: &'static str) -> Family {
    Family {
        name,
        pattern,
        word: true,
        check: |s| s.chars().skip(3).any(|c| c.is_ascii_digit() || c.is_ascii_lowercase()),
    }
}

/// A family whose shape also fits ordinary dotted names
/// ("NotificationServiceImplem.handle.processIncomingMessagesQueue"); random
/// key material almost always holds a digit, identifiers rarely do.
const fn with_digit(name: &'static str, pattern: &'static str) -> Family {
    Family { name, pattern, word: true, check: |s| s.chars().any(|c| c.is_ascii_digit()) }
}

pub(super) const FAMILIES: &[Family] = &[
    // Cloud providers.
    word(
        "aws-access-key-id",
        r"(?:A3T[A-Z0-9]|AKIA|ASIA|ABIA|ACCA|AGPA|AIDA|AROA|AIPA|ANPA|ANVA|APKA)[A-Z0-9]{16,}",
    ),
    word("aws-bedrock", r"ABSK[A-Za-z0-9+/]{100,}={0,2}|bedrock-api-key-[A-Za-z0-9+/=]{20,}"),
    word("google-api-key", r"AIza[0-9A-Za-z_-]{35}"),
    word("google-oauth", r"GOCSPX-[A-Za-z0-9_-]{20,}|ya29\.[0-9A-Za-z_-]{20,}|1//0[0-9A-Za-z_-]{30,}"),
    word("google-client-id", r"[0-9]{6,}-[a-z0-9]{32}\.apps\.googleusercontent\.com"),
    word("azure-ad-client-secret", r"[A-Za-z0-9_][A-Za-z0-9_~.]{2}[0-9]Q~[A-Za-z0-9_~.-]{31,34}"),
    word("alibaba", r"LTAI[A-Za-z0-9]{20}"),
    word("digitalocean", r"do[por]_v1_[a-f0-9]{64}"),
    word("cloudflare-origin-ca", r"v1\.0-[a-f0-9]{24}-[a-f0-9]{146}"),
    anywhere("hashicorp-vault", r"hv[sbr]\.[A-Za-z0-9_-]{24,}"),
    with_digit("hashicorp-vault-legacy", r"s\.[A-Za-z0-9]{24,}"),
    word("terraform-cloud", r"[A-Za-z0-9]{14}\.atlasv1\.[A-Za-z0-9_=-]{60,}"),
    word("heroku", r"HRKU-[A-Za-z0-9_-]{40,}"),
    word("aiven", r"AVNS_[A-Za-z0-9_]{8,}"),
    // Source forges, CI and package registries.
    word("github", r"gh[pousr]_[A-Za-z0-9]{20,}|github_pat_[A-Za-z0-9_]{20,}"),
    word(
        "gitlab",
        r"gl(?:pat|dt|ft|soat|rt|rtr|cbt|imt|ptt|agent|oas|ffct|wt|ww)-[A-Za-z0-9_-]{20,}|GR1348941[A-Za-z0-9_-]{20,}",
    ),
    word("bitbucket", r"ATBB[A-Za-z0-9_=.-]{32,}"),
    word("atlassian", r"ATATT3[A-Za-z0-9_=-]{50,}|ATCTT3[A-Za-z0-9_=-]{50,}"),
    word("npm", r"npm_[A-Za-z0-9]{30,}"),
    word("pypi", r"pypi-[A-Za-z0-9_-]{50,}"),
    word("rubygems", r"rubygems_[a-f0-9]{48}"),
    word("clojars", r"CLOJARS_[a-z0-9]{60}"),
    word("docker-hub", r"dckr_pat_[A-Za-z0-9_-]{20,}"),
    checked("artifactory-api-key", r"AKC[A-Za-z0-9]{10,}"),
    checked("artifactory-password", r"AP[0-9A-F][A-Za-z0-9]{8,}"),
    word("jfrog-reference-token", r"cmVmdGtu[A-Za-z0-9]{40,}"),
    word("buildkite", r"bkua_[a-f0-9]{40}"),
    word("circleci", r"CCIP(?:AT|RJ)_[A-Za-z0-9]{16,}_[a-f0-9]{40}"),
    word("databricks", r"dapi[a-f0-9]{32}(?:-[0-9]+)?"),
    word("pulumi", r"pul-[a-f0-9]{40}"),
    word("prefect", r"pnu_[A-Za-z0-9]{36}"),
    word("doppler", r"dp\.(?:pt|st|sa|ct|scim|audit)\.[A-Za-z0-9]{40,}"),
    word("sentry", r"sntry[su]_[A-Za-z0-9+/=_-]{30,}"),
    word(
        "grafana",
        r"glc_[A-Za-z0-9+/]{32,}={0,2}|glsa_[A-Za-z0-9]{32}_[A-Fa-f0-9]{8}|eyJrIjoi[A-Za-z0-9+/]{40,}={0,2}",
    ),
    word("new-relic", r"NR(?:AK|AA|II|JS|RA)-[A-Za-z0-9]{20,}"),
    word("dynatrace", r"dt0c01\.[A-Z0-9]{24}\.[A-Z0-9]{64}"),
    word("planetscale", r"pscale_(?:tkn|pw|oauth)_[A-Za-z0-9_.-]{30,}"),
    word("supabase", r"sbp_[a-f0-9]{40}|sb_secret_[A-Za-z0-9_-]{20,}"),
    word("fly-io", r"fo1_[A-Za-z0-9_-]{40,}|fm[12][ar]?_[A-Za-z0-9+/=_-]{100,}"),
    word("netlify", r"nfp_[A-Za-z0-9]{36}"),
    word("postman", r"PMAK-[a-fA-F0-9]{24}-[a-fA-F0-9]{34}"),
    word("linear", r"lin_(?:api|oauth)_[A-Za-z0-9]{40}"),
    word("figma", r"figd_[A-Za-z0-9_-]{40,}"),
    word("airtable", r"pat[A-Za-z0-9]{14}\.[a-f0-9]{64}"),
    word("notion", r"ntn_[A-Za-z0-9]{40,}|secret_[A-Za-z0-9]{43}"),
    word("shopify", r"shp(?:at|ca|pa|ss)_[a-fA-F0-9]{32}"),
    word("hugging-face", r"hf_[A-Za-z0-9]{30,}|api_org_[A-Za-z0-9]{30,}"),
    word("readme", r"rdme_[a-z0-9]{70}"),
    word("typeform", r"tfp_[A-Za-z0-9_.=-]{50,}"),
    word("frame-io", r"fio-u-[A-Za-z0-9_=-]{64}"),
    word("contentful", r"CFPAT-[A-Za-z0-9_-]{43}"),
    word("age", r"AGE-SECRET-KEY-1[0-9A-Z]{50,}"),
    word("1password", r"ops_eyJ[A-Za-z0-9+/=]{100,}"),
    // Chat and messaging.
    word("slack", r"xox[abposre]-[A-Za-z0-9-]{10,}|xapp-[0-9]-[A-Za-z0-9-]{10,}"),
    with_digit("discord-bot", r"[MNO][A-Za-z0-9_-]{23,27}\.[A-Za-z0-9_-]{6,7}\.[A-Za-z0-9_-]{27,40}"),
    word("telegram-bot", r"(?:bot)?[0-9]{8,10}:[A-Za-z0-9_-]{30,}"),
    word("twilio", r"(?:AC|SK)[0-9a-z]{32}"),
    with_digit("sendgrid", r"SG\.[A-Za-z0-9_-]{16,}\.[A-Za-z0-9_-]{16,}"),
    word("mailchimp", r"[0-9a-f]{32}-us[0-9]{1,2}"),
    word("mailgun", r"(?:pub)?key-[0-9a-zA-Z]{32}"),
    word("facebook", r"EAA[MC][A-Za-z0-9]{100,}"),
    word("twitter-bearer", r"AAAAAAAAAAAAAAAAAAAAA[A-Za-z0-9%]{30,}"),
    word("mapbox", r"[sp]k\.eyJ[A-Za-z0-9_-]{20,}\.[A-Za-z0-9_-]{20,}"),
    word("dropbox", r"sl\.(?:u\.)?[A-Za-z0-9_=-]{60,}"),
    // Payments.
    word("stripe", r"(?:sk|rk|pk)_(?:live|test)_[A-Za-z0-9]{10,}|whsec_[A-Za-z0-9]{20,}"),
    word("square", r"sq0(?:atp|csp|idp)-[A-Za-z0-9_-]{20,}|EAAA[A-Za-z0-9_+=-]{50,}"),
    word("shippo", r"shippo_(?:live|test)_[a-f0-9]{40}"),
    word("duffel", r"duffel_(?:test|live)_[A-Za-z0-9_=-]{40,}"),
    word("flutterwave", r"FLW(?:PUB|SEC)K(?:_TEST)?-[A-Za-z0-9]{32}-X"),
    word("easypost", r"EZ[AT]K[A-Za-z0-9]{50,}"),
    // AI services.
    word("anthropic", r"sk-ant-[A-Za-z0-9_-]{8,}"),
    word("openai", r"sk-[A-Za-z0-9_-]{16,}"),
    word("xai", r"xai-[A-Za-z0-9]{70,}"),
    word("groq", r"gsk_[A-Za-z0-9]{48,}"),
    word("replicate", r"r8_[A-Za-z0-9]{37}"),
    word("perplexity", r"pplx-[A-Za-z0-9]{48}"),
    // Signed tokens.
    word("jwt", r"eyJ[A-Za-z0-9_=-]{5,}\.[A-Za-z0-9_=-]{5,}(?:\.[A-Za-z0-9_=-]*){0,3}"),
];

/// The set is compiled on first use; each format's own regex only when the
/// set first sees that format, which keeps the first redaction quick.
struct Compiled {
    set: RegexSet,
    each: Vec<OnceLock<Regex>>,
}

fn with_boundary(family: &Family) -> String {
    let lead = if family.word { r"(?-u:\b)" } else { "" };
    format!("{lead}(?:{})", family.pattern)
}

static COMPILED: LazyLock<Compiled> = LazyLock::new(|| {
    let patterns: Vec<String> = FAMILIES.iter().map(with_boundary).collect();
    Compiled {
        set: RegexSet::new(&patterns).expect("token family set"),
        each: patterns.iter().map(|_| OnceLock::new()).collect(),
    }
});

/// One pass finds which formats occur at all; only those are searched.
/// Where two formats overlap, the one that starts first wins, then the
/// longer, so a short format never cuts a piece out of a longer token.
pub(super) fn known_tokens(text: &str, found: &mut Vec<Claim>) {
    let compiled = &*COMPILED;
    let mut spans = Vec::new();
    for index in compiled.set.matches(text).iter() {
        let family = &FAMILIES[index];
        let re = compiled.each[index]
            .get_or_init(|| Regex::new(&with_boundary(family)).expect("token family regex"));
        spans.extend(re.find_iter(text).filter(|m| (family.check)(m.as_str())).map(|m| m.range()));
    }
    spans.sort_by_key(|span| (span.start, std::cmp::Reverse(span.end)));
    found.extend(spans.into_iter().map(|span| Claim::new(span, TOKEN)));
}

// ------------------------------------------------------ long hex and entropy

/// A whole word of 16 or more hex digits mixing digits and letters: session
/// ids, API keys, hashes. UUIDs (groups of at most 12) and numbers stay.
static HEX_RE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?-u:\b)[0-9a-fA-F]{16,}(?-u:\b)").expect("hex regex"));

pub(super) fn hex_tokens(text: &str, found: &mut Vec<Claim>) {
    for m in HEX_RE.find_iter(text) {
        let s = m.as_str();
        let digits = s.bytes().filter(u8::is_ascii_digit).count();
        if digits >= 2 && s.len() - digits >= 2 || digits >= 40 {
            found.push(Claim::new(m.range(), TOKEN));
        }
    }
}

static LONG_STRING_RE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"[A-Za-z0-9+/_-]{32,}={0,2}").expect("long string regex"));

pub(super) fn high_entropy_tokens(text: &str, found: &mut Vec<Claim>) {
    for m in LONG_STRING_RE.find_iter(text) {
        // Part of a URL path or a file name: "/a/b" and "x.y" neighbours.
        if char_before(text, m.start()).is_some_and(|c| c.is_alphanumeric()) {
            continue;
        }
        if looks_like_secret(m.as_str()) {
            found.push(Claim::new(m.range(), TOKEN));
        }
    }
}

/// Long strings count when they mix letters and digits and are about as
/// varied as random data.
fn looks_like_secret(s: &str) -> bool {
    let body = s.trim_end_matches('=');
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
