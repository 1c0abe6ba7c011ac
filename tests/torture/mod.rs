//! A desk worked as a team works it, for as long as asked: CLI writers,
//! full-screen desks in tmux, readers that open and close the file, backups,
//! checks, an import, and `kill -9` of writers and of a screen. A ledger
//! keeps every acknowledged write; checkpoints compare it with what a fresh
//! `sqlite3` process sees. Used by `tests/durability.rs` and by
//! `cargo bench --bench durability`.
#![allow(dead_code)]

#[path = "../common/mod.rs"]
pub mod common;
#[path = "../common/tmux.rs"]
pub mod tmux;

pub mod actors;
pub mod cli;
pub mod ledger;
pub mod make;
pub mod report;
pub mod screen;
pub mod site;
pub mod verify;

use std::time::{Duration, Instant};

use ledger::Ledger;
pub use report::Summary;
use site::{Clock, Site};
use verify::Mode;

pub struct Config {
    /// How long the actors work (checks before and after come on top).
    pub work: Duration,
    pub seed: u64,
    pub writers: usize,
    pub screens: usize,
    pub checkpoint_every: Duration,
    /// The chance that a CLI write is killed at a random moment.
    pub kill_chance: f64,
}

impl Config {
    /// The seed from `TORTURE_SEED`, else a new one (printed by the run).
    pub fn seed_from_env() -> u64 {
        match std::env::var("TORTURE_SEED") {
            Ok(text) => {
                text.trim().parse().unwrap_or_else(|_| panic!("TORTURE_SEED={text:?} is not a number"))
            }
            Err(_) => std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(1, |d| d.as_nanos() as u64 % 1_000_000_007),
        }
    }
}

/// Runs the whole team against one new desk; the verdict and the tallies.
pub fn run(config: &Config) -> Summary {
    eprintln!("[torture] seed {} (replay with TORTURE_SEED={})", config.seed, config.seed);
    let started = Instant::now();
    let site = Site::new();
    let ledger = Ledger::default();
    let clock = Clock::new(config.work);
    let mut seeds = fastrand::Rng::with_seed(config.seed);
    let mut summary = Summary::new(config.seed);
    let at = |fraction: f64| Instant::now() + config.work.mul_f64(fraction);
    let (site, ledger, clock) = (&site, &ledger, &clock);
    std::thread::scope(|scope| {
        let mut actors = Vec::new();
        for n in 0..config.writers {
            let seed = seeds.u64(..);
            let work = move || cli::work(site, ledger, n, seed, clock, config.kill_chance);
            actors.push((format!("writer w{n}"), scope.spawn(work)));
        }
        for n in 0..config.screens {
            let (seed, name) = (seeds.u64(..), format!("s{n}"));
            // The first screen is killed once, a little before half-time.
            let kill_at = (n == 0).then(|| at(0.4));
            actors.push((
                format!("screen {name}"),
                scope.spawn(move || actors::screen_work(site, ledger, &name, seed, clock, kill_at)),
            ));
        }
        let seed = seeds.u64(..);
        actors.push((
            "readers".into(),
            scope.spawn(move || actors::read_work(site, ledger, seed, clock).map(drop)),
        ));
        let (seed, import_at) = (seeds.u64(..), at(0.5));
        let upkeep = move || actors::upkeep_work(site, ledger, seed, clock, import_at);
        actors.push(("upkeep".into(), scope.spawn(upkeep)));

        while clock.running() {
            let next = Instant::now() + config.checkpoint_every;
            while clock.running() && Instant::now() < next && !actors.iter().any(|(_, a)| a.is_finished()) {
                std::thread::sleep(Duration::from_millis(50));
            }
            if actors.iter().any(|(_, a)| a.is_finished()) {
                clock.stop(); // an actor gave up: stop and report it
            } else if clock.running() {
                summary.checkpoint(&verify::checkpoint(site, &ledger.snapshot(), Mode::During));
            }
        }
        clock.stop();
        for (name, actor) in actors {
            match actor.join() {
                Ok(Ok(())) => {}
                Ok(Err(e)) => summary.problems.push(format!("{name}: {e}")),
                Err(panic) => {
                    summary.problems.push(format!("{name} panicked: {}", report::panic_text(&panic)))
                }
            }
        }
    });
    summary.finish(
        &verify::checkpoint(site, &ledger.snapshot(), Mode::Final),
        ledger.tally(),
        started.elapsed(),
    );
    summary
}
