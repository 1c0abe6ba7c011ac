//! Opening a session with a PostgreSQL desk: TLS as `sslmode` says, the whole
//! attempt (TLS, authentication, settings) bounded by the connect timeout, and
//! any failure one line naming the desk without its password.

use std::sync::mpsc;
use std::time::{Duration, Instant};

use postgres::config::SslMode as WireSsl;

use super::target::{PgHost, PgTarget, SslMode};
use super::tls::{PgTls, Trust};
use crate::store::StoreError;

/// The name the server shows for our sessions unless the URL gives one.
const APPLICATION_NAME: &str = "ticketdesk";

/// One way of trying: TLS or not, and the connector for it.
struct Attempt {
    wire: WireSsl,
    tls: PgTls,
}

/// A connected client for `target` whose lock waits end after
/// `lock_timeout` (the desk's busy timeout).
pub fn connect(target: &PgTarget, lock_timeout: Duration) -> Result<postgres::Client, StoreError> {
    let unreachable = |detail: String| StoreError::Unreachable { target: target.shown(), detail };
    let attempts = plan(target).map_err(unreachable)?;
    let (sender, receiver) = mpsc::channel();
    let owned = target.clone();
    let deadline = target.connect_timeout.map(|t| Instant::now() + t);
    // The client's own connect timeout covers only the socket: a server that
    // accepts and then says nothing would hold us forever. The attempt runs
    // on a thread of its own so that we stop waiting at the deadline.
    std::thread::Builder::new()
        .name("pg-connect".into())
        .spawn(move || {
            let _ = sender.send(run(&owned, attempts, deadline, lock_timeout));
        })
        .map_err(|e| unreachable(format!("cannot start connecting: {e}")))?;
    let outcome = match target.connect_timeout {
        Some(timeout) => receiver.recv_timeout(timeout).map_err(|_| timed_out(timeout)),
        None => receiver.recv().map_err(|_| "the connection attempt stopped".to_owned()),
    };
    let result = outcome.and_then(|r| r);
    result.map_err(|detail| {
        let detail = hide_password(target, detail);
        tracing::warn!(desk = %target.shown(), "cannot reach the desk: {detail}");
        unreachable(detail)
    })
}

fn timed_out(timeout: Duration) -> String {
    format!("timed out after {} s", timeout.as_secs())
}

/// The attempts libpq would make, in order. `allow` tries plain first and
/// TLS when the server refuses; `prefer` the other way round.
fn plan(target: &PgTarget) -> Result<Vec<Attempt>, String> {
    let root = target.sslrootcert.as_ref();
    let tls = PgTls::new(Trust::of(target.sslmode, root), root)?;
    let attempt = |wire| Attempt { wire, tls: tls.clone() };
    // libpq never uses TLS over a Unix socket, whatever sslmode says.
    if matches!(target.host, PgHost::Socket(_)) {
        return Ok(vec![attempt(WireSsl::Disable)]);
    }
    Ok(match target.sslmode {
        SslMode::Disable => vec![attempt(WireSsl::Disable)],
        SslMode::Allow => vec![attempt(WireSsl::Disable), attempt(WireSsl::Require)],
        SslMode::Prefer => vec![attempt(WireSsl::Prefer), attempt(WireSsl::Disable)],
        SslMode::Require | SslMode::VerifyCa | SslMode::VerifyFull => vec![attempt(WireSsl::Require)],
    })
}

