//! Many agents writing one database at once: `cargo bench --bench shared`.
//!
//! Starts 16 copies of itself, each an "agent" with its own connection that
//! makes 100 mixed writes (add, status, assign, note) through the store, as
//! the CLI and the TUI do, timing each write from the moment it asks for the
//! write lock to its commit. Reports sustained writes per second and the
//! latency of single writes (p50, p99, worst).
//!
//! `-- --engine postgres` runs the same on a PostgreSQL desk: on the server
//! `TICKETDESK_BENCH_PG` (an admin URL) names, else on a throwaway cluster
//! with durable settings, stopped at the end.

// Shared with the scale bench, which uses all of it.
#[allow(dead_code)]
#[path = "../common/pg.rs"]
mod pg;

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use ticketdesk::domain::{Category, NewTicket, Origins, Priority, Status, TicketEdit};
use ticketdesk::store::{DEFAULT_BUSY_TIMEOUT, Location, Store};

const AGENTS: usize = 16;
const WRITES: usize = 100;
const WORKER_ENV: &str = "TICKETDESK_BENCH_AGENT";

fn main() {
    if let Ok(db) = std::env::var(WORKER_ENV) {
        agent(&location(&db));
        return;
    }
    let args: Vec<String> = std::env::args().collect();
    let postgres = match args.iter().position(|a| a == "--engine").map(|i| args.get(i + 1)) {
        None => false,
        Some(Some(engine)) if engine == "sqlite" => false,
        Some(Some(engine)) if engine == "postgres" => true,
        Some(other) => {
            eprintln!("[shared] --engine takes sqlite or postgres, not {other:?}");
            std::process::exit(2);
        }
    };
    let dir = tempfile::tempdir().expect("temp dir");
    // Dropped at the end of main: a cluster started here stops with it.
    let server = postgres.then(|| pg::Server::get().expect("a PostgreSQL server"));
    let db = match &server {
        None => dir.path().join("shared.db").display().to_string(),
        Some(server) => server.fresh_database("bench_shared").expect("a fresh database"),
    };
    let desk = location(&db);
    Store::open_at(&desk, DEFAULT_BUSY_TIMEOUT).expect("create the database");
    let me = std::env::current_exe().expect("own path");
    eprintln!("[shared] {AGENTS} agents × {WRITES} writes on {}", desk.shown());
    if let Some(server) = &server {
        println!("PostgreSQL {}", server.version().expect("the server's version"));
    }
    let (elapsed, mut latencies, failures) = run_all(&me, &db);
    latencies.sort();
    let pick = |q: f64| latencies[((latencies.len() - 1) as f64 * q) as usize];
    let report = format!(
        "| measure | value | goal |\n|---|---|---|\n\
         | writes (add, status, assign, note) | {} by {AGENTS} processes at once | — |\n\
         | failed writes | {failures} | 0 |\n\
         | sustained throughput | {:.0} writes/s | — |\n\
         | single write, p50 | {:.1} ms | — |\n\
         | single write, p99 | {:.1} ms | < 50 ms |\n\
         | single write, worst | {:.1} ms | < 1,000 ms |\n",
        latencies.len(),
        latencies.len() as f64 / elapsed.as_secs_f64(),
        ms(pick(0.5)),
        ms(pick(0.99)),
        ms(*latencies.last().unwrap_or(&Duration::ZERO)),
    );
    println!("{report}");
    let mut store = Store::open_at(&desk, DEFAULT_BUSY_TIMEOUT).expect("reopen");
    let check = store.check().expect("check");
    println!("integrity: {}", if check.ok() { "ok".to_owned() } else { check.problems.join("; ") });
}

/// A desk file's path or a database URL, as `--db` takes them.
fn location(text: &str) -> Location {
    Location::parse(text).expect("a desk location")
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// Starts every agent before waiting for any, and gathers their timings.
fn run_all(me: &Path, db: &str) -> (Duration, Vec<Duration>, usize) {
    let started = Instant::now();
    let children: Vec<_> = (0..AGENTS)
        .map(|_| {
            Command::new(me)
                .env(WORKER_ENV, db)
                .stdout(std::process::Stdio::piped())
                .spawn()
                .expect("start an agent")
        })
        .collect();
    let mut latencies = Vec::new();
    let mut failures = 0;
    for child in children {
        let out = child.wait_with_output().expect("agent output");
        for line in String::from_utf8_lossy(&out.stdout).lines() {
            match line.strip_prefix("fail ") {
                Some(_) => failures += 1,
                None => latencies.extend(line.parse::<u64>().ok().map(Duration::from_micros)),
            }
        }
    }
    (started.elapsed(), latencies, failures)
}

/// One agent: its writes, each timed, printed in microseconds (or `fail …`).
fn agent(desk: &Location) {
    let mut store = Store::open_at(desk, DEFAULT_BUSY_TIMEOUT).expect("open");
    let me = ticketdesk::actor::current();
    let mut ids = Vec::new();
    for n in 0..WRITES {
        let begun = Instant::now();
        let result = match n % 4 {
            0 => {
                let ticket = NewTicket::new(
                    &format!("bench {n}"),
                    "written under load",
                    Category::Technical,
                    Priority::High,
                )
                .expect("valid");
                store.add(&ticket, Origins::PERSON).map(|t| ids.push(t.id))
            }
            1 => {
                let id = *ids.last().expect("an added ticket");
                let edit = TicketEdit { status: Some(Status::InProgress), ..TicketEdit::default() };
                store.edit(id, &edit, None).map(drop)
            }
            2 => store.assign(*ids.last().expect("an added ticket"), Some(&me), None).map(drop),
            _ => store.note(*ids.last().expect("an added ticket"), "checked").map(drop),
        };
        match result {
            Ok(()) => println!("{}", begun.elapsed().as_micros()),
            Err(e) => println!("fail {e}"),
        }
    }
}
