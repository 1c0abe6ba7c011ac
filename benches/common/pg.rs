//! The PostgreSQL server a bench measures: the one `TICKETDESK_BENCH_PG` (an
//! admin URL) names, or a throwaway cluster with durable settings, started
//! here and stopped when the [`Server`] is dropped, however the bench ends.

use anyhow::{Context, Result, bail};
use std::path::{Path, PathBuf};
use std::process::Command;

/// The admin URL of a server that outlives the bench.
pub const SERVER_ENV: &str = "TICKETDESK_BENCH_PG";

pub struct Server {
    /// A superuser's URL, naming some database on the server.
    pub admin: String,
    /// The cluster's folder, when this bench started it.
    cluster: Option<PathBuf>,
}

impl Server {
    /// The named server, or a fresh cluster that writes as a real one does:
    /// fsync, synchronous commit and full-page writes on (the cluster script
    /// turns them off for tests).
    pub fn get() -> Result<Server> {
        if let Ok(admin) = std::env::var(SERVER_ENV) {
            return Ok(Server { admin, cluster: None });
        }
        let dir = std::env::temp_dir().join(format!("ticketdesk-bench-pg-{}", std::process::id()));
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/pg-cluster");
        eprintln!(
            "[pg] starting a throwaway cluster in {} (fsync, synchronous_commit on) ...",
            dir.display()
        );
        let out = Command::new(&script)
            .arg("start")
            .arg(&dir)
            .args(["-c", "fsync=on", "-c", "synchronous_commit=on", "-c", "full_page_writes=on"])
            .output()
            .with_context(|| format!("cannot run {}", script.display()))?;
        // From here on the folder is ours to remove, even if the start failed half-way.
        let mut server = Server { admin: String::new(), cluster: Some(dir) };
        if !out.status.success() {
            bail!("the cluster did not start: {}", String::from_utf8_lossy(&out.stderr).trim());
        }
        server.admin = String::from_utf8(out.stdout).context("the cluster's URL")?.trim().to_string();
        Ok(server)
    }

    /// The URL of database `name` on this server, as the admin.
    pub fn url(&self, name: &str) -> String {
        with_database(&self.admin, name)
    }

    /// Drops database `name` if it exists and creates it empty.
    pub fn fresh_database(&self, name: &str) -> Result<String> {
        psql(&self.admin, &format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))?;
        psql(&self.admin, &format!("CREATE DATABASE {name}"))?;
        Ok(self.url(name))
    }

    /// Whether database `name` exists.
    pub fn has_database(&self, name: &str) -> Result<bool> {
        let sql = format!("SELECT count(*) FROM pg_database WHERE datname = '{name}'");
        Ok(psql(&self.admin, &sql)?.trim() == "1")
    }

    /// The server's version, for the report.
    pub fn version(&self) -> Result<String> {
        Ok(psql(&self.admin, "SHOW server_version")?.trim().to_string())
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(dir) = &self.cluster {
            let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/pg-cluster");
            match Command::new(script).arg("stop").arg(dir).status() {
                Ok(status) if status.success() => eprintln!("[pg] stopped the cluster in {}", dir.display()),
                _ => eprintln!("[pg] could not stop the cluster in {}", dir.display()),
            }
        }
    }
}

/// The `psql` program itself: Debian's `/usr/bin/psql` is a Perl wrapper
/// that costs tens of milliseconds before psql starts, which a floor must
/// not pay; the newest versioned client is used where one is installed.
pub fn psql_program() -> String {
    let newest = std::fs::read_dir("/usr/lib/postgresql").ok().and_then(|dirs| {
        dirs.filter_map(|d| d.ok()?.file_name().to_str()?.parse::<u32>().ok())
            .max()
            .map(|v| format!("/usr/lib/postgresql/{v}/bin/psql"))
    });
    newest.filter(|p| Path::new(p).exists()).unwrap_or_else(|| "psql".to_string())
}

/// Runs `sql` through `psql` (no psqlrc, unaligned, tuples only) and returns
/// what it printed; for set-up and checks, not timings.
pub fn psql(url: &str, sql: &str) -> Result<String> {
    let out = Command::new(psql_program())
        .args(psql_args(url))
        .args(["-c", sql])
        .output()
        .context("cannot run psql (install PostgreSQL's client)")?;
    if !out.status.success() {
        bail!("psql failed on {sql:?}: {}", String::from_utf8_lossy(&out.stderr).trim());
    }
    String::from_utf8(out.stdout).context("psql's output is not UTF-8")
}

/// The arguments every `psql` run here starts with: the database, no
/// psqlrc, quiet, unaligned tuples, stopping at the first error.
pub fn psql_args(url: &str) -> Vec<String> {
    ["-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-d", url].iter().map(|s| s.to_string()).collect()
}

/// `url` with its database replaced by `name` (query parameters kept).
fn with_database(url: &str, name: &str) -> String {
    let (base, query) = url.split_once('?').map_or((url, ""), |(b, q)| (b, q));
    let after_scheme = base.find("://").map_or(0, |i| i + 3);
    let root = match base[after_scheme..].find('/') {
        Some(slash) => &base[..after_scheme + slash],
        None => base,
    };
    if query.is_empty() { format!("{root}/{name}") } else { format!("{root}/{name}?{query}") }
}
