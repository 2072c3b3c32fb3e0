//! `cargo xtask bench-compile`: what the generated crates cost to compile, and (with
//! `--cold-xtask`) what the first `cargo xtask codegen` of a fresh clone costs.
//!
//! Everything builds in its own target directory (`target/bench-compile`,
//! `target/bench-compile-cold`), so the developer's build is never touched. Dependencies are
//! built once, untimed; then, per profile, each run cleans the two crates
//! (`cargo clean -p pages-api-types -p pages-api-client`) and times
//! `cargo build -p pages-api-client`, which rebuilds exactly those two. The report gives the
//! median of the runs; its baseline, measured in the same run, is a no-op `cargo build` of the
//! same package (cargo's own fixed cost).
//!
//! `--user-program` measures something else instead: what a *user* pays to build a "list
//! projects" program from scratch with the client, against the same GET with bare reqwest and
//! the same TLS (see `user_program`). Standard library only.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::codegen::{self, CLIENT_CRATE, GENERATED_MODULE, TYPES_CRATE, cargo};

/// Both crates rebuilt in debug, on 2 cores (openapi-to-rust: 2.74 s, progenitor: 2.9 s).
const DEBUG_TARGET: Duration = Duration::from_millis(2500);
/// openapi-to-rust's generated lines for the same API.
const LINES_TARGET: usize = 3309;
/// A user's "list projects" program with the client, against bare reqwest: CPU time of a clean
/// debug build (was 1.26x).
const USER_PROGRAM_TARGET: f64 = 1.15;

struct Options {
    runs: usize,
    cold_xtask: bool,
    user_program: bool,
}

fn parse(args: &[String]) -> Result<Options, String> {
    let mut options = Options {
        runs: 3,
        cold_xtask: false,
        user_program: false,
    };
    let mut rest = args.iter();
    while let Some(arg) = rest.next() {
        match arg.as_str() {
            "--cold-xtask" => options.cold_xtask = true,
            "--user-program" => options.user_program = true,
            "--runs" => {
                options.runs = rest
                    .next()
                    .and_then(|n| n.parse().ok())
                    .filter(|&n: &usize| n > 0)
                    .ok_or("--runs needs a positive number")?;
            }
            other => return Err(format!("unknown bench-compile argument `{other}`")),
        }
    }
    Ok(options)
}

