//! What the client adds to a request: `cargo bench -p pages-api-client --bench request`.
//!
//! A GET round trip through the generated client (`client.projects().get(..).send()`) against
//! the same request made with bare reqwest: the same `reqwest::Client` (built by
//! `Client::http_client_builder()`, shared by both, so same settings and connection pool), the
//! same headers on the wire, the same decode (`serde_json::from_slice::<Envelope<Project>>`
//! of the body, then its `result`). A third way, bare reqwest with reqwest's per-request
//! `timeout` (what the runtime sets on every attempt), prices that timeout on its own.
//!
//! The server is axum on 127.0.0.1 (an ephemeral port) returning a fixed envelope: the full
//! project of `pages-api-types/benches/support/fixtures.rs`, or for the project `tiny` a minimal
//! one, where the client's overhead is least diluted by decoding. It runs either on the client's
//! own current-thread runtime (divan's table and the strict comparison) or on a thread of its
//! own, and stops when the benchmark ends.

use std::net::SocketAddr;
use std::sync::OnceLock;
use std::time::Duration;

use axum::Router;
use axum::extract::Path;
use axum::http::header::CONTENT_TYPE;
use axum::routing::get;
use divan::Bencher;
use pages_api_client::reqwest::header::{ACCEPT, AUTHORIZATION, HeaderValue, USER_AGENT};
use pages_api_client::types::{Envelope, Project};
use pages_api_client::{Client, reqwest};
use tokio::sync::oneshot;

#[path = "../../../xtask/benches/support/summary.rs"]
mod summary;

#[path = "../../pages-api-types/benches/support/fixtures.rs"]
mod fixtures;

use summary::RatioTarget;

const ACCOUNT: &str = "023e105f4ecef8ad9ca31a8372d0c353";
const TOKEN: &str = "bench-token-0123456789";
/// The project whose body is the full fixture.
const FULL: &str = "my-blog";
/// The project whose body is the minimal one.
const TINY: &str = "tiny";

/// `<= 1.05x bare reqwest`.
const OVERHEAD_TARGET: RatioTarget = RatioTarget {
    max_ratio: 1.05,
    meaning: "<= 1.05x bare reqwest",
};

/// The server, the client runtime and both ways of calling it.
struct Fixture {
    rt: tokio::runtime::Runtime,
    client: Client,
    http: reqwest::Client,
    base_url: String,
    authorization: HeaderValue,
    user_agent: HeaderValue,
    stop: std::sync::Mutex<Option<oneshot::Sender<()>>>,
}

/// The two placements of the server, each started on first use:
///
/// * `[0]`, on the client's own current-thread runtime: one thread does everything, so a round
///   trip is the work of client, server and loopback alone, with no wake-up of another (virtual)
///   CPU in it. That is the smallest round trip and so the strictest denominator.
/// * `[1]`, on a thread of its own (its own current-thread runtime): each round trip also waits
///   for the other thread to wake up, which on an idle VM costs more than the work itself.
static FIXTURES: [OnceLock<Fixture>; 2] = [OnceLock::new(), OnceLock::new()];

fn fixture(server_thread: bool) -> &'static Fixture {
    FIXTURES[usize::from(server_thread)].get_or_init(|| start(server_thread))
}

fn start(server_thread: bool) -> Fixture {
    let full = bytes::Bytes::from(fixtures::project(FULL));
    let tiny = bytes::Bytes::from(fixtures::tiny_project(TINY));
    let app = Router::new().route(
        "/accounts/{account_id}/pages/projects/{project_name}",
        get(move |Path((_account, project)): Path<(String, String)>| {
            let body = if project == TINY {
                tiny.clone()
            } else {
                full.clone()
            };
            async move { ([(CONTENT_TYPE, "application/json")], body) }
        }),
    );
    let (stop, stopped) = oneshot::channel::<()>();
    let serve = |listener: tokio::net::TcpListener| async move {
        axum::serve(listener, app)
            .with_graceful_shutdown(async move {
                let _ = stopped.await;
            })
            .await
            .expect("the server runs");
    };
    let runtime = || {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("a current-thread runtime")
    };
    let bind = || async {
        tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("a loopback port")
    };

    let rt = runtime();
    let address = if server_thread {
        let (address_tx, address_rx) = std::sync::mpsc::channel::<SocketAddr>();
        std::thread::Builder::new()
            .name("bench-server".into())
            .spawn(move || {
                runtime().block_on(async move {
                    let listener = bind().await;
                    address_tx
                        .send(listener.local_addr().expect("bound"))
                        .expect("the bench waits for the address");
                    serve(listener).await;
                });
            })
            .expect("the server thread starts");
        address_rx.recv().expect("the server reports its address")
    } else {
        let listener = rt.block_on(bind());
        let address = listener.local_addr().expect("bound");
        rt.spawn(serve(listener));
        address
    };
    let base_url = format!("http://{address}");

    let http = Client::http_client_builder()
        .expect("TLS set-up")
        .build()
        .expect("a reqwest client");
    let client = Client::builder()
        .api_token(TOKEN)
        .base_url(&base_url)
        .http_client(http.clone())
        .build()
        .expect("a client");
    Fixture {
        rt,
        client,
        http,
        base_url,
        authorization: HeaderValue::from_str(&format!("Bearer {TOKEN}")).expect("a header"),
        user_agent: HeaderValue::from_static(concat!(
            "pages-api-client/",
            env!("CARGO_PKG_VERSION")
        )),
        stop: std::sync::Mutex::new(Some(stop)),
    }
}

