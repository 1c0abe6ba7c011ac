//! Every way a call to Claude can fail, each its own variant so the chain can
//! decide what to do (retry, fall back, stop trying) and the status line can
//! say why in a word or two.
//!
//! No variant ever holds the API key: messages that come from the server are
//! scrubbed of it (and of anything else [`redact`](crate::classify::redact)
//! recognises) before they are kept.

use reqwest::StatusCode;
use reqwest::header::HeaderMap;
use serde_json::Value;
use std::error::Error as _;
use std::io;
use std::time::Duration;

use crate::classify::redact::redact;
use crate::domain::text::sanitize_line;

/// Longest server message kept in an error, in characters.
const MAX_MESSAGE_CHARS: usize = 200;

/// Why Claude gave no answer.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ClaudeError {
    /// The API key is empty: nothing was sent.
    #[error("no Claude API key is configured")]
    NoApiKey,
    /// The settings cannot work (bad base URL, a key or version that is not a valid header).
    #[error("invalid Claude settings: {0}")]
    InvalidSettings(String),
    /// The host name did not resolve: offline, or a DNS failure.
    #[error("cannot resolve {host} (offline or DNS failure)")]
    Dns { host: String },
    /// Nothing listens at the address.
    #[error("connection to {host} was refused")]
    ConnectionRefused { host: String },
    /// Connecting (DNS, TCP and TLS) took longer than the connect timeout.
    #[error("could not connect to {host} within {}", secs(*.after))]
    ConnectTimeout { host: String, after: Duration },
    /// The connection broke after it was made (reset, closed mid-reply).
    #[error("connection to Claude was lost: {0}")]
    ConnectionLost(String),
    /// Any other transport failure (TLS, protocol).
    #[error("network error talking to Claude: {0}")]
    Network(String),
    /// The whole call, retry included, ran past its deadline.
    #[error("Claude did not answer within {}", secs(*.0))]
    Deadline(Duration),
    /// 400: the request was invalid.
    #[error("Claude rejected the request as invalid (400){}", detail(.message))]
    BadRequest { message: Option<String> },
    /// 401: the key is wrong or revoked.
    #[error("the Claude API key was not accepted (401){}", detail(.message))]
    Unauthorized { message: Option<String> },
    /// 402: the account has a billing problem.
    #[error("Claude billing problem (402){}", detail(.message))]
    Billing { message: Option<String> },
    /// 403: the key may not use this model or endpoint.
    #[error("the Claude API key lacks permission (403){}", detail(.message))]
    Forbidden { message: Option<String> },
    /// 404: no such model (or a base URL that is not the Messages API).
    #[error("model {model} not found (404){}", detail(.message))]
    ModelNotFound { model: String, message: Option<String> },
    /// 413: the request was too large.
    #[error("request too large for Claude (413){}", detail(.message))]
    RequestTooLarge { message: Option<String> },
    /// 429: too many requests for now.
    #[error("Claude rate limit reached (429){}{}", retry_hint(*.retry_after), detail(.message))]
    RateLimited { retry_after: Option<Duration>, message: Option<String> },
    /// 429 (or 402) because a spend or usage limit was reached: waiting will not help.
    #[error("Claude spend limit reached{}", detail(.message))]
    SpendLimit { message: Option<String> },
    /// 529: the API is overloaded.
    #[error("Claude is overloaded (529){}", detail(.message))]
    Overloaded { message: Option<String> },
    /// 500 and other 5xx.
    #[error("Claude server error ({status}){}", detail(.message))]
    Server { status: u16, message: Option<String> },
    /// Any other status the API is not documented to send here (3xx, 408, 409, 422, ...).
    #[error("unexpected HTTP status {status} from Claude{}", detail(.message))]
    UnexpectedStatus { status: u16, message: Option<String> },
    /// A 200 whose body is not a Messages API reply.
    #[error("Claude's reply is malformed: {0}")]
    MalformedReply(String),
    /// Tool mode: the reply holds no call to the classification tool.
    #[error("Claude's reply has no {tool} tool call")]
    NoToolCall { tool: String },
    /// Structured-output mode: the reply holds no text block.
    #[error("Claude's reply has no text block")]
    NoText,
    /// Claude declined to answer (stop reason "refusal").
    #[error("Claude declined to classify this ticket")]
    Refused,
    /// The answer was cut off by `max_tokens` before it was complete.
    #[error("Claude's answer was cut off at max_tokens")]
    Truncated,
    /// The answer is not exactly the expected object, or a value is outside its enum.
    #[error("Claude's answer is invalid: {0}")]
    InvalidAnswer(String),
}

