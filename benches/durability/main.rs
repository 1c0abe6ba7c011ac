//! `cargo bench --bench durability -- --seconds N`: the release `ticketdesk`
//! worked by a team for N seconds (default 60) with kills, and every
//! acknowledged write checked against what a fresh `sqlite3` sees. Prints
//! the tallies; exits 1 if any acknowledged write was lost or a check failed.
//! `TORTURE_SEED` replays a run; `--writers`, `--screens` change the team.

#[path = "../../tests/torture/mod.rs"]
mod torture;

use std::time::Duration;

fn main() {
    let mut config = torture::Config {
        work: Duration::from_secs(60),
        seed: torture::Config::seed_from_env(),
        writers: 4,
        screens: 2,
        checkpoint_every: Duration::from_secs(10),
        kill_chance: 0.1,
    };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut number = |name: &str| -> f64 {
            let value = args.next().unwrap_or_default();
            value.parse().unwrap_or_else(|_| fail(&format!("{name} needs a number, got {value:?}")))
        };
        match arg.as_str() {
            "--seconds" => config.work = Duration::from_secs_f64(number("--seconds").max(1.0)),
            "--writers" => config.writers = number("--writers") as usize,
            "--screens" => config.screens = (number("--screens") as usize).max(1),
            "--bench" => {} // what `cargo bench` passes to every bench
            other => fail(&format!("unknown argument {other:?} (try --seconds N)")),
        }
    }
    eprintln!(
        "[durability] {} CLI writers, {} screens, readers, backups, checks, an import, kill -9 for {:.0} s",
        config.writers,
        config.screens,
        config.work.as_secs_f64()
    );
    let summary = torture::run(&config);
    println!("{summary}");
    if !summary.passed() {
        std::process::exit(1);
    }
}

fn fail(message: &str) -> ! {
    eprintln!("[durability] {message}");
    std::process::exit(2);
}