/// Runs the measurements and prints the report.
pub fn run(args: &[String]) -> Result<(), String> {
    let options = parse(args)?;
    let root = codegen::workspace_root();
    println!("bench-compile: {}", machine());
    if options.user_program {
        let report = user_program(&root, options.runs)?;
        println!();
        println!("== summary: bench-compile --user-program ({})", machine());
        for line in &report {
            println!("{line}");
        }
        return Ok(());
    }

    let lines = generated_lines(&root)?;
    let total_lines: usize = lines.iter().map(|(_, n)| n).sum();

    let target = root.join("target").join("bench-compile");
    let mut report = Vec::new();
    for (profile, flag) in [("debug", None), ("release", Some("--release"))] {
        let build = |package: &str| cargo_args("build", package, &target, flag);
        // Both packages: alone, pages-api-types may select other features of its dependencies
        // (another build of serde_json), which must not be timed either.
        println!("bench-compile: building the dependencies ({profile}, untimed)");
        run_cargo(&root, &build("pages-api-types"), true)?;
        run_cargo(&root, &build("pages-api-client"), true)?;

        let mut noop = Vec::new();
        let mut both = Vec::new();
        let mut both_incremental = Vec::new();
        let mut types_only = Vec::new();
        let mut client_only = Vec::new();
        for run in 1..=options.runs {
            noop.push(run_cargo(&root, &build("pages-api-client"), false)?);

            clean(&root, &target, flag)?;
            both.push(run_cargo(&root, &build("pages-api-client"), false)?);

            // The same with incremental compilation, which the workspace turns off for these
            // two crates (Cargo.toml): what turning it back on would cost (the release profile
            // has none anyway).
            if profile == "debug" {
                let mut incremental = build("pages-api-client");
                for package in ["pages-api-types", "pages-api-client"] {
                    incremental.push("--config".into());
                    incremental.push(format!("profile.dev.package.{package}.incremental=true"));
                }
                clean(&root, &target, flag)?;
                both_incremental.push(run_cargo(&root, &incremental, false)?);
            }

            clean(&root, &target, flag)?;
            types_only.push(run_cargo(&root, &build("pages-api-types"), false)?);
            client_only.push(run_cargo(&root, &build("pages-api-client"), false)?);
            println!(
                "bench-compile: {profile} run {run}/{}: both crates {}, pages-api-types {}, pages-api-client {}, no-op {}",
                options.runs,
                secs(*both.last().unwrap_or(&Duration::ZERO)),
                secs(*types_only.last().unwrap_or(&Duration::ZERO)),
                secs(*client_only.last().unwrap_or(&Duration::ZERO)),
                secs(*noop.last().unwrap_or(&Duration::ZERO)),
            );
        }
        let median_both = median(&both);
        let mut line = format!(
            "{profile}: both crates rebuilt {} (median of {}: {}), of which pages-api-types {} and pages-api-client {} when built apart; baseline, a no-op `cargo build -p pages-api-client`: {}",
            secs(median_both),
            both.len(),
            both.iter().map(|d| secs(*d)).collect::<Vec<_>>().join(", "),
            secs(median(&types_only)),
            secs(median(&client_only)),
            secs(median(&noop)),
        );
        if profile == "debug" {
            line.push_str(&format!(
                " (target <= {} on 2 cores: {}); with incremental compilation turned on: {} ({})",
                secs(DEBUG_TARGET),
                verdict(median_both <= DEBUG_TARGET),
                secs(median(&both_incremental)),
                both_incremental
                    .iter()
                    .map(|d| secs(*d))
                    .collect::<Vec<_>>()
                    .join(", "),
            ));
        }
        report.push(line);
    }
    report.push(format!(
        "generated lines: {total_lines} ({}) (target <= {LINES_TARGET}: {})",
        lines
            .iter()
            .map(|(path, n)| format!("{path} {n}"))
            .collect::<Vec<_>>()
            .join(", "),
        verdict(total_lines <= LINES_TARGET)
    ));

    // What a developer pays for `cargo xtask codegen --check` once the generator is built:
    // cargo's freshness check plus the debug build of the generator (the alias runs no --release).
    let xtask_run = cargo_args("run", "xtask", &target, None)
        .into_iter()
        .chain(["--quiet", "--", "codegen", "--check"].map(String::from))
        .collect::<Vec<_>>();
    run_cargo(&root, &xtask_run, true)?;
    let warm: Vec<Duration> = (0..options.runs.max(5))
        .map(|_| run_cargo(&root, &xtask_run, false))
        .collect::<Result<_, _>>()?;
    report.push(format!(
        "warm `cargo xtask codegen --check` (cargo run, debug generator, built): {} (median of {})",
        millis(median(&warm)),
        warm.len()
    ));

    if options.cold_xtask {
        report.extend(cold_xtask(&root)?);
    }

    println!();
    println!("== summary: bench-compile ({})", machine());
    for line in &report {
        println!("{line}");
    }
    Ok(())
}

