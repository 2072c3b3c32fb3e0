//! `cargo xtask test [-- <extra cargo test args>]`: the project's one test command.
//!
//! 1. installs the pinned Prism mock server (`package.json` / `package-lock.json`) with
//!    `npm ci --ignore-scripts` when `node_modules` lacks it or is older than the lock file;
//! 2. starts `prism mock spec/pages.resolved.json` on a free local port, logging to
//!    `target/prism/prism.log`, and waits until it answers HTTP;
//! 3. runs `cargo test --workspace <extra args>` with `PAGES_API_PRISM_URL` pointing at it;
//! 4. stops Prism (also when anything above fails or panics) and reports cargo test's status.
//!
//! Everything after a leading `--` is appended to `cargo test --workspace` verbatim, so
//! `cargo xtask test -- contract -- --nocapture` runs the tests whose names contain `contract`
//! with their output shown (`-p` does not narrow `--workspace`; `--exclude` does).
//! Only `std` is used here: xtask's dependency tree stays small.

use std::fs::{self, File};
use std::io::{Read, Seek, SeekFrom, Write};
use std::net::{Ipv4Addr, SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use crate::codegen::cargo;

/// Environment variable through which the tests find Prism (read by `workspace-tests`).
const PRISM_URL_ENV: &str = "PAGES_API_PRISM_URL";
/// Prism's entry point, relative to the workspace root. Run with `node` directly (not `npx`),
/// so that the process we kill is Prism itself.
const PRISM_ENTRY: &str = "node_modules/@stoplight/prism-cli/dist/index.js";
/// How long Prism may take to start answering.
const READY_TIMEOUT: Duration = Duration::from_secs(60);
/// `cargo xtask test --help`.
const USAGE: &str = "usage: cargo xtask test [-- <extra cargo test args>]

Installs and starts the pinned Prism mock server on spec/pages.resolved.json, then runs
`cargo test --workspace <extra cargo test args>` with PAGES_API_PRISM_URL set.
e.g. cargo xtask test -- contract -- --nocapture";
/// Lines of Prism's log shown when it fails to start.
const LOG_TAIL_LINES: usize = 40;

/// Runs `cargo xtask test`; `args` are the arguments after `test`.
pub fn run(args: &[String]) -> Result<(), String> {
    let Some(extra) = cargo_test_args(args) else {
        println!("{USAGE}");
        return Ok(());
    };
    let root = crate::codegen::workspace_root();

    let spec = root.join(crate::codegen::RESOLVED_SPEC);
    if !spec.is_file() {
        return Err(format!(
            "{} not found: it is written by `cargo xtask codegen`",
            spec.display()
        ));
    }

    ensure_prism_installed(&root)?;

    let log_path = target_dir(&root).join("prism").join("prism.log");
    let port = free_port()?;
    let url = format!("http://127.0.0.1:{port}");
    // From here on, returning (or panicking) drops the guard, which kills and reaps Prism.
    eprintln!(
        "prism: starting on 127.0.0.1:{port} with {}…",
        crate::codegen::RESOLVED_SPEC
    );
    let mut prism = start_prism(&root, &spec, port, &log_path)?;
    wait_until_ready(&mut prism, port, &log_path)?;
    eprintln!("prism: listening on {url} (log: {})", log_path.display());

    let mut cargo_cmd = Command::new(cargo());
    cargo_cmd
        .current_dir(&root)
        .args(["test", "--workspace"])
        .args(&extra)
        .env(PRISM_URL_ENV, &url);
    eprintln!(
        "cargo test --workspace{}{} (with {PRISM_URL_ENV}={url})",
        if extra.is_empty() { "" } else { " " },
        extra.join(" ")
    );
    let status = cargo_cmd
        .status()
        .map_err(|e| format!("could not run `cargo test`: {e}"))?;
    drop(prism);

    if status.success() {
        Ok(())
    } else {
        Err(format!(
            "cargo test --workspace failed ({}); Prism's log: {}",
            describe(status),
            log_path.display()
        ))
    }
}

/// The arguments for `cargo test --workspace`: everything after a leading `--` (arguments given
/// without the `--` are passed on as well); `None` for `-h`/`--help`.
fn cargo_test_args(args: &[String]) -> Option<Vec<String>> {
    match args.split_first() {
        None => Some(Vec::new()),
        Some((first, rest)) if first == "--" => Some(rest.to_vec()),
        Some((first, _)) if first == "-h" || first == "--help" => None,
        Some(_) => Some(args.to_vec()),
    }
}

fn target_dir(root: &Path) -> PathBuf {
    match std::env::var_os("CARGO_TARGET_DIR") {
        Some(dir) if !dir.is_empty() => root.join(dir),
        _ => root.join("target"),
    }
}

fn npm() -> &'static str {
    if cfg!(windows) { "npm.cmd" } else { "npm" }
}

