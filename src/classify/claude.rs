//! Claude over the Messages API, through a small client of our own.
//!
//! Field names, headers, model ids and error shapes follow the official
//! Python SDK, `anthropic` 2.13.0: `types/message_create_params.py`,
//! `output_config_param.py`, `json_output_format_param.py`, `tool_param.py`,
//! `tool_choice_tool_param.py`, `model.py`, `_constants.py` (API version
//! 2026-10-21), `_client.py` (headers), `_base_client.py` (retry hints) and
//! `types/shared/*error*` (error bodies and spend-limit codes).
//!
//! One call is: redact and cap the text, POST it once, retry at most once for
//! a transient failure, all inside one deadline. Every failure is a distinct
//! [`ClaudeError`]; nothing here panics or waits past the deadline.

mod error;
mod reply;
mod request;

pub use error::ClaudeError;

use reqwest::Url;
use reqwest::header::{AUTHORIZATION, CONTENT_TYPE, HeaderMap, HeaderName, HeaderValue};
use serde_json::Value;
use std::fmt;
use std::sync::Arc;
use std::time::Duration;
use tokio::time::Instant;

use super::Confidence;
use crate::domain::{Category, Priority};
use error::ErrorBody;

pub const DEFAULT_BASE_URL: &str = "https://api.anthropic.com";
/// The newest small Haiku alias in the SDK's model list.
pub const DEFAULT_MODEL: &str = "claude-haiku-5-5";
/// The version the SDK sends in `anthropic-version`.
pub const DEFAULT_API_VERSION: &str = "2026-10-21";
/// The version older integrations pin.
pub const LEGACY_API_VERSION: &str = "2023-06-01";

/// Wait before retrying a 5xx, 529 or dropped connection that gave no hint.
const RETRY_BACKOFF: Duration = Duration::from_millis(300);
/// A retry is only worth it with at least this much time left after waiting.
const RETRY_HEADROOM: Duration = Duration::from_millis(250);
/// Replies are a few hundred bytes; anything past this is not one of ours.
const MAX_REPLY_BYTES: usize = 1 << 20;
/// Deadlines beyond this are treated as this (and cannot overflow a clock).
const LONGEST_DEADLINE: Duration = Duration::from_secs(24 * 60 * 60);

/// The API key. It prints as `[redacted]` so it cannot leak through logs or
/// error messages; [`ApiKey::expose`] is the one way to read it.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct ApiKey(String);

impl ApiKey {
    /// Surrounding whitespace (a newline from a key file) is dropped.
    pub fn new(key: impl Into<String>) -> ApiKey {
        let key = key.into();
        ApiKey(key.trim().to_owned())
    }