/// A fresh clone's first `cargo xtask codegen`: the generator built from nothing (its
/// dependencies downloaded beforehand), then run.
fn cold_xtask(root: &Path) -> Result<Vec<String>, String> {
    let target = root.join("target").join("bench-compile-cold");
    if target.exists() {
        std::fs::remove_dir_all(&target)
            .map_err(|e| format!("cannot remove {}: {e}", target.display()))?;
    }
    println!("bench-compile: cargo fetch (untimed)");
    run_cargo(root, &["fetch".to_string()], true)?;
    println!("bench-compile: cold `cargo build -p xtask` in a fresh target directory");
    let build = run_cargo(root, &cargo_args("build", "xtask", &target, None), true)?;
    let binary = target.join("debug").join("xtask");
    let start = Instant::now();
    let status = Command::new(&binary)
        .args(["codegen", "--check"])
        .current_dir(root)
        .stdout(Stdio::null())
        .status()
        .map_err(|e| format!("cannot run {}: {e}", binary.display()))?;
    let first_run = start.elapsed();
    if !status.success() {
        eprintln!("bench-compile: note: `codegen --check` reported stale files (timed anyway)");
    }
    let _ = std::fs::remove_dir_all(&target);

    let tree = Command::new(cargo())
        .args(["tree", "-p", "xtask", "-e", "normal", "--prefix", "none"])
        .current_dir(root)
        .output()
        .map_err(|e| format!("cannot run cargo tree: {e}"))?;
    let text = String::from_utf8_lossy(&tree.stdout);
    let lines: std::collections::BTreeSet<&str> = text.lines().collect();
    let crates: std::collections::BTreeSet<&str> = text
        .lines()
        .map(|l| l.trim_end_matches(" (*)"))
        .filter(|l| !l.is_empty())
        .collect();
    Ok(vec![
        format!(
            "cold xtask: `cargo build -p xtask` from nothing {}, then its first `codegen --check` {}: first `cargo xtask codegen` of a fresh clone {}",
            secs(build),
            millis(first_run),
            secs(build + first_run)
        ),
        format!(
            "xtask's normal dependency tree: {} crates including xtask ({} lines of `cargo tree -p xtask -e normal --prefix none | sort -u | wc -l`, which counts a crate again when it is marked `(*)`)",
            crates.len(),
            lines.len()
        ),
    ])
}

/// A user's program: `(directory name, Cargo.toml, src/main.rs)`.
type Program = (&'static str, String, &'static str);

/// What a user builds: a "list projects" binary on the client (default features), and the same
/// GET with bare reqwest, with the TLS the client uses (rustls on *ring*, no aws-lc), decoding
/// into `serde_json::Value`. Neither is ever run; both only have to build.
fn user_programs(root: &Path) -> [Program; 2] {
    let client_path = root.join(CLIENT_CRATE);
    let client = (
        "client",
        format!(
            r#"[package]
name = "bench-user-client"
version = "0.0.0"
edition = "2024"
publish = false

[dependencies]
pages-api-client = {{ path = {:?} }}
tokio = {{ version = "1.54.1", default-features = false, features = ["macros", "rt-multi-thread"] }}

# Built as from crates.io, where the README's quickstart takes them: cargo compiles path
# dependencies incrementally, registry ones never (the program itself stays incremental).
[profile.dev.package.pages-api-client]
incremental = false
[profile.dev.package.pages-api-types]
incremental = false

[workspace]
"#,
            client_path.display().to_string()
        ),
        r#"use pages_api_client::Client;

#[tokio::main]
async fn main() -> Result<(), pages_api_client::Error> {
    let token = std::env::var("CLOUDFLARE_API_TOKEN").unwrap_or_default();
    let account = std::env::var("CLOUDFLARE_ACCOUNT_ID").unwrap_or_default();
    let client = Client::builder().api_token(token).build()?;
    let projects = client.projects().list(account).send().await?;
    println!("{} projects", projects.len());
    Ok(())
}
"#,
    );
    let bare = (
        "bare-reqwest",
        r#"[package]
name = "bench-user-bare-reqwest"
version = "0.0.0"
edition = "2024"
publish = false

[dependencies]
reqwest = { version = "0.13.5", default-features = false, features = ["json", "rustls-no-provider"] }
rustls = { version = "0.23.46", default-features = false, features = ["ring", "std", "tls12", "logging"] }
serde_json = "1.0.154"
tokio = { version = "1.54.1", default-features = false, features = ["macros", "rt-multi-thread"] }

[workspace]
"#
        .to_string(),
        r#"#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let token = std::env::var("CLOUDFLARE_API_TOKEN").unwrap_or_default();
    let account = std::env::var("CLOUDFLARE_ACCOUNT_ID").unwrap_or_default();
    let client = reqwest::Client::new();
    let body: serde_json::Value = client
        .get(format!("https://api.cloudflare.com/client/v4/accounts/{account}/pages/projects"))
        .bearer_auth(token)
        .send()
        .await?
        .error_for_status()?
        .json()
        .await?;
    println!("{} projects", body["result"].as_array().map_or(0, Vec::len));
    Ok(())
}
"#,
    );
    [client, bare]
}

