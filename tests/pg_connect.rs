//! Connecting to a PostgreSQL desk as libpq does, against clusters of this
//! test's own: one with TLS (a CA and a `localhost` certificate made here),
//! one without, a closed port and a socket that never answers.

use std::net::TcpListener;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use ticketdesk::store::StoreError;
use ticketdesk::store::postgres::{PgEnv, PgTarget, connect};

const LOCK_TIMEOUT: Duration = Duration::from_millis(2500);

/// Whether PostgreSQL's server programs are here; under CI they must be.
fn have_server_programs() -> bool {
    let on_path =
        Command::new("sh").args(["-c", "command -v initdb"]).output().is_ok_and(|o| o.status.success());
    let packaged = std::fs::read_dir("/usr/lib/postgresql")
        .map(|dirs| dirs.flatten().any(|d| d.path().join("bin/initdb").exists()))
        .unwrap_or(false);
    if on_path || packaged {
        return true;
    }
    let how = "this test needs PostgreSQL's server programs (initdb, pg_ctl): \
               on Debian or Ubuntu run `apt-get install postgresql`";
    if std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "false" && v != "0") {
        panic!("{how}");
    }
    eprintln!("skipped: {how}");
    false
}

/// A throwaway cluster, stopped and removed when dropped (also when a test fails).
struct Cluster {
    dir: PathBuf,
    port: u16,
}

impl Cluster {
    /// Starts a cluster in `dir` (which may already hold files for it).
    fn start(dir: PathBuf, settings: &[String]) -> Cluster {
        let mut command = Command::new(script());
        command.arg("start").arg(&dir);
        for setting in settings {
            command.args(["-c", setting]);
        }
        let output = command.output().expect("run scripts/pg-cluster");
        // From here on the folder is ours to clean up, started or not.
        let mut cluster = Cluster { dir, port: 0 };
        assert!(output.status.success(), "pg-cluster start: {}", String::from_utf8_lossy(&output.stderr));
        let url = String::from_utf8_lossy(&output.stdout).trim().to_owned();
        let port = url.rsplit_once(':').and_then(|(_, rest)| rest.split('/').next()?.parse().ok());
        cluster.port = port.unwrap_or_else(|| panic!("no port in {url}"));
        cluster
    }

    /// A superuser session over the cluster's own socket (trusted there).
    fn admin(&self) -> postgres::Client {
        let url =
            format!("postgres:///postgres?host={}&port={}&user=desk_admin", self.dir.display(), self.port);
        connect(&target(&url, &[]), LOCK_TIMEOUT).expect("the admin connects over the socket")
    }

    fn url(&self, host: &str, user_info: &str, query: &str) -> String {
        format!("postgres://{user_info}@{host}:{}/postgres?{query}", self.port)
    }

    /// Replaces the cluster's host rules and has the server read them again.
    fn set_hba(&self, rules: &str) {
        let hba = self.dir.join("data/pg_hba.conf");
        std::fs::write(&hba, rules).expect("write pg_hba.conf");
        let reloaded = self.admin().query_one("SELECT pg_reload_conf()", &[]).expect("reload");
        assert!(reloaded.get::<_, bool>(0));
        let errors: i64 = self
            .admin()
            .query_one("SELECT count(*) FROM pg_hba_file_rules WHERE error IS NOT NULL", &[])
            .expect("read the rules back")
            .get(0);
        assert_eq!(errors, 0, "pg_hba.conf has errors");
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        let _ = Command::new(script()).arg("stop").arg(&self.dir).output();
    }
}

fn script() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/pg-cluster")
}

/// A fresh folder for a cluster (pg-cluster removes it on stop).
fn cluster_dir(name: &str) -> PathBuf {
    tempfile::Builder::new().prefix(&format!("pgconnect-{name}-")).tempdir().expect("temp folder").keep()
}

/// A target read from `url` with only `vars` for an environment: never this
/// process's own variables or home folder.
fn target(url: &str, vars: &[(&str, &str)]) -> PgTarget {
    let mut vars = vars.to_vec();
    if !vars.iter().any(|(k, _)| *k == "PGPASSFILE") {
        vars.push(("PGPASSFILE", "/nonexistent/pgpass"));
    }
    let env = PgEnv::new(vars, None, Some("nobody-in-particular".to_owned())).with_socket_dir("/nonexistent");
    PgTarget::parse(url, &env).unwrap_or_else(|e| panic!("{url}: {e}"))
}

