use super::*;
use std::os::unix::fs::PermissionsExt;

/// An environment with only `vars`, no home, OS user `osuser`, and a
/// default socket folder that does not exist.
fn env(vars: &[(&str, &str)]) -> PgEnv {
    PgEnv::new(vars.iter().copied(), None, Some("osuser".to_owned()))
        .with_socket_dir("/nonexistent/pg-socket")
}

fn parse(url: &str, vars: &[(&str, &str)]) -> PgTarget {
    PgTarget::parse(url, &env(vars)).unwrap_or_else(|e| panic!("{url}: {e}"))
}

fn error(url: &str, vars: &[(&str, &str)]) -> String {
    match PgTarget::parse(url, &env(vars)) {
        Ok(t) => panic!("{url} parsed as {t:?}"),
        Err(e) => e.to_string(),
    }
}

#[test]
fn every_part_of_a_url() {
    let t = parse("postgresql://ana:s3cret@db.example:6543/desk?sslmode=verify-full&connect_timeout=9", &[]);
    assert_eq!(t.host, PgHost::Tcp("db.example".into()));
    assert_eq!(t.port, 6543);
    assert_eq!(t.user, "ana");
    assert_eq!(t.password.as_ref().map(Password::expose), Some("s3cret"));
    assert_eq!(t.dbname, "desk");
    assert_eq!(t.sslmode, SslMode::VerifyFull);
    assert_eq!(t.connect_timeout, Some(Duration::from_secs(9)));
    assert_eq!(t.application_name, None);
    assert!(t.warnings.is_empty());
}

#[test]
fn libpq_defaults_when_nothing_is_given() {
    let t = parse("postgres://", &[]);
    assert_eq!(t.host, PgHost::Tcp("localhost".into()));
    assert_eq!(t.port, 5432);
    assert_eq!(t.user, "osuser");
    assert_eq!(t.dbname, "osuser", "the database is named after the user");
    assert_eq!(t.password, None);
    assert_eq!(t.sslmode, SslMode::Prefer);
    assert_eq!(t.sslrootcert, None);
    assert_eq!(t.connect_timeout, Some(DEFAULT_CONNECT_TIMEOUT));
    assert_eq!(parse("postgres:///", &[]).dbname, "osuser");
    assert_eq!(parse("postgres://bo@", &[]).dbname, "bo");
}

#[test]
fn the_default_host_is_the_socket_folder_when_it_exists() {
    let dir = tempfile::tempdir().unwrap();
    let env = env(&[]).with_socket_dir(dir.path());
    let t = PgTarget::parse("postgres:///desk", &env).unwrap();
    assert_eq!(t.host, PgHost::Socket(dir.path().to_owned()));
    assert_eq!(t.tls_host(), None);
}

#[test]
fn socket_folders_percent_encoded_or_as_a_parameter() {
    let t = parse("postgres://%2Fvar%2Flib%2Fpg/desk", &[]);
    assert_eq!(t.host, PgHost::Socket("/var/lib/pg".into()));
    let t = parse("postgres:///desk?host=/tmp/pg%20sock&port=6000", &[]);
    assert_eq!(t.host, PgHost::Socket("/tmp/pg sock".into()));
    assert_eq!(t.port, 6000);
    assert_eq!(t.shown(), "postgres://osuser@%2Ftmp%2Fpg%20sock:6000/desk");
}

#[test]
fn ipv6_hosts_in_brackets() {
    let t = parse("postgres://u@[::1]:7000/d", &[]);
    assert_eq!(t.host, PgHost::Tcp("::1".into()));
    assert_eq!(t.port, 7000);
    assert_eq!(t.shown(), "postgres://u@[::1]:7000/d");
    assert_eq!(parse("postgres://u@[fe80::2]/d", &[]).port, 5432);
}

#[test]
fn percent_encoded_user_password_and_database() {
    let t = parse("postgres://a%40b:p%3Aw%40rd@h/my%20desk", &[]);
    assert_eq!(t.user, "a@b");
    assert_eq!(t.password.as_ref().map(Password::expose), Some("p:w@rd"));
    assert_eq!(t.dbname, "my desk");
    assert_eq!(t.shown(), "postgres://a%40b@h:5432/my%20desk");
}

