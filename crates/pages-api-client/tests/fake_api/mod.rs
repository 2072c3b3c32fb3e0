//! An in-memory fake of the Cloudflare Pages API for the examples' end-to-end tests: an axum
//! server on 127.0.0.1:0 that keeps projects and deployments and answers the way the API does.
//!
//! * Bodies valid for the 2026 schema: every required field (`null` where it may be), UUID
//!   deployment ids. The fake checks each of its own responses against `spec/pages.resolved.json`
//!   ([`schema`]) and, dropped, panics if any was not ([`FakeApi::schema_violations`]).
//! * Cloudflare envelopes (`success`, `errors: [{code, message}]`, `messages`, `result`,
//!   `result_info`), served under `/client/v4` like the real API root.
//! * `Authorization: Bearer TOKEN` is required (else 403, code 10000); an unknown account is
//!   404 code 7003, an unknown project 404 code 8000007.
//! * `GET .../projects/{p}`: the project with `canonical_deployment` (the newest production
//!   deployment of the production branch, or the one [`FakeApi::set_canonical`] rolled back to)
//!   and `latest_deployment`.
//! * `GET .../deployments`: newest first, `page` / `per_page` (default 25) and `env`
//!   (`preview` | `production`), with `result_info {page, per_page, count, total_count,
//!   total_pages}`.
//! * `POST .../deployments`: `multipart/form-data` with optional `branch` (default: the
//!   production branch), `commit_hash`, `commit_message` and `commit_dirty`; the new
//!   deployment is queued. Each form is recorded ([`FakeApi::deployment_forms`]), file parts
//!   (`_headers`, `_worker.js`, ...) by name.
//! * `DELETE .../deployments/{id}`: refuses the canonical deployment (HTTP 400, code 8000034)
//!   and, without `?force=true`, the newest deployment of a branch, which carries the branch
//!   alias (HTTP 400, code 8000035, "You cannot delete an aliased deployment ..."), as
//!   Cloudflare does.
//!
//! * Direct Upload ([`assets`]): `GET .../upload-token` issues JWTs; the `/pages/assets/*`
//!   calls accept only those (HTTP 401, code 8000013 otherwise, account credentials included:
//!   the middleware leaves their authentication to [`assets`]) and store the files per
//!   project; a create-deployment `manifest` must name only uploaded files whose content
//!   hashes to the manifest's hash (else HTTP 400, code 8000096).
//!
//! Every request is recorded ([`FakeApi::seen`]); failures can be injected
//! ([`FakeApi::fail_next_create`], [`FakeApi::fail_deletes_of`]).

// Each test binary uses a part of it.
#![allow(dead_code)]

pub mod assets;
mod handlers;
pub mod model;
pub mod schema;

use std::collections::{BTreeMap, HashSet, VecDeque};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::StatusCode;
use axum::middleware;
use axum::routing::{get, post};
use pages_api_client::types::time::OffsetDateTime;
use pages_api_client::types::{Deployment, DeploymentTriggerType, Environment, Project};
use pages_api_client::{Client, RetryPolicy, Timestamp};

use handlers::{
    create_deployment, delete_deployment, failure, get_deployment, get_project, list_deployments,
    record_and_authenticate,
};
use model::{NewDeployment, slug};

/// The API token the fake accepts.
pub const TOKEN: &str = "fake-api-token-0123456789";
/// The one account the fake knows.
pub const ACCOUNT: &str = "023e105f4ecef8ad9ca31a8372d0c353";

/// One request the fake saw.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Seen {
    pub method: String,
    /// The path as sent (percent-encoded), without the query.
    pub path: String,
    /// The query string as sent ("" when none).
    pub query: String,
}

struct StoredDeployment {
    /// Insertion order: breaks ties between equal creation times (later is newer).
    seq: u64,
    branch: String,
    /// The API shows no branch for it: `deployment_trigger.metadata.branch` is `""` (the schema
    /// requires the field, so that is how a deployment without branch metadata looks).
    hide_branch: bool,
    deployment: Deployment,
}

