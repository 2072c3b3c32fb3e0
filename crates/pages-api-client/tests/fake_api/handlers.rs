//! The fake's routes: envelopes, authentication (and the schema check of every response), and
//! one handler per project and deployment operation it serves (the asset operations are in
//! `assets.rs`).

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};

use axum::body::{Body, Bytes};
use axum::extract::{Path, Query, Request, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use pages_api_client::Timestamp;
use pages_api_client::types::{Deployment, DeploymentTriggerType, Environment};
use serde_json::{Value, json};

use super::{ACCOUNT, FakeState, Seen, StoredProject, TOKEN, insert_deployment, model, schema};

pub(super) fn envelope(result: Value, result_info: Option<Value>) -> Response {
    let mut body = json!({"success": true, "errors": [], "messages": [], "result": result});
    if let Some(info) = result_info {
        body["result_info"] = info;
    }
    (
        [(header::CONTENT_TYPE, "application/json")],
        body.to_string(),
    )
        .into_response()
}

pub(super) fn failure(status: StatusCode, code: i64, message: &str) -> Response {
    let body = json!({
        "success": false,
        "errors": [{"code": code, "message": message}],
        "messages": [],
        "result": null,
    });
    (
        status,
        [(header::CONTENT_TYPE, "application/json")],
        body.to_string(),
    )
        .into_response()
}

pub(super) type Shared = State<Arc<Mutex<FakeState>>>;

pub(super) async fn record_and_authenticate(
    State(state): Shared,
    request: Request,
    next: Next,
) -> Response {
    let method = request.method().to_string();
    let path = request.uri().path().to_owned();
    state.lock().expect("fake API state").seen.push(Seen {
        method: method.clone(),
        path: path.clone(),
        query: request.uri().query().unwrap_or_default().to_owned(),
    });
    // The asset calls take the upload JWT instead of the account's credentials: their handlers
    // check it (`assets.rs`), and count account credentials sent there.
    let jwt_route = path.starts_with("/client/v4/pages/assets/");
    let authorized = request
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        == Some(format!("Bearer {TOKEN}").as_str());
    let response = if jwt_route || authorized {
        next.run(request).await
    } else {
        failure(StatusCode::FORBIDDEN, 10000, "Authentication error")
    };
    check_schema(&state, &method, &path, response).await
}

/// Checks a response body against the 2026 schema, noting what is wrong in the state.
async fn check_schema(
    state: &Mutex<FakeState>,
    method: &str,
    path: &str,
    response: Response,
) -> Response {
    let (parts, body) = response.into_parts();
    let body = axum::body::to_bytes(body, usize::MAX)
        .await
        .expect("the fake's own body");
    let status = parts.status.as_u16();
    let under_root = path.strip_prefix("/client/v4").unwrap_or(path);
    let violations = schema::check_response(method, under_root, status, &body);
    if !violations.is_empty() {
        let mut state = state.lock().expect("fake API state");
        for violation in violations {
            let body = String::from_utf8_lossy(&body);
            let excerpt: String = body.chars().take(300).collect();
            state.violations.push(format!(
                "{method} {path} (HTTP {status}): {violation}\n  in {excerpt}"
            ));
        }
    }
    Response::from_parts(parts, Body::from(body))
}

/// An API error: the status and the one `{code, message}` of the failure envelope.
pub(super) struct ApiError(StatusCode, i64, &'static str);

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        failure(self.0, self.1, self.2)
    }
}

/// The project, or the error the API gives for the account or project.
pub(super) fn find<'a>(
    state: &'a mut FakeState,
    account: &str,
    project: &str,
) -> Result<&'a mut StoredProject, ApiError> {
    if account != ACCOUNT {
        return Err(ApiError(
            StatusCode::NOT_FOUND,
            7003,
            "Could not route to /accounts/{account_id}/pages/projects, perhaps your object \
             identifier is invalid?",
        ));
    }
    state.projects.get_mut(project).ok_or(ApiError(
        StatusCode::NOT_FOUND,
        8000007,
        "Project not found. The specified project name does not match any of your existing \
         projects.",
    ))
}

pub(super) async fn get_project(
    State(state): Shared,
    Path((account, project)): Path<(String, String)>,
) -> Response {
    let mut state = state.lock().expect("fake API state");
    match find(&mut state, &account, &project) {
        Ok(stored) => envelope(model::project_json(&stored.project_view()), None),
        Err(error) => error.into_response(),
    }
}

pub(super) async fn list_deployments(
    State(state): Shared,
    Path((account, project)): Path<(String, String)>,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    let mut state = state.lock().expect("fake API state");
    let stored = match find(&mut state, &account, &project) {
        Ok(stored) => stored,
        Err(error) => return error.into_response(),
    };
    let number = |name: &str, default: usize| match query.get(name) {
        None => Some(default),
        Some(text) => text.parse::<usize>().ok().filter(|n| *n >= 1),
    };
    let (Some(page), Some(per_page)) = (number("page", 1), number("per_page", 25)) else {
        return failure(
            StatusCode::BAD_REQUEST,
            8000024,
            "Invalid list options provided. Review the `page` and `per_page` parameters.",
        );
    };
    let env = match query.get("env").map(String::as_str) {
        None => None,
        Some("preview") => Some(Environment::Preview),
        Some("production") => Some(Environment::Production),
        Some(_) => {
            return failure(
                StatusCode::BAD_REQUEST,
                8000000,
                "Invalid environment: use preview or production.",
            );
        }
    };
    let newest = stored.newest_of_branches();
    let matching: Vec<Deployment> = stored
        .sorted()
        .into_iter()
        .filter(|d| {
            env.as_ref()
                .is_none_or(|env| &d.deployment.environment == env)
        })
        .map(|d| stored.view(d, &newest))
        .collect();
    let total = matching.len();
    let items: Vec<Value> = matching
        .iter()
        .skip((page - 1).saturating_mul(per_page))
        .take(per_page)
        .map(model::deployment_json)
        .collect();
    let info = json!({
        "page": page,
        "per_page": per_page,
        "count": items.len(),
        "total_count": total,
        "total_pages": total.div_ceil(per_page),
    });
    envelope(Value::Array(items), Some(info))
}

