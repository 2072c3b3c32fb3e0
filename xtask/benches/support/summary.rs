//! The summary lines of the workspace's benchmarks: medians and ratios to the baseline measured
//! in the same run, with the target each comparison is held to.
//!
//! Shared by the three bench targets (`xtask/benches/generation.rs`,
//! `crates/pages-api-types/benches/decode.rs`, `crates/pages-api-client/benches/request.rs`), which
//! include it with `#[path]`. Divan does the sampling and prints its table. The summary's figures
//! come from two places:
//!
//! * absolute figures: every benched closure also goes through [`timed`], which records the
//!   duration of that one call, so the medians are those of the very iterations divan ran
//!   (every benched operation takes microseconds or more, so the ~20 ns clock read is noise);
//! * comparisons with a baseline: [`interleave`] runs the subject and its baselines in turn,
//!   one call each per round, after divan's pass. Run one after the other, two benchmarks see
//!   different moments of a shared 2-core machine (neighbours, frequency, the allocator's state)
//!   and their medians drift apart by more than the 5 % the targets allow; taken in turn, every
//!   side sees the same moments, so their ratio holds still.
//!
//! Targets live here, in the report, never in a timed test.

#![allow(dead_code)] // each bench target uses a different part of it

use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Every duration recorded, by benchmark key, in the order the keys were first seen.
static TIMES: Mutex<Vec<(String, Vec<Duration>)>> = Mutex::new(Vec::new());

/// Runs `f` once, recording its duration under `key`.
pub fn timed<T>(key: &str, f: impl FnOnce() -> T) -> T {
    let start = Instant::now();
    let out = f();
    let elapsed = start.elapsed();
    record(key, elapsed);
    out
}

/// Records one duration under `key`.
pub fn record(key: &str, elapsed: Duration) {
    let mut times = TIMES.lock().unwrap_or_else(|e| e.into_inner());
    match times.iter_mut().find(|(k, _)| k == key) {
        Some((_, list)) => list.push(elapsed),
        None => times.push((key.to_owned(), vec![elapsed])),
    }
}

/// The median duration recorded under `key` and how many runs it is the median of.
pub fn median(key: &str) -> Option<(Duration, usize)> {
    let times = TIMES.lock().unwrap_or_else(|e| e.into_inner());
    let (_, list) = times.iter().find(|(k, _)| k == key)?;
    let mut sorted = list.clone();
    sorted.sort_unstable();
    let n = sorted.len();
    let median = if n % 2 == 1 {
        sorted[n / 2]
    } else {
        (sorted[n / 2 - 1] + sorted[n / 2]) / 2
    };
    Some((median, n))
}

/// Runs every variant once per round, starting each round at the next variant, for `rounds`
/// rounds or until `budget` has passed (at least 5 rounds); each variant returns the duration of
/// its own call, recorded under its key. Nothing runs unless [`measuring`] and [`selected`].
pub fn interleave(
    name: &str,
    rounds: usize,
    budget: Duration,
    variants: &mut [(&str, &mut dyn FnMut() -> Duration)],
) {
    if !measuring() || !selected(name) || variants.is_empty() {
        return;
    }
    let start = Instant::now();
    for round in 0..rounds {
        if round >= 5 && start.elapsed() > budget {
            break;
        }
        for i in 0..variants.len() {
            let (key, run) = &mut variants[(round + i) % variants.len()];
            let elapsed = run();
            record(key, elapsed);
        }
    }
}

/// Times one call of `f`, dropping its output outside the timed part.
pub fn time_call<T>(f: impl FnOnce() -> T) -> Duration {
    let start = Instant::now();
    let out = std::hint::black_box(f());
    let elapsed = start.elapsed();
    drop(out);
    elapsed
}

/// Whether the command line's benchmark filters (divan's positional arguments) select `name`:
/// yes when there are none, or when one of them is part of it.
pub fn selected(name: &str) -> bool {
    const TAKES_VALUE: [&str; 13] = [
        "--sample-count",
        "--sample-size",
        "--min-time",
        "--max-time",
        "--threads",
        "--color",
        "--timer",
        "--skip",
        "--items-count",
        "--bytes-count",
        "--bytes-format",
        "--chars-count",
        "--cycles-count",
    ];
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut filters = Vec::new();
    let mut skip_next = false;
    for arg in &args {
        if skip_next {
            skip_next = false;
        } else if arg.starts_with('-') {
            skip_next = TAKES_VALUE.contains(&arg.as_str());
        } else {
            filters.push(arg.as_str());
        }
    }
    filters.is_empty() || filters.iter().any(|f| name.contains(f))
}