/// Tries each attempt in turn, moving on only when the server itself said no
/// (or the TLS session failed, for `prefer`); returns the last failure.
fn run(
    target: &PgTarget,
    attempts: Vec<Attempt>,
    deadline: Option<Instant>,
    lock_timeout: Duration,
) -> Result<postgres::Client, String> {
    let mut last = String::new();
    for attempt in attempts {
        let left = deadline.map(|d| d.saturating_duration_since(Instant::now()));
        if left == Some(Duration::ZERO) {
            return Err(timed_out(target.connect_timeout.unwrap_or_default()));
        }
        let wire = attempt.wire;
        match config(target, left).ssl_mode(wire).connect(attempt.tls) {
            Ok(mut client) => {
                set_lock_timeout(&mut client, lock_timeout).map_err(|e| detail(&e, target))?;
                // `prefer` falls back to plain inside the client when the
                // server offers no TLS, so only the attempt is known here.
                let tls = match wire {
                    WireSsl::Disable => "no",
                    WireSsl::Require => "yes",
                    _ => "if the server offered it",
                };
                tracing::debug!(desk = %target.shown(), tls, "connected");
                return Ok(client);
            }
            Err(e) => {
                let worth_retrying =
                    e.as_db_error().is_some() || (wire == WireSsl::Prefer && tls_failure(&e).is_some());
                last = detail(&e, target);
                if !worth_retrying {
                    break;
                }
            }
        }
    }
    Err(last)
}

fn config(target: &PgTarget, timeout: Option<Duration>) -> postgres::Config {
    let mut config = postgres::Config::new();
    match &target.host {
        PgHost::Tcp(host) => config.host(host),
        PgHost::Socket(dir) => config.host_path(dir),
    };
    config.port(target.port).user(&target.user).dbname(&target.dbname);
    config.application_name(target.application_name.as_deref().unwrap_or(APPLICATION_NAME));
    if let Some(password) = &target.password {
        config.password(password.expose());
    }
    if let Some(timeout) = timeout {
        config.connect_timeout(timeout.max(Duration::from_millis(1)));
    }
    // A cut network closes nothing: without probes an idle screen would
    // wait for the system's two hours to learn its server is gone.
    config
        .keepalives(true)
        .keepalives_idle(KEEPALIVE_IDLE)
        .keepalives_interval(KEEPALIVE_INTERVAL)
        .keepalives_retries(KEEPALIVE_RETRIES);
    config
}

/// Silence before the first probe, between probes, and unanswered probes
/// before the connection counts as lost: about half a minute in all.
const KEEPALIVE_IDLE: Duration = Duration::from_secs(15);
const KEEPALIVE_INTERVAL: Duration = Duration::from_secs(5);
const KEEPALIVE_RETRIES: u32 = 3;

/// The busy timeout as the session's lock timeout. Zero means "do not wait"
/// on the SQLite desk but "wait forever" to PostgreSQL, hence the floor.
fn set_lock_timeout(client: &mut postgres::Client, lock_timeout: Duration) -> Result<(), postgres::Error> {
    let ms = lock_timeout.as_millis().clamp(1, i32::MAX as u128);
    client.batch_execute(&format!("SET lock_timeout = {ms}"))
}

/// The rustls error behind a failed handshake, if that is what failed.
fn tls_failure(err: &postgres::Error) -> Option<&rustls::Error> {
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(err);
    while let Some(e) = source {
        if let Some(tls) = e.downcast_ref::<rustls::Error>() {
            return Some(tls);
        }
        // An io::Error hides what it wraps from `source()`.
        if let Some(tls) = e.downcast_ref::<std::io::Error>().and_then(|io| io.get_ref()?.downcast_ref()) {
            return Some(tls);
        }
        source = e.source();
    }
    None
}

fn io_failure(err: &postgres::Error) -> Option<&std::io::Error> {
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(err);
    while let Some(e) = source {
        if let Some(io) = e.downcast_ref::<std::io::Error>() {
            return Some(io);
        }
        source = e.source();
    }
    None
}

