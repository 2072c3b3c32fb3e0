//! A minimal Direct Upload server for the deploy benchmarks: the five calls a deployment makes,
//! on 127.0.0.1 (an ephemeral port). Upload and create-deployment bodies are streamed through
//! BLAKE3 and discarded, never kept (so a 1 GiB deployment does not put 1 GiB into this
//! process); with `record`, every request is kept instead (method, path, content type, body),
//! for a bare reqwest client to replay.

#![allow(dead_code)] // each bench target uses a different part of it

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::body::Body;
use axum::extract::State;
use axum::http::header::CONTENT_TYPE;
use axum::http::{HeaderMap, Method, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use bytes::Bytes;
use futures_util::StreamExt as _;
use pages_api_client::Timestamp;
use pages_api_client::types::DeploymentTriggerType;
use serde_json::{Value, json};

#[path = "../../tests/fake_api/model.rs"]
mod model;

pub const ACCOUNT: &str = "023e105f4ecef8ad9ca31a8372d0c353";
pub const PROJECT: &str = "bench";
pub const TOKEN: &str = "bench-token-0123456789";

/// One request as it arrived.
#[derive(Clone, Debug)]
pub struct Recorded {
    pub method: Method,
    /// Path and query, as sent.
    pub path: String,
    pub content_type: Option<String>,
    pub body: Bytes,
}

#[derive(Default)]
pub struct Stats {
    pub requests: usize,
    pub body_bytes: u64,
    pub recorded: Vec<Recorded>,
}

#[derive(Clone)]
struct Sink {
    record: bool,
    stats: Arc<Mutex<Stats>>,
    deployment: Arc<Value>,
}

pub struct Server {
    pub base_url: String,
    pub stats: Arc<Mutex<Stats>>,
}

fn envelope(result: Value) -> Response {
    (
        [(CONTENT_TYPE, "application/json")],
        json!({"success": true, "errors": [], "messages": [], "result": result}).to_string(),
    )
        .into_response()
}

/// Reads `body` to its end: kept whole when recording or when `keep` (small JSON bodies the
/// answer needs), else hashed and dropped chunk by chunk. Returns the bytes kept (if any).
async fn drain(
    sink: &Sink,
    method: Method,
    uri: &Uri,
    headers: &HeaderMap,
    body: Body,
    keep: bool,
) -> Bytes {
    let mut stream = body.into_data_stream();
    let (mut kept, mut len, mut hasher) = (Vec::new(), 0u64, blake3::Hasher::new());
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.expect("the body arrives");
        len += chunk.len() as u64;
        if keep || sink.record {
            kept.extend_from_slice(&chunk);
        } else {
            hasher.update(&chunk);
        }
    }
    std::hint::black_box(hasher.finalize());
    let kept = Bytes::from(kept);
    let mut stats = sink.stats.lock().unwrap();
    stats.requests += 1;
    stats.body_bytes += len;
    if sink.record {
        stats.recorded.push(Recorded {
            method,
            path: uri
                .path_and_query()
                .map_or(String::new(), |p| p.to_string()),
            content_type: headers
                .get(CONTENT_TYPE)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned),
            body: kept.clone(),
        });
    }
    kept
}