#[test]
fn query_parameters_name_every_part() {
    let url = "postgres://?host=db&port=6001&user=u&password=pw&dbname=d&sslmode=require\
               &sslrootcert=/ca.pem&connect_timeout=3&application_name=bench";
    let t = parse(url, &[]);
    assert_eq!(t.host, PgHost::Tcp("db".into()));
    assert_eq!(t.port, 6001);
    assert_eq!((t.user.as_str(), t.dbname.as_str()), ("u", "d"));
    assert_eq!(t.password.as_ref().map(Password::expose), Some("pw"));
    assert_eq!(t.sslmode, SslMode::Require);
    assert_eq!(t.sslrootcert, Some(RootCert::File("/ca.pem".into())));
    assert_eq!(t.connect_timeout, Some(Duration::from_secs(3)));
    assert_eq!(t.application_name.as_deref(), Some("bench"));
    // A parameter overrides the same part spelled in the URL, as in libpq.
    assert_eq!(parse("postgres://h1:1/d?host=h2&port=2", &[]).host, PgHost::Tcp("h2".into()));
}

const ALL_VARS: [(&str, &str); 9] = [
    ("PGHOST", "envhost"),
    ("PGPORT", "6100"),
    ("PGUSER", "envuser"),
    ("PGPASSWORD", "envpw"),
    ("PGDATABASE", "envdb"),
    ("PGSSLMODE", "verify-ca"),
    ("PGSSLROOTCERT", "system"),
    ("PGCONNECT_TIMEOUT", "11"),
    ("PGAPPNAME", "envapp"),
];

#[test]
fn variables_fill_in_what_the_url_leaves_out() {
    let t = parse("postgres://", &ALL_VARS);
    assert_eq!(t.host, PgHost::Tcp("envhost".into()));
    assert_eq!(t.port, 6100);
    assert_eq!((t.user.as_str(), t.dbname.as_str()), ("envuser", "envdb"));
    assert_eq!(t.password.as_ref().map(Password::expose), Some("envpw"));
    assert_eq!(t.sslmode, SslMode::VerifyCa);
    assert_eq!(t.sslrootcert, Some(RootCert::System));
    assert_eq!(t.connect_timeout, Some(Duration::from_secs(11)));
    assert_eq!(t.application_name.as_deref(), Some("envapp"));
}

#[test]
fn the_url_wins_over_the_variables() {
    let t = parse("postgres://u:pw@h:7/d?sslmode=disable&sslrootcert=/r.pem&connect_timeout=2", &ALL_VARS);
    assert_eq!(t.host, PgHost::Tcp("h".into()));
    assert_eq!(t.port, 7);
    assert_eq!((t.user.as_str(), t.dbname.as_str()), ("u", "d"));
    assert_eq!(t.password.as_ref().map(Password::expose), Some("pw"));
    assert_eq!(t.sslmode, SslMode::Disable);
    assert_eq!(t.sslrootcert, Some(RootCert::File("/r.pem".into())));
    assert_eq!(t.connect_timeout, Some(Duration::from_secs(2)));
    // Without a database, the variable's database, not the URL user's name.
    assert_eq!(parse("postgres://u@h", &ALL_VARS).dbname, "envdb");
    assert_eq!(parse("postgres://u@h", &[]).dbname, "u");
}

#[test]
fn empty_variables_count_as_unset() {
    let t = parse("postgres://", &[("PGHOST", ""), ("PGPORT", ""), ("PGUSER", "")]);
    assert_eq!(t.host, PgHost::Tcp("localhost".into()));
    assert_eq!((t.port, t.user.as_str()), (5432, "osuser"));
}

#[test]
fn every_sslmode_parses_and_shows() {
    for (name, mode) in SSL_MODES {
        let t = parse(&format!("postgres://u@h/d?sslmode={name}"), &[]);
        assert_eq!(t.sslmode, mode);
        assert_eq!(SslMode::parse(name), Some(mode));
        assert_eq!(mode.as_str(), name);
        let expected = match mode {
            SslMode::Prefer => "postgres://u@h:5432/d".to_owned(),
            _ => format!("postgres://u@h:5432/d?sslmode={name}"),
        };
        assert_eq!(t.shown(), expected);
        assert_eq!(parse("postgres://u@h/d", &[("PGSSLMODE", name)]).sslmode, mode);
    }
    assert_eq!(SslMode::parse("VERIFY-FULL"), None, "libpq's names are lower case");
}

