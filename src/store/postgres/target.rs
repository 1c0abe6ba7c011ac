//! Where a PostgreSQL desk lives, read the way libpq reads it: the URL first,
//! then the `PG*` variables for what it leaves out, then libpq's defaults; the
//! password last from the password file. The environment comes in as a value
//! so that tests never touch the process's own.

use std::collections::HashMap;
use std::fmt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use percent_encoding::{AsciiSet, CONTROLS, percent_decode_str, utf8_percent_encode};

use super::pgpass;
use crate::domain::text::sanitize_line;
use crate::store::StoreError;

/// libpq's `sslmode`: whether to use TLS and how far to trust the server.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SslMode {
    /// Never TLS.
    Disable,
    /// Plain first; TLS only when the server refuses a plain session.
    Allow,
    /// TLS when the server offers it, plain otherwise (the default).
    Prefer,
    /// TLS, the certificate unchecked (unless a root certificate is given).
    Require,
    /// TLS, the certificate's chain checked; not its name.
    VerifyCa,
    /// TLS, the certificate's chain and its name checked.
    VerifyFull,
}

const SSL_MODES: [(&str, SslMode); 6] = [
    ("disable", SslMode::Disable),
    ("allow", SslMode::Allow),
    ("prefer", SslMode::Prefer),
    ("require", SslMode::Require),
    ("verify-ca", SslMode::VerifyCa),
    ("verify-full", SslMode::VerifyFull),
];

impl SslMode {
    pub fn parse(text: &str) -> Option<SslMode> {
        SSL_MODES.iter().find(|(name, _)| *name == text).map(|(_, mode)| *mode)
    }

    pub fn as_str(self) -> &'static str {
        SSL_MODES.iter().find(|(_, mode)| *mode == self).map_or("prefer", |(name, _)| name)
    }
}

/// The certificates a server's chain is checked against.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RootCert {
    /// The system's trusted roots (`sslrootcert=system`).
    System,
    /// A PEM file of CA certificates.
    File(PathBuf),
}

/// Where the server listens.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PgHost {
    /// A host name or IP address.
    Tcp(String),
    /// The folder holding the server's Unix socket.
    Socket(PathBuf),
}

/// A password: kept out of `Debug` and every message.
#[derive(Clone, PartialEq, Eq)]
pub struct Password(String);

impl Password {
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<hidden>")
    }
}

/// A PostgreSQL desk's location with every part filled in.
#[derive(Clone, Debug)]
pub struct PgTarget {
    pub host: PgHost,
    pub port: u16,
    pub user: String,
    pub password: Option<Password>,
    pub dbname: String,
    pub sslmode: SslMode,
    /// The roots named by `sslrootcert`/`PGSSLROOTCERT`, or libpq's
    /// `~/.postgresql/root.crt` when that exists.
    pub sslrootcert: Option<RootCert>,
    /// `None` waits as long as the system does (`connect_timeout=0`).
    pub connect_timeout: Option<Duration>,
    pub application_name: Option<String>,
    /// Things worth telling the person (an ignored password file), one line each.
    pub warnings: Vec<String>,
}

/// The connect timeout when neither the URL nor `PGCONNECT_TIMEOUT` gives one.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

/// The folder libpq (as Debian builds it) looks in for the server's socket.
pub const DEFAULT_SOCKET_DIR: &str = "/var/run/postgresql";

/// What libpq reads from outside the URL (no `Debug`: it may hold a password).
#[derive(Clone, Default)]
pub struct PgEnv {
    vars: HashMap<String, String>,
    /// The home folder (for `~/.pgpass` and `~/.postgresql/root.crt`).
    pub home: Option<PathBuf>,
    /// The OS account name: the default user.
    pub os_user: Option<String>,
    /// libpq's default socket folder: the default host when it exists.
    pub socket_dir: PathBuf,
}

/// The variables read, as libpq names them.
const VARS: [&str; 10] = [
    "PGHOST",
    "PGPORT",
    "PGUSER",
    "PGPASSWORD",
    "PGDATABASE",
    "PGSSLMODE",
    "PGSSLROOTCERT",
    "PGCONNECT_TIMEOUT",
    "PGPASSFILE",
    "PGAPPNAME",
];

