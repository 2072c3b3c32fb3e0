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
    let production = DeploymentConfigRequest {
        compatibility_date: Some("2026-07-01".into()),
        compatibility_flags: Some(vec!["nodejs_compat".into()]),
        d1_databases: Some(BTreeMap::from([(
            "DB".to_owned(),
            Some(D1Database {
                id: "c2a9e5f0-3b7d-4e18-9a64-5f0d2b8c1e73".into(),
            }),
        )])),
        kv_namespaces: Some(BTreeMap::from([(
            "CACHE".to_owned(),
            Some(KvNamespace {
                namespace_id: "1a2b3c4d5e6f47a8b9c0d1e2f3a4b5c6".into(),
            }),
        )])),
        env_vars: Some(BTreeMap::from([
            (
                "API_BASE_URL".to_owned(),
                Some(EnvVar {
                    type_: EnvVarType::PlainText,
                    value: "https://api.example.com".into(),
                }),
            ),
            (
                "CMS_TOKEN".to_owned(),
                Some(EnvVar {
                    type_: EnvVarType::SecretText,
                    value: "cms-live-7f3a9c".into(),
                }),
            ),
        ])),
        ..DeploymentConfigRequest::default()
    };
    let result = c
        .client
        .projects()
        .create(ACCOUNT_ID, PROJECT, "main")
        .build_config(BuildConfig {
            build_caching: Some(true),
            build_command: Some("npm run build".into()),
            destination_dir: Some("dist".into()),
            root_dir: Some("/".into()),
            ..BuildConfig::default()
        })
        .deployment_configs(DeploymentConfigsRequest {
            preview: Some(DeploymentConfigRequest {
                compatibility_date: Some("2026-07-01".into()),
                ..DeploymentConfigRequest::default()
            }),
            production: Some(production),
        })
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
    let build_config = BuildConfigPatch {
        build_command: Some("npm run build:prod".into()),
        web_analytics_tag: Patch::Null,
        ..BuildConfigPatch::default()
    };
    let deployment_configs = DeploymentConfigsPatch {
        production: Some(DeploymentConfigPatch {
            compatibility_date: Some("2026-07-15".into()),
            env_vars: Some(BTreeMap::from([
                (
                    "FEATURE_FLAGS".to_owned(),
                    Some(EnvVarPatch {
                        type_: Some(EnvVarType::PlainText),
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
    let config = SourceConfig {
        deployments_enabled: true,
        owner: "acme-web".into(),
        owner_id: "8127364".into(),
        path_excludes: vec!["docs/*".into()],
        path_includes: vec!["*".into()],
        pr_comments_enabled: true,
        preview_branch_excludes: vec!["dependabot/*".into()],
        preview_branch_includes: vec!["*".into()],
        preview_deployment_setting: PreviewDeploymentSetting::Custom,
        production_branch: "main".into(),
        production_deployments_enabled: true,
        repo_id: "554433221".into(),
        repo_name: "my-blog".into(),
    };
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