    pub fn expose(&self) -> &str {
        &self.0
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl From<String> for ApiKey {
    fn from(key: String) -> ApiKey {
        ApiKey::new(key)
    }
}

impl From<&str> for ApiKey {
    fn from(key: &str) -> ApiKey {
        ApiKey::new(key)
    }
}

impl fmt::Debug for ApiKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

impl fmt::Display for ApiKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

/// How the key is sent (the config's `claude.auth`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Deserialize)]
pub enum AuthStyle {
    /// `Authorization: Bearer <key>`, what the SDK sends.
    #[default]
    #[serde(rename = "bearer")]
    Bearer,
    /// `x-api-key: <key>`, for older integrations and gateways.
    #[serde(rename = "x-api-key")]
    XApiKey,
}

/// How the answer is constrained to our enums (the config's `claude.request`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Deserialize)]
pub enum RequestMode {
    /// `output_config.format` with a JSON schema; the answer is the first text block.
    #[default]
    #[serde(rename = "structured")]
    StructuredOutput,
    /// One strict tool that Claude must call; the answer is its input.
    #[serde(rename = "tool")]
    ToolCall,
}

#[derive(Debug, Clone)]
pub struct ClaudeSettings {
    pub api_key: ApiKey,
    /// Without `/v1`; requests go to `{base_url}/v1/messages`.
    pub base_url: String,
    pub model: String,
    pub api_version: String,
    pub auth: AuthStyle,
    pub mode: RequestMode,
    pub max_tokens: u32,
    /// For DNS, TCP and TLS together.
    pub connect_timeout: Duration,
    /// For the whole `classify()` call, retry included.
    pub deadline: Duration,
    /// Cap on the ticket text sent, in characters, after redaction.
    pub max_input_chars: usize,
    pub redact: bool,
}

impl Default for ClaudeSettings {
    fn default() -> ClaudeSettings {
        ClaudeSettings {
            api_key: ApiKey::default(),
            base_url: DEFAULT_BASE_URL.to_owned(),
            model: DEFAULT_MODEL.to_owned(),
            api_version: DEFAULT_API_VERSION.to_owned(),
            auth: AuthStyle::Bearer,
            mode: RequestMode::StructuredOutput,
            max_tokens: 200,
            connect_timeout: Duration::from_secs(2),
            deadline: Duration::from_secs(8),
            max_input_chars: 4000,
            redact: true,
        }
    }
}

/// Claude's classification of one ticket.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClaudeAnswer {
    pub category: Category,
    pub priority: Priority,
    pub confidence: Confidence,
    /// One line, terminal-safe.
    pub reason: String,
}

/// Cheap to clone: clones share one connection pool.
#[derive(Clone)]
pub struct ClaudeClient {
    // Behind an Arc so the handle is one pointer wide wherever it is kept.
    inner: Arc<Inner>,
}

struct Inner {
    http: reqwest::Client,
    settings: ClaudeSettings,
    endpoint: Url,
    /// `host:port`, for error messages.
    host: String,
    headers: HeaderMap,
}

impl fmt::Debug for ClaudeClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClaudeClient")
            .field("endpoint", &self.inner.endpoint.as_str())
            .field("settings", &self.inner.settings)
            .finish_non_exhaustive()
    }
}

/// A failed attempt, and whether (after how long) it may be tried again.
struct Failure {
    error: ClaudeError,
    retry_in: Option<Duration>,
}

impl Failure {
    fn last(error: ClaudeError) -> Failure {
        Failure { error, retry_in: None }
    }
}

impl ClaudeClient {
    /// A client for these settings. An empty key is allowed here (so the
    /// request can still be shown); `classify()` then fails without sending.
    pub fn new(settings: ClaudeSettings) -> Result<ClaudeClient, ClaudeError> {
        ClaudeClient::build(settings, None)
    }

    /// Same, with a custom DNS resolver.
    pub fn with_resolver(
        settings: ClaudeSettings,
        resolver: Arc<dyn reqwest::dns::Resolve>,
    ) -> Result<ClaudeClient, ClaudeError> {
        ClaudeClient::build(settings, Some(resolver))
    }

