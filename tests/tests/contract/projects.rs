//! The project operations, source connection and upload token.

use std::collections::BTreeMap;

use pages_api_client::TryStreamExt as _;
use pages_api_client::types::{
    BuildConfig, BuildConfigPatch, D1Database, DeploymentConfigPatch, DeploymentConfigRequest,
    DeploymentConfigsPatch, DeploymentConfigsRequest, EnvVar, EnvVarPatch, EnvVarType, KvNamespace,
    PreviewDeploymentSetting, ProjectPatch, SourceConfig, SourceType,
};
use pages_api_client::{Patch, RequestOptions};
use serde_json::json;

use super::{ACCOUNT_ID, PROJECT, contract};

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

    // The builder is 'static: it can be sent to a task, and its stream iterated with only this
    // crate imported.
    let listing = tokio::spawn(c.client.projects().list(ACCOUNT_ID).send());
    let spawned = listing.await.expect("the task ran");
    let spawned = c.check("pages-project-get-projects", spawned);
    assert_eq!(spawned, projects);
    let mut stream = std::pin::pin!(c.client.projects().list(ACCOUNT_ID).stream());
    let first = stream.try_next().await;
    let first = c.check("pages-project-get-projects", first);
    assert_eq!(first.as_ref(), projects.first());
}

#[tokio::test]
async fn projects_create() {
    let c = contract();
    let production = DeploymentConfigRequest::default()
        .compatibility_date("2026-07-01")
        .compatibility_flags(vec!["nodejs_compat".into()])
        .d1_databases(BTreeMap::from([(
            "DB".to_owned(),
            Some(D1Database::new("c2a9e5f0-3b7d-4e18-9a64-5f0d2b8c1e73")),
        )]))
        .kv_namespaces(BTreeMap::from([(
            "CACHE".to_owned(),
            Some(KvNamespace::new("1a2b3c4d5e6f47a8b9c0d1e2f3a4b5c6")),
        )]))
        .env_vars(BTreeMap::from([
            (
                "API_BASE_URL".to_owned(),
                Some(EnvVar::new(
                    EnvVarType::PlainText,
                    "https://api.example.com",
                )),
            ),
            (
                "CMS_TOKEN".to_owned(),
                Some(EnvVar::new(EnvVarType::SecretText, "cms-live-7f3a9c")),
            ),
        ]));
    let result = c
        .client
        .projects()
        .create(ACCOUNT_ID, PROJECT, "main")
        .build_config(
            BuildConfig::default()
                .build_caching(true)
                .build_command("npm run build")
                .destination_dir("dist")
                .root_dir("/"),
        )
        .deployment_configs(
            DeploymentConfigsRequest::default()
                .preview(DeploymentConfigRequest::default().compatibility_date("2026-07-01"))
                .production(production),
        )
        .send()
        .await;
    let project = c.check("pages-project-create-project", result);
    assert!(!project.name.is_empty());
}

#[tokio::test]
async fn projects_get() {
    let c = contract();
    let result = c
        .client
        .projects()
        .get(ACCOUNT_ID, PROJECT)
        // Per-request options travel with the request and do not break it.
        .options(RequestOptions::new().max_attempts(1))
        .send()
        .await;
    let project = c.check("pages-project-get-project", result);
    assert!(!project.name.is_empty());
}

/// The merge patch the update test sends: a nullable field cleared with `Patch::Null`, an
/// environment variable set and one removed (`None`).
fn update_parts() -> (BuildConfigPatch, DeploymentConfigsPatch) {
    let build_config = BuildConfigPatch::default()
        .build_command("npm run build:prod")
        .web_analytics_tag(Patch::Null);
    let deployment_configs = DeploymentConfigsPatch::default().production(
        DeploymentConfigPatch::default()
            .compatibility_date("2026-07-15")
            .env_vars(BTreeMap::from([
                (
                    "FEATURE_FLAGS".to_owned(),
                    Some(
                        EnvVarPatch::default()
                            .type_(EnvVarType::PlainText)
                            .value("search,comments"),
                    ),
                ),
                ("OLD_SETTING".to_owned(), None),
            ])),
    );
    (build_config, deployment_configs)
}

#[tokio::test]
async fn projects_update() {
    let c = contract();
    let (build_config, deployment_configs) = update_parts();

    // What goes over the wire (the builder fills a `ProjectPatch` with these fields).
    let body = ProjectPatch::default()
        .build_config(build_config.clone())
        .deployment_configs(deployment_configs.clone());
    assert_eq!(
        serde_json::to_value(&body).unwrap(),
        json!({
            "build_config": {"build_command": "npm run build:prod", "web_analytics_tag": null},
            "deployment_configs": {"production": {
                "compatibility_date": "2026-07-15",
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
    assert!(!project.name.is_empty());
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

#[tokio::test]
async fn projects_connect_source() {
    let c = contract();
    let config = SourceConfig::new(
        true,
        "acme-web",
        "8127364",
        vec!["docs/*".into()],
        vec!["*".into()],
        true,
        vec!["dependabot/*".into()],
        vec!["*".into()],
        PreviewDeploymentSetting::Custom,
        "main",
        true,
        "554433221",
        "my-blog",
    );
    let result = c
        .client
        .projects()
        .connect_source(ACCOUNT_ID, PROJECT, config, SourceType::Github)
        .send()
        .await;
    let project = c.check("pages-project-connect-project-source", result);
    assert!(!project.name.is_empty());
}

#[tokio::test]
async fn projects_disconnect_source() {
    let c = contract();
    let result = c
        .client
        .projects()
        .disconnect_source(ACCOUNT_ID, PROJECT)
        .send()
        .await;
    let project = c.check("pages-project-disconnect-project-source", result);
    assert!(!project.name.is_empty());
}

#[tokio::test]
async fn projects_upload_token() {
    let c = contract();
    let result = c
        .client
        .projects()
        .upload_token(ACCOUNT_ID, PROJECT)
        .send()
        .await;
    let token = c.check("pages-project-get-upload-token", result);
    assert!(!token.jwt.is_empty());
}