/// Runs `npm ci` when Prism is missing, or when `package-lock.json` changed after the last install
/// (npm writes `node_modules/.package-lock.json` on every install).
fn ensure_prism_installed(root: &Path) -> Result<(), String> {
    let node_version = Command::new("node")
        .arg("--version")
        .stdin(Stdio::null())
        .output()
        .map_err(|e| {
            format!(
                "`node` not found ({e}): the contract tests run the Prism mock server, which needs \
                 Node.js >= 18.20.1 and npm (e.g. `apt-get install nodejs npm`)"
            )
        })?;
    if !node_version.status.success() {
        return Err(format!(
            "`node --version` failed ({})",
            describe(node_version.status)
        ));
    }

    let entry = root.join(PRISM_ENTRY);
    let reason = if !entry.is_file() {
        "not installed"
    } else if is_newer(
        &root.join("package-lock.json"),
        &root.join("node_modules/.package-lock.json"),
    ) {
        "package-lock.json changed"
    } else {
        return Ok(());
    };

    eprintln!("prism: installing… ({reason}; npm ci --ignore-scripts --no-audit --no-fund)");
    let status = Command::new(npm())
        .current_dir(root)
        .args(["ci", "--ignore-scripts", "--no-audit", "--no-fund"])
        .stdin(Stdio::null())
        .status()
        .map_err(|e| {
            format!(
                "`npm` not found ({e}): it installs the pinned Prism mock server \
                 (e.g. `apt-get install npm`)"
            )
        })?;
    if !status.success() {
        return Err(format!(
            "`npm ci --ignore-scripts` failed ({}) in {}",
            describe(status),
            root.display()
        ));
    }
    if !entry.is_file() {
        return Err(format!(
            "`npm ci` succeeded but {} is missing: is @stoplight/prism-cli still in package.json?",
            entry.display()
        ));
    }
    Ok(())
}

/// Whether `a` was modified after `b` (false when either is missing).
fn is_newer(a: &Path, b: &Path) -> bool {
    let modified = |p: &Path| fs::metadata(p).and_then(|m| m.modified()).ok();
    match (modified(a), modified(b)) {
        (Some(a), Some(b)) => a > b,
        _ => false,
    }
}

fn free_port() -> Result<u16, String> {
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
        .map_err(|e| format!("could not find a free port on 127.0.0.1: {e}"))?;
    listener
        .local_addr()
        .map(|addr| addr.port())
        .map_err(|e| format!("could not find a free port on 127.0.0.1: {e}"))
}

/// A running Prism; killing and reaping it on drop, whatever happens to the caller.
struct PrismGuard {
    child: Child,
}

impl Drop for PrismGuard {
    fn drop(&mut self) {
        // Kill by PID (the child is `node` itself, not a wrapper), then reap it.
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start_prism(root: &Path, spec: &Path, port: u16, log_path: &Path) -> Result<PrismGuard, String> {
    if let Some(dir) = log_path.parent() {
        fs::create_dir_all(dir).map_err(|e| format!("could not create {}: {e}", dir.display()))?;
    }
    let log = File::create(log_path)
        .map_err(|e| format!("could not create {}: {e}", log_path.display()))?;
    let log_err = log
        .try_clone()
        .map_err(|e| format!("could not open {}: {e}", log_path.display()))?;

    let port = port.to_string();
    let child = Command::new("node")
        .current_dir(root)
        .arg(root.join(PRISM_ENTRY))
        .args(["mock", "-h", "127.0.0.1", "-p", &port, "-v", "warn"])
        .arg(spec)
        .stdin(Stdio::null())
        .stdout(log)
        .stderr(log_err)
        .spawn()
        .map_err(|e| format!("could not start Prism (`node {PRISM_ENTRY} mock …`): {e}"))?;
    Ok(PrismGuard { child })
}

/// Waits until Prism accepts a TCP connection and answers an HTTP request (any status).
fn wait_until_ready(prism: &mut PrismGuard, port: u16, log_path: &Path) -> Result<(), String> {
    let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
    let started = Instant::now();
    loop {
        match prism.child.try_wait() {
            Ok(Some(status)) => {
                return Err(format!(
                    "Prism exited before it was ready ({}); last lines of {}:\n{}",
                    describe(status),
                    log_path.display(),
                    log_tail(log_path)
                ));
            }
            Ok(None) => {}
            Err(e) => return Err(format!("could not check on Prism: {e}")),
        }
        if answers_http(addr) {
            return Ok(());
        }
        if started.elapsed() >= READY_TIMEOUT {
            return Err(format!(
                "Prism did not answer on {addr} within {} s; last lines of {}:\n{}",
                READY_TIMEOUT.as_secs(),
                log_path.display(),
                log_tail(log_path)
            ));
        }
        thread::sleep(Duration::from_millis(100));
    }
}

fn answers_http(addr: SocketAddr) -> bool {
    let Ok(mut stream) = TcpStream::connect_timeout(&addr, Duration::from_secs(1)) else {
        return false;
    };
    let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
    let _ = stream.set_write_timeout(Some(Duration::from_secs(5)));
    let request = format!(
        "GET / HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nConnection: close\r\n\r\n",
        addr.port()
    );
    if stream.write_all(request.as_bytes()).is_err() {
        return false;
    }
    let mut head = [0u8; 12];
    let mut read = 0;
    while read < head.len() {
        match stream.read(&mut head[read..]) {
            Ok(0) | Err(_) => break,
            Ok(n) => read += n,
        }
    }
    head[..read].starts_with(b"HTTP/1.")
}

/// The last lines of the log (Prism's output).
fn log_tail(path: &Path) -> String {
    let Ok(mut file) = File::open(path) else {
        return "  (no log)".to_owned();
    };
    const MAX_BYTES: u64 = 64 * 1024;
    let len = file.metadata().map(|m| m.len()).unwrap_or(0);
    let _ = file.seek(SeekFrom::Start(len.saturating_sub(MAX_BYTES)));
    let mut bytes = Vec::new();
    let _ = file.read_to_end(&mut bytes);
    let text = String::from_utf8_lossy(&bytes);
    let lines: Vec<&str> = text.lines().collect();
    let tail = &lines[lines.len().saturating_sub(LOG_TAIL_LINES)..];
    if tail.is_empty() {
        "  (empty log)".to_owned()
    } else {
        tail.iter().map(|l| format!("  {l}\n")).collect()
    }
}

fn describe(status: ExitStatus) -> String {
    match status.code() {
        Some(code) => format!("exit status {code}"),
        None => status.to_string(),
    }
}
