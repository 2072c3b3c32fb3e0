//! Contract tests: each of the 26 operations, sent by the *generated* client, against Stoplight
//! Prism serving `spec/pages.resolved.json` (started by `cargo xtask test`, found through
//! `PAGES_API_PRISM_URL`; without it every test here fails with instructions, none is skipped).
//!
//! A call passes when
//! - Prism answered with a status that is not a rejection (400 malformed JSON, 401 security,
//!   404 unknown path, 415 content type, 422 invalid request),
//! - none of the `sl-violations` Prism attached to any response concerns the request, and none
//!   says that the spec's own response example breaks the response schema,
//! - and the response decoded into the generated types (`send()` returned `Ok`).
//!
//! The arguments are realistic values that a user would pass: a 32-hex account id, a project
//! name as Pages allows it, a hostname, and the deployment id the list operation hands out.
//! `invalid_request_is_reported_by_prism` proves that the harness does fail.

mod assets;
mod deployments;
mod domains;
mod projects;

use std::fmt::Debug;
use std::sync::{Arc, Mutex};

use pages_api_client::{ApiRequest, Client, Error, Method, ResponseInfo, RetryPolicy};
use workspace_tests::{
    Prism, SL_VIOLATIONS, Violation, format_violations, parse_violations, request_violations,
};

/// A Cloudflare account id: 32 lower-case hex characters.
pub const ACCOUNT_ID: &str = "023e105f4ecef8ad9ca31a8372d0c353";
/// A project name as Pages accepts it (`^[a-z0-9][a-z0-9-]*$`).
pub const PROJECT: &str = "my-blog";
/// The `id` of the first deployment in the spec's list-deployments example, i.e. what a user gets
/// from `deployments().list()` and passes on to `get`/`retry`/`rollback`/... (a UUID).
pub const DEPLOYMENT_ID: &str = "9c1e4b7a-2f3d-4e5a-8b6c-7d9e0f1a2b3c";
/// A custom domain (matches the hostname pattern of `domain_name`).
pub const DOMAIN: &str = "blog.example.com";

// ------------------------------------------------------------------------------------------------
// The harness.

/// What the response observer saw of one HTTP response.
#[derive(Clone, Debug)]
pub struct Seen {
    operation: &'static str,
    method: String,
    status: u16,
    /// Every `sl-violations` header value (usually none or one).
    sl_violations: Vec<String>,
}

/// A generated client pointed at Prism, and what its observer has seen since the last check.
pub struct Contract {
    pub client: Client,
    seen: Arc<Mutex<Vec<Seen>>>,
}

/// Starts a test: fails (never skips) when `PAGES_API_PRISM_URL` is not set.
pub fn contract() -> Contract {
    let prism = Prism::from_env().expect("the contract tests need Prism");
    let seen: Arc<Mutex<Vec<Seen>>> = Arc::default();
    let client = Client::builder()
        .api_token("test-token")
        .base_url(prism.base_url())
        // One attempt per call: every response the observer sees belongs to one request.
        .retry_policy(RetryPolicy::none())
        .on_response({
            let seen = seen.clone();
            move |info: &ResponseInfo<'_>| {
                let sl_violations = info
                    .headers
                    .get_all(SL_VIOLATIONS)
                    .iter()
                    .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
                    .collect();
                seen.lock().unwrap().push(Seen {
                    operation: info.operation,
                    method: info.method.to_string(),
                    status: info.status,
                    sl_violations,
                });
            }
        })
        .build()
        .expect("a client for Prism");
    Contract { client, seen }
}

impl Contract {
    /// The responses seen since the last [`check`](Self::check), without consuming them.
    pub fn peek(&self) -> Vec<Seen> {
        self.seen.lock().unwrap().clone()
    }

    /// Asserts that every response seen since the last check passed the contract (see the
    /// module docs) and that `result` is `Ok`; prints the operation id with the result.
    #[track_caller]
    pub fn check<T: Debug>(&self, operation: &str, result: Result<T, Error>) -> T {
        let seen = self.take();
        let problems = problems(operation, &seen, result.as_ref().err());
        match result {
            Ok(value) if problems.is_empty() => {
                let statuses: Vec<u16> = seen.iter().map(|s| s.status).collect();
                println!("{operation}: ok (HTTP {statuses:?}) {value:?}");
                value
            }
            _ => panic!(
                "{operation}: contract check failed\n- {}",
                problems.join("\n- ")
            ),
        }
    }