#[test]
fn the_default_root_certificate_is_used_when_it_exists() {
    let home = tempfile::tempdir().unwrap();
    let with_home = |vars: &[(&str, &str)]| {
        let env = PgEnv::new(vars.iter().copied(), Some(home.path().to_owned()), Some("me".into()));
        PgTarget::parse("postgres://h/d", &env).unwrap().sslrootcert
    };
    assert_eq!(with_home(&[]), None);
    std::fs::create_dir(home.path().join(".postgresql")).unwrap();
    let default = home.path().join(".postgresql/root.crt");
    std::fs::write(&default, "not read here").unwrap();
    assert_eq!(with_home(&[]), Some(RootCert::File(default)));
    assert_eq!(with_home(&[("PGSSLROOTCERT", "/other.pem")]), Some(RootCert::File("/other.pem".into())));
}

/// A URL, the variables beside it, and what its error must name.
type BadCase<'a> = (&'a str, &'a [(&'a str, &'a str)], &'a [&'a str]);

#[test]
fn bad_input_is_one_line_naming_the_part() {
    let cases: &[BadCase<'_>] = &[
        ("postgres://h/d?sslmode=maybe", &[], &["sslmode", "\"maybe\"", "verify-full"]),
        ("postgres://h/d", &[("PGSSLMODE", "strict")], &["PGSSLMODE", "\"strict\""]),
        ("postgres://h:port/d", &[], &["port", "\"port\""]),
        ("postgres://h:70000/d", &[], &["port", "70000"]),
        ("postgres://h:0/d", &[], &["port"]),
        ("postgres://h/d", &[("PGPORT", "x1")], &["PGPORT", "\"x1\""]),
        ("postgres://h/d?port=", &[("PGPORT", "x1")], &["PGPORT"]),
        ("postgres://h/d?connect_timeout=soon", &[], &["connect_timeout", "\"soon\""]),
        ("postgres://h/d?connect_timeout=-1", &[], &["connect_timeout"]),
        ("postgres://h/d", &[("PGCONNECT_TIMEOUT", "1.5")], &["PGCONNECT_TIMEOUT"]),
        ("postgres://h/d?sslcert=/c.pem", &[], &["unknown URL parameter", "\"sslcert\""]),
        ("postgres://h/d?sslmode", &[], &["sslmode", "no value"]),
        ("postgres://[::1/d", &[], &["[", "]"]),
        ("postgres://[::1]x/d", &[], &["host"]),
        ("postgres://a,b/d", &[], &["several hosts"]),
        ("postgres:///d", &[("PGHOST", "a,b")], &["PGHOST", "several hosts"]),
        ("postgres://h/%ff", &[], &["database name", "UTF-8"]),
        ("mysql://h/d", &[], &["postgres://"]),
    ];
    for (url, vars, needles) in cases {
        let message = error(url, vars);
        assert!(message.starts_with("bad desk location: "), "{url}: {message}");
        assert!(!message.contains('\n'), "{url}: {message}");
        for needle in *needles {
            assert!(message.contains(needle), "{url}: {message:?} should name {needle:?}");
        }
    }
}

#[test]
fn zero_connect_timeout_waits_as_long_as_the_system_does() {
    assert_eq!(parse("postgres://h/d?connect_timeout=0", &[]).connect_timeout, None);
}

#[test]
fn an_unnamed_os_user_needs_a_user_in_the_url() {
    let env = PgEnv::new(Vec::<(String, String)>::new(), None, None);
    let err = PgTarget::parse("postgres://h/d", &env).unwrap_err().to_string();
    assert!(err.contains("PGUSER"), "{err}");
    assert_eq!(PgTarget::parse("postgres://u@h/d", &env).unwrap().user, "u");
}

#[test]
fn the_password_never_shows() {
    let secret = "Very-Secret-pw-71";
    let from_url = parse(&format!("postgres://u:{secret}@h/d?sslmode=require"), &[]);
    let from_param = parse(&format!("postgres://u@h/d?password={secret}"), &[]);
    let from_env = parse("postgres://u@h/d", &[("PGPASSWORD", secret)]);
    for t in [from_url, from_param, from_env] {
        assert_eq!(t.password.as_ref().map(Password::expose), Some(secret));
        for text in [t.shown(), format!("{t:?}"), format!("{t:#?}")] {
            assert!(!text.contains(secret), "{text}");
            assert!(!text.contains("Secret"), "{text}");
        }
    }
    // Errors about other parts of a URL holding a password do not quote it.
    let err = error(&format!("postgres://u:{secret}@h:x/d"), &[]);
    assert!(!err.contains(secret), "{err}");
}

fn pgpass_env(dir: &Path, text: &str, mode: u32, vars: &[(&str, &str)]) -> PgEnv {
    let file = dir.join(".pgpass");
    std::fs::write(&file, text).unwrap();
    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(mode)).unwrap();
    PgEnv::new(vars.iter().copied(), Some(dir.to_owned()), Some("osuser".into()))
        .with_socket_dir(dir.join("sock"))
}