struct StoredProject {
    project: Project,
    deployments: Vec<StoredDeployment>,
    /// Set by a rollback; otherwise the newest production deployment is canonical.
    canonical: Option<String>,
}

impl StoredProject {
    /// Newest first.
    fn sorted(&self) -> Vec<&StoredDeployment> {
        let mut all: Vec<&StoredDeployment> = self.deployments.iter().collect();
        all.sort_by_key(|d| std::cmp::Reverse((d.deployment.created_on, d.seq)));
        all
    }

    fn newest_of_branches(&self) -> HashSet<String> {
        let mut seen = HashSet::new();
        let mut newest = HashSet::new();
        for stored in self.sorted() {
            if seen.insert(stored.branch.clone()) {
                newest.insert(stored.deployment.id.clone());
            }
        }
        newest
    }

    fn canonical_id(&self) -> Option<String> {
        if let Some(id) = &self.canonical
            && self.deployments.iter().any(|d| &d.deployment.id == id)
        {
            return Some(id.clone());
        }
        self.sorted()
            .into_iter()
            .find(|d| d.branch == self.project.production_branch)
            .map(|d| d.deployment.id.clone())
    }

    /// A deployment as the API shows it: the branch alias on the newest of each preview
    /// branch, the branch left out where hidden.
    fn view(&self, stored: &StoredDeployment, newest: &HashSet<String>) -> Deployment {
        let mut deployment = stored.deployment.clone();
        let id = deployment.id.clone();
        if newest.contains(&id) && deployment.environment == Environment::Preview {
            deployment.aliases = Some(vec![format!(
                "https://{}.{}.pages.dev",
                slug(&stored.branch),
                slug(&self.project.name)
            )]);
        }
        if stored.hide_branch {
            deployment.deployment_trigger.metadata.branch = String::new();
        }
        deployment
    }

    fn view_by_id(&self, id: &str) -> Option<Deployment> {
        let newest = self.newest_of_branches();
        self.deployments
            .iter()
            .find(|d| d.deployment.id == id)
            .map(|d| self.view(d, &newest))
    }

    fn project_view(&self) -> Project {
        let mut project = self.project.clone();
        project.canonical_deployment = self.canonical_id().and_then(|id| self.view_by_id(&id));
        project.latest_deployment = self
            .sorted()
            .first()
            .and_then(|d| self.view_by_id(&d.deployment.id));
        project
    }
}

#[derive(Default)]
struct FakeState {
    projects: BTreeMap<String, StoredProject>,
    seen: Vec<Seen>,
    next_seq: u64,
    create_failures: VecDeque<(u16, i64, String)>,
    failing_deletes: HashSet<String>,
    /// What [`schema::check_response`] found wrong with the fake's own responses.
    violations: Vec<String>,
    /// Direct Upload: tokens, stored files, injected failures, create-deployment forms.
    assets: assets::AssetState,
}

/// The running fake. Dropping it stops the server.
pub struct FakeApi {
    addr: SocketAddr,
    state: Arc<Mutex<FakeState>>,
    server: tokio::task::JoinHandle<()>,
}

impl Drop for FakeApi {
    fn drop(&mut self) {
        self.server.abort();
        if !std::thread::panicking() {
            let violations = self.schema_violations();
            assert!(
                violations.is_empty(),
                "the fake API sent bodies the 2026 schema does not allow:\n{}",
                violations.join("\n")
            );
        }
    }
}

fn timestamp_ago(age: Duration) -> Timestamp {
    Timestamp::from(OffsetDateTime::now_utc() - age)
}

