//! Direct Upload end to end: `cargo bench -p pages-api-client --bench deploy`.
//!
//! * **Hashing a tree** (`tree_hash`): walking and hashing a 200 MB tree (1,600 files of
//!   125,000 bytes in 16 directories) and building its manifest, as `deploy_directory(..)
//!   .dry_run(true).send()` does, against the least any implementation has to do: BLAKE3 over
//!   each file's base64 and extension made beforehand (in memory), on as many threads as the
//!   client hashes with. Target: at least 0.8x that throughput (time ratio <= 1.25x).
//! * **Deploying 10,000 small files** (`deploy_10k`, 1 KiB each) to a loopback server
//!   (`support/sink.rs`: the five calls, bodies hashed and discarded), against bare reqwest
//!   sending the same requests (recorded from one deployment: same bodies, same number of
//!   requests, uploads three at a time as the client sends them) to the same server, on the same
//!   `reqwest::Client` settings. The client's time includes walking and hashing the files, the
//!   baseline's does not. Target: <= 1.2x.
//!
//! Both comparisons are taken in turn, one call each per round (`xtask/benches/support/
//! summary.rs`), after divan's own pass. The trees are written once to a temporary directory,
//! removed at the end.

use std::path::PathBuf;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use divan::Bencher;
use pages_api_client::reqwest::header::{AUTHORIZATION, CONTENT_TYPE};
use pages_api_client::{Client, reqwest};

#[path = "../../../xtask/benches/support/summary.rs"]
mod summary;

mod support {
    pub mod sink;
}
use support::sink::{self, ACCOUNT, PROJECT, Recorded};

use summary::RatioTarget;

const TREE_FILES: usize = 1600;
const TREE_FILE_SIZE: usize = 125_000;
const SMALL_FILES: usize = 10_000;
const SMALL_FILE_SIZE: usize = 1024;

/// `>= 0.8x` BLAKE3's throughput: at most 1.25x its time.
const HASH_TARGET: RatioTarget = RatioTarget {
    max_ratio: 1.25,
    meaning: ">= 0.8x raw BLAKE3 throughput over the same base64",
};
const DEPLOY_TARGET: RatioTarget = RatioTarget {
    max_ratio: 1.2,
    meaning: "<= 1.2x bare reqwest sending the same requests",
};

struct Fixture {
    rt: tokio::runtime::Runtime,
    root: PathBuf,
    tree: PathBuf,
    small: PathBuf,
    client: Client,
    http: reqwest::Client,
    base_url: String,
    /// Each tree file's base64 and extension, for the baseline.
    tree_base64: Vec<Vec<u8>>,
    /// One deployment of `small`, as it arrived.
    recorded: Vec<Recorded>,
}

static FIXTURE: OnceLock<Fixture> = OnceLock::new();

fn fixture() -> &'static Fixture {
    FIXTURE.get_or_init(|| {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("a runtime");
        let root = std::env::temp_dir().join(format!("pages-bench-deploy-{}", std::process::id()));
        let (tree, small) = (root.join("tree"), root.join("small"));
        sink::write_tree(&tree, TREE_FILES, TREE_FILE_SIZE, "bin");
        sink::write_tree(&small, SMALL_FILES, SMALL_FILE_SIZE, "html");
        let tree_base64 = walk_files(&tree)
            .iter()
            .map(|path| {
                let content = std::fs::read(path).expect("a tree file");
                let mut text = base64_simd::STANDARD
                    .encode_to_string(&content)
                    .into_bytes();
                text.extend_from_slice(b"bin");
                text
            })
            .collect();

        let recording = sink::start(&rt, true);
        rt.block_on(deploy(&sink::client(&recording), &small));
        let recorded = std::mem::take(&mut recording.stats.lock().unwrap().recorded);

        let server = sink::start(&rt, false);
        let http = Client::http_client_builder()
            .expect("TLS set-up")
            .build()
            .expect("a reqwest client");
        let client = Client::builder()
            .api_token(sink::TOKEN)
            .base_url(&server.base_url)
            .http_client(http.clone())
            .build()
            .expect("a client");
        Fixture {
            rt,
            root,
            tree,
            small,
            client,
            http,
            base_url: server.base_url,
            tree_base64,
            recorded,
        }
    })
}

fn walk_files(dir: &std::path::Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let mut dirs = vec![dir.to_path_buf()];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).expect("a directory") {
            let path = entry.expect("an entry").path();
            if path.is_dir() {
                dirs.push(path);
            } else {
                files.push(path);
            }
        }
    }
    files.sort();
    files
}

async fn deploy(client: &Client, dir: &std::path::Path) -> usize {
    let outcome = client
        .deploy_directory(ACCOUNT, PROJECT)
        .dir(dir)
        .send()
        .await
        .expect("the deployment succeeds");
    outcome.files.len()
}

/// The threads the client hashes on (`run.rs`: `available_parallelism`, at most 8).
fn hash_threads() -> usize {
    std::thread::available_parallelism().map_or(2, |n| n.get().min(8))
}

impl Fixture {
    /// Walk, hash, manifest: a dry run.
    fn tree_hash(&self) -> usize {
        let outcome = self
            .rt
            .block_on(
                self.client
                    .deploy_directory(ACCOUNT, PROJECT)
                    .dir(&self.tree)
                    .dry_run(true)
                    .send(),
            )
            .expect("the dry run succeeds");
        assert_eq!(outcome.files.len(), TREE_FILES);
        outcome.files.len()
    }