    /// The responses seen since the last call (or check), consumed.
    pub fn take(&self) -> Vec<Seen> {
        std::mem::take(&mut *self.seen.lock().unwrap())
    }
}

/// Why the responses `seen` for `operation`, and the call's `error` if it failed, break the
/// contract; empty when they do not.
fn problems(operation: &str, seen: &[Seen], error: Option<&Error>) -> Vec<String> {
    let mut problems = Vec::new();
    if seen.is_empty() {
        problems.push("no HTTP response was observed".to_owned());
    }
    for s in seen {
        let what = format!("{} {} -> HTTP {}", s.method, s.operation, s.status);
        if s.operation != operation {
            problems.push(format!("{what}: a response for another operation"));
        }
        if matches!(s.status, 400 | 401 | 404 | 415 | 422) {
            problems.push(format!("{what}: Prism rejected the request"));
        }
        let request: Vec<Violation> = s
            .sl_violations
            .iter()
            .flat_map(|header| request_violations(header))
            .collect();
        if !request.is_empty() {
            problems.push(format!(
                "{what}: the request breaks the spec:\n{}",
                format_violations(&request)
            ));
        }
        let response: Vec<Violation> = s
            .sl_violations
            .iter()
            .flat_map(|header| parse_violations(header).unwrap_or_else(|e| panic!("{e}")))
            .filter(|v| !v.is_request())
            .collect();
        if !response.is_empty() {
            problems.push(format!(
                "{what}: the spec's response example breaks its own schema:\n{}",
                format_violations(&response)
            ));
        }
    }
    if let Some(err) = error {
        problems.push(format!("send() failed: {err}\n  {err:?}"));
    }
    problems
}

// ------------------------------------------------------------------------------------------------
// The harness can fail.

/// A request that breaks the spec twice (a 40-character account id, an upper-case project name),
/// sent with the runtime's `ApiRequest` directly: Prism must reject it and name both parameters,
/// and the contract check must fail on it.
#[tokio::test]
async fn invalid_request_is_reported_by_prism() {
    let c = contract();
    let operation = "pages-project-get-project";
    let req = ApiRequest::new(
        Method::GET,
        "/accounts/{account_id}/pages/projects/{project_name}",
        operation,
    )
    .path_param("account_id", "023e105f4ecef8ad9ca31a8372d0c35301234567")
    .path_param("project_name", "My-Blog");
    let result = c.client.execute::<serde_json::Value>(req).await;

    let seen = c.peek();
    assert_eq!(seen.len(), 1, "{seen:?}");
    assert_eq!(seen[0].status, 422, "{seen:?}");
    let violations: Vec<Violation> = seen[0]
        .sl_violations
        .iter()
        .flat_map(|header| request_violations(header))
        .collect();
    println!(
        "Prism's request violations:\n{}",
        format_violations(&violations)
    );
    let on_path = |code: &str, param_prefix: &str| {
        violations.iter().any(|v| {
            v.location.get(1).map(String::as_str) == Some("path")
                && v.location
                    .get(2)
                    .is_some_and(|p| p.starts_with(param_prefix))
                && v.code == code
        })
    };
    assert!(on_path("maxLength", "account_"), "{violations:?}");
    assert!(on_path("pattern", "project_name"), "{violations:?}");
    assert!(
        matches!(result, Err(Error::Api { status: 422, .. })),
        "{result:?}"
    );

    // What `Contract::check` would panic with.
    let problems = problems(operation, &c.take(), result.as_ref().err());
    assert!(
        problems
            .iter()
            .any(|p| p.contains("Prism rejected the request"))
            && problems
                .iter()
                .any(|p| p.contains("the request breaks the spec"))
            && problems.iter().any(|p| p.contains("send() failed")),
        "{problems:#?}"
    );
}
