//! The fake API (`tests/fake_api`) answers with bodies valid for the 2026 schema, and its
//! schema check would notice if it did not.

mod fake_api;
#[path = "../../pages-api-types/benches/support/fixtures.rs"]
mod fixtures;

use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use fake_api::schema::{check_response, validate};
use fake_api::{ACCOUNT, FakeApi, model};
use pages_api_client::Envelope;
use pages_api_client::types::{
    AssetUploadMetadataRequest, AssetUploadRequest, CommitDirty, Deployment, DeploymentTriggerType,
    Environment, Project, StageStatus,
};
use pages_api_client::{Timestamp, TryStreamExt as _};
use serde_json::{Value, json};

const DAY: Duration = Duration::from_secs(86_400);

fn sample_deployment() -> Value {
    let project = model::project(model::uuid(1, 1), "blog", "main", Timestamp::now());
    let deployment = model::deployment(
        &project,
        model::NewDeployment {
            id: model::uuid(2, 2),
            branch: "main",
            commit_hash: "a".repeat(40),
            commit_message: "m",
            created: Timestamp::now(),
            trigger: DeploymentTriggerType::AdHoc,
            queued: true,
        },
    );
    model::deployment_json(&deployment)
}

fn errors_of(result: Value, path: &str, method: &str) -> Vec<String> {
    let body = json!({"success": true, "errors": [], "messages": [], "result": result});
    check_response(method, path, 200, body.to_string().as_bytes())
}

#[test]
fn the_check_accepts_the_fakes_bodies_and_rejects_broken_ones() {
    let path = format!("/accounts/{ACCOUNT}/pages/projects/blog/deployments");
    let good = sample_deployment();
    assert_eq!(good["id"].as_str().map(str::len), Some(36), "{good:#}");
    assert_eq!(good["latest_stage"]["ended_on"], Value::Null, "{good:#}");
    assert_eq!(errors_of(good.clone(), &path, "POST"), Vec::<String>::new());

    let broken = |change: &dyn Fn(&mut Value)| {
        let mut value = good.clone();
        change(&mut value);
        errors_of(value, &path, "POST")
    };
    let missing = broken(&|d| {
        d.as_object_mut().unwrap().remove("aliases");
    });
    assert!(
        missing[0].contains("required property aliases"),
        "{missing:?}"
    );
    let not_nullable = broken(&|d| d["short_id"] = Value::Null);
    assert!(
        not_nullable[0].contains("/result/short_id: null"),
        "{not_nullable:?}"
    );
    let bad_enum = broken(&|d| d["deployment_trigger"]["type"] = json!("push"));
    assert!(
        bad_enum[0].contains("\"push\" is not one of"),
        "{bad_enum:?}"
    );
    let bad_name = broken(&|d| d["project_name"] = json!("<b>Blog</b>"));
    assert!(bad_name[0].contains("does not match"), "{bad_name:?}");
    let bad_time = broken(&|d| d["created_on"] = json!("2026-07-14T09:21:00"));
    assert!(bad_time[0].contains("RFC 3339"), "{bad_time:?}");
    let bad_env_var = broken(&|d| d["env_vars"]["X"] = json!({"type": "plain_text"}));
    assert!(bad_env_var[0].contains("anyOf"), "{bad_env_var:?}");

    // The component on its own; a failure has its own schema (at least one error).
    let schema = json!({"$ref": "#/components/schemas/deployment"});
    let mut errors = Vec::new();
    validate(&good, &schema, "", &mut errors);
    assert!(errors.is_empty(), "{errors:?}");
    let failure = json!({"success": false, "errors": [{"code": 8000007, "message": "Project not found"}], "messages": [], "result": null});
    let body = failure.to_string();
    assert!(check_response("GET", &path, 404, body.as_bytes()).is_empty());
    let no_errors = json!({"success": false, "errors": [], "messages": [], "result": null});
    assert!(!check_response("GET", &path, 404, no_errors.to_string().as_bytes()).is_empty());
}

#[tokio::test]
async fn every_route_of_the_fake_answers_within_the_schema() {
    let fake = FakeApi::start().await;
    fake.add_project("blog", "main");
    let client = fake.client();
    let projects = client.projects();
    // No deployments yet: `canonical_deployment` and `latest_deployment` are null, not absent.
    let project = projects.get(ACCOUNT, "blog").send().await.unwrap();
    assert!(project.canonical_deployment.is_none() && project.latest_deployment.is_none());
    let old = fake.add_deployment("blog", "main", 9 * DAY, "Old");
    fake.add_deployment("blog", "feature", DAY, "Preview");
    fake.hide_branch("blog", &old);

    let deployments = client.deployments();
    let created = deployments
        .create(ACCOUNT, "blog")
        .branch("feature")
        .commit_message("Try the new layout")
        .send()
        .await
        .unwrap();
    assert_eq!(created.commit_message(), Some("Try the new layout"));
    assert_eq!(created.latest_stage.status, StageStatus::Active);
    let listed: Vec<_> = deployments
        .list(ACCOUNT, "blog")
        .per_page(2)
        .stream()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(listed.len(), 3);
    let hidden = listed.iter().find(|d| d.id == old).unwrap();
    assert_eq!(hidden.branch(), Some(""));
    let previews = deployments
        .list(ACCOUNT, "blog")
        .env(Environment::Preview)
        .send()
        .await
        .unwrap();
    assert_eq!(previews.len(), 2);
    // A builder owns its client: the request can be spawned.
    let fetched = tokio::spawn(deployments.get(ACCOUNT, "blog", &created.id).send())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(fetched.id, created.id);
    deployments
        .delete(ACCOUNT, "blog", &old)
        .send()
        .await
        .unwrap_err(); // the live one
    let project = projects.get(ACCOUNT, "blog").send().await.unwrap();
    assert_eq!(project.canonical_deployment.unwrap().id, old);
    assert_eq!(project.latest_deployment.unwrap().id, created.id);
    projects.get(ACCOUNT, "ghost").send().await.unwrap_err();
    assert_eq!(fake.schema_violations(), Vec::<String>::new());
}