#[test]
fn the_password_file_gives_a_password_when_none_is_given() {
    let home = tempfile::tempdir().unwrap();
    let env = pgpass_env(home.path(), "db:5432:desk:ana:from-file\n", 0o600, &[]);
    let t = PgTarget::parse("postgres://ana@db/desk", &env).unwrap();
    assert_eq!(t.password.as_ref().map(Password::expose), Some("from-file"));
    assert!(t.warnings.is_empty());
    // A password in the URL or PGPASSWORD wins over the file.
    let t = PgTarget::parse("postgres://ana:given@db/desk", &env).unwrap();
    assert_eq!(t.password.as_ref().map(Password::expose), Some("given"));
    let env = pgpass_env(home.path(), "db:5432:desk:ana:from-file\n", 0o600, &[("PGPASSWORD", "env")]);
    let t = PgTarget::parse("postgres://ana@db/desk", &env).unwrap();
    assert_eq!(t.password.as_ref().map(Password::expose), Some("env"));
    // Matched against the port and user the variables fill in.
    let env =
        pgpass_env(home.path(), "db:6000:desk:bo:bo-pw\n", 0o600, &[("PGPORT", "6000"), ("PGUSER", "bo")]);
    let t = PgTarget::parse("postgres://db/desk", &env).unwrap();
    assert_eq!(t.password.as_ref().map(Password::expose), Some("bo-pw"));
}

#[test]
fn pgpassfile_names_another_file() {
    let home = tempfile::tempdir().unwrap();
    let other = home.path().join("elsewhere");
    std::fs::write(&other, "*:*:*:*:elsewhere-pw\n").unwrap();
    std::fs::set_permissions(&other, std::fs::Permissions::from_mode(0o600)).unwrap();
    let env = pgpass_env(home.path(), "*:*:*:*:home-pw\n", 0o600, &[("PGPASSFILE", other.to_str().unwrap())]);
    let t = PgTarget::parse("postgres://u@h/d", &env).unwrap();
    assert_eq!(t.password.as_ref().map(Password::expose), Some("elsewhere-pw"));
}

#[test]
fn a_password_file_others_may_read_is_ignored_with_a_warning() {
    let home = tempfile::tempdir().unwrap();
    let env = pgpass_env(home.path(), "*:*:*:*:leaky-pw\n", 0o644, &[]);
    let t = PgTarget::parse("postgres://u@h/d", &env).unwrap();
    assert_eq!(t.password, None);
    assert_eq!(t.warnings.len(), 1, "{:?}", t.warnings);
    assert!(
        t.warnings[0].contains(".pgpass") && t.warnings[0].contains("group or others"),
        "{:?}",
        t.warnings
    );
    assert!(!t.warnings[0].contains("leaky-pw"));
}

#[test]
fn the_default_socket_folder_is_localhost_in_the_password_file() {
    let home = tempfile::tempdir().unwrap();
    let sock = home.path().join("sock");
    std::fs::create_dir(&sock).unwrap();
    let text =
        format!("localhost:5432:d:u:local-pw\n{}:5432:d:u:path-pw\n", home.path().join("other").display());
    let env = pgpass_env(home.path(), &text, 0o600, &[]);
    let t = PgTarget::parse("postgres://u@/d", &env).unwrap();
    assert_eq!(t.host, PgHost::Socket(sock));
    assert_eq!(t.password.as_ref().map(Password::expose), Some("local-pw"));
    // Another socket folder is looked up by its path.
    let other = home.path().join("other");
    let url = format!("postgres://u@/d?host={}", other.display());
    let t = PgTarget::parse(&url, &env).unwrap();
    assert_eq!(t.password.as_ref().map(Password::expose), Some("path-pw"));
}

#[test]
fn recognises_postgres_urls() {
    assert!(is_postgres_url("postgres://h/d"));
    assert!(is_postgres_url("PostgreSQL://h/d"));
    assert!(!is_postgres_url("postgres:/h"));
    assert!(!is_postgres_url("desk.db"));
    assert!(!is_postgres_url("pg"));
}
