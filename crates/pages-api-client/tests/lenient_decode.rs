//! One field of an unexpected type never sinks a response: the client drops what does not fit
//! (a field, a list element, the object lacking a required field), lists it in
//! `Envelope::dropped`, and keeps the rest. Good bodies take the fast path (nothing dropped).

mod support;

use pages_api_client::Error;
use pages_api_types::{Envelope, Project};
use serde_json::{Value, json};
use support::*;

fn config() -> Value {
    json!({
        "always_use_latest_compatibility_date": false,
        "build_image_major_version": 3,
        "compatibility_date": "2025-01-01",
        "compatibility_flags": ["nodejs_compat"],
        "env_vars": null,
        "fail_open": true,
        "usage_model": "standard"
    })
}

fn project(name: &str) -> Value {
    json!({
        "created_on": "2025-01-02T03:04:05.678Z",
        "deployment_configs": {"preview": config(), "production": config()},
        "framework": "",
        "framework_version": "",
        "id": format!("{name}-id"),
        "name": name,
        "preview_script_name": "",
        "production_branch": "main",
        "production_script_name": "",
        "subdomain": format!("{name}.pages.dev")
    })
}

fn envelope(result: Value) -> Value {
    json!({"success": true, "errors": [], "messages": [], "result": result,
           "result_info": {"page": 1, "per_page": 25, "count": 3, "total_count": 3, "total_pages": 1}})
}

async fn server_with(body: Value) -> Server {
    serve(move |_, _| Reply::json(200, body.clone())).await
}

async fn list_projects(body: Value) -> Result<Envelope<Vec<Project>>, Error> {
    let server = server_with(body).await;
    client(&server)
        .build()
        .unwrap()
        .projects()
        .list("acc")
        .send_envelope()
        .await
}

async fn get_project(body: Value) -> Result<Envelope<Project>, Error> {
    let server = server_with(body).await;
    client(&server)
        .build()
        .unwrap()
        .projects()
        .get("acc", "blog")
        .send_envelope()
        .await
}

fn decode_message(err: &Error) -> String {
    match err {
        Error::Decode { source, .. } => source.to_string(),
        other => panic!("expected a decode error, got {other:?}"),
    }
}

#[tokio::test]
async fn good_bodies_take_the_fast_path() {
    let env = list_projects(envelope(json!([project("a"), project("b")])))
        .await
        .unwrap();
    assert_eq!(env.result.unwrap().len(), 2);
    assert!(env.dropped.is_empty(), "{:?}", env.dropped);
}

#[tokio::test]
async fn one_bad_field_in_a_list_element_is_dropped() {
    let mut second = project("b");
    second["subdomain"] = json!(5);
    let body = envelope(json!([project("a"), second, project("c")]));
    let env = list_projects(body.clone()).await.unwrap();
    let projects = env.result.unwrap();
    assert_eq!(projects.len(), 3);
    assert_eq!(projects[1].name, "b");
    assert_eq!(projects[1].subdomain, None);
    assert_eq!(projects[0].subdomain.as_deref(), Some("a.pages.dev"));
    assert_eq!(env.dropped.len(), 1, "{:?}", env.dropped);
    assert_eq!(env.dropped[0].path, "result[1].subdomain");
    assert!(
        env.dropped[0].reason.contains("invalid type"),
        "{:?}",
        env.dropped[0]
    );

    // all() goes the same way: one odd field does not sink the list.
    let server = server_with(body).await;
    let all = client(&server)
        .build()
        .unwrap()
        .projects()
        .list("acc")
        .all()
        .await
        .unwrap();
    assert_eq!(all.len(), 3);
}