/// `--user-program`: writes both programs under `target/bench-compile/user-program/`, each with
/// a copy of the workspace's `Cargo.lock` (same versions; `--offline`, nothing downloaded),
/// then builds each from an empty target directory, in turn (the order alternating per run),
/// timing wall clock and the CPU time (user + sys) of the whole cargo process tree.
fn user_program(root: &Path, runs: usize) -> Result<Vec<String>, String> {
    let base = root
        .join("target")
        .join("bench-compile")
        .join("user-program");
    let lock = std::fs::read(root.join("Cargo.lock"))
        .map_err(|e| format!("cannot read Cargo.lock: {e}"))?;
    let programs = user_programs(root);
    for (name, manifest, main) in &programs {
        let dir = base.join(name);
        let write = |path: PathBuf, bytes: &[u8]| {
            std::fs::write(&path, bytes)
                .map_err(|e| format!("cannot write {}: {e}", path.display()))
        };
        std::fs::create_dir_all(dir.join("src"))
            .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
        write(dir.join("Cargo.toml"), manifest.as_bytes())?;
        write(dir.join("src").join("main.rs"), main.as_bytes())?;
        write(dir.join("Cargo.lock"), &lock)?;
        // Untimed: cargo trims the copied lock file to what this program uses (no version
        // changes: offline, nothing new can be resolved).
        println!("bench-compile: resolving {name} (untimed)");
        run_cargo(
            &dir,
            &[
                "tree".into(),
                "--offline".into(),
                "-e".into(),
                "normal".into(),
            ],
            false,
        )?;
    }

    let mut wall: Vec<Vec<Duration>> = vec![Vec::new(); programs.len()];
    let mut cpu: Vec<Vec<Duration>> = vec![Vec::new(); programs.len()];
    let mut units = vec![0; programs.len()];
    for run in 0..runs {
        let order: Vec<usize> = if run % 2 == 0 { vec![0, 1] } else { vec![1, 0] };
        for i in order {
            let (name, _, _) = &programs[i];
            let dir = base.join(name);
            let target = dir.join("target");
            if target.exists() {
                std::fs::remove_dir_all(&target)
                    .map_err(|e| format!("cannot remove {}: {e}", target.display()))?;
            }
            let args = ["build", "--offline", "--timings", "--target-dir"]
                .map(String::from)
                .into_iter()
                .chain([target.display().to_string()])
                .collect::<Vec<_>>();
            let before = children_cpu()?;
            let elapsed = run_cargo(&dir, &args, false)?;
            let used = children_cpu()?.saturating_sub(before);
            wall[i].push(elapsed);
            cpu[i].push(used);
            units[i] = std::fs::read_dir(target.join("debug").join(".fingerprint"))
                .map_or(0, |entries| entries.count());
            println!(
                "bench-compile: user program run {}/{runs}: {name}: CPU {}, wall {} ({} units), load average {}",
                run + 1,
                secs(used),
                secs(elapsed),
                units[i],
                loadavg()
            );
        }
    }
    let ratio = |v: &[Vec<Duration>]| median(&v[0]).as_secs_f64() / median(&v[1]).as_secs_f64();
    let list = |v: &[Duration]| v.iter().map(|d| secs(*d)).collect::<Vec<_>>().join(", ");
    let cpu_ratio = ratio(&cpu);
    Ok(vec![
        format!(
            "clean debug build of a \"list projects\" program with pages-api-client (default features): CPU {} (median of {}: {}), wall {} ({}), {} units",
            secs(median(&cpu[0])),
            cpu[0].len(),
            list(&cpu[0]),
            secs(median(&wall[0])),
            list(&wall[0]),
            units[0]
        ),
        format!(
            "baseline, the same GET with bare reqwest (json, rustls on ring) + serde_json::Value: CPU {} ({}), wall {} ({}), {} units",
            secs(median(&cpu[1])),
            list(&cpu[1]),
            secs(median(&wall[1])),
            list(&wall[1]),
            units[1]
        ),
        format!(
            "ratio: CPU {cpu_ratio:.2}x (target <= {USER_PROGRAM_TARGET:.2}x: {}), wall {:.2}x; load average at the end {}; cargo's timings: {}",
            verdict(cpu_ratio <= USER_PROGRAM_TARGET),
            ratio(&wall),
            loadavg(),
            base.join("*/target/cargo-timings/cargo-timing.html")
                .display()
        ),
    ])
}