impl PgEnv {
    /// The given variables (empty values count as unset, as do names libpq
    /// does not read), home and OS user; the socket folder is libpq's.
    pub fn new<K: Into<String>, V: Into<String>>(
        vars: impl IntoIterator<Item = (K, V)>,
        home: Option<PathBuf>,
        os_user: Option<String>,
    ) -> PgEnv {
        let vars = vars
            .into_iter()
            .map(|(k, v)| (k.into(), v.into()))
            .filter(|(k, v)| VARS.contains(&k.as_str()) && !v.is_empty())
            .collect();
        PgEnv { vars, home, os_user, socket_dir: PathBuf::from(DEFAULT_SOCKET_DIR) }
    }

    /// This process's environment.
    pub fn process() -> PgEnv {
        let vars = VARS.iter().filter_map(|name| Some((*name, std::env::var(name).ok()?)));
        let account = uzers::get_user_by_uid(uzers::get_effective_uid());
        let home = std::env::var_os("HOME")
            .filter(|h| !h.is_empty())
            .map(PathBuf::from)
            .or_else(|| account.as_ref().map(|a| uzers::os::unix::UserExt::home_dir(a).to_owned()));
        let os_user = account.and_then(|a| a.name().to_str().map(str::to_owned));
        PgEnv::new(vars, home, os_user)
    }

    pub fn with_socket_dir(mut self, dir: impl Into<PathBuf>) -> PgEnv {
        self.socket_dir = dir.into();
        self
    }

    fn var(&self, name: &str) -> Option<&str> {
        self.vars.get(name).map(String::as_str)
    }
}

/// The parts a URL spelled out, decoded; `None` where it left one out.
#[derive(Default)]
struct UrlParts {
    user: Option<String>,
    password: Option<String>,
    host: Option<String>,
    port: Option<String>,
    dbname: Option<String>,
    sslmode: Option<String>,
    sslrootcert: Option<String>,
    connect_timeout: Option<String>,
    application_name: Option<String>,
}

const PARAMS: [&str; 9] = [
    "host",
    "port",
    "user",
    "password",
    "dbname",
    "sslmode",
    "sslrootcert",
    "connect_timeout",
    "application_name",
];

fn bad(what: String) -> StoreError {
    StoreError::BadLocation(what)
}

/// A value from outside, safe to quote in one line.
fn quoted(text: &str) -> String {
    format!("\"{}\"", sanitize_line(text))
}

/// Whether `text` is a `postgres://` or `postgresql://` URL.
pub fn is_postgres_url(text: &str) -> bool {
    ["postgres://", "postgresql://"]
        .iter()
        .any(|scheme| text.get(..scheme.len()).is_some_and(|s| s.eq_ignore_ascii_case(scheme)))
}

fn decode(text: &str, part: &str) -> Result<Option<String>, StoreError> {
    let decoded = percent_decode_str(text)
        .decode_utf8()
        .map_err(|_| bad(format!("the {part} in the URL is not valid UTF-8 once percent-decoded")))?;
    Ok((!decoded.is_empty()).then(|| decoded.into_owned()))
}

fn parse_url(url: &str) -> Result<UrlParts, StoreError> {
    if !is_postgres_url(url) {
        return Err(bad("the URL must start with postgres:// or postgresql://".to_owned()));
    }
    let rest = &url[url.find("://").map_or(0, |i| i + 3)..];
    let (rest, query) = rest.split_once('?').map_or((rest, None), |(r, q)| (r, Some(q)));
    let (authority, path) = rest.split_once('/').map_or((rest, None), |(a, p)| (a, Some(p)));
    let mut parts = UrlParts::default();
    let hostport = match authority.rsplit_once('@') {
        Some((userinfo, hostport)) => {
            let (user, password) = userinfo.split_once(':').map_or((userinfo, None), |(u, p)| (u, Some(p)));
            parts.user = decode(user, "user")?;
            parts.password = password.map(|p| decode(p, "password")).transpose()?.flatten();
            hostport
        }
        None => authority,
    };
    let (host, port) = split_host_port(hostport)?;
    if host.contains(',') {
        return Err(bad(format!("several hosts ({}) are not supported; name one", quoted(host))));
    }
    parts.host = decode(host, "host")?;
    parts.port = port.map(|p| decode(p, "port")).transpose()?.flatten();
    parts.dbname = path.map(|p| decode(p, "database name")).transpose()?.flatten();
    for pair in query.into_iter().flat_map(|q| q.split('&')).filter(|p| !p.is_empty()) {
        let (key, value) = pair
            .split_once('=')
            .ok_or_else(|| bad(format!("the URL parameter {} has no value", quoted(pair))))?;
        let key = decode(key, "parameter name")?.unwrap_or_default();
        let value = decode(value, &format!("parameter {key}"))?;
        let slot = match key.as_str() {
            "host" => &mut parts.host,
            "port" => &mut parts.port,
            "user" => &mut parts.user,
            "password" => &mut parts.password,
            "dbname" => &mut parts.dbname,
            "sslmode" => &mut parts.sslmode,
            "sslrootcert" => &mut parts.sslrootcert,
            "connect_timeout" => &mut parts.connect_timeout,
            "application_name" => &mut parts.application_name,
            _ => {
                return Err(bad(format!(
                    "unknown URL parameter {} (known: {})",
                    quoted(&key),
                    PARAMS.join(", ")
                )));
            }
        };
        // A later value wins, as in libpq; an empty one leaves the part out.
        *slot = value;
    }
    Ok(parts)
}

