//! Bad input never panics: each broken document fails with the JSON pointer of the problem and
//! what was expected there.

use serde_json::{Value, json};
use xtask::codegen::{self, InputError};

fn overlay() -> Value {
    json!({"overlay": "1.0.0", "info": {"title": "none", "version": "1"}, "actions": []})
}

/// A minimal valid document with one operation, to break in one place per test.
fn document() -> Value {
    json!({
        "openapi": "3.0.3",
        "info": {"title": "t", "version": "1"},
        "paths": {"/accounts/{account_id}/pages/projects": {"post": {
            "operationId": "pages-project-create-project",
            "parameters": [{"in": "path", "name": "account_id", "required": true, "schema": {"type": "string"}}],
            "requestBody": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/projects"}}}},
            "responses": {"200": {"description": "ok"}}
        }}},
        "components": {"schemas": {"projects": {"type": "object", "properties": {"name": {"type": "string"}}}}}
    })
}

fn fail(doc: Value) -> InputError {
    match codegen::prepare(&doc, "spec/pages.json", &overlay()) {
        Ok(_) => panic!("expected an error"),
        Err(e) => e,
    }
}

const OP: &str = "#/paths/~1accounts~1{account_id}~1pages~1projects/post";

#[test]
fn the_valid_document_generates() {
    assert!(codegen::prepare(&document(), "spec/pages.json", &overlay()).is_ok());
}

#[test]
fn a_dangling_ref() {
    let mut doc = document();
    doc["components"]["schemas"]["projects"]["properties"]["owner"] =
        json!({"$ref": "#/components/schemas/owner"});
    let err = fail(doc);
    assert_eq!(
        err.error.pointer,
        "#/components/schemas/projects/properties/owner/$ref"
    );
    assert!(
        err.error.message.contains("#/components/schemas/owner"),
        "{err}"
    );
    assert!(
        err.to_string()
            .starts_with("spec/pages.json: #/components/"),
        "{err}"
    );
}

#[test]
fn a_wrong_type() {
    let mut doc = document();
    doc["components"]["schemas"]["projects"]["properties"]["name"] = json!({"type": "strin"});
    let err = fail(doc);
    assert_eq!(
        err.error.pointer,
        "#/components/schemas/projects/properties/name/type"
    );
    assert!(
        err.error.message.contains("expected one of string"),
        "{err}"
    );
}

#[test]
fn a_value_of_the_wrong_json_kind() {
    let mut doc = document();
    doc["paths"]["/accounts/{account_id}/pages/projects"]["post"]["parameters"][0]["required"] =
        json!("yes");
    let err = fail(doc);
    assert!(
        err.error.pointer.starts_with(&format!("{OP}/parameters/0")),
        "{err}"
    );
    assert!(
        err.error.message.starts_with("expected valid OpenAPI 3.0"),
        "{err}"
    );
}

#[test]
fn an_operation_without_operation_id() {
    let mut doc = document();
    doc["paths"]["/accounts/{account_id}/pages/projects"]["post"]
        .as_object_mut()
        .unwrap()
        .remove("operationId");
    let err = fail(doc);
    assert_eq!(err.error.pointer, OP);
    assert_eq!(err.error.message, "expected an operationId");
}

#[test]
fn unsupported_constructs() {
    let mut doc = document();
    doc["paths"]["/accounts/{account_id}/pages/projects"]["post"]["requestBody"]["content"] =
        json!({"application/xml": {}});
    let err = fail(doc);
    assert_eq!(err.error.pointer, format!("{OP}/requestBody/content"));
    assert!(err.error.message.contains("application/xml"), "{err}");

    let mut doc = document();
    doc["components"]["schemas"]["projects"]["properties"]["name"] =
        json!({"not": {"type": "string"}});
    assert_eq!(
        fail(doc).error.pointer,
        "#/components/schemas/projects/properties/name/not"
    );

    let mut doc = document();
    doc["paths"]["/accounts/{account_id}/pages/projects"]["post"]["parameters"]
        .as_array_mut()
        .unwrap()
        .push(json!({"in": "header", "name": "X-Thing", "schema": {"type": "string"}}));
    let err = fail(doc);
    assert_eq!(err.error.pointer, format!("{OP}/parameters/1"));
    assert!(err.error.message.contains("header"), "{err}");
}

#[test]
fn a_recursive_schema() {
    let mut doc = document();
    doc["components"]["schemas"]["projects"]["properties"]["parent"] =
        json!({"$ref": "#/components/schemas/projects"});
    let err = fail(doc);
    assert_eq!(err.error.pointer, "#/components/schemas/projects");
    assert!(err.error.message.contains("recursive"), "{err}");
}

#[test]
fn no_pages_paths_and_malformed_json() {
    let mut doc = document();
    doc["paths"] = json!({"/zones/{zone_id}/dns_records": {}});
    assert_eq!(fail(doc).error.pointer, "#/paths");
    let err = xtask::load::parse_json("{\"openapi\": \"3.0.3\",\n  \"paths\": {,}}").unwrap_err();
    assert!(err.message.contains("line 2"), "{err}");
}

#[test]
fn a_broken_overlay_names_the_overlay() {
    let bad = json!({"overlay": "1.0.0", "actions": [{"target": "$.paths[", "update": {}}]});
    let err = codegen::prepare(&document(), "spec/pages.json", &bad)
        .err()
        .expect("an error");
    assert_eq!(err.file, "spec/overlay.json");
    assert_eq!(err.error.pointer, "#/actions/0/target");
}
