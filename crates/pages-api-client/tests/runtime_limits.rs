//! Limits in time and load: the deadline of a call, requests in flight, the rate limit.

mod support;

use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::Router;
use axum::response::IntoResponse;
use pages_api_client::{Client, Error, NoResult, RequestOptions};
use serde_json::json;
use support::*;

/// A server that accepts connections and never answers; counts the connections.
async fn silent_server() -> (String, Arc<AtomicUsize>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let accepted = Arc::new(AtomicUsize::new(0));
    tokio::spawn({
        let accepted = accepted.clone();
        async move {
            let mut held = Vec::new();
            for _ in 0..64 {
                let Ok((socket, _)) = listener.accept().await else {
                    break;
                };
                accepted.fetch_add(1, Ordering::SeqCst);
                held.push(socket);
            }
            // Keeps the connections open until the test's runtime ends.
            std::future::pending::<()>().await;
        }
    });
    (format!("http://{addr}"), accepted)
}

#[tokio::test]
async fn a_server_that_never_answers_ends_at_the_deadline() {
    let (base, accepted) = silent_server().await;
    // The default 30 s per attempt, three attempts: without a deadline, 90 s and more.
    let client = Client::builder()
        .api_token(TOKEN)
        .base_url(&base)
        .retry_policy(fast_retries())
        .deadline(Duration::from_secs(1))
        .build()
        .unwrap();
    assert_eq!(client.deadline(), Duration::from_secs(1));
    let started = Instant::now();
    let err = client.execute::<NoResult>(get("/x")).await.unwrap_err();
    let took = started.elapsed();
    match &err {
        Error::DeadlineExceeded {
            deadline,
            attempts,
            elapsed,
            ..
        } => {
            assert_eq!(*deadline, Duration::from_secs(1));
            assert_eq!(*attempts, 1);
            assert!(*elapsed >= Duration::from_millis(950), "{elapsed:?}");
        }
        other => panic!("expected DeadlineExceeded, got {other:?}"),
    }
    assert!(took < Duration::from_secs(3), "{took:?}");
    let text = err.to_string();
    assert!(text.contains("1 attempt in"), "{text}");
    assert!(err.is_transient());
    assert_eq!(accepted.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn the_deadline_spans_every_attempt() {
    let (base, accepted) = silent_server().await;
    let client = Client::builder()
        .api_token(TOKEN)
        .base_url(&base)
        .retry_policy(fast_retries().with_max_attempts(50))
        .timeout(Duration::from_millis(300))
        .build()
        .unwrap();
    let started = Instant::now();
    let options = RequestOptions::new().deadline(Duration::from_secs(1));
    let err = client
        .execute::<NoResult>(get("/x").options(options))
        .await
        .unwrap_err();
    assert!(started.elapsed() < Duration::from_millis(1500));
    let Error::DeadlineExceeded { attempts, .. } = err else {
        panic!("expected DeadlineExceeded, got {err:?}");
    };
    assert!((2..=5).contains(&attempts), "{attempts}");
    assert!(
        err.to_string().contains(&format!("{attempts} attempts in")),
        "{err}"
    );
    assert_eq!(accepted.load(Ordering::SeqCst), attempts as usize);
}

#[tokio::test]
async fn a_retry_that_cannot_start_before_the_deadline_is_not_made() {
    let server = serve(|_, _| {
        Reply::json(429, json!({"success": false, "errors": []})).header("retry-after", "4")
    })
    .await;
    let started = Instant::now();
    let err = client(&server)
        .deadline(Duration::from_secs(1))
        .build()
        .unwrap()
        .execute::<NoResult>(get("/x"))
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(429), "{err:?}");
    assert!(started.elapsed() < Duration::from_millis(900));
    assert_eq!(server.count(), 1);
}

#[tokio::test]
async fn the_deadline_covers_waiting_for_capacity() {
    let server = serve(|_, _| Reply::ok(json!(null)).delay(Duration::from_millis(1500))).await;
    let client = client(&server).max_concurrent_requests(1).build().unwrap();
    let slow = tokio::spawn({
        let client = client.clone();
        async move { client.execute::<NoResult>(get("/slow")).await }
    });
    for _ in 0..200 {
        if server.count() > 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    assert_eq!(server.count(), 1, "the slow call holds the only slot");
    let options = RequestOptions::new().deadline(Duration::from_millis(300));
    let err = client
        .execute::<NoResult>(get("/queued").options(options))
        .await
        .unwrap_err();
    assert!(
        matches!(err, Error::DeadlineExceeded { attempts: 0, .. }),
        "{err:?}"
    );
    slow.await.unwrap().unwrap();
    assert_eq!(server.count(), 1);
}

/// What [`counting_server`] saw.
#[derive(Default)]
struct Load {
    /// Requests being handled now.
    current: AtomicUsize,
    /// The most requests handled at once.
    most: AtomicUsize,
    /// Connections open now.
    open: AtomicUsize,
    /// The most connections open at once (a pooled connection the client closes and replaces
    /// counts once, not twice).
    most_open: AtomicUsize,
    /// Connections accepted over the whole run.
    opened: AtomicUsize,
}

/// Accepts connections and counts the ones open at once in `load`.
struct CountingListener {
    inner: tokio::net::TcpListener,
    load: Arc<Load>,
}

impl axum::serve::Listener for CountingListener {
    type Io = CountedStream;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        loop {
            if let Ok((stream, addr)) = self.inner.accept().await {
                let now = self.load.open.fetch_add(1, Ordering::SeqCst) + 1;
                self.load.most_open.fetch_max(now, Ordering::SeqCst);
                self.load.opened.fetch_add(1, Ordering::SeqCst);
                let load = self.load.clone();
                return (CountedStream { stream, load }, addr);
            }
        }
    }

    fn local_addr(&self) -> std::io::Result<SocketAddr> {
        self.inner.local_addr()
    }
}

/// A server connection, counted as open until it is dropped.
struct CountedStream {
    stream: tokio::net::TcpStream,
    load: Arc<Load>,
}

impl Drop for CountedStream {
    fn drop(&mut self) {
        self.load.open.fetch_sub(1, Ordering::SeqCst);
    }
}

impl tokio::io::AsyncRead for CountedStream {
    fn poll_read(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
        buf: &mut tokio::io::ReadBuf<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        std::pin::Pin::new(&mut self.stream).poll_read(cx, buf)
    }
}

impl tokio::io::AsyncWrite for CountedStream {
    fn poll_write(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
        buf: &[u8],
    ) -> std::task::Poll<std::io::Result<usize>> {
        std::pin::Pin::new(&mut self.stream).poll_write(cx, buf)
    }

    fn poll_flush(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        std::pin::Pin::new(&mut self.stream).poll_flush(cx)
    }

    fn poll_shutdown(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        std::pin::Pin::new(&mut self.stream).poll_shutdown(cx)
    }
}

/// A server that holds each request for `hold` and records the load it sees.
async fn counting_server(hold: Duration) -> (String, Arc<Load>) {
    let load = Arc::new(Load::default());
    let app = Router::new().fallback({
        let load = load.clone();
        move || {
            let load = load.clone();
            async move {
                let now = load.current.fetch_add(1, Ordering::SeqCst) + 1;
                load.most.fetch_max(now, Ordering::SeqCst);
                tokio::time::sleep(hold).await;
                load.current.fetch_sub(1, Ordering::SeqCst);
                (
                    [("content-type", "application/json")],
                    r#"{"success":true,"errors":[],"messages":[],"result":null}"#,
                )
                    .into_response()
            }
        }
    });
    let inner = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = inner.local_addr().unwrap();
    let listener = CountingListener {
        inner,
        load: load.clone(),
    };
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (format!("http://{addr}"), load)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_thousand_concurrent_calls_keep_within_the_bound() {
    let (base, load) = counting_server(Duration::from_millis(2)).await;
    let client = Client::builder()
        .api_token(TOKEN)
        .base_url(&base)
        .build()
        .unwrap();
    let calls: Vec<_> = (0..1000)
        .map(|_| {
            let client = client.clone();
            tokio::spawn(async move { client.execute::<NoResult>(get("/x")).await })
        })
        .collect();
    for call in calls {
        call.await.unwrap().unwrap();
    }
    let bound = pages_api_client::DEFAULT_MAX_CONCURRENT_REQUESTS;
    let most = load.most.load(Ordering::SeqCst);
    assert!(
        (2..=bound).contains(&most),
        "{most} requests in flight at once"
    );
    let connections = load.most_open.load(Ordering::SeqCst);
    // Requests in flight are bounded exactly; connections by the in-use ones plus the idle
    // pool, which the client caps at the same bound (see `max_concurrent_requests`).
    assert!(
        connections <= 2 * bound,
        "{connections} connections open at once"
    );
    let opened = load.opened.load(Ordering::SeqCst);
    // Connections are reused: a few replaced ones at most, never one a call.
    assert!(
        opened <= 4 * bound,
        "{opened} connections opened for 1000 calls"
    );
}

#[tokio::test]
async fn the_rate_limit_spaces_requests() {
    let arrivals: Arc<Mutex<Vec<Instant>>> = Arc::default();
    let server = serve({
        let arrivals = arrivals.clone();
        move |_, _| {
            arrivals.lock().unwrap().push(Instant::now());
            Reply::ok(json!(null))
        }
    })
    .await;
    let client = client(&server)
        .rate_limit(5, Duration::from_millis(400))
        .build()
        .unwrap();
    let started = Instant::now();
    let calls: Vec<_> = (0..12)
        .map(|_| {
            let client = client.clone();
            tokio::spawn(async move { client.execute::<NoResult>(get("/x")).await })
        })
        .collect();
    for call in calls {
        call.await.unwrap().unwrap();
    }
    assert!(started.elapsed() >= Duration::from_millis(780));
    let arrivals = arrivals.lock().unwrap();
    let before = |ms| {
        arrivals
            .iter()
            .filter(|t| t.duration_since(started) < Duration::from_millis(ms))
            .count()
    };
    assert_eq!(arrivals.len(), 12);
    assert!(before(350) <= 5, "{}", before(350));
    assert!(before(750) <= 10, "{}", before(750));
}

/// A server streaming `chunks` chunks of 64 KiB (chunked, no Content-Length); counts the bytes
/// it produced.
async fn streaming_server(chunks: usize) -> (String, Arc<AtomicUsize>) {
    const CHUNK: usize = 64 * 1024;
    let produced = Arc::new(AtomicUsize::new(0));
    let app = Router::new().fallback({
        let produced = produced.clone();
        move || {
            let produced = produced.clone();
            async move {
                let stream = futures_util::stream::unfold(0, move |sent| {
                    let produced = produced.clone();
                    async move {
                        (sent < chunks).then(|| {
                            produced.fetch_add(CHUNK, Ordering::SeqCst);
                            (Ok::<_, std::io::Error>(vec![b' '; CHUNK]), sent + 1)
                        })
                    }
                });
                axum::body::Body::from_stream(stream).into_response()
            }
        }
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (format!("http://{addr}"), produced)
}

#[tokio::test]
async fn a_50_mb_body_stops_at_the_limit() {
    let (base, produced) = streaming_server(800).await;
    let client = Client::builder()
        .api_token(TOKEN)
        .base_url(&base)
        .build()
        .unwrap();
    let err = client.execute::<NoResult>(get("/huge")).await.unwrap_err();
    let limit = pages_api_client::DEFAULT_RESPONSE_BODY_LIMIT;
    assert!(
        matches!(err, Error::BodyTooLarge { operation: "test-get", status: 200, limit: l } if l == limit),
        "{err:?}"
    );
    let text = err.to_string();
    assert!(
        text.contains("test-get") && text.contains("HTTP 200"),
        "{text}"
    );
    assert!(text.contains(&limit.to_string()), "{text}");
    assert!(!err.is_transient());
    // Reading stopped at the limit: the server got nowhere near the end of the 52 MB.
    tokio::time::sleep(Duration::from_millis(200)).await;
    let produced = produced.load(Ordering::SeqCst);
    assert!(produced < 32 * 1024 * 1024, "{produced} bytes produced");
}

#[tokio::test]
async fn a_declared_length_over_the_limit_is_refused_unread() {
    let server = serve(|req, _| match req.target.as_str() {
        "/client/v4/small" => Reply::ok(json!("x".repeat(500))),
        _ => Reply::raw(500, "e".repeat(5000)),
    })
    .await;
    let client = client(&server).response_body_limit(1000).build().unwrap();
    let small: String = client.execute_result(get("/small")).await.unwrap();
    assert_eq!(small.len(), 500);
    let err = client.execute::<NoResult>(get("/big")).await.unwrap_err();
    assert!(
        matches!(
            err,
            Error::BodyTooLarge {
                status: 500,
                limit: 1000,
                ..
            }
        ),
        "{err:?}"
    );
    assert_eq!(err.status(), Some(500));
    // Not retried: the same body would come back.
    assert_eq!(server.count(), 2);
}

#[test]
fn limits_must_be_positive() {
    let builder = || Client::builder().api_token(TOKEN);
    for bad in [
        builder().max_concurrent_requests(0),
        builder().rate_limit(0, Duration::from_secs(1)),
        builder().rate_limit(1, Duration::ZERO),
        builder().deadline(Duration::ZERO),
    ] {
        assert!(matches!(bad.build(), Err(Error::Config(_))));
    }
}