impl FakeApi {
    /// Starts the fake on a free port of 127.0.0.1.
    pub async fn start() -> FakeApi {
        let state = Arc::new(Mutex::new(FakeState::default()));
        let projects = "/client/v4/accounts/{account}/pages/projects/{project}";
        let assets = "/client/v4/pages/assets";
        let app = Router::new()
            .route(projects, get(get_project))
            .route(
                &format!("{projects}/deployments"),
                get(list_deployments).post(create_deployment),
            )
            .route(
                &format!("{projects}/deployments/{{id}}"),
                get(get_deployment).delete(delete_deployment),
            )
            .route(
                &format!("{projects}/upload-token"),
                get(assets::upload_token),
            )
            .route(
                &format!("{assets}/check-missing"),
                post(assets::check_missing),
            )
            .route(&format!("{assets}/upload"), post(assets::upload))
            .route(
                &format!("{assets}/upsert-hashes"),
                post(assets::upsert_hashes),
            )
            // Upload bodies are up to 40 MiB (axum's default limit is 2 MB); larger ones are
            // accepted too, so that a test can see and reject them.
            .layer(DefaultBodyLimit::max(256 * 1024 * 1024))
            .fallback(|| async { failure(StatusCode::NOT_FOUND, 7000, "No route for that URI") })
            .layer(middleware::from_fn_with_state(
                state.clone(),
                record_and_authenticate,
            ))
            .with_state(state.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind 127.0.0.1:0");
        let addr = listener.local_addr().expect("local address");
        let server = tokio::spawn(async move {
            axum::serve(listener, app).await.expect("fake API server");
        });
        FakeApi {
            addr,
            state,
            server,
        }
    }

    fn state(&self) -> MutexGuard<'_, FakeState> {
        self.state.lock().expect("fake API state")
    }

    /// The API root to give the client: `http://127.0.0.1:PORT/client/v4`.
    pub fn base_url(&self) -> String {
        format!("http://{}/client/v4", self.addr)
    }

    /// A client for the fake, with [`TOKEN`] and quick retries.
    pub fn client(&self) -> Client {
        Client::builder()
            .api_token(TOKEN)
            .base_url(self.base_url())
            .retry_policy(
                RetryPolicy::default()
                    .with_initial_backoff(Duration::from_millis(5))
                    .with_max_backoff(Duration::from_millis(20)),
            )
            .build()
            .expect("client for the fake API")
    }

    /// Adds a project (subdomain `{name}.pages.dev`, no domains). `name` must be a valid
    /// project name (lower-case letters, digits and hyphens), as the schema demands.
    pub fn add_project(&self, name: &str, production_branch: &str) {
        let mut state = self.state();
        state.next_seq += 1;
        let project = model::project(
            model::uuid(0x7b16_2ea7, state.next_seq),
            name,
            production_branch,
            timestamp_ago(Duration::from_secs(400 * 86_400)),
        );
        state.projects.insert(
            name.to_owned(),
            StoredProject {
                project,
                deployments: Vec::new(),
                canonical: None,
            },
        );
    }

    /// Sets a project's custom domains.
    pub fn set_domains(&self, project: &str, domains: &[&str]) {
        let mut state = self.state();
        let stored = state.projects.get_mut(project).expect("known project");
        stored.project.domains = Some(domains.iter().map(|d| (*d).to_owned()).collect());
    }

    /// Adds a finished (successful) deployment of `branch` created `age` ago; returns its id.
    pub fn add_deployment(
        &self,
        project: &str,
        branch: &str,
        age: Duration,
        commit_message: &str,
    ) -> String {
        let mut state = self.state();
        insert_deployment(
            &mut state,
            project,
            branch,
            timestamp_ago(age),
            (commit_message, None),
            DeploymentTriggerType::GithubPush,
            false,
        )
    }

    /// Shows deployment `id` without its branch (`deployment_trigger.metadata.branch: ""`).
    pub fn hide_branch(&self, project: &str, id: &str) {
        let mut state = self.state();
        let stored = state.projects.get_mut(project).expect("known project");
        let deployment = stored
            .deployments
            .iter_mut()
            .find(|d| d.deployment.id == id)
            .expect("known deployment");
        deployment.hide_branch = true;
    }

