//! Peak memory while deploying a 1 GiB directory:
//! `cargo bench -p pages-api-client --bench deploy_rss` (prints the figures; no timing).
//!
//! Writes 1,024 files of 1 MiB (distinct contents, so every one is uploaded; 26 buckets of
//! ~40 MiB of base64) to a temporary directory, one 64 KiB block at a time, then deploys it to
//! the loopback server of `support/sink.rs`, which streams every body through BLAKE3 and keeps
//! nothing. Both run in this process, so the figure covers the server's buffers too.
//! The peak is the kernel's `VmHWM` (`/proc/self/status`), read before the deployment (the
//! baseline: runtime, server, the file generator) and after it; the page cache holding the
//! files is not part of it. Target: a peak of at most 200 MiB.

use std::time::Instant;

mod support {
    pub mod sink;
}
use support::sink::{self, ACCOUNT, PROJECT};

const FILES: usize = 1024;
const FILE_SIZE: usize = 1024 * 1024;
const TARGET_MIB: f64 = 200.0;

/// A field of `/proc/self/status` in MiB (`VmHWM`, `VmRSS`).
fn status_mib(field: &str) -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").expect("/proc/self/status");
    let line = status
        .lines()
        .find(|l| l.starts_with(field))
        .expect("the field is there");
    let kib: f64 = line
        .split_whitespace()
        .nth(1)
        .and_then(|n| n.parse().ok())
        .expect("a number of kB");
    kib / 1024.0
}

fn main() {
    // `cargo test --benches` runs every bench target once: skip the 1 GiB there.
    if !std::env::args().any(|a| a == "--bench") {
        println!("deploy_rss: not measuring (run under `cargo bench`)");
        return;
    }
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a runtime");
    let server = sink::start(&rt, false);
    let client = sink::client(&server);
    let dir = std::env::temp_dir().join(format!("pages-bench-rss-{}", std::process::id()));
    let written = Instant::now();
    sink::write_tree(&dir, FILES, FILE_SIZE, "bin");
    let write_time = written.elapsed();

    let before = status_mib("VmHWM:");
    let started = Instant::now();
    let outcome = rt
        .block_on(client.deploy_directory(ACCOUNT, PROJECT).dir(&dir).send())
        .expect("the deployment succeeds");
    let elapsed = started.elapsed();
    let peak = status_mib("VmHWM:");
    let (requests, body_bytes) = {
        let stats = server.stats.lock().unwrap();
        (stats.requests, stats.body_bytes)
    };
    let _ = std::fs::remove_dir_all(&dir);

    assert_eq!(outcome.files.len(), FILES);
    assert_eq!(outcome.uploaded().count(), FILES);
    println!();
    println!("== summary: deploy_rss");
    println!(
        "deploy {FILES} files of 1 MiB (1 GiB; written in {:.1} s): {:.1} s, {requests} requests, {:.0} MiB of request bodies",
        write_time.as_secs_f64(),
        elapsed.as_secs_f64(),
        body_bytes as f64 / (1024.0 * 1024.0)
    );
    println!(
        "peak RSS (VmHWM): {peak:.1} MiB; before the deployment {before:.1} MiB, so the deployment added {:.1} MiB (target: peak <= {TARGET_MIB:.0} MiB): {}",
        peak - before,
        if peak <= TARGET_MIB { "MET" } else { "NOT MET" }
    );
}
