//! The fake's projects and deployments as the 2026 schema has them (every required field,
//! UUID ids), and their JSON as the API sends it: a required but nullable field the types leave
//! out when `None` (`aliases`, a stage's `ended_on`, a project's `canonical_deployment`, ...)
//! is written as `null`.

use std::collections::BTreeMap;

use pages_api_client::Timestamp;
use pages_api_client::types::{
    BuildConfig, Deployment, DeploymentConfig, DeploymentTriggerType, EnvVar, EnvVarType,
    Environment, Project, Source, Stage, StageName, StageStatus,
};
use serde_json::{Value, json};

/// A UUID (version 4 form) unique to `seq`; `head` varies the first group.
pub fn uuid(head: u32, seq: u64) -> String {
    format!("{head:08x}-5c1e-4d8a-9f3b-{seq:012x}")
}

/// Lower-case letters and digits kept, anything else `-` (hostname labels).
pub fn slug(text: &str) -> String {
    text.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect()
}

fn build_config() -> BuildConfig {
    BuildConfig::default()
        .build_caching(true)
        .build_command("npm run build")
        .destination_dir("dist")
        .root_dir("")
}

/// A response value from its JSON: response types are `#[non_exhaustive]` and built the way
/// the API builds them.
fn from_json<T: serde::de::DeserializeOwned>(value: Value) -> T {
    serde_json::from_value(value).expect("valid per the fake's own model")
}

/// The GitHub repository `acme-web/{name}`.
fn source(name: &str, production_branch: &str) -> Source {
    serde_json::from_value(json!({
        "type": "github",
        "config": {
            "deployments_enabled": true,
            "owner": "acme-web",
            "owner_id": "81234567",
            "path_excludes": [],
            "path_includes": ["*"],
            "pr_comments_enabled": true,
            "preview_branch_excludes": [],
            "preview_branch_includes": ["*"],
            "preview_deployment_setting": "all",
            "production_branch": production_branch,
            "production_deployments_enabled": true,
            "repo_id": "712345678",
            "repo_name": slug(name),
        }
    }))
    .expect("a valid source")
}

fn deployment_config() -> DeploymentConfig {
    serde_json::from_value(json!({
        "always_use_latest_compatibility_date": false,
        "build_image_major_version": 3,
        "compatibility_date": "2026-06-01",
        "compatibility_flags": ["nodejs_compat"],
        "env_vars": {"NODE_VERSION": {"type": "plain_text", "value": "22"}},
        "fail_open": true,
        "usage_model": "standard",
    }))
    .expect("a valid deployment config")
}

/// A project created at `created`, without deployments, domains or Functions.
pub fn project(id: String, name: &str, production_branch: &str, created: Timestamp) -> Project {
    let script = format!("pages-worker--{}", &id[..8]);
    from_json(json!({
        "build_config": build_config(),
        "canonical_deployment": null,
        "created_on": created,
        "deployment_configs": {"preview": deployment_config(), "production": deployment_config()},
        "domains": [],
        "framework": "astro",
        "framework_version": "5.1.0",
        "id": id,
        "latest_deployment": null,
        "name": name,
        "preview_script_name": format!("{script}-preview"),
        "production_branch": production_branch,
        "production_script_name": format!("{script}-production"),
        "source": source(name, production_branch),
        "subdomain": format!("{}.pages.dev", slug(name)),
        "uses_functions": false,
    }))
}

/// What a new deployment is made of.
pub struct NewDeployment<'a> {
    pub id: String,
    pub branch: &'a str,
    pub commit_hash: String,
    pub commit_message: &'a str,
    pub created: Timestamp,
    pub trigger: DeploymentTriggerType,
    /// Just created, so still queued; otherwise deployed successfully.
    pub queued: bool,
}