/// Whether the session runs over TLS, as the server sees it.
fn over_tls(client: &mut postgres::Client) -> bool {
    client
        .query_one("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()", &[])
        .expect("pg_stat_ssl")
        .get(0)
}

fn connects(url: &str) -> postgres::Client {
    connect(&target(url, &[]), LOCK_TIMEOUT).unwrap_or_else(|e| panic!("{url}: {e}"))
}

/// The one-line refusal for `url`, checked to name the desk and hide `secret`.
fn refused(url: &str, vars: &[(&str, &str)], secret: &str) -> String {
    let t = target(url, vars);
    let err = match connect(&t, LOCK_TIMEOUT) {
        Ok(_) => panic!("{url} connected"),
        Err(e) => e,
    };
    assert!(matches!(err, StoreError::Unreachable { .. }), "{url}: {err:?}");
    let line = err.to_string();
    assert!(line.starts_with(&format!("cannot reach {}: ", t.shown())), "{line}");
    assert!(!line.contains('\n'), "{line:?}");
    assert!(!line.contains(secret) && !format!("{err:?}").contains(secret), "{line}");
    line
}

fn openssl(dir: &Path, args: &[&str]) {
    let output = Command::new("openssl").args(args).current_dir(dir).output().expect("run openssl");
    assert!(output.status.success(), "openssl {args:?}: {}", String::from_utf8_lossy(&output.stderr));
}

/// A CA, a server certificate it signs for `localhost` only, and a second CA
/// that signed nothing; in `dir/tls`.
fn make_certificates(dir: &Path) -> PathBuf {
    let tls = dir.join("tls");
    std::fs::create_dir_all(&tls).unwrap();
    let ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];
    let ca_ext =
        ["-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign"];
    for (name, subject) in [("ca", "/CN=Desk Test CA"), ("other-ca", "/CN=Some Other CA")] {
        let (key, cert) = (format!("{name}.key"), format!("{name}.pem"));
        let mut args = vec!["req", "-x509", "-days", "2", "-subj", subject, "-keyout", &key, "-out", &cert];
        args.extend(ec);
        args.extend(ca_ext);
        openssl(&tls, &args);
    }
    let mut args = vec!["req", "-subj", "/CN=localhost", "-keyout", "server.key", "-out", "server.csr"];
    args.extend(ec);
    openssl(&tls, &args);
    std::fs::write(
        tls.join("server.ext"),
        "subjectAltName=DNS:localhost\nextendedKeyUsage=serverAuth\nbasicConstraints=CA:FALSE\n",
    )
    .unwrap();
    openssl(
        &tls,
        &[
            "x509",
            "-req",
            "-in",
            "server.csr",
            "-CA",
            "ca.pem",
            "-CAkey",
            "ca.key",
            "-CAcreateserial",
            "-days",
            "2",
            "-extfile",
            "server.ext",
            "-out",
            "server.crt",
        ],
    );
    // The server refuses a key others may read; pg-cluster hands the folder to
    // the server's account when run as root.
    std::fs::set_permissions(tls.join("server.key"), std::fs::Permissions::from_mode(0o600)).unwrap();
    tls
}

fn tls_cluster() -> (Cluster, PathBuf) {
    let dir = cluster_dir("tls");
    let tls = make_certificates(&dir);
    let settings = [
        "ssl=on".to_owned(),
        format!("ssl_cert_file={}", tls.join("server.crt").display()),
        format!("ssl_key_file={}", tls.join("server.key").display()),
    ];
    (Cluster::start(dir, &settings), tls)
}