    /// BLAKE3 over the ready base64 of every file, split over the same number of threads.
    fn blake3_tree(&self) -> usize {
        let threads = hash_threads();
        let chunk = self.tree_base64.len().div_ceil(threads);
        std::thread::scope(|scope| {
            let workers: Vec<_> = self
                .tree_base64
                .chunks(chunk)
                .map(|files| {
                    scope.spawn(move || {
                        files
                            .iter()
                            .map(|text| blake3::hash(text).to_hex()[..32].to_owned())
                            .collect::<Vec<String>>()
                    })
                })
                .collect();
            workers.into_iter().map(|w| w.join().unwrap().len()).sum()
        })
    }

    /// The client's local part of `deploy_small`: walking and hashing the 10,000 files.
    fn dry_run_small(&self) -> usize {
        let outcome = self
            .rt
            .block_on(
                self.client
                    .deploy_directory(ACCOUNT, PROJECT)
                    .dir(&self.small)
                    .dry_run(true)
                    .send(),
            )
            .expect("the dry run succeeds");
        outcome.files.len()
    }

    fn deploy_small(&self) -> usize {
        let files = self.rt.block_on(deploy(&self.client, &self.small));
        assert_eq!(files, SMALL_FILES);
        files
    }

    /// The recorded requests again with bare reqwest: the same order, uploads three at a time.
    fn bare_small(&self) -> usize {
        self.rt.block_on(async {
            let origin = self.base_url.trim_end_matches("/client/v4");
            let send = |request: &Recorded| {
                let mut builder = self
                    .http
                    .request(request.method.clone(), format!("{origin}{}", request.path))
                    .header(AUTHORIZATION, "Bearer bench-jwt")
                    .body(request.body.clone());
                if let Some(content_type) = &request.content_type {
                    builder = builder.header(CONTENT_TYPE, content_type);
                }
                async move {
                    let response = builder.send().await.expect("bare reqwest sends");
                    assert!(response.status().is_success());
                    response.bytes().await.expect("the body arrives").len()
                }
            };
            let mut sent = 0;
            let mut i = 0;
            while i < self.recorded.len() {
                if self.recorded[i].path.ends_with("/pages/assets/upload") {
                    let limit = Arc::new(tokio::sync::Semaphore::new(3));
                    let mut running = tokio::task::JoinSet::new();
                    while i < self.recorded.len()
                        && self.recorded[i].path.ends_with("/pages/assets/upload")
                    {
                        let permit = limit.clone().acquire_owned().await.unwrap();
                        let call = send(&self.recorded[i]);
                        running.spawn(async move {
                            let n = call.await;
                            drop(permit);
                            n
                        });
                        i += 1;
                    }
                    while let Some(n) = running.join_next().await {
                        sent += n.unwrap();
                    }
                } else {
                    sent += send(&self.recorded[i]).await;
                    i += 1;
                }
            }
            sent
        })
    }
}

#[divan::bench_group(sample_count = 5, sample_size = 1)]
mod tree {
    use super::*;

    #[divan::bench]
    fn tree_hash(bencher: Bencher) {
        let f = fixture();
        bencher
            .counter(divan::counter::BytesCount::new(TREE_FILES * TREE_FILE_SIZE))
            .bench(|| f.tree_hash());
    }

    #[divan::bench]
    fn blake3_of_ready_base64(bencher: Bencher) {
        let f = fixture();
        bencher
            .counter(divan::counter::BytesCount::new(TREE_FILES * TREE_FILE_SIZE))
            .bench(|| f.blake3_tree());
    }
}

#[divan::bench_group(sample_count = 5, sample_size = 1)]
mod deploy_10k {
    use super::*;

    #[divan::bench]
    fn client(bencher: Bencher) {
        let f = fixture();
        bencher.bench(|| f.deploy_small());
    }

    #[divan::bench]
    fn bare_reqwest(bencher: Bencher) {
        let f = fixture();
        bencher.bench(|| f.bare_small());
    }
}

fn interleaved_pass() {
    if !summary::measuring() {
        return;
    }
    let f = fixture();
    summary::interleave(
        "tree",
        15,
        Duration::from_secs(30),
        &mut [
            ("tree/client", &mut || summary::time_call(|| f.tree_hash())),
            ("tree/blake3", &mut || {
                summary::time_call(|| f.blake3_tree())
            }),
        ],
    );
    summary::interleave(
        "deploy_10k",
        15,
        Duration::from_secs(40),
        &mut [
            ("deploy/client", &mut || {
                summary::time_call(|| f.deploy_small())
            }),
            ("deploy/bare", &mut || summary::time_call(|| f.bare_small())),
            ("deploy/dry_run", &mut || {
                summary::time_call(|| f.dry_run_small())
            }),
        ],
    );
}

fn main() {
    divan::main();
    interleaved_pass();
    let requests = FIXTURE.get().map_or(0, |f| f.recorded.len());
    summary::print(
        "deploy",
        2.0,
        [
            summary::ratio_line(
                &format!("hash a 200 MB tree ({TREE_FILES} files) and build its manifest"),
                ("deploy_directory dry run", "tree/client"),
                ("BLAKE3 of ready base64", "tree/blake3"),
                Some(HASH_TARGET),
            ),
            summary::ratio_line(
                &format!("deploy {SMALL_FILES} files of 1 KiB ({requests} requests)"),
                ("deploy_directory", "deploy/client"),
                ("bare reqwest, same requests", "deploy/bare"),
                Some(DEPLOY_TARGET),
            ),
            summary::ratio_line(
                "  of which walking and hashing the 10,000 files (a dry run)",
                ("dry run", "deploy/dry_run"),
                ("bare reqwest, same requests", "deploy/bare"),
                None,
            ),
        ],
    );
    if let Some(f) = FIXTURE.get() {
        let _ = std::fs::remove_dir_all(&f.root);
    }
}