impl ClaudeError {
    /// Short form for a status line, e.g. "401", "timeout", "offline".
    pub fn short(&self) -> String {
        let text = match self {
            ClaudeError::NoApiKey => "no key",
            ClaudeError::InvalidSettings(_) => "bad settings",
            ClaudeError::Dns { .. } => "offline",
            ClaudeError::ConnectionRefused { .. } => "unreachable",
            ClaudeError::ConnectTimeout { .. } => "connect timeout",
            ClaudeError::ConnectionLost(_) => "connection lost",
            ClaudeError::Network(_) => "network error",
            ClaudeError::Deadline(_) => "timeout",
            ClaudeError::BadRequest { .. } => "400",
            ClaudeError::Unauthorized { .. } => "401",
            ClaudeError::Billing { .. } => "402 billing",
            ClaudeError::Forbidden { .. } => "403",
            ClaudeError::ModelNotFound { .. } => "404 model",
            ClaudeError::RequestTooLarge { .. } => "413 too large",
            ClaudeError::RateLimited { .. } => "rate limited",
            ClaudeError::SpendLimit { .. } => "spend limit",
            ClaudeError::Overloaded { .. } => "overloaded",
            ClaudeError::Server { status, .. } | ClaudeError::UnexpectedStatus { status, .. } => {
                return status.to_string();
            }
            ClaudeError::MalformedReply(_) => "bad reply",
            ClaudeError::NoToolCall { .. } => "no tool call",
            ClaudeError::NoText => "no text",
            ClaudeError::Refused => "refused",
            ClaudeError::Truncated => "cut off",
            ClaudeError::InvalidAnswer(_) => "bad answer",
        };
        text.to_owned()
    }

    /// True for 401/403: stop trying until restart or a config change.
    pub fn is_permanent(&self) -> bool {
        matches!(self, ClaudeError::Unauthorized { .. } | ClaudeError::Forbidden { .. })
    }

    /// True for failures that may pass within seconds (a rate limit, 529
    /// overloaded, 500/502/503/504, a connection dropped mid-request): one
    /// more try in the same call is worth it. Refusals, DNS failures and
    /// connect timeouts would only fail again.
    pub fn is_transient(&self) -> bool {
        matches!(
            self,
            ClaudeError::RateLimited { .. }
                | ClaudeError::Overloaded { .. }
                | ClaudeError::Server { status: 500 | 502 | 503 | 504, .. }
                | ClaudeError::ConnectionLost(_)
        )
    }
}

fn secs(d: Duration) -> String {
    if d < Duration::from_secs(1) {
        format!("{} ms", d.as_millis())
    } else {
        format!("{:.1} s", d.as_secs_f64())
    }
}

fn detail(message: &Option<String>) -> String {
    message.as_deref().map(|m| format!(": {m}")).unwrap_or_default()
}

fn retry_hint(retry_after: Option<Duration>) -> String {
    retry_after.map(|d| format!(", retry after {}", secs(d))).unwrap_or_default()
}

/// Makes text from the network safe to keep in an error: no key, nothing
/// that looks like a secret, one line, no terminal controls, bounded length.
pub(super) fn scrub(text: &str, key: &str) -> String {
    let without_key = if key.is_empty() { text.to_owned() } else { text.replace(key, "[redacted]") };
    let one_line = sanitize_line(&redact(&without_key)).split_whitespace().collect::<Vec<_>>().join(" ");
    match one_line.char_indices().nth(MAX_MESSAGE_CHARS) {
        Some((cut, _)) => format!("{}…", &one_line[..cut]),
        None => one_line,
    }
}

/// What the error body says, when it is the API's JSON error shape
/// `{"type":"error","error":{"type":..,"message":..,"details":{"error_code":..}}}`.
/// A 413 from a proxy may be HTML or plain text: then there is nothing to read.
#[derive(Debug, Default)]
pub(super) struct ErrorBody {
    pub message: Option<String>,
    pub code: Option<String>,
}

impl ErrorBody {
    pub fn parse(body: &[u8], key: &str) -> ErrorBody {
        let Ok(value) = serde_json::from_slice::<Value>(body) else { return ErrorBody::default() };
        let error = &value["error"];
        let text = |v: &Value| v.as_str().map(|s| scrub(s, key)).filter(|s| !s.is_empty());
        ErrorBody { message: text(&error["message"]), code: text(&error["details"]["error_code"]) }
    }