#[test]
fn every_sslmode_against_a_server_with_tls() {
    if !have_server_programs() {
        return;
    }
    let (cluster, tls) = tls_cluster();
    let ca = tls.join("ca.pem").display().to_string();
    let other_ca = tls.join("other-ca.pem").display().to_string();
    // TLS only, except for one role that may also come in plain.
    cluster.admin().batch_execute("CREATE ROLE agent LOGIN PASSWORD 'agent-pw-193'; CREATE ROLE plainly LOGIN PASSWORD 'plain-pw-507'").unwrap();
    cluster.set_hba(
        "local all all trust\n\
         hostssl all all 127.0.0.1/32 scram-sha-256\n\
         hostnossl all plainly 127.0.0.1/32 scram-sha-256\n",
    );
    let agent = "agent:agent-pw-193";

    // disable: the server takes no plain session from the agent.
    let line = refused(&cluster.url("localhost", agent, "sslmode=disable"), &[], "agent-pw-193");
    assert!(line.contains("no pg_hba.conf entry") && line.contains("no encryption"), "{line}");
    // allow: plain first, refused, then TLS.
    assert!(over_tls(&mut connects(&cluster.url("localhost", agent, "sslmode=allow"))));
    // allow stays plain where the server takes plain.
    assert!(!over_tls(&mut connects(&cluster.url("localhost", "plainly:plain-pw-507", "sslmode=allow"))));
    // prefer (the default) takes the TLS the server offers.
    assert!(over_tls(&mut connects(&cluster.url("localhost", agent, ""))));
    assert!(over_tls(&mut connects(&cluster.url("localhost", agent, "sslmode=prefer"))));
    // require: TLS, the certificate unchecked...
    assert!(over_tls(&mut connects(&cluster.url("127.0.0.1", agent, "sslmode=require"))));
    // ...unless a root certificate is given: then it is verify-ca.
    assert!(over_tls(&mut connects(&cluster.url(
        "127.0.0.1",
        agent,
        &format!("sslmode=require&sslrootcert={ca}")
    ))));
    let line = refused(
        &cluster.url("localhost", agent, &format!("sslmode=require&sslrootcert={other_ca}")),
        &[],
        "agent-pw",
    );
    assert!(line.contains("not signed by a trusted CA"), "{line}");
    // verify-ca: the chain, not the name.
    assert!(over_tls(&mut connects(&cluster.url(
        "localhost",
        agent,
        &format!("sslmode=verify-ca&sslrootcert={ca}")
    ))));
    assert!(over_tls(&mut connects(&cluster.url(
        "127.0.0.1",
        agent,
        &format!("sslmode=verify-ca&sslrootcert={ca}")
    ))));
    let line = refused(
        &cluster.url("localhost", agent, &format!("sslmode=verify-ca&sslrootcert={other_ca}")),
        &[],
        "agent-pw",
    );
    assert!(line.contains("not signed by a trusted CA") && line.contains("verify-ca"), "{line}");
    // verify-full: the chain and the name.
    let full = format!("sslmode=verify-full&sslrootcert={ca}");
    assert!(over_tls(&mut connects(&cluster.url("localhost", agent, &full))));
    let line = refused(&cluster.url("127.0.0.1", agent, &full), &[], "agent-pw");
    assert!(line.contains("does not name 127.0.0.1") && line.contains("verify-full"), "{line}");
    // The root certificate may come from PGSSLROOTCERT too.
    let t = target(&cluster.url("localhost", agent, "sslmode=verify-full"), &[("PGSSLROOTCERT", &ca)]);
    assert!(over_tls(&mut connect(&t, LOCK_TIMEOUT).unwrap()));
}

#[test]
fn sessions_carry_the_desk_name_and_the_lock_timeout() {
    if !have_server_programs() {
        return;
    }
    let (cluster, _tls) = tls_cluster();
    cluster.admin().batch_execute("CREATE ROLE agent LOGIN PASSWORD 'agent-pw-28'").unwrap();
    let mut client = connects(&cluster.url("localhost", "agent:agent-pw-28", ""));
    let name: String = client.query_one("SHOW application_name", &[]).unwrap().get(0);
    assert_eq!(name, "ticketdesk");
    let lock: String = client.query_one("SHOW lock_timeout", &[]).unwrap().get(0);
    assert_eq!(lock, "2500ms");
    let mut client =
        connects(&cluster.url("localhost", "agent:agent-pw-28", "application_name=night-import"));
    let name: String = client.query_one("SHOW application_name", &[]).unwrap().get(0);
    assert_eq!(name, "night-import");
    // A zero busy timeout must not become PostgreSQL's "wait forever".
    let t = target(&cluster.url("localhost", "agent:agent-pw-28", ""), &[]);
    let lock: String =
        connect(&t, Duration::ZERO).unwrap().query_one("SHOW lock_timeout", &[]).unwrap().get(0);
    assert_ne!(lock, "0");

    // A wrong password: one line naming the user, never the password.
    let line = refused(&cluster.url("localhost", "agent:not-the-pw-64", ""), &[], "not-the-pw-64");
    assert!(line.contains("password authentication failed for user"), "{line}");
    // No password at all.
    let line = refused(&cluster.url("localhost", "agent", "sslmode=disable"), &[], "agent-pw-28");
    assert!(line.contains("asks for a password"), "{line}");
}

