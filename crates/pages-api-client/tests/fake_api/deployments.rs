//! The project and deployment handlers of the fake API (see the module docs of `mod.rs`).

use std::collections::{BTreeMap, HashMap};

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use pages_api_client::Timestamp;
use pages_api_client::types::{
    Deployment, DeploymentTrigger, DeploymentTriggerMetadata, DeploymentTriggerType, Environment,
    Stage, StageName, StageStatus,
};
use serde_json::{Value, json};

use super::{
    ACCOUNT, FakeState, Shared, StoredDeployment, StoredProject, envelope, failure, id_of, slug,
    stage, to_value,
};

pub(super) fn insert_deployment(
    state: &mut FakeState,
    project: &str,
    branch: &str,
    created: Timestamp,
    commit_message: &str,
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
    let id = format!("{head:08x}-5c1e-4d8a-9f3b-{seq:012x}");
    let short_id = id[..8].to_owned();
    let environment = if branch == stored.production_branch() {
        Environment::Production
    } else {
        Environment::Preview
    };
    let latest_stage = if queued {
        stage(StageName::Queued, StageStatus::Active, created)
    } else {
        Stage {
            ended_on: Some(created),
            ..stage(StageName::Deploy, StageStatus::Success, created)
        }
    };
    let project_name = stored.project.name.clone().unwrap_or_default();
    let deployment = Deployment {
        id: Some(id.clone()),
        short_id: Some(short_id.clone()),
        project_id: stored.project.id.clone(),
        project_name: Some(project_name.clone()),
        environment: Some(environment),
        url: Some(format!(
            "https://{short_id}.{}.pages.dev",
            slug(&project_name)
        )),
        created_on: Some(created),
        modified_on: Some(created),
        latest_stage: Some(latest_stage.clone()),
        stages: Some(vec![latest_stage]),
        deployment_trigger: Some(DeploymentTrigger {
            type_: Some(trigger),
            metadata: Some(DeploymentTriggerMetadata {
                branch: Some(branch.to_owned()),
                commit_hash: Some(format!("{:040x}", u128::from(seq) * 0x1f3d_5b79)),
                commit_message: Some(commit_message.to_owned()),
            }),
        }),
        is_skipped: Some(false),
        ..Deployment::default()
    };
    stored.deployments.push(StoredDeployment {
        seq,
        branch: branch.to_owned(),
        hide_branch: false,
        deployment,
    });
    id
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
        Ok(stored) => envelope(to_value(&stored.project_view()), None),
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
        .filter(|d| env.is_none() || d.deployment.environment == env)
        .map(|d| stored.view(d, &newest))
        .collect();
    let total = matching.len();
    let items: Vec<Value> = matching
        .iter()
        .skip((page - 1).saturating_mul(per_page))
        .take(per_page)
        .map(to_value)
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

/// The parts of a `multipart/form-data` body: name → value (text, lossily for binary).
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
        Ok(stored) => stored.production_branch().to_owned(),
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
    let branch = fields
        .get("branch")
        .filter(|b| !b.is_empty())
        .cloned()
        .unwrap_or(production_branch);
    let message = fields
        .get("commit_message")
        .cloned()
        .unwrap_or_else(|| format!("Latest commit on {branch}"));
    let id = insert_deployment(
        &mut state,
        &project,
        &branch,
        Timestamp::now(),
        &message,
        DeploymentTriggerType::AdHoc,
        true,
    );
    let stored = state.projects.get_mut(&project).expect("known project");
    if let Some(hash) = fields.get("commit_hash")
        && let Some(metadata) = stored
            .deployments
            .last_mut()
            .and_then(|d| d.deployment.deployment_trigger.as_mut())
            .and_then(|t| t.metadata.as_mut())
    {
        metadata.commit_hash = Some(hash.clone());
    }
    envelope(to_value(&stored.view_by_id(&id)), None)
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
        Some(deployment) => envelope(to_value(&deployment), None),
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
        .position(|d| id_of(&d.deployment) == id)
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