#[tokio::test]
async fn the_direct_upload_routes_answer_within_the_schema() {
    let fake = FakeApi::start().await;
    fake.add_project("blog", "main");
    let client = fake.client();
    let token = client
        .projects()
        .upload_token(ACCOUNT, "blog")
        .send()
        .await
        .unwrap();
    let content = b"<h1>Hello</h1>\n";
    let hash = fake_api::assets::asset_hash(content, "html");
    let assets = client.assets();
    let missing = assets
        .check_missing(&token.jwt, vec![hash.clone()])
        .send()
        .await
        .unwrap();
    assert_eq!(missing, std::slice::from_ref(&hash));
    let file = AssetUploadRequest::new(
        true,
        hash.clone(),
        AssetUploadMetadataRequest::new("text/html"),
        STANDARD.encode(content),
    );
    assets.upload(&token.jwt, vec![file]).send().await.unwrap();
    assets
        .upsert_hashes(&token.jwt, vec![hash.clone()])
        .send()
        .await
        .unwrap();
    assert_eq!(fake.upserted("blog").len(), 1);
    // Only an upload token the fake issued opens the asset calls (401, code 8000013).
    let err = assets
        .check_missing("not-a-jwt", Vec::new())
        .send()
        .await
        .unwrap_err();
    assert!(err.has_code(8000013), "{err}");

    let deployments = client.deployments();
    let created = deployments
        .create(ACCOUNT, "blog")
        .manifest(json!({ "/index.html": hash }).to_string())
        .headers(String::from("/*\n  X-Frame-Options: DENY\n"))
        .commit_dirty(CommitDirty::True)
        .send()
        .await
        .unwrap();
    assert!(created.deployment_trigger.metadata.commit_dirty);
    let form = &fake.deployment_forms("blog")[0];
    assert_eq!(form["_headers"], "/*\n  X-Frame-Options: DENY\n");
    assert_eq!(form["commit_dirty"], "true");
    // A manifest naming a file never uploaded is refused (400, code 8000096).
    let err = deployments
        .create(ACCOUNT, "blog")
        .manifest(json!({ "/a.html": "0".repeat(32) }).to_string())
        .send()
        .await
        .unwrap_err();
    assert!(err.has_code(8000096), "{err}");
    assert_eq!(fake.ids("blog").len(), 1);
    assert_eq!(fake.schema_violations(), Vec::<String>::new());
}

/// The benchmarks' bodies (`pages-api-types/benches/support/fixtures.rs`) decode into the
/// generated types and keep to the document, but for the offset-less timestamps they carry on
/// purpose (the API sends them; `Timestamp` reads them).
#[test]
fn the_benchmark_bodies_keep_to_the_schema() {
    let project_path = format!("/accounts/{ACCOUNT}/pages/projects/my-blog");
    let bodies = [
        (project_path.clone(), fixtures::project("my-blog")),
        (
            project_path.replace("my-blog", "tiny"),
            fixtures::tiny_project("tiny"),
        ),
        (
            format!("{project_path}/deployments"),
            fixtures::deployment_list(120),
        ),
    ];
    for (path, body) in &bodies {
        let errors: Vec<String> = check_response("GET", path, 200, body.as_bytes())
            .into_iter()
            .filter(|error| !error.contains("is not an RFC 3339 date-time"))
            .collect();
        assert_eq!(errors, Vec::<String>::new(), "{path}");
    }
    let project: Envelope<Project> = serde_json::from_str(&bodies[0].1).unwrap();
    let project = project.result.unwrap();
    assert_eq!(
        project
            .deployment_configs
            .production
            .services
            .unwrap()
            .len(),
        3
    );
    let tiny: Envelope<Project> = serde_json::from_str(&bodies[1].1).unwrap();
    assert_eq!(tiny.result.unwrap().name, "tiny");
    let list: Envelope<Vec<Deployment>> = serde_json::from_str(&bodies[2].1).unwrap();
    let list = list.result.unwrap();
    assert_eq!(list.len(), 120);
    assert!(list.iter().all(|d| d.id.len() == 36));
}