/// The pipeline: every step done, or queued (active) with the others idle.
fn stages(created: Timestamp, queued: bool) -> Vec<Stage> {
    let names = [
        StageName::Queued,
        StageName::Initialize,
        StageName::CloneRepo,
        StageName::Build,
        StageName::Deploy,
    ];
    names
        .into_iter()
        .enumerate()
        .map(|(i, name)| {
            let (started_on, ended_on, status) = match (queued, i) {
                (true, 0) => (Some(created), None, StageStatus::Active),
                (true, _) => (None, None, StageStatus::Idle),
                (false, _) => (Some(created), Some(created), StageStatus::Success),
            };
            from_json(json!({
                "ended_on": ended_on,
                "name": name,
                "started_on": started_on,
                "status": status,
            }))
        })
        .collect()
}

/// A deployment of `project`: production when built from its production branch.
pub fn deployment(project: &Project, new: NewDeployment<'_>) -> Deployment {
    let short_id = new.id[..8].to_owned();
    let environment = if new.branch == project.production_branch {
        Environment::Production
    } else {
        Environment::Preview
    };
    let stages = stages(new.created, new.queued);
    let latest_stage = if new.queued {
        stages[0].clone()
    } else {
        stages[stages.len() - 1].clone()
    };
    let env_vars = BTreeMap::from([(
        "NODE_VERSION".to_owned(),
        Some(EnvVar::new(EnvVarType::PlainText, "22")),
    )]);
    let url = format!("https://{short_id}.{}.pages.dev", slug(&project.name));
    let source = project
        .source
        .clone()
        .unwrap_or_else(|| source(&project.name, &project.production_branch));
    from_json(json!({
        "aliases": null,
        "build_config": project.build_config.clone().unwrap_or_else(build_config),
        "created_on": new.created,
        "deployment_trigger": {
            "metadata": {
                "branch": new.branch,
                "commit_dirty": false,
                "commit_hash": new.commit_hash,
                "commit_message": new.commit_message,
            },
            "type": new.trigger,
        },
        "env_vars": env_vars,
        "environment": environment,
        "url": url,
        "id": new.id,
        "is_skipped": false,
        "latest_stage": latest_stage,
        "modified_on": new.created,
        "project_id": project.id,
        "project_name": project.name,
        "short_id": short_id,
        "skip_reason": null,
        "source": source,
        "stages": stages,
        "uses_functions": false,
    }))
}

/// `null` for each of `keys` that `value` (an object) leaves out.
fn fill_nulls(value: &mut Value, keys: &[&str]) {
    if let Value::Object(object) = value {
        for key in keys {
            object.entry(*key).or_insert(Value::Null);
        }
    }
}

fn fill_build_config(value: &mut Value) {
    fill_nulls(
        &mut value["build_config"],
        &["web_analytics_tag", "web_analytics_token"],
    );
}

/// A deployment as the API writes it.
pub fn deployment_json(deployment: &Deployment) -> Value {
    let mut value = serde_json::to_value(deployment).expect("a deployment serializes");
    fill_nulls(&mut value, &["aliases", "env_vars", "skip_reason"]);
    fill_build_config(&mut value);
    let timings = ["started_on", "ended_on"];
    fill_nulls(&mut value["latest_stage"], &timings);
    if let Value::Array(stages) = &mut value["stages"] {
        for stage in stages {
            fill_nulls(stage, &timings);
        }
    }
    value
}

/// A project as the API writes it.
pub fn project_json(project: &Project) -> Value {
    let mut value = serde_json::to_value(project).expect("a project serializes");
    value["canonical_deployment"] = project
        .canonical_deployment
        .as_ref()
        .map_or(Value::Null, deployment_json);
    value["latest_deployment"] = project
        .latest_deployment
        .as_ref()
        .map_or(Value::Null, deployment_json);
    fill_nulls(&mut value, &["uses_functions"]);
    fill_build_config(&mut value);
    for environment in ["preview", "production"] {
        fill_nulls(&mut value["deployment_configs"][environment], &["env_vars"]);
    }
    value
}