/// What else the machine was doing: the 1-minute load average, with a warning when it is well
/// above the `own_threads` the benchmark itself keeps busy, i.e. another process was keeping a
/// core busy (figures taken then are slower and noisier).
pub fn machine_load(own_threads: f64) -> Option<String> {
    let text = std::fs::read_to_string("/proc/loadavg").ok()?;
    let one: f64 = text.split_whitespace().next()?.parse().ok()?;
    let warning = if one > own_threads + 0.6 {
        " (WARNING: something else was busy; re-run on a quiet machine)"
    } else {
        ""
    };
    Some(format!(
        "load average (1 min) at the end: {one:.2}{warning}"
    ))
}

/// Whether divan is measuring (`cargo bench`) rather than running each benchmark once
/// (`cargo test --benches`), where timings mean nothing.
pub fn measuring() -> bool {
    std::env::args().any(|a| a == "--bench")
}

/// `1.23 ms`, `456 µs`, `2.05 s`: three significant digits.
pub fn human(d: Duration) -> String {
    let ns = d.as_secs_f64() * 1e9;
    let (value, unit) = if ns < 1e3 {
        (ns, "ns")
    } else if ns < 1e6 {
        (ns / 1e3, "µs")
    } else if ns < 1e9 {
        (ns / 1e6, "ms")
    } else {
        (ns / 1e9, "s")
    };
    let decimals = if value < 10.0 {
        2
    } else if value < 100.0 {
        1
    } else {
        0
    };
    format!("{value:.decimals$} {unit}")
}

fn verdict(met: bool) -> &'static str {
    if met { "MET" } else { "NOT MET" }
}

/// A target on a ratio: the subject may take at most `max_ratio` times the baseline's time;
/// `meaning` says what that is in the words.
#[derive(Clone, Copy)]
pub struct RatioTarget {
    pub max_ratio: f64,
    pub meaning: &'static str,
}

/// The summary line of one comparison, e.g.
/// `decode deployments: generated 1.23 ms, baseline 1.20 ms, ratio 1.03x (target <= 1.053x for
/// >= 0.95x throughput): MET`; `None` when either side did not run (filtered out).
pub fn ratio_line(
    label: &str,
    subject: (&str, &str),
    baseline: (&str, &str),
    target: Option<RatioTarget>,
) -> Option<String> {
    let (subject_name, subject_key) = subject;
    let (baseline_name, baseline_key) = baseline;
    let (s, sn) = median(subject_key)?;
    let (b, bn) = median(baseline_key)?;
    let ratio = s.as_secs_f64() / b.as_secs_f64();
    let mut line = format!(
        "{label}: {subject_name} {} (n={sn}), {baseline_name} {} (n={bn}), ratio {ratio:.3}x",
        human(s),
        human(b)
    );
    if let Some(t) = target {
        line.push_str(&format!(
            " (target <= {:.3}x for {}): {}",
            t.max_ratio,
            t.meaning,
            verdict(ratio <= t.max_ratio)
        ));
    }
    Some(line)
}

/// The summary line of an absolute target, with the ratio to a baseline when one is given.
pub fn absolute_line(
    label: &str,
    key: &str,
    limit: Duration,
    baseline: Option<(&str, &str)>,
) -> Option<String> {
    let (d, n) = median(key)?;
    let mut line = format!("{label}: {} (n={n})", human(d));
    if let Some((name, b)) = baseline.and_then(|(name, key)| Some((name, median(key)?.0))) {
        line.push_str(&format!(
            ", {name} {}, ratio {:.1}x",
            human(b),
            d.as_secs_f64() / b.as_secs_f64()
        ));
    }
    line.push_str(&format!(
        " (target < {}): {}",
        human(limit),
        verdict(d < limit)
    ));
    Some(line)
}

/// Prints the summary block (or says why there is none); `own_threads` is how many threads the
/// benchmark keeps busy itself (for the load warning).
pub fn print(title: &str, own_threads: f64, lines: impl IntoIterator<Item = Option<String>>) {
    println!();
    println!("== summary: {title}");
    if !measuring() {
        println!("(not measuring: run under `cargo bench` for timings)");
        return;
    }
    for line in lines.into_iter().flatten() {
        println!("{line}");
    }
    if let Some(load) = machine_load(own_threads) {
        println!("{load}");
    }
}