#[tokio::test]
async fn a_bad_field_in_a_required_nested_object_drops_that_element() {
    let mut second = project("b");
    second["deployment_configs"]["production"]["compatibility_flags"] = json!({"a": 1});
    let env = list_projects(envelope(json!([project("a"), second, project("c")])))
        .await
        .unwrap();
    let names: Vec<_> = env.result.unwrap().into_iter().map(|p| p.name).collect();
    assert_eq!(names, ["a", "c"]);
    assert_eq!(env.dropped.len(), 1, "{:?}", env.dropped);
    let dropped = &env.dropped[0];
    assert_eq!(dropped.path, "result[1]");
    // The reason tells the whole story, down to the field that did not fit.
    assert!(
        dropped
            .reason
            .contains("result[1].deployment_configs.production.compatibility_flags"),
        "{dropped:?}"
    );
}

#[tokio::test]
async fn later_elements_are_reported_at_their_index_in_the_body() {
    let mut bad = project("x");
    bad["name"] = json!(1);
    let env = list_projects(envelope(json!([
        bad.clone(),
        project("a"),
        bad,
        project("b")
    ])))
    .await
    .unwrap();
    let paths: Vec<_> = env.dropped.iter().map(|d| d.path.as_str()).collect();
    assert_eq!(paths, ["result[0]", "result[2]"]);
    assert_eq!(env.result.unwrap().len(), 2);
}

#[tokio::test]
async fn an_empty_array_for_a_project_is_an_empty_object_which_lacks_required_fields() {
    // `[]` stands for `{}`; a project requires `id`, `name`, ..., so `{}` is not a project.
    let err = get_project(envelope(json!([]))).await.unwrap_err();
    let message = decode_message(&err);
    assert!(message.contains("at `result`"), "{message}");
    assert!(message.contains("missing field"), "{message}");
}

#[tokio::test]
async fn a_list_where_one_project_is_expected_is_an_error_naming_the_path() {
    let err = get_project(envelope(json!([project("a"), project("b")])))
        .await
        .unwrap_err();
    let message = decode_message(&err);
    assert!(message.contains("at `result`"), "{message}");
    assert!(message.contains("sequence"), "{message}");
}

#[tokio::test]
async fn an_array_where_a_nested_object_is_expected_is_dropped() {
    // A generated struct refuses a non-empty array for an object: the lenient path drops that node.
    let mut p = project("a");
    p["build_config"] = json!([1, 2]);
    let env = get_project(envelope(p)).await.unwrap();
    let project = env.result.unwrap();
    assert!(project.build_config.is_none());
    assert_eq!(env.dropped.len(), 1);
    assert_eq!(env.dropped[0].path, "result.build_config");
    assert!(
        env.dropped[0].reason.contains("sequence"),
        "{:?}",
        env.dropped
    );
}

#[tokio::test]
async fn an_ai_binding_project_id_the_document_leaves_untyped_is_dropped_not_fatal() {
    // The 2024 documents type `ai_bindings.*.project_id` as `{}` (anything); the overlay
    // narrows it to a string. A body the document allows (`project_id: 7`) then loses that
    // binding, not the project.
    let mut p = project("a");
    p["deployment_configs"]["production"]["ai_bindings"] =
        json!({"AI": {"project_id": 7}, "OTHER": {"project_id": "p"}});
    let env = get_project(envelope(p)).await.unwrap();
    let project = env.result.unwrap();
    let bindings = project
        .deployment_configs
        .production
        .ai_bindings
        .expect("the other binding is kept");
    assert_eq!(bindings.len(), 1);
    assert!(bindings.contains_key("OTHER"));
    assert_eq!(env.dropped.len(), 1, "{:?}", env.dropped);
    assert_eq!(
        env.dropped[0].path,
        "result.deployment_configs.production.ai_bindings.AI"
    );
}

#[tokio::test]
async fn a_body_that_is_not_json_keeps_the_parser_error() {
    let server = serve(|_, _| Reply::raw(200, "{\"result\": ")).await;
    let err = client(&server)
        .build()
        .unwrap()
        .projects()
        .get("acc", "blog")
        .send()
        .await
        .unwrap_err();
    let message = decode_message(&err);
    assert!(message.contains("line 1"), "{message}");
}