    /// Spend limits are rate-limit errors with their own `error_code`
    /// (`enforced_spend_limit_reached`, `contract_spend_limit_reached`, and for
    /// 402 `linked_organization_spend_limit_reached`). Older responses only say
    /// so in the message.
    fn is_spend_limit(&self) -> bool {
        if let Some(code) = &self.code {
            return code.ends_with("spend_limit_reached");
        }
        let message = self.message.as_deref().unwrap_or_default().to_lowercase();
        ["spend limit", "spending limit", "usage limit", "credit limit", "credit balance"]
            .iter()
            .any(|phrase| message.contains(phrase))
    }
}

/// The error for a non-success status, from its status code and body.
pub(super) fn from_status(
    status: StatusCode,
    body: &ErrorBody,
    retry_after: Option<Duration>,
    model: &str,
) -> ClaudeError {
    let message = body.message.clone();
    match status.as_u16() {
        400 => ClaudeError::BadRequest { message },
        401 => ClaudeError::Unauthorized { message },
        402 if body.is_spend_limit() => ClaudeError::SpendLimit { message },
        402 => ClaudeError::Billing { message },
        403 => ClaudeError::Forbidden { message },
        404 => ClaudeError::ModelNotFound { model: scrub(model, ""), message },
        413 => ClaudeError::RequestTooLarge { message },
        429 if body.is_spend_limit() => ClaudeError::SpendLimit { message },
        429 => ClaudeError::RateLimited { retry_after, message },
        529 => ClaudeError::Overloaded { message },
        code @ 500..=599 => ClaudeError::Server { status: code, message },
        code => ClaudeError::UnexpectedStatus { status: code, message },
    }
}

/// How long the server asks us to wait: `retry-after-ms` (sent by the API,
/// more precise) or `retry-after` in seconds. The HTTP-date form is not used
/// by the API and counts as no hint.
pub(super) fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let read = |name: &str| headers.get(name)?.to_str().ok()?.trim().parse::<f64>().ok();
    let seconds = match read("retry-after-ms") {
        Some(ms) => ms / 1000.0,
        None => read("retry-after")?,
    };
    (seconds.is_finite() && seconds >= 0.0).then(|| Duration::from_secs_f64(seconds.min(86_400.0)))
}

/// Maps a transport error from reqwest to the precise failure.
pub(super) fn from_transport(err: &reqwest::Error, host: &str, connect_timeout: Duration) -> ClaudeError {
    let host = host.to_owned();
    if err.is_dns() {
        return ClaudeError::Dns { host };
    }
    if err.is_connect() {
        if err.is_timeout() {
            return ClaudeError::ConnectTimeout { host, after: connect_timeout };
        }
        if io_kind(err) == Some(io::ErrorKind::ConnectionRefused) {
            return ClaudeError::ConnectionRefused { host };
        }
        return ClaudeError::Network(root_cause(err));
    }
    if err.is_builder() {
        return ClaudeError::InvalidSettings(root_cause(err));
    }
    // Past connecting: the request or reply was cut short.
    if err.is_request() || err.is_body() || err.is_decode() || io_kind(err).is_some() {
        return ClaudeError::ConnectionLost(root_cause(err));
    }
    ClaudeError::Network(root_cause(err))
}

fn io_kind(err: &reqwest::Error) -> Option<io::ErrorKind> {
    let mut source = err.source();
    while let Some(e) = source {
        if let Some(io) = e.downcast_ref::<io::Error>() {
            return Some(io.kind());
        }
        source = e.source();
    }
    None
}