    fn build(
        settings: ClaudeSettings,
        resolver: Option<Arc<dyn reqwest::dns::Resolve>>,
    ) -> Result<ClaudeClient, ClaudeError> {
        let endpoint = endpoint(&settings.base_url)?;
        let host = match (endpoint.host_str(), endpoint.port_or_known_default()) {
            (Some(host), Some(port)) => format!("{host}:{port}"),
            (Some(host), None) => host.to_owned(),
            (None, _) => return Err(ClaudeError::InvalidSettings("the base URL has no host".into())),
        };
        let headers = headers(&settings)?;
        let mut builder = reqwest::Client::builder()
            .connect_timeout(settings.connect_timeout)
            // The API never redirects; following one could hand the key to another host.
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("ticketdesk/", env!("CARGO_PKG_VERSION")));
        if let Some(resolver) = resolver {
            builder = builder.dns_resolver(resolver);
        }
        let http = builder
            .build()
            .map_err(|e| ClaudeError::InvalidSettings(format!("cannot build the HTTP client: {e}")))?;
        Ok(ClaudeClient { inner: Arc::new(Inner { http, settings, endpoint, host, headers }) })
    }

    pub fn settings(&self) -> &ClaudeSettings {
        &self.inner.settings
    }

    /// Exactly the JSON body `classify()` sends for this text (redacted and capped).
    pub fn request_body(&self, text: &str) -> Value {
        request::body(&self.inner.settings, text)
    }

    /// Asks Claude for a category and priority. Returns within the deadline.
    pub async fn classify(&self, text: &str) -> Result<ClaudeAnswer, ClaudeError> {
        if self.settings().api_key.is_empty() {
            return Err(ClaudeError::NoApiKey);
        }
        let body = self.request_body(text).to_string();
        let budget = self.settings().deadline.min(LONGEST_DEADLINE);
        let deadline = Instant::now() + budget;
        tokio::time::timeout_at(deadline, self.send_with_retry(&body, deadline))
            .await
            .unwrap_or(Err(ClaudeError::Deadline(budget)))
    }

    /// One attempt, and one more only for a transient failure whose wait
    /// still leaves time before the deadline.
    async fn send_with_retry(&self, body: &str, deadline: Instant) -> Result<ClaudeAnswer, ClaudeError> {
        let failure = match self.send_once(body).await {
            Ok(answer) => return Ok(answer),
            Err(failure) => failure,
        };
        let Some(wait) = failure.retry_in else { return Err(failure.error) };
        let wait_ms = wait.as_millis() as u64;
        if Instant::now() + wait + RETRY_HEADROOM > deadline {
            tracing::info!(error = %failure.error, wait_ms, retry = "skipped", "claude: no time left to retry");
            return Err(failure.error);
        }
        tracing::info!(error = %failure.error, wait_ms, retry = "once", "claude: retrying");
        tokio::time::sleep(wait).await;
        self.send_once(body).await.map_err(|failure| failure.error)
    }

    async fn send_once(&self, body: &str) -> Result<ClaudeAnswer, Failure> {
        let Inner { http, settings, endpoint, headers, .. } = &*self.inner;
        let response = http
            .post(endpoint.clone())
            .headers(headers.clone())
            .body(body.to_owned())
            .send()
            .await
            .map_err(|e| self.transport_failure(&e))?;
        let status = response.status();
        let reply_headers = response.headers().clone();
        let (bytes, complete) = read_capped(response).await.map_err(|e| self.transport_failure(&e))?;
        if status.is_success() {
            if !complete {
                return Err(Failure::last(ClaudeError::MalformedReply("reply larger than 1 MiB".into())));
            }
            return reply::parse(&bytes, settings.mode).map_err(Failure::last);
        }
        let error_body = ErrorBody::parse(&bytes, settings.api_key.expose());
        let error =
            error::from_status(status, &error_body, error::retry_after(&reply_headers), &settings.model);
        let retry_in = retry_delay(&error, &reply_headers);
        Err(Failure { error, retry_in })
    }

    fn transport_failure(&self, err: &reqwest::Error) -> Failure {
        let error = error::from_transport(err, &self.inner.host, self.settings().connect_timeout);
        let retry_in = retry_delay(&error, &HeaderMap::new());
        Failure { error, retry_in }
    }
}

/// When a failure may be tried again within the call: only a transient one
/// (see [`ClaudeError::is_transient`]), a 429 only with the server's hint,
/// the others after the hint or a short pause; never when the server says
/// `x-should-retry: false`. Which status is which failure is decided once,
/// where the error is made.
fn retry_delay(error: &ClaudeError, headers: &HeaderMap) -> Option<Duration> {
    if !error.is_transient()
        || headers.get("x-should-retry").is_some_and(|v| v.as_bytes().eq_ignore_ascii_case(b"false"))
    {
        return None;
    }
    match error {
        ClaudeError::RateLimited { retry_after, .. } => *retry_after,
        _ => Some(error::retry_after(headers).unwrap_or(RETRY_BACKOFF)),
    }
}

