//! The run's verdict and numbers, as the test asserts them and the bench
//! prints them.

use std::fmt;
use std::time::Duration;

use super::ledger::Tally;
use super::site::ms;
use super::verify::Verdict;

#[derive(Debug, Default)]
pub struct Summary {
    pub seed: u64,
    pub checkpoints: usize,
    /// What a checkpoint or the final check did not find of an acknowledged
    /// write, by ticket, each finding once.
    pub lost: Vec<(i64, String)>,
    /// Anything else that went wrong: a failed check, an actor that gave up.
    pub problems: Vec<String>,
    pub tally: Tally,
    pub elapsed: Duration,
    /// The final read failed, so nothing acknowledged could be confirmed.
    pub unreadable_at_end: bool,
}

impl Summary {
    pub fn new(seed: u64) -> Summary {
        Summary { seed, ..Summary::default() }
    }

    pub fn checkpoint(&mut self, verdict: &Verdict) {
        if verdict.passed() {
            self.checkpoints += 1;
        }
        self.add(verdict);
        eprintln!(
            "[torture] checkpoint {}: {}",
            self.checkpoints,
            if verdict.passed() { "ok" } else { "FAILED" }
        );
    }

    pub fn finish(&mut self, verdict: &Verdict, tally: Tally, elapsed: Duration) {
        if verdict.passed() {
            self.checkpoints += 1;
        }
        self.add(verdict);
        self.unreadable_at_end = verdict.unreadable;
        self.tally = tally;
        self.elapsed = elapsed;
    }

    fn add(&mut self, verdict: &Verdict) {
        for finding in &verdict.lost {
            if !self.lost.contains(finding) {
                self.lost.push(finding.clone());
            }
        }
        self.problems.extend(verdict.problems.iter().cloned());
    }

    /// Every ticket with something missing lost at least one write: a
    /// lower bound ("0" is exact).
    pub fn lost_writes(&self) -> String {
        let tickets: std::collections::BTreeSet<_> = self.lost.iter().map(|(id, _)| id).collect();
        match tickets.len() {
            0 => "0".to_owned(),
            n => format!("at least {n} (on {n} tickets; {} findings below)", self.lost.len()),
        }
    }

    pub fn passed(&self) -> bool {
        self.lost.is_empty() && self.problems.is_empty()
    }

    /// The write latency at quantile `q` (0..=1).
    pub fn latency(&self, q: f64) -> Duration {
        let mut all = self.tally.latencies.clone();
        all.sort();
        all.get(((all.len().saturating_sub(1)) as f64 * q).round() as usize).copied().unwrap_or_default()
    }
}

impl fmt::Display for Summary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let t = &self.tally;
        writeln!(f, "seed                      {} (replay with TORTURE_SEED={})", self.seed, self.seed)?;
        writeln!(f, "run time                  {:.1} s", self.elapsed.as_secs_f64())?;
        writeln!(
            f,
            "writes acknowledged       {} by the CLI (an import of {} rows counts once), {} by screens",
            t.acked_cli, t.imported_rows, t.acked_screen
        )?;
        if self.unreadable_at_end {
            writeln!(f, "writes lost               unknown: the desk could not be read at the end")?;
        } else {
            writeln!(f, "writes lost               {}", self.lost_writes())?;
        }
        writeln!(
            f,
            "kills survived            {} CLI writers, {} screens (+{} too late to land)",
            t.kills_cli, t.kills_screen, t.kills_late
        )?;
        writeln!(f, "uncertain writes          {} ({} had committed)", t.uncertain, t.uncertain_committed)?;
        writeln!(
            f,
            "write latency             p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms",
            ms(self.latency(0.5)),
            ms(self.latency(0.99)),
            ms(self.latency(1.0))
        )?;
        writeln!(f, "checkpoints passed        {}", self.checkpoints)?;
        for (_, lost) in &self.lost {
            writeln!(f, "LOST: {lost}")?;
        }
        for problem in &self.problems {
            writeln!(f, "PROBLEM: {problem}")?;
        }
        Ok(())
    }
}

/// What a panicking thread said.
pub fn panic_text(panic: &Box<dyn std::any::Any + Send>) -> String {
    panic
        .downcast_ref::<String>()
        .cloned()
        .or_else(|| panic.downcast_ref::<&str>().map(|s| (*s).to_owned()))
        .unwrap_or_else(|| "(no message)".to_owned())
}