/// Starts the server on `rt` (a runtime that keeps running while the benchmark does).
pub fn start(rt: &tokio::runtime::Runtime, record: bool) -> Server {
    let stats = Arc::new(Mutex::new(Stats::default()));
    let project = model::project(model::uuid(1, 1), PROJECT, "main", Timestamp::now());
    let deployment = model::deployment(
        &project,
        model::NewDeployment {
            id: model::uuid(2, 2),
            branch: "main",
            commit_hash: "0".repeat(40),
            commit_message: "bench",
            created: Timestamp::now(),
            trigger: DeploymentTriggerType::AdHoc,
            queued: true,
        },
    );
    let sink = Sink {
        record,
        stats: stats.clone(),
        deployment: Arc::new(model::deployment_json(&deployment)),
    };
    let exp = Timestamp::now().unix_timestamp() + 24 * 3600;
    let jwt = format!(
        "{}.{}.{}",
        URL_SAFE_NO_PAD.encode(br#"{"alg":"HS256","typ":"JWT"}"#),
        URL_SAFE_NO_PAD.encode(json!({"exp": exp}).to_string()),
        URL_SAFE_NO_PAD.encode("bench-signature"),
    );
    let app = Router::new()
        .route(
            "/client/v4/accounts/{account}/pages/projects/{project}/upload-token",
            get(
                move |State(sink): State<Sink>,
                      method: Method,
                      uri: Uri,
                      headers: HeaderMap,
                      body: Body| {
                    let jwt = jwt.clone();
                    async move {
                        drain(&sink, method, &uri, &headers, body, false).await;
                        envelope(json!({ "jwt": jwt }))
                    }
                },
            ),
        )
        .route(
            "/client/v4/pages/assets/check-missing",
            post(
                |State(sink): State<Sink>,
                 method: Method,
                 uri: Uri,
                 headers: HeaderMap,
                 body: Body| async move {
                    let body = drain(&sink, method, &uri, &headers, body, true).await;
                    let request: Value = serde_json::from_slice(&body).expect("a JSON body");
                    envelope(request["hashes"].clone())
                },
            ),
        )
        .route(
            "/client/v4/pages/assets/upload",
            post(
                |State(sink): State<Sink>,
                 method: Method,
                 uri: Uri,
                 headers: HeaderMap,
                 body: Body| async move {
                    drain(&sink, method, &uri, &headers, body, false).await;
                    envelope(Value::Null)
                },
            ),
        )
        .route(
            "/client/v4/pages/assets/upsert-hashes",
            post(
                |State(sink): State<Sink>,
                 method: Method,
                 uri: Uri,
                 headers: HeaderMap,
                 body: Body| async move {
                    drain(&sink, method, &uri, &headers, body, false).await;
                    envelope(Value::Bool(true))
                },
            ),
        )
        .route(
            "/client/v4/accounts/{account}/pages/projects/{project}/deployments",
            post(
                |State(sink): State<Sink>,
                 method: Method,
                 uri: Uri,
                 headers: HeaderMap,
                 body: Body| async move {
                    drain(&sink, method, &uri, &headers, body, false).await;
                    envelope((*sink.deployment).clone())
                },
            ),
        )
        .with_state(sink);
    let listener = rt.block_on(async {
        tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("a loopback port")
    });
    let address: SocketAddr = listener.local_addr().expect("bound");
    rt.spawn(async move { axum::serve(listener, app).await.expect("the server runs") });
    Server {
        base_url: format!("http://{address}/client/v4"),
        stats,
    }
}

/// A client of `server` (account credentials: the token above).
pub fn client(server: &Server) -> pages_api_client::Client {
    pages_api_client::Client::builder()
        .api_token(TOKEN)
        .base_url(&server.base_url)
        .build()
        .expect("a client")
}

/// Writes `count` files of `size` bytes each (distinct contents) under `dir`, spread over
/// subdirectories of 100 files, one 64 KiB block at a time.
pub fn write_tree(dir: &std::path::Path, count: usize, size: usize, extension: &str) {
    use std::io::Write as _;
    let mut block = vec![0u8; 64 * 1024];
    for i in 0..count {
        let sub = dir.join(format!("d{:03}", i / 100));
        std::fs::create_dir_all(&sub).expect("a directory");
        let path = sub.join(format!("f{i:05}.{extension}"));
        let mut file = std::io::BufWriter::new(std::fs::File::create(&path).expect("a file"));
        let mut written = 0;
        let mut state = (i as u64 + 1).wrapping_mul(0x9e37_79b9_7f4a_7c15);
        while written < size {
            let n = block.len().min(size - written);
            for chunk in block[..n].chunks_mut(8) {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                let bytes = state.to_le_bytes();
                chunk.copy_from_slice(&bytes[..chunk.len()]);
            }
            file.write_all(&block[..n]).expect("written");
            written += n;
        }
        file.flush().expect("flushed");
    }
}
