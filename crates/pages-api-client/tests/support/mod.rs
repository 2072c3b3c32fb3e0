//! The test server the runtime tests share: axum on 127.0.0.1:0, started inside each test,
//! recording every request and answering as the test says.

// Each test file uses part of it.
#![allow(dead_code)]

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::Request;
use axum::http::HeaderMap;
use axum::response::Response;
use pages_api_client::{ApiRequest, Client, ClientBuilder, Method, RetryPolicy};
use serde::Deserialize;
use serde_json::json;

pub const TOKEN: &str = "tok-SECRET-123456";
pub const KEY: &str = "key-SECRET-abcdef";
pub const EMAIL: &str = "dev@example.com";

// ---------------------------------------------------------------------------------------------
// The test server.

/// One request the server saw.
#[derive(Clone, Debug)]
pub struct Recorded {
    pub method: String,
    /// Path and query exactly as sent (still percent-encoded).
    pub target: String,
    pub headers: HeaderMap,
    pub body: Bytes,
}

impl Recorded {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

/// What the server answers.
pub struct Reply {
    pub status: u16,
    pub headers: Vec<(&'static str, String)>,
    pub body: String,
    pub delay: Duration,
}

impl Reply {
    pub fn raw(status: u16, body: impl Into<String>) -> Self {
        Reply {
            status,
            headers: Vec::new(),
            body: body.into(),
            delay: Duration::ZERO,
        }
    }

    pub fn json(status: u16, body: serde_json::Value) -> Self {
        Reply::raw(status, body.to_string()).header("content-type", "application/json")
    }

    pub fn ok(result: serde_json::Value) -> Self {
        Reply::json(
            200,
            json!({"success": true, "errors": [], "messages": [], "result": result}),
        )
    }

    pub fn header(mut self, name: &'static str, value: impl Into<String>) -> Self {
        self.headers.push((name, value.into()));
        self
    }

    pub fn delay(mut self, delay: Duration) -> Self {
        self.delay = delay;
        self
    }
}

pub struct Server {
    pub base: String,
    pub log: Arc<Mutex<Vec<Recorded>>>,
}

impl Server {
    pub fn requests(&self) -> Vec<Recorded> {
        self.log.lock().unwrap().clone()
    }

    /// `http://127.0.0.1:PORT`, without the API's path.
    pub fn origin(&self) -> &str {
        self.base.trim_end_matches("/client/v4")
    }

    pub fn count(&self) -> usize {
        self.log.lock().unwrap().len()
    }
}

/// Starts a server whose every request is answered by `reply(request, zero-based index)`.
pub async fn serve<F>(reply: F) -> Server
where
    F: Fn(&Recorded, usize) -> Reply + Send + Sync + 'static,
{
    let log: Arc<Mutex<Vec<Recorded>>> = Arc::default();
    let reply = Arc::new(reply);
    let app = Router::new().fallback({
        let log = log.clone();
        move |req: Request| {
            let log = log.clone();
            let reply = reply.clone();
            async move {
                let (parts, body) = req.into_parts();
                let body = axum::body::to_bytes(body, 1 << 20).await.unwrap();
                let recorded = Recorded {
                    method: parts.method.to_string(),
                    target: parts
                        .uri
                        .path_and_query()
                        .map(|p| p.as_str().to_owned())
                        .unwrap_or_default(),
                    headers: parts.headers,
                    body,
                };
                let index = {
                    let mut log = log.lock().unwrap();
                    log.push(recorded.clone());
                    log.len() - 1
                };
                let r = reply(&recorded, index);
                if !r.delay.is_zero() {
                    tokio::time::sleep(r.delay).await;
                }
                let mut response = Response::builder().status(r.status);
                for (name, value) in r.headers {
                    response = response.header(name, value);
                }
                response.body(Body::from(r.body)).unwrap()
            }
        }
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    Server {
        base: format!("http://{addr}/client/v4"),
        log,
    }
}

/// Small backoffs so retry tests stay fast; `Retry-After` is still honoured up to 5 s.
pub fn fast_retries() -> RetryPolicy {
    RetryPolicy::default()
        .with_initial_backoff(Duration::from_millis(5))
        .with_max_backoff(Duration::from_secs(5))
}

pub fn client(server: &Server) -> ClientBuilder {
    Client::builder()
        .api_token(TOKEN)
        .base_url(&server.base)
        .retry_policy(fast_retries())
}

pub fn get(path: &'static str) -> ApiRequest {
    ApiRequest::new(Method::GET, path, "test-get")
}

#[derive(Debug, Deserialize, PartialEq)]
pub struct Project {
    pub name: String,
}