/// The parts of a `multipart/form-data` body: name → value (text, lossily for binary; file
/// parts by their name).
fn multipart_fields(content_type: &str, body: &[u8]) -> BTreeMap<String, String> {
    let Some(boundary) = content_type
        .split(';')
        .find_map(|part| part.trim().strip_prefix("boundary="))
    else {
        return BTreeMap::new();
    };
    let boundary = boundary.trim_matches('"');
    let body = String::from_utf8_lossy(body);
    body.split(&format!("--{boundary}"))
        .filter_map(|part| {
            let (head, value) = part.split_once("\r\n\r\n")?;
            let name = head.split("name=\"").nth(1)?.split('"').next()?;
            let value = value.strip_suffix("\r\n").unwrap_or(value);
            Some((name.to_owned(), value.to_owned()))
        })
        .collect()
}

pub(super) async fn create_deployment(
    State(state): Shared,
    Path((account, project)): Path<(String, String)>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let mut state = state.lock().expect("fake API state");
    let production_branch = match find(&mut state, &account, &project) {
        Ok(stored) => stored.project.production_branch.clone(),
        Err(error) => return error.into_response(),
    };
    if let Some((status, code, message)) = state.create_failures.pop_front() {
        let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        return failure(status, code, &message);
    }
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let fields = if content_type.starts_with("multipart/form-data") {
        multipart_fields(content_type, &body)
    } else {
        BTreeMap::new()
    };
    // Direct Upload: every file of the manifest must have been uploaded, with that hash.
    if let Some(manifest) = fields.get("manifest") {
        let Ok(manifest) = serde_json::from_str::<BTreeMap<String, String>>(manifest) else {
            return failure(StatusCode::BAD_REQUEST, 8000000, "Invalid manifest JSON.");
        };
        if let Err(message) = state.assets.check_manifest(&project, &manifest) {
            return failure(StatusCode::BAD_REQUEST, 8000096, &message);
        }
    }
    state
        .assets
        .forms
        .entry(project.clone())
        .or_default()
        .push(fields.clone());
    let field = |name: &str| fields.get(name).filter(|value| !value.is_empty()).cloned();
    let branch = field("branch").unwrap_or(production_branch);
    let message = field("commit_message").unwrap_or_else(|| format!("Latest commit on {branch}"));
    let id = insert_deployment(
        &mut state,
        &project,
        &branch,
        Timestamp::now(),
        (&message, field("commit_hash")),
        DeploymentTriggerType::AdHoc,
        true,
    );
    let stored = state.projects.get_mut(&project).expect("known project");
    if field("commit_dirty").as_deref() == Some("true")
        && let Some(new) = stored.deployments.last_mut()
    {
        new.deployment.deployment_trigger.metadata.commit_dirty = true;
    }
    match stored.view_by_id(&id) {
        Some(deployment) => envelope(model::deployment_json(&deployment), None),
        None => deployment_not_found(),
    }
}

pub(super) async fn get_deployment(
    State(state): Shared,
    Path((account, project, id)): Path<(String, String, String)>,
) -> Response {
    let mut state = state.lock().expect("fake API state");
    let stored = match find(&mut state, &account, &project) {
        Ok(stored) => stored,
        Err(error) => return error.into_response(),
    };
    match stored.view_by_id(&id) {
        Some(deployment) => envelope(model::deployment_json(&deployment), None),
        None => deployment_not_found(),
    }
}

fn deployment_not_found() -> Response {
    failure(
        StatusCode::NOT_FOUND,
        8000009,
        "The deployment could not be found.",
    )
}

pub(super) async fn delete_deployment(
    State(state): Shared,
    Path((account, project, id)): Path<(String, String, String)>,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    let mut state = state.lock().expect("fake API state");
    let failing = state.failing_deletes.contains(&id);
    let stored = match find(&mut state, &account, &project) {
        Ok(stored) => stored,
        Err(error) => return error.into_response(),
    };
    let Some(index) = stored
        .deployments
        .iter()
        .position(|d| d.deployment.id == id)
    else {
        return deployment_not_found();
    };
    if failing {
        return failure(
            StatusCode::INTERNAL_SERVER_ERROR,
            8000000,
            "An unknown error has occurred. If this error persists, please file a support \
             ticket.",
        );
    }
    if stored.canonical_id().as_deref() == Some(id.as_str()) {
        return failure(
            StatusCode::BAD_REQUEST,
            8000034,
            "Cannot delete the active production deployment. Roll back to another deployment \
             first.",
        );
    }
    let forced = query.get("force").is_some_and(|v| v == "true");
    if stored.newest_of_branches().contains(&id) && !forced {
        return failure(
            StatusCode::BAD_REQUEST,
            8000035,
            "You cannot delete an aliased deployment without a `?force=true` parameter in the \
             API request URL.",
        );
    }
    stored.deployments.remove(index);
    envelope(Value::Null, None)
}