#[test]
fn the_password_file_supplies_the_password_unless_others_may_read_it() {
    if !have_server_programs() {
        return;
    }
    let (cluster, _tls) = tls_cluster();
    cluster.admin().batch_execute("CREATE ROLE agent LOGIN PASSWORD 'from-file-pw-81'").unwrap();
    let home = tempfile::tempdir().unwrap();
    let pgpass = home.path().join("pgpass");
    std::fs::write(
        &pgpass,
        format!("otherhost:*:*:agent:wrong\nlocalhost:{}:postgres:agent:from-file-pw-81\n", cluster.port),
    )
    .unwrap();
    std::fs::set_permissions(&pgpass, std::fs::Permissions::from_mode(0o600)).unwrap();
    let vars = [("PGPASSFILE", pgpass.to_str().unwrap()), ("PGUSER", "agent")];
    let url = format!("postgres://localhost:{}/postgres", cluster.port);
    let t = target(&url, &vars);
    assert!(t.warnings.is_empty(), "{:?}", t.warnings);
    let who: String =
        connect(&t, LOCK_TIMEOUT).unwrap().query_one("SELECT current_user::text", &[]).unwrap().get(0);
    assert_eq!(who, "agent");

    std::fs::set_permissions(&pgpass, std::fs::Permissions::from_mode(0o644)).unwrap();
    let t = target(&url, &vars);
    assert_eq!(t.warnings.len(), 1, "{:?}", t.warnings);
    assert!(
        t.warnings[0].contains("group or others") && t.warnings[0].contains("pgpass"),
        "{:?}",
        t.warnings
    );
    let line = refused(&url, &vars, "from-file-pw-81");
    assert!(line.contains("asks for a password"), "{line}");
}

#[test]
fn a_server_without_tls() {
    if !have_server_programs() {
        return;
    }
    let cluster = Cluster::start(cluster_dir("plain"), &["ssl=off".to_owned()]);
    cluster.admin().batch_execute("CREATE ROLE agent LOGIN PASSWORD 'plain-pw-12'").unwrap();
    // prefer falls back to plain; allow and disable never asked for TLS.
    for mode in ["prefer", "allow", "disable"] {
        let url = cluster.url("localhost", "agent:plain-pw-12", &format!("sslmode={mode}"));
        assert!(!over_tls(&mut connects(&url)), "{mode}");
    }
    for mode in ["require", "verify-ca", "verify-full"] {
        let url =
            cluster.url("localhost", "agent:plain-pw-12", &format!("sslmode={mode}&sslrootcert=system"));
        let line = refused(&url, &[], "plain-pw-12");
        assert!(line.ends_with(&format!("the server does not accept TLS (sslmode={mode})")), "{line}");
    }
}

#[test]
fn a_closed_port_is_one_line_at_once() {
    let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let started = Instant::now();
    let line = refused(&format!("postgres://u:closed-pw-5@127.0.0.1:{port}/d"), &[], "closed-pw-5");
    assert!(started.elapsed() < Duration::from_secs(2), "took {:?}", started.elapsed());
    assert_eq!(line, format!("cannot reach postgres://u@127.0.0.1:{port}/d: connection refused"));
}

#[test]
fn a_server_that_never_answers_is_one_line_within_the_connect_timeout() {
    // Accepted by the kernel, never read or answered.
    let silent = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = silent.local_addr().unwrap().port();
    for mode in ["prefer", "disable", "require"] {
        let url = format!("postgres://u:silent-pw-9@127.0.0.1:{port}/d?connect_timeout=1&sslmode={mode}");
        let started = Instant::now();
        let line = refused(&url, &[], "silent-pw-9");
        let took = started.elapsed();
        assert!(
            took >= Duration::from_millis(900) && took < Duration::from_millis(1800),
            "{mode}: took {took:?}"
        );
        assert!(line.ends_with(": timed out after 1 s"), "{line}");
    }
}

#[test]
fn a_missing_socket_is_one_line() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("postgres:///d?host={}&port=5999&user=u", dir.path().display());
    let line = refused(&url, &[], "nothing");
    assert!(line.contains("no server socket for port 5999"), "{line}");
}
