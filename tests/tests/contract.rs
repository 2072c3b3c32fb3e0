//! Contract tests: each of the 18 operations, sent by the *generated* client, against Stoplight
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

use std::collections::BTreeMap;
use std::fmt::Debug;
use std::pin::pin;
use std::sync::{Arc, Mutex};

use futures_util::StreamExt as _;
use pages_api_client::types::{
    BuildConfig, BuildConfigPatch, D1Binding, DeploymentConfig, DeploymentConfigPatch,
    DeploymentConfigs, DeploymentConfigsPatch, Environment, EnvironmentVariable,
    EnvironmentVariableType, KvBinding, ProjectPatch,
};
use pages_api_client::{ApiRequest, Client, Error, Method, Patch, ResponseInfo, RetryPolicy};
use serde_json::json;
use workspace_tests::{
    Prism, SL_VIOLATIONS, Violation, format_violations, parse_violations, request_violations,
};

/// A Cloudflare account id: 32 lower-case hex characters.
const ACCOUNT_ID: &str = "023e105f4ecef8ad9ca31a8372d0c353";
/// A project name as Pages accepts it (`^[a-z0-9][a-z0-9-]*$`).
const PROJECT: &str = "my-blog";
/// The `id` of the first deployment in the spec's list-deployments example, i.e. what a user gets
/// from `deployments().list()` and passes on to `get`/`retry`/`rollback`/... (a UUID).
const DEPLOYMENT_ID: &str = "9c1e4b7a-2f3d-4e5a-8b6c-7d9e0f1a2b3c";
/// A custom domain (matches the overlay's hostname pattern for `domain_name`).
const DOMAIN: &str = "blog.example.com";

// ------------------------------------------------------------------------------------------------
// The harness.

/// What the response observer saw of one HTTP response.
#[derive(Clone, Debug)]
struct Seen {
    operation: &'static str,
    method: String,
    status: u16,
    /// Every `sl-violations` header value (usually none or one).
    sl_violations: Vec<String>,
}

/// A generated client pointed at Prism, and what its observer has seen since the last check.
struct Contract {
    client: Client,
    seen: Arc<Mutex<Vec<Seen>>>,
}