impl Fixture {
    /// The generated client: `client.projects().get(account, project).send()`.
    fn generated(&self, project: &str) -> Project {
        self.rt
            .block_on(self.client.projects().get(ACCOUNT, project).send())
            .expect("the generated client gets the project")
    }

    /// The same call with bare reqwest: same client, headers and decode.
    fn bare(&self, project: &str) -> Project {
        self.rt.block_on(self.bare_call(project, None))
    }

    /// Bare reqwest with reqwest's per-request timeout, as the runtime sets it on each attempt
    /// (it covers connecting, sending and reading the whole body): the part of the overhead
    /// that the per-attempt timeout accounts for.
    fn bare_with_timeout(&self, project: &str) -> Project {
        self.rt
            .block_on(self.bare_call(project, Some(Duration::from_secs(30))))
    }

    async fn bare_call(&self, project: &str, timeout: Option<Duration>) -> Project {
        let url = format!(
            "{}/accounts/{ACCOUNT}/pages/projects/{project}",
            self.base_url
        );
        let mut request = self.http.get(url);
        if let Some(timeout) = timeout {
            request = request.timeout(timeout);
        }
        let response = request
            .header(AUTHORIZATION, self.authorization.clone())
            .header(ACCEPT, "application/json")
            .header(USER_AGENT, self.user_agent.clone())
            .send()
            .await
            .expect("bare reqwest sends");
        assert!(response.status().is_success());
        let body = response.bytes().await.expect("the body arrives");
        let envelope: Envelope<Project> = serde_json::from_slice(&body).expect("the body decodes");
        envelope.result.expect("a result")
    }
}

#[divan::bench_group(sample_count = 2000, max_time = 2)]
mod get_project {
    use super::*;

    #[divan::bench(args = [FULL, TINY])]
    fn generated(bencher: Bencher, project: &str) {
        let f = fixture(false);
        bencher.bench_local(|| f.generated(project));
    }

    #[divan::bench(args = [FULL, TINY])]
    fn bare_reqwest(bencher: Bencher, project: &str) {
        let f = fixture(false);
        bencher.bench_local(|| f.bare(project));
    }

    #[divan::bench(args = [FULL, TINY])]
    fn bare_reqwest_with_timeout(bencher: Bencher, project: &str) {
        let f = fixture(false);
        bencher.bench_local(|| f.bare_with_timeout(project));
    }
}

/// The summary's comparisons: the three ways in turn, call after call, for both server
/// placements; keys are `{way}/{placement}/{project}`.
fn interleaved_pass() {
    if !summary::measuring() || !summary::selected("get_project") {
        return;
    }
    for (placement, f) in [
        ("same_thread", fixture(false)),
        ("server_thread", fixture(true)),
    ] {
        for project in [FULL, TINY] {
            summary::interleave(
                "get_project",
                20_000,
                Duration::from_secs(5),
                &mut [
                    (&format!("generated/{placement}/{project}"), &mut || {
                        summary::time_call(|| f.generated(project))
                    }),
                    (&format!("bare/{placement}/{project}"), &mut || {
                        summary::time_call(|| f.bare(project))
                    }),
                    (&format!("bare_timeout/{placement}/{project}"), &mut || {
                        summary::time_call(|| f.bare_with_timeout(project))
                    }),
                ],
            );
        }
    }
}

fn overhead(key: &str) -> Option<String> {
    let (g, _) = summary::median(&format!("generated/{key}"))?;
    let (b, _) = summary::median(&format!("bare/{key}"))?;
    let (t, _) = summary::median(&format!("bare_timeout/{key}"))?;
    let micros = |d: f64| format!("{:.1} µs", d * 1e6);
    Some(format!(
        "  client overhead per call: {} (of which the per-attempt timeout: {})",
        micros(g.as_secs_f64() - b.as_secs_f64()),
        micros(t.as_secs_f64() - b.as_secs_f64())
    ))
}

fn main() {
    divan::main();
    interleaved_pass();

    let mut lines = Vec::new();
    for (placement, how) in [
        ("same_thread", "server on the client's thread"),
        ("server_thread", "server on its own thread"),
    ] {
        for (project, bytes, what) in [
            (FULL, fixture_body_bytes(FULL), "full project"),
            (TINY, fixture_body_bytes(TINY), "minimal project"),
        ] {
            let key = format!("{placement}/{project}");
            lines.push(summary::ratio_line(
                &format!(
                    "GET project round trip, {what} ({:.1} KB body), {how}",
                    bytes as f64 / 1e3
                ),
                ("generated client", &format!("generated/{key}")),
                ("bare reqwest", &format!("bare/{key}")),
                Some(OVERHEAD_TARGET),
            ));
            lines.push(overhead(&key));
            lines.push(summary::ratio_line(
                "  against bare reqwest with the same per-request timeout",
                ("generated client", &format!("generated/{key}")),
                ("bare reqwest + timeout", &format!("bare_timeout/{key}")),
                None,
            ));
        }
    }
    for f in FIXTURES.iter().filter_map(OnceLock::get) {
        if let Some(stop) = f.stop.lock().ok().and_then(|mut s| s.take()) {
            let _ = stop.send(());
        }
    }
    // The client, and in the second placement the server, each keep a core busy.
    summary::print("request (medians of the interleaved pass)", 2.0, lines);
}

fn fixture_body_bytes(project: &str) -> usize {
    if project == TINY {
        fixtures::tiny_project(TINY).len()
    } else {
        fixtures::project(FULL).len()
    }
}