/// Reads the body up to [`MAX_REPLY_BYTES`]; `false` when there was more.
async fn read_capped(mut response: reqwest::Response) -> Result<(Vec<u8>, bool), reqwest::Error> {
    let mut bytes = Vec::new();
    while let Some(chunk) = response.chunk().await? {
        if bytes.len() + chunk.len() > MAX_REPLY_BYTES {
            return Ok((bytes, false));
        }
        bytes.extend_from_slice(&chunk);
    }
    Ok((bytes, true))
}

/// `{base_url}/v1/messages`, forgiving a trailing `/` or `/v1`.
fn endpoint(base_url: &str) -> Result<Url, ClaudeError> {
    let base = base_url.trim().trim_end_matches('/');
    let base = base.strip_suffix("/v1").unwrap_or(base);
    let url = Url::parse(&format!("{base}/v1/messages"))
        .map_err(|e| ClaudeError::InvalidSettings(format!("the base URL is not a URL ({e})")))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(ClaudeError::InvalidSettings("the base URL must start with https:// or http://".into()));
    }
    Ok(url)
}

/// Version, content type and the key (marked sensitive so it is never shown).
fn headers(settings: &ClaudeSettings) -> Result<HeaderMap, ClaudeError> {
    let mut headers = HeaderMap::new();
    headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    let version = HeaderValue::from_str(settings.api_version.trim())
        .map_err(|_| ClaudeError::InvalidSettings("the API version is not a valid header value".into()))?;
    headers.insert(HeaderName::from_static("anthropic-version"), version);
    let key = settings.api_key.expose();
    if !key.is_empty() {
        let (name, value) = match settings.auth {
            AuthStyle::Bearer => (AUTHORIZATION, format!("Bearer {key}")),
            AuthStyle::XApiKey => (HeaderName::from_static("x-api-key"), key.to_owned()),
        };
        let mut value = HeaderValue::from_str(&value).map_err(|_| {
            ClaudeError::InvalidSettings("the API key has characters not allowed in a header".into())
        })?;
        value.set_sensitive(true);
        headers.insert(name, value);
    }
    Ok(headers)
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::StatusCode;

    #[test]
    fn the_key_never_prints() {
        let key = ApiKey::new("  sk-ant-api03-very-secret\n");
        assert_eq!(key.expose(), "sk-ant-api03-very-secret");
        assert_eq!(format!("{key} {key:?}"), "[redacted] [redacted]");
        let settings = ClaudeSettings { api_key: key, ..ClaudeSettings::default() };
        assert!(!format!("{settings:?}").contains("very-secret"));
        let client = ClaudeClient::new(settings).unwrap();
        assert!(!format!("{client:?}").contains("very-secret"));
    }

    #[test]
    fn the_handle_is_small() {
        assert_eq!(std::mem::size_of::<ClaudeClient>(), std::mem::size_of::<usize>());
    }

    #[test]
    fn defaults() {
        let s = ClaudeSettings::default();
        assert!(s.api_key.is_empty());
        assert_eq!(s.base_url, "https://api.anthropic.com");
        assert_eq!(s.model, DEFAULT_MODEL);
        assert_eq!(s.api_version, "2026-10-21");
        assert_eq!((s.auth, s.mode), (AuthStyle::Bearer, RequestMode::StructuredOutput));
        assert_eq!((s.connect_timeout, s.deadline), (Duration::from_secs(2), Duration::from_secs(8)));
        assert_eq!((s.max_input_chars, s.redact, s.max_tokens), (4000, true, 200));
    }

    #[test]
    fn endpoints() {
        for base in
            ["https://api.anthropic.com", "https://api.anthropic.com/", "https://api.anthropic.com/v1/"]
        {
            assert_eq!(endpoint(base).unwrap().as_str(), "https://api.anthropic.com/v1/messages");
        }
        assert_eq!(endpoint("http://127.0.0.1:9/gw").unwrap().as_str(), "http://127.0.0.1:9/gw/v1/messages");
        for bad in ["", "api.anthropic.com", "ftp://x"] {
            assert!(matches!(endpoint(bad), Err(ClaudeError::InvalidSettings(_))), "{bad}");
        }
    }

    #[test]
    fn auth_headers() {
        let key = ApiKey::new("k-123");
        let bearer = headers(&ClaudeSettings { api_key: key.clone(), ..ClaudeSettings::default() }).unwrap();
        assert_eq!(bearer[AUTHORIZATION], "Bearer k-123");
        assert!(bearer[AUTHORIZATION].is_sensitive());
        assert!(bearer.get("x-api-key").is_none());
        let x =
            headers(&ClaudeSettings { api_key: key, auth: AuthStyle::XApiKey, ..ClaudeSettings::default() })
                .unwrap();
        assert_eq!(x["x-api-key"], "k-123");
        assert!(x.get(AUTHORIZATION).is_none());
        let none = headers(&ClaudeSettings::default()).unwrap();
        assert!(none.get(AUTHORIZATION).is_none() && none.get("x-api-key").is_none());
        let bad = ClaudeSettings { api_key: ApiKey::new("a\u{7}b"), ..ClaudeSettings::default() };
        let err = ClaudeClient::new(bad).unwrap_err();
        assert!(matches!(err, ClaudeError::InvalidSettings(_)) && !err.to_string().contains('\u{7}'));
    }

    /// The error production builds for a status (no body), so the policy is
    /// only ever asked about pairings that can happen.
    fn failed(code: u16, headers: &HeaderMap) -> ClaudeError {
        let status = StatusCode::from_u16(code).unwrap();
        error::from_status(status, &ErrorBody::default(), error::retry_after(headers), "m")
    }

    #[test]
    fn retry_policy() {
        let none = HeaderMap::new();
        let mut hinted = HeaderMap::new();
        hinted.insert("retry-after", HeaderValue::from_static("1"));
        let hint = Some(Duration::from_secs(1));
        assert_eq!(retry_delay(&failed(429, &hinted), &hinted), hint);
        assert_eq!(retry_delay(&failed(429, &none), &none), None, "a 429 without a hint");
        let spend = ErrorBody::parse(
            br#"{"error":{"type":"rate_limit_error","message":"x","details":{"error_code":"enforced_spend_limit_reached"}}}"#,
            "",
        );
        let spend = error::from_status(StatusCode::TOO_MANY_REQUESTS, &spend, hint, "m");
        assert!(matches!(spend, ClaudeError::SpendLimit { .. }));
        assert_eq!(retry_delay(&spend, &hinted), None, "a spend limit never");
        for code in [500, 502, 503, 504, 529] {
            assert_eq!(retry_delay(&failed(code, &none), &none), Some(RETRY_BACKOFF), "{code}");
            assert_eq!(retry_delay(&failed(code, &hinted), &hinted), hint, "{code} with a hint");
        }
        for code in [400, 401, 402, 403, 404, 408, 409, 413, 501] {
            assert_eq!(retry_delay(&failed(code, &hinted), &hinted), None, "{code}");
        }
        let mut no = HeaderMap::new();
        no.insert("x-should-retry", HeaderValue::from_static("false"));
        assert_eq!(retry_delay(&failed(500, &no), &no), None);
        let lost = ClaudeError::ConnectionLost("reset".into());
        assert_eq!(retry_delay(&lost, &none), Some(RETRY_BACKOFF), "a dropped connection, once");
        for transport in [
            ClaudeError::Dns { host: "h".into() },
            ClaudeError::ConnectionRefused { host: "h".into() },
            ClaudeError::ConnectTimeout { host: "h".into(), after: Duration::from_secs(2) },
        ] {
            assert_eq!(retry_delay(&transport, &none), None, "{transport:?}");
        }
    }

    #[tokio::test]
    async fn no_key_fails_before_any_network() {
        // Port 9 (discard) on loopback: nothing is sent, so nothing can answer.
        let settings = ClaudeSettings { base_url: "http://127.0.0.1:9".into(), ..ClaudeSettings::default() };
        let client = ClaudeClient::new(settings).unwrap();
        assert_eq!(client.classify("hello").await, Err(ClaudeError::NoApiKey));
        assert_eq!(client.request_body("hello")["model"], DEFAULT_MODEL);
    }
}