/// The innermost cause, which is the informative one ("connection reset by
/// peer"); reqwest's own outer message names the URL, which we leave out.
fn root_cause(err: &reqwest::Error) -> String {
    let mut cause: &dyn std::error::Error = err;
    while let Some(inner) = cause.source() {
        cause = inner;
    }
    scrub(&cause.to_string(), "")
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

    fn body(json: &str) -> ErrorBody {
        ErrorBody::parse(json.as_bytes(), "sk-ant-secret-key-123456")
    }

    #[test]
    fn reads_the_api_error_shape() {
        let b = body(r#"{"type":"error","error":{"type":"rate_limit_error","message":"slow down"}}"#);
        assert_eq!(b.message.as_deref(), Some("slow down"));
        assert_eq!(b.code, None);
    }

    #[test]
    fn non_json_bodies_have_no_message() {
        for raw in
            ["<html><body>413 Request Entity Too Large</body></html>", "", "null", "[1]", "{\"error\":7}"]
        {
            let b = body(raw);
            assert!(b.message.is_none() && b.code.is_none(), "{raw}");
        }
    }

    #[test]
    fn messages_are_scrubbed_of_the_key_and_controls() {
        let b = body(
            r#"{"error":{"type":"authentication_error","message":"bad key sk-ant-secret-key-123456\n\u001b[31mred"}}"#,
        );
        let message = b.message.unwrap();
        assert!(!message.contains("sk-ant-secret-key-123456"), "{message}");
        assert!(!message.contains('\n') && !message.contains('\u{1b}'), "{message}");
        let long = format!(r#"{{"error":{{"message":"{}"}}}}"#, "x ".repeat(1000));
        assert!(body(&long).message.unwrap().chars().count() <= MAX_MESSAGE_CHARS + 1);
    }

    #[test]
    fn spend_limits_are_told_apart_from_rate_limits() {
        let by_code = body(
            r#"{"error":{"type":"rate_limit_error","message":"x","details":{"error_code":"enforced_spend_limit_reached"}}}"#,
        );
        assert!(matches!(
            from_status(StatusCode::TOO_MANY_REQUESTS, &by_code, None, "m"),
            ClaudeError::SpendLimit { .. }
        ));
        let ramp = body(
            r#"{"error":{"type":"rate_limit_error","message":"x","details":{"error_code":"ramp_limit_exceeded"}}}"#,
        );
        assert!(matches!(
            from_status(StatusCode::TOO_MANY_REQUESTS, &ramp, None, "m"),
            ClaudeError::RateLimited { .. }
        ));
        let by_message = body(
            r#"{"error":{"type":"rate_limit_error","message":"You have reached your monthly spend limit"}}"#,
        );
        assert!(matches!(
            from_status(StatusCode::TOO_MANY_REQUESTS, &by_message, None, "m"),
            ClaudeError::SpendLimit { .. }
        ));
        let plain = body(r#"{"error":{"type":"rate_limit_error","message":"Number of requests exceeded"}}"#);
        assert!(matches!(
            from_status(StatusCode::TOO_MANY_REQUESTS, &plain, None, "m"),
            ClaudeError::RateLimited { .. }
        ));
    }

    #[test]
    fn statuses_map_to_their_variants() {
        let none = ErrorBody::default();
        let cases: &[(u16, &str)] = &[
            (400, "400"),
            (401, "401"),
            (402, "402 billing"),
            (403, "403"),
            (404, "404 model"),
            (408, "408"),
            (413, "413 too large"),
            (429, "rate limited"),
            (500, "500"),
            (503, "503"),
            (529, "overloaded"),
            (302, "302"),
        ];
        for &(code, short) in cases {
            let err = from_status(StatusCode::from_u16(code).unwrap(), &none, None, "claude-x");
            assert_eq!(err.short(), short, "{code}");
            assert_eq!(err.is_permanent(), code == 401 || code == 403, "{code}");
            assert!(!err.to_string().contains('\n'));
        }
    }

    #[test]
    fn retry_after_headers() {
        let mut headers = HeaderMap::new();
        assert_eq!(retry_after(&headers), None);
        headers.insert("retry-after", HeaderValue::from_static("2"));
        assert_eq!(retry_after(&headers), Some(Duration::from_secs(2)));
        headers.insert("retry-after-ms", HeaderValue::from_static("150"));
        assert_eq!(retry_after(&headers), Some(Duration::from_millis(150)));
        headers.remove("retry-after-ms");
        headers.insert("retry-after", HeaderValue::from_static("Wed, 21 Oct 2015 07:28:00 GMT"));
        assert_eq!(retry_after(&headers), None);
        headers.insert("retry-after", HeaderValue::from_static("-3"));
        assert_eq!(retry_after(&headers), None);
        headers.insert("retry-after", HeaderValue::from_static("1e300"));
        assert_eq!(retry_after(&headers), Some(Duration::from_secs(86_400)));
    }

    #[test]
    fn display_is_one_line_with_details() {
        let err = ClaudeError::RateLimited {
            retry_after: Some(Duration::from_millis(1500)),
            message: Some("slow down".into()),
        };
        assert_eq!(err.to_string(), "Claude rate limit reached (429), retry after 1.5 s: slow down");
        assert_eq!(
            ClaudeError::Deadline(Duration::from_millis(800)).to_string(),
            "Claude did not answer within 800 ms"
        );
    }
}