/// A connection failure in words for people, on one line.
fn detail(err: &postgres::Error, target: &PgTarget) -> String {
    if let Some(db) = err.as_db_error() {
        return one_line(db.message());
    }
    let mode = target.sslmode;
    if let Some(tls) = tls_failure(err) {
        return super::tls::describe(tls, mode, target.tls_host().unwrap_or("the server"));
    }
    let text = with_sources(err);
    if text.contains("server does not support TLS") {
        return format!("the server does not accept TLS (sslmode={})", mode.as_str());
    }
    if text.contains("password missing") {
        return "the server asks for a password and none was given (in the URL, PGPASSWORD or the password file)"
            .to_owned();
    }
    if let Some(io) = io_failure(err) {
        use std::io::ErrorKind as K;
        return match (io.kind(), &target.host) {
            (K::ConnectionRefused, _) => "connection refused".to_owned(),
            (K::TimedOut, _) => timed_out(target.connect_timeout.unwrap_or_default()),
            (K::NotFound, PgHost::Socket(dir)) => {
                format!(
                    "no server socket for port {} in {}",
                    target.port,
                    one_line(&dir.display().to_string())
                )
            }
            (K::UnexpectedEof | K::ConnectionReset | K::BrokenPipe, _) => {
                "the server closed the connection".to_owned()
            }
            _ => one_line(&io.to_string()),
        };
    }
    one_line(&text)
}

/// The error and what lies beneath it.
fn with_sources(err: &postgres::Error) -> String {
    let mut text = err.to_string();
    let mut source = std::error::Error::source(err);
    while let Some(e) = source {
        text = format!("{text}: {e}");
        source = e.source();
    }
    text
}

fn one_line(text: &str) -> String {
    crate::domain::text::sanitize_line(&text.split_whitespace().collect::<Vec<_>>().join(" ")).into_owned()
}

/// Belt and braces: no message leaves here holding the password.
fn hide_password(target: &PgTarget, detail: String) -> String {
    match &target.password {
        Some(p) if !p.expose().is_empty() && detail.contains(p.expose()) => detail.replace(p.expose(), "…"),
        _ => detail,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::postgres::target::PgEnv;

    fn target(url: &str) -> PgTarget {
        let env = PgEnv::new([("PGPASSFILE", "/nonexistent/pgpass")], None, Some("me".into()))
            .with_socket_dir("/nonexistent/pg-socket");
        PgTarget::parse(url, &env).unwrap()
    }

    #[test]
    fn sessions_probe_a_silent_network_within_half_a_minute() {
        let config = config(&target("postgres://db.example/desk"), None);
        assert!(config.get_keepalives());
        let worst = config.get_keepalives_idle()
            + config.get_keepalives_interval().unwrap() * config.get_keepalives_retries().unwrap();
        assert!(worst <= Duration::from_secs(30), "{worst:?}");
    }

    fn wires(url: &str) -> Vec<WireSsl> {
        plan(&target(url)).unwrap().iter().map(|a| a.wire).collect()
    }

    #[test]
    fn each_sslmode_tries_what_libpq_tries() {
        use WireSsl::*;
        assert_eq!(wires("postgres://h/d?sslmode=disable"), [Disable]);
        assert_eq!(wires("postgres://h/d?sslmode=allow"), [Disable, Require]);
        assert_eq!(wires("postgres://h/d"), [Prefer, Disable]);
        assert_eq!(wires("postgres://h/d?sslmode=require"), [Require]);
        assert_eq!(wires("postgres://h/d?sslmode=verify-ca&sslrootcert=system"), [Require]);
        assert_eq!(wires("postgres://h/d?sslmode=verify-full&sslrootcert=system"), [Require]);
        // Never TLS over a Unix socket.
        assert_eq!(wires("postgres:///d?host=/tmp&sslmode=require"), [Disable]);
    }

    #[test]
    fn a_root_file_that_cannot_be_read_is_one_line_naming_the_desk() {
        let t = target("postgres://u:pw-x@h/d?sslmode=verify-ca&sslrootcert=/nonexistent/ca.pem");
        let err = connect(&t, Duration::from_secs(1)).err().expect("refused").to_string();
        assert!(err.starts_with("cannot reach postgres://u@h:5432/d?sslmode=verify-ca: "), "{err}");
        assert!(err.contains("/nonexistent/ca.pem") && !err.contains("pw-x") && !err.contains('\n'), "{err}");
    }

    #[test]
    fn the_password_is_cut_from_any_detail() {
        let t = target("postgres://u:hunter2@h/d");
        assert_eq!(hide_password(&t, "said hunter2 twice: hunter2".into()), "said … twice: …");
        assert_eq!(hide_password(&t, "nothing".into()), "nothing");
    }
}