/// `host[:port]` or `[v6]:port`, still percent-encoded.
fn split_host_port(hostport: &str) -> Result<(&str, Option<&str>), StoreError> {
    if let Some(inner) = hostport.strip_prefix('[') {
        let (host, after) =
            inner.split_once(']').ok_or_else(|| bad("the URL's host has a [ with no ]".to_owned()))?;
        return match after {
            "" => Ok((host, None)),
            _ => match after.strip_prefix(':') {
                Some(port) => Ok((host, Some(port))),
                None => Err(bad(format!("unexpected {} after the URL's host", quoted(after)))),
            },
        };
    }
    Ok(hostport.split_once(':').map_or((hostport, None), |(h, p)| (h, Some(p))))
}

fn parse_port(text: &str, name: &str) -> Result<u16, StoreError> {
    match text.trim().parse::<u16>() {
        Ok(port) if port > 0 => Ok(port),
        _ => Err(bad(format!("{name} {} is not a port number (1 to 65535)", quoted(text)))),
    }
}

fn parse_timeout(text: &str, name: &str) -> Result<Option<Duration>, StoreError> {
    match text.trim().parse::<u64>() {
        Ok(0) => Ok(None),
        Ok(secs) => Ok(Some(Duration::from_secs(secs))),
        Err(_) => Err(bad(format!("{name} {} is not a whole number of seconds", quoted(text)))),
    }
}

/// The URL's value, else the variable's, with the name to quote on error.
fn pick<'a>(
    from_url: &'a Option<String>,
    param: &'a str,
    env: &'a PgEnv,
    var: &'a str,
) -> Option<(&'a str, &'a str)> {
    from_url.as_deref().map(|v| (v, param)).or_else(|| env.var(var).map(|v| (v, var)))
}