/// CPU time (user + sys) of this process's waited-for children and their descendants: the
/// `cutime` and `cstime` of `/proc/self/stat` (what `getrusage(RUSAGE_CHILDREN)` reports), in
/// clock ticks of 1/100 s (Linux's `USER_HZ`).
fn children_cpu() -> Result<Duration, String> {
    let stat = std::fs::read_to_string("/proc/self/stat")
        .map_err(|e| format!("cannot read /proc/self/stat (Linux only): {e}"))?;
    // Fields after the command name, which is in parentheses and may hold spaces: field 3
    // (`state`) is the first; `cutime` and `cstime` are fields 16 and 17.
    let rest = stat.rsplit_once(')').map_or("", |(_, rest)| rest);
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks = |n: usize| fields.get(n - 3).and_then(|f| f.parse::<u64>().ok());
    match (ticks(16), ticks(17)) {
        (Some(user), Some(sys)) => Ok(Duration::from_millis((user + sys) * 10)),
        _ => Err("cannot parse /proc/self/stat".into()),
    }
}

fn loadavg() -> String {
    std::fs::read_to_string("/proc/loadavg").map_or_else(
        |_| "unknown".into(),
        |l| l.split_whitespace().take(3).collect::<Vec<_>>().join(" "),
    )
}

fn cargo_args(command: &str, package: &str, target: &Path, flag: Option<&str>) -> Vec<String> {
    let mut args = vec![
        command.to_string(),
        "-p".into(),
        package.into(),
        "--target-dir".into(),
        target.display().to_string(),
    ];
    args.extend(flag.map(String::from));
    args
}

fn clean(root: &Path, target: &Path, flag: Option<&str>) -> Result<(), String> {
    let mut args = vec![
        "clean".to_string(),
        "-p".into(),
        "pages-api-types".into(),
        "-p".into(),
        "pages-api-client".into(),
        "--target-dir".into(),
        target.display().to_string(),
    ];
    args.extend(flag.map(String::from));
    run_cargo(root, &args, false).map(drop)
}

/// Runs cargo with `args` in `root`, returning how long it took; `show` lets its output through.
fn run_cargo(root: &Path, args: &[String], show: bool) -> Result<Duration, String> {
    let mut command = Command::new(cargo());
    command.args(args).current_dir(root);
    if !show {
        command.stdout(Stdio::null()).stderr(Stdio::null());
    }
    let start = Instant::now();
    let status = command
        .status()
        .map_err(|e| format!("cannot run cargo: {e}"))?;
    let elapsed = start.elapsed();
    if !status.success() {
        return Err(format!("`cargo {}` failed ({status})", args.join(" ")));
    }
    Ok(elapsed)
}

/// Lines of both generated modules, by workspace-relative path.
fn generated_lines(root: &Path) -> Result<Vec<(String, usize)>, String> {
    [TYPES_CRATE, CLIENT_CRATE]
        .iter()
        .map(|krate| {
            let path: PathBuf = Path::new(krate).join(GENERATED_MODULE);
            let text = std::fs::read_to_string(root.join(&path))
                .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
            Ok((path.display().to_string(), text.lines().count()))
        })
        .collect()
}

/// `2 cores, AMD EPYC`: what the figures come from.
fn machine() -> String {
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|info| {
            info.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split_once(':'))
                .map(|(_, model)| model.trim().to_string())
        })
        .unwrap_or_else(|| "unknown CPU".into());
    format!("{cores} cores, {cpu}")
}

fn median(values: &[Duration]) -> Duration {
    let mut sorted = values.to_vec();
    sorted.sort_unstable();
    match sorted.len() {
        0 => Duration::ZERO,
        n if n % 2 == 1 => sorted[n / 2],
        n => (sorted[n / 2 - 1] + sorted[n / 2]) / 2,
    }
}

fn secs(d: Duration) -> String {
    format!("{:.2} s", d.as_secs_f64())
}

fn millis(d: Duration) -> String {
    format!("{:.0} ms", d.as_secs_f64() * 1e3)
}

fn verdict(met: bool) -> &'static str {
    if met { "MET" } else { "NOT MET" }
}