    /// Makes `id` the canonical (live) deployment, as a rollback does.
    pub fn set_canonical(&self, project: &str, id: &str) {
        let mut state = self.state();
        state
            .projects
            .get_mut(project)
            .expect("known project")
            .canonical = Some(id.to_owned());
    }

    /// The next create-deployment request fails with this status and error.
    pub fn fail_next_create(&self, status: u16, code: i64, message: &str) {
        self.state()
            .create_failures
            .push_back((status, code, message.to_owned()));
    }

    /// Every delete of deployment `id` fails with HTTP 500.
    pub fn fail_deletes_of(&self, id: &str) {
        self.state().failing_deletes.insert(id.to_owned());
    }

    /// The project's deployment ids, newest first.
    pub fn ids(&self, project: &str) -> Vec<String> {
        let state = self.state();
        state.projects[project]
            .sorted()
            .iter()
            .map(|d| d.deployment.id.clone())
            .collect()
    }

    /// The project's deployments as the API shows them, newest first.
    pub fn deployments(&self, project: &str) -> Vec<Deployment> {
        let state = self.state();
        let stored = &state.projects[project];
        let newest = stored.newest_of_branches();
        stored
            .sorted()
            .into_iter()
            .map(|d| stored.view(d, &newest))
            .collect()
    }

    /// The branch the fake knows deployment `id` by (even when hidden from the listing).
    pub fn branch_of(&self, project: &str, id: &str) -> String {
        let state = self.state();
        state.projects[project]
            .deployments
            .iter()
            .find(|d| d.deployment.id == id)
            .map(|d| d.branch.clone())
            .expect("known deployment")
    }

    /// The canonical deployment's id.
    pub fn canonical_id(&self, project: &str) -> Option<String> {
        self.state().projects[project].canonical_id()
    }

    /// The ids of the newest deployment of each branch.
    pub fn newest_of_branches(&self, project: &str) -> HashSet<String> {
        self.state().projects[project].newest_of_branches()
    }

    /// Every request so far.
    pub fn seen(&self) -> Vec<Seen> {
        self.state().seen.clone()
    }

    /// What was wrong with the fake's own response bodies (checked against the 2026 schema).
    pub fn schema_violations(&self) -> Vec<String> {
        match self.state.lock() {
            Ok(state) => state.violations.clone(),
            Err(poisoned) => poisoned.into_inner().violations.clone(),
        }
    }

    /// How many requests had `method` and a path ending in `path_suffix`.
    pub fn count(&self, method: &str, path_suffix: &str) -> usize {
        self.state()
            .seen
            .iter()
            .filter(|s| s.method == method && s.path.ends_with(path_suffix))
            .count()
    }
}

/// A new deployment of `branch` (commit: its message, and its hash if known).
fn insert_deployment(
    state: &mut FakeState,
    project: &str,
    branch: &str,
    created: Timestamp,
    (commit_message, commit_hash): (&str, Option<String>),
    trigger: DeploymentTriggerType,
    queued: bool,
) -> String {
    state.next_seq += 1;
    let seq = state.next_seq;
    let stored = state.projects.get_mut(project).expect("known project");
    // An odd multiplier is a bijection on u32: distinct sequence numbers, distinct short ids.
    let head = u32::try_from(seq & 0xffff_ffff)
        .unwrap_or_default()
        .wrapping_mul(0x9e37_79b1);
    let id = model::uuid(head, seq);
    let deployment = model::deployment(
        &stored.project,
        NewDeployment {
            id: id.clone(),
            branch,
            commit_hash: commit_hash
                .unwrap_or_else(|| format!("{:040x}", u128::from(seq) * 0x1f3d_5b79)),
            commit_message,
            created,
            trigger,
            queued,
        },
    );
    stored.deployments.push(StoredDeployment {
        seq,
        branch: branch.to_owned(),
        hide_branch: false,
        deployment,
    });
    id
}