impl PgTarget {
    /// Reads `url` (`postgres://` or `postgresql://`), filling in what it
    /// leaves out from `env` as libpq does.
    pub fn parse(url: &str, env: &PgEnv) -> Result<PgTarget, StoreError> {
        let parts = parse_url(url.trim())?;
        let host = match pick(&parts.host, "host", env, "PGHOST") {
            Some((h, _)) if h.starts_with('/') => PgHost::Socket(PathBuf::from(h)),
            Some((h, name)) if h.contains(',') => {
                return Err(bad(format!(
                    "several hosts in {name} ({}) are not supported; name one",
                    quoted(h)
                )));
            }
            Some((h, _)) => PgHost::Tcp(h.to_owned()),
            None if env.socket_dir.is_dir() => PgHost::Socket(env.socket_dir.clone()),
            None => PgHost::Tcp("localhost".to_owned()),
        };
        let port = match pick(&parts.port, "port", env, "PGPORT") {
            Some((text, name)) => parse_port(text, name)?,
            None => 5432,
        };
        let user = match pick(&parts.user, "user", env, "PGUSER") {
            Some((user, _)) => user.to_owned(),
            None => env.os_user.clone().ok_or_else(|| {
                bad("no user given and the OS account has no name; put one in the URL or PGUSER".to_owned())
            })?,
        };
        let dbname = pick(&parts.dbname, "dbname", env, "PGDATABASE")
            .map_or_else(|| user.clone(), |(d, _)| d.to_owned());
        let sslmode = match pick(&parts.sslmode, "sslmode", env, "PGSSLMODE") {
            Some((text, name)) => SslMode::parse(text).ok_or_else(|| {
                let known: Vec<&str> = SSL_MODES.iter().map(|(n, _)| *n).collect();
                bad(format!("unknown {name} {} (one of {})", quoted(text), known.join(", ")))
            })?,
            None => SslMode::Prefer,
        };
        let sslrootcert = match pick(&parts.sslrootcert, "sslrootcert", env, "PGSSLROOTCERT") {
            Some(("system", _)) => Some(RootCert::System),
            Some((path, _)) => Some(RootCert::File(PathBuf::from(path))),
            None => env
                .home
                .as_ref()
                .map(|home| home.join(".postgresql").join("root.crt"))
                .filter(|default| default.is_file())
                .map(RootCert::File),
        };
        let connect_timeout = match pick(&parts.connect_timeout, "connect_timeout", env, "PGCONNECT_TIMEOUT")
        {
            Some((text, name)) => parse_timeout(text, name)?,
            None => Some(DEFAULT_CONNECT_TIMEOUT),
        };
        let application_name =
            pick(&parts.application_name, "application_name", env, "PGAPPNAME").map(|(a, _)| a.to_owned());
        let mut target = PgTarget {
            host,
            port,
            user,
            password: None,
            dbname,
            sslmode,
            sslrootcert,
            connect_timeout,
            application_name,
            warnings: Vec::new(),
        };
        target.password = match parts.password.or_else(|| env.var("PGPASSWORD").map(str::to_owned)) {
            Some(password) => Some(Password(password)),
            None => target.password_from_file(env),
        };
        Ok(target)
    }

    /// The password file's password for this target, noting a warning when
    /// the file had to be ignored.
    fn password_from_file(&mut self, env: &PgEnv) -> Option<Password> {
        let path = match env.var("PGPASSFILE") {
            Some(path) => PathBuf::from(path),
            None => env.home.as_ref()?.join(".pgpass"),
        };
        // libpq looks its default socket folder up as `localhost`.
        let host = match &self.host {
            PgHost::Tcp(host) => host.clone(),
            PgHost::Socket(dir) if same_dir(dir, &env.socket_dir) => "localhost".to_owned(),
            PgHost::Socket(dir) => dir.display().to_string(),
        };
        let wanted = pgpass::Wanted { host: &host, port: self.port, dbname: &self.dbname, user: &self.user };
        let found = pgpass::lookup(&path, &wanted);
        if let Some(warning) = found.warning {
            tracing::warn!("{warning}");
            self.warnings.push(warning);
        }
        found.password.map(Password)
    }

    /// The location as shown to people: never the password.
    pub fn shown(&self) -> String {
        let host = match &self.host {
            PgHost::Tcp(host) if host.contains(':') => format!("[{host}]"),
            PgHost::Tcp(host) => encode(host),
            PgHost::Socket(dir) => encode(&dir.display().to_string()),
        };
        let mut shown =
            format!("postgres://{}@{host}:{}/{}", encode(&self.user), self.port, encode(&self.dbname));
        if self.sslmode != SslMode::Prefer {
            shown.push_str("?sslmode=");
            shown.push_str(self.sslmode.as_str());
        }
        shown
    }

    /// The name the server is asked to verify a certificate against.
    pub fn tls_host(&self) -> Option<&str> {
        match &self.host {
            PgHost::Tcp(host) => Some(host),
            PgHost::Socket(_) => None,
        }
    }
}

fn same_dir(a: &Path, b: &Path) -> bool {
    a.components().eq(b.components())
}

/// What a URL part must escape to read back as the same part (and stay on one line).
const PART: &AsciiSet =
    &CONTROLS.add(b' ').add(b'%').add(b'@').add(b':').add(b'/').add(b'?').add(b'#').add(b'&');

fn encode(part: &str) -> String {
    utf8_percent_encode(part, PART).to_string()
}

#[cfg(test)]
#[path = "target_tests.rs"]
mod tests;