/// Starts a test: fails (never skips) when `PAGES_API_PRISM_URL` is not set.
fn contract() -> Contract {
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
    fn peek(&self) -> Vec<Seen> {
        self.seen.lock().unwrap().clone()
    }

    /// Asserts that every response seen since the last check passed the contract (see the
    /// module docs) and that `result` is `Ok`; prints the operation id with the result.
    #[track_caller]
    fn check<T: Debug>(&self, operation: &str, result: Result<T, Error>) -> T {
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
    fn take(&self) -> Vec<Seen> {
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
// Projects.

#[tokio::test]
async fn projects_list() {
    let c = contract();
    let result = c
        .client
        .projects()
        .list(ACCOUNT_ID)
        .page(1)
        .per_page(25)
        .send()
        .await;
    let projects = c.check("pages-project-get-projects", result);
    assert!(!projects.is_empty());

    // `all()` walks the pages; the example's `result_info` says there is one.
    let result = c.client.projects().list(ACCOUNT_ID).all().await;
    let pages = c.peek().len();
    let all = c.check("pages-project-get-projects", result);
    assert_eq!(all, projects);
    assert_eq!(pages, 1, "one page fetched");
}

#[tokio::test]
async fn projects_create() {
    let c = contract();
    let production = DeploymentConfig {
        compatibility_date: Some("2024-01-01".into()),
        compatibility_flags: Some(vec!["nodejs_compat".into()]),
        d1_databases: Some(BTreeMap::from([(
            "DB".to_owned(),
            D1Binding {
                id: Some("c2a9e5f0-3b7d-4e18-9a64-5f0d2b8c1e73".into()),
            },
        )])),
        kv_namespaces: Some(BTreeMap::from([(
            "CACHE".to_owned(),
            KvBinding {
                namespace_id: Some("1a2b3c4d5e6f47a8b9c0d1e2f3a4b5c6".into()),
            },
        )])),
        env_vars: Some(BTreeMap::from([
            (
                "API_BASE_URL".to_owned(),
                EnvironmentVariable {
                    type_: Some(EnvironmentVariableType::PlainText),
                    value: Some("https://api.example.com".into()),
                },
            ),
            (
                "CMS_TOKEN".to_owned(),
                EnvironmentVariable {
                    type_: Some(EnvironmentVariableType::SecretText),
                    value: Some("cms-live-7f3a9c".into()),
                },
            ),
        ])),
        ..DeploymentConfig::default()
    };
    let result = c
        .client
        .projects()
        .create(ACCOUNT_ID)
        .name(PROJECT)
        .production_branch("main")
        .build_config(BuildConfig {
            build_caching: Some(true),
            build_command: Some("npm run build".into()),
            destination_dir: Some("dist".into()),
            root_dir: Some("/".into()),
            ..BuildConfig::default()
        })
        .deployment_configs(DeploymentConfigs {
            preview: Some(DeploymentConfig {
                compatibility_date: Some("2024-01-01".into()),
                ..DeploymentConfig::default()
            }),
            production: Some(production),
        })
        .send()
        .await;
    let project = c.check("pages-project-create-project", result);
    assert!(project.name.is_some());
}

#[tokio::test]
async fn projects_get() {
    let c = contract();
    let result = c.client.projects().get(ACCOUNT_ID, PROJECT).send().await;
    let project = c.check("pages-project-get-project", result);
    assert!(project.name.is_some());
}

/// The merge patch the update test sends: a nullable field cleared with `Patch::Null`, an
/// environment variable set and one removed (`None`).
fn update_parts() -> (BuildConfigPatch, DeploymentConfigsPatch) {
    let build_config = BuildConfigPatch {
        build_command: Patch::Set("npm run build:prod".into()),
        web_analytics_tag: Patch::Null,
        ..BuildConfigPatch::default()
    };
    let deployment_configs = DeploymentConfigsPatch {
        production: Some(DeploymentConfigPatch {
            compatibility_date: Some("2024-06-01".into()),
            env_vars: Patch::Set(BTreeMap::from([
                (
                    "FEATURE_FLAGS".to_owned(),
                    Some(EnvironmentVariable {
                        type_: Some(EnvironmentVariableType::PlainText),
                        value: Some("search,comments".into()),
                    }),
                ),
                ("OLD_SETTING".to_owned(), None),
            ])),
            ..DeploymentConfigPatch::default()
        }),
        ..DeploymentConfigsPatch::default()
    };
    (build_config, deployment_configs)
}

#[tokio::test]
async fn projects_update() {
    let c = contract();
    let (build_config, deployment_configs) = update_parts();

    // What goes over the wire (the builder fills a `ProjectPatch` with these fields).
    let body = ProjectPatch {
        build_config: Some(build_config.clone()),
        deployment_configs: Some(deployment_configs.clone()),
        ..ProjectPatch::default()
    };
    assert_eq!(
        serde_json::to_value(&body).unwrap(),
        json!({
            "build_config": {"build_command": "npm run build:prod", "web_analytics_tag": null},
            "deployment_configs": {"production": {
                "compatibility_date": "2024-06-01",
                "env_vars": {
                    "FEATURE_FLAGS": {"type": "plain_text", "value": "search,comments"},
                    "OLD_SETTING": null
                }
            }}
        })
    );

    let result = c
        .client
        .projects()
        .update(ACCOUNT_ID, PROJECT)
        .build_config(build_config)
        .deployment_configs(deployment_configs)
        .send()
        .await;
    let project = c.check("pages-project-update-project", result);
    assert!(project.name.is_some());
}

#[tokio::test]
async fn projects_delete() {
    let c = contract();
    let result = c.client.projects().delete(ACCOUNT_ID, PROJECT).send().await;
    c.check("pages-project-delete-project", result);
}

#[tokio::test]
async fn projects_purge_build_cache() {
    let c = contract();
    let result = c
        .client
        .projects()
        .purge_build_cache(ACCOUNT_ID, PROJECT)
        .send()
        .await;
    c.check("pages-purge-build-cache", result);
}

// ------------------------------------------------------------------------------------------------
// Deployments.

#[tokio::test]
async fn deployments_list() {
    let c = contract();
    let list = || {
        c.client
            .deployments()
            .list(ACCOUNT_ID, PROJECT)
            .env(Environment::Preview)
            .page(1)
    };

    let result = list().per_page(25).send_envelope().await;
    let envelope = c.check("pages-deployment-get-deployments", result);
    let deployments = envelope.result.clone().expect("a result");
    assert!(!deployments.is_empty());
    // The id the other deployment tests send is one this operation hands out.
    assert_eq!(deployments[0].id.as_deref(), Some(DEPLOYMENT_ID));
    let info = envelope
        .result_info
        .expect("result_info: the operation is paged");
    println!("  result_info: {info:?}");

    // Prism answers every page with the same example: its `result_info` must end the walk.
    // Capped, so that a walk that does not end fails here instead of hanging.
    const CAP: usize = 50;
    let items: Vec<Result<_, Error>> = pin!(list().stream()).take(CAP).collect().await;
    let pages = c.peek().len();
    let streamed = c.check(
        "pages-deployment-get-deployments",
        items.into_iter().collect::<Result<Vec<_>, _>>(),
    );
    assert!(streamed.len() < CAP, "paging did not stop ({pages} pages)");
    assert_eq!(streamed, deployments, "one page, the example's");
    assert_eq!(pages, 1, "the example's result_info announces 1 page");

    let result = list().all().await;
    let pages = c.peek().len();
    let all = c.check("pages-deployment-get-deployments", result);
    assert_eq!(all, deployments);
    assert_eq!(pages, 1);
}

#[tokio::test]
async fn deployments_create() {
    let c = contract();
    let result = c
        .client
        .deployments()
        .create(ACCOUNT_ID, PROJECT)
        .branch("redesign")
        .send()
        .await;
    let deployment = c.check("pages-deployment-create-deployment", result);
    assert!(deployment.id.is_some());

    // Without `branch` (the production branch): a multipart body without fields.
    let result = c
        .client
        .deployments()
        .create(ACCOUNT_ID, PROJECT)
        .send()
        .await;
    c.check("pages-deployment-create-deployment", result);
}

#[tokio::test]
async fn deployments_get() {
    let c = contract();
    let result = c
        .client
        .deployments()
        .get(ACCOUNT_ID, PROJECT, DEPLOYMENT_ID)
        .send()
        .await;
    let deployment = c.check("pages-deployment-get-deployment-info", result);
    assert!(deployment.id.is_some());
}

#[tokio::test]
async fn deployments_delete() {
    let c = contract();
    let result = c
        .client
        .deployments()
        .delete(ACCOUNT_ID, PROJECT, DEPLOYMENT_ID)
        .send()
        .await;
    c.check("pages-deployment-delete-deployment", result);
}

#[tokio::test]
async fn deployments_retry() {
    let c = contract();
    let result = c
        .client
        .deployments()
        .retry(ACCOUNT_ID, PROJECT, DEPLOYMENT_ID)
        .send()
        .await;
    let deployment = c.check("pages-deployment-retry-deployment", result);
    assert!(deployment.id.is_some());
}

#[tokio::test]
async fn deployments_rollback() {
    let c = contract();
    let result = c
        .client
        .deployments()
        .rollback(ACCOUNT_ID, PROJECT, DEPLOYMENT_ID)
        .send()
        .await;
    let deployment = c.check("pages-deployment-rollback-deployment", result);
    assert!(deployment.id.is_some());
}

#[tokio::test]
async fn deployments_logs() {
    let c = contract();
    let result = c
        .client
        .deployments()
        .logs(ACCOUNT_ID, PROJECT, DEPLOYMENT_ID)
        .send()
        .await;
    let logs = c.check("pages-deployment-get-deployment-logs", result);
    assert!(logs.data.is_some());
}

// ------------------------------------------------------------------------------------------------
// Domains.

#[tokio::test]
async fn domains_list() {
    let c = contract();
    let result = c.client.domains().list(ACCOUNT_ID, PROJECT).send().await;
    let domains = c.check("pages-domains-get-domains", result);
    assert!(!domains.is_empty());
}

#[tokio::test]
async fn domains_create() {
    let c = contract();
    let result = c
        .client
        .domains()
        .create(ACCOUNT_ID, PROJECT)
        .name("shop.example.com")
        .send()
        .await;
    let domain = c.check("pages-domains-add-domain", result);
    assert!(!domain.name.is_empty());
}

#[tokio::test]
async fn domains_get() {
    let c = contract();
    let result = c
        .client
        .domains()
        .get(ACCOUNT_ID, PROJECT, DOMAIN)
        .send()
        .await;
    let domain = c.check("pages-domains-get-domain", result);
    assert!(!domain.name.is_empty());
}

#[tokio::test]
async fn domains_update() {
    let c = contract();
    let result = c
        .client
        .domains()
        .update(ACCOUNT_ID, PROJECT, DOMAIN)
        .send()
        .await;
    let domain = c.check("pages-domains-patch-domain", result);
    assert!(!domain.name.is_empty());
}

#[tokio::test]
async fn domains_delete() {
    let c = contract();
    let result = c
        .client
        .domains()
        .delete(ACCOUNT_ID, PROJECT, DOMAIN)
        .send()
        .await;
    c.check("pages-domains-delete-domain", result);
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
