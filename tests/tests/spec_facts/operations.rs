//! The 26 operations of `spec/pages.json`: methods, paths, parameters, request bodies,
//! security, responses and their examples, and the multipart form of create-deployment.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Value, json};

use crate::common::{
    collect_refs, is_asset_path, keys, operation, operation_id, operations, path_params, resolve,
    set, spec,
};

const JSON: Option<&str> = Some("application/json");
const FORM: Option<&str> = Some("multipart/form-data");

/// (operationId, method, path, content type of the request body if it has one)
#[rustfmt::skip]
const EXPECTED: [(&str, &str, &str, Option<&str>); 26] = [
    ("pages-project-get-projects", "get", "/accounts/{account_id}/pages/projects", None),
    ("pages-project-create-project", "post", "/accounts/{account_id}/pages/projects", JSON),
    ("pages-project-get-project", "get", "/accounts/{account_id}/pages/projects/{project_name}", None),
    ("pages-project-update-project", "patch", "/accounts/{account_id}/pages/projects/{project_name}", JSON),
    ("pages-project-delete-project", "delete", "/accounts/{account_id}/pages/projects/{project_name}", None),
    ("pages-project-connect-project-source", "post", "/accounts/{account_id}/pages/projects/{project_name}/source", JSON),
    ("pages-project-disconnect-project-source", "delete", "/accounts/{account_id}/pages/projects/{project_name}/source", None),
    ("pages-project-get-upload-token", "get", "/accounts/{account_id}/pages/projects/{project_name}/upload-token", None),
    ("pages-deployment-get-deployments", "get", "/accounts/{account_id}/pages/projects/{project_name}/deployments", None),
    ("pages-deployment-create-deployment", "post", "/accounts/{account_id}/pages/projects/{project_name}/deployments", FORM),
    ("pages-deployment-get-deployment-info", "get", "/accounts/{account_id}/pages/projects/{project_name}/deployments/{deployment_id}", None),
    ("pages-deployment-delete-deployment", "delete", "/accounts/{account_id}/pages/projects/{project_name}/deployments/{deployment_id}", None),
    ("pages-deployment-get-deployment-logs", "get", "/accounts/{account_id}/pages/projects/{project_name}/deployments/{deployment_id}/history/logs", None),
    ("pages-deployment-retry-deployment", "post", "/accounts/{account_id}/pages/projects/{project_name}/deployments/{deployment_id}/retry", None),
    ("pages-deployment-rollback-deployment", "post", "/accounts/{account_id}/pages/projects/{project_name}/deployments/{deployment_id}/rollback", None),
    ("pages-deployment-create-tail", "post", "/accounts/{account_id}/pages/projects/{project_name}/deployments/{deployment_id}/tails", JSON),
    ("pages-deployment-delete-tail", "delete", "/accounts/{account_id}/pages/projects/{project_name}/deployments/{deployment_id}/tails/{tail_id}", None),
    ("pages-domains-get-domains", "get", "/accounts/{account_id}/pages/projects/{project_name}/domains", None),
    ("pages-domains-add-domain", "post", "/accounts/{account_id}/pages/projects/{project_name}/domains", JSON),
    ("pages-domains-get-domain", "get", "/accounts/{account_id}/pages/projects/{project_name}/domains/{domain_name}", None),
    ("pages-domains-patch-domain", "patch", "/accounts/{account_id}/pages/projects/{project_name}/domains/{domain_name}", None),
    ("pages-domains-delete-domain", "delete", "/accounts/{account_id}/pages/projects/{project_name}/domains/{domain_name}", None),
    ("pages-purge-build-cache", "post", "/accounts/{account_id}/pages/projects/{project_name}/purge_build_cache", None),
    ("pages-assets-check-missing", "post", "/pages/assets/check-missing", JSON),
    ("pages-assets-upload", "post", "/pages/assets/upload", JSON),
    ("pages-assets-upsert-hashes", "post", "/pages/assets/upsert-hashes", JSON),
];

/// The three paged listings (their success envelope carries `result_info`).
const LISTS: [&str; 3] = [
    "pages-project-get-projects",
    "pages-deployment-get-deployments",
    "pages-domains-get-domains",
];

#[test]
fn all_26_operations_exist_with_their_methods_paths_and_request_bodies() {
    let doc = spec();
    let all = operations(&doc);
    let found: BTreeMap<String, (String, String, Option<String>)> = all
        .iter()
        .map(|(path, method, op)| {
            let body = op.get("requestBody").map(|body| {
                let types: Vec<&String> = body["content"]
                    .as_object()
                    .expect("content")
                    .keys()
                    .collect();
                assert_eq!(
                    types.len(),
                    1,
                    "{}: one request content type",
                    operation_id(op)
                );
                assert_eq!(
                    body["required"],
                    true,
                    "{}: the request body is required",
                    operation_id(op)
                );
                types[0].clone()
            });
            (
                operation_id(op).to_string(),
                (method.clone(), path.clone(), body),
            )
        })
        .collect();
    let expected: BTreeMap<String, (String, String, Option<String>)> = EXPECTED
        .iter()
        .map(|(id, method, path, body)| {
            (
                id.to_string(),
                (
                    method.to_string(),
                    path.to_string(),
                    body.map(str::to_string),
                ),
            )
        })
        .collect();
    assert_eq!(found, expected);
    assert_eq!(all.len(), 26, "an operationId is used twice");
}

#[test]
fn path_parameters_are_declared_required_and_typed() {
    let doc = spec();
    // Each path parameter and the schema it takes. Deployment and tail ids still use the
    // 32-character `identifier` upstream; the overlay gives deployment ids their own schema.
    let schemas: BTreeMap<&str, &str> = [
        ("account_id", "pages_identifier"),
        ("project_name", "pages_project_name"),
        ("deployment_id", "pages_identifier"),
        ("tail_id", "pages_identifier"),
        ("domain_name", "pages_domain_name"),
    ]
    .into();
    for (path, method, op) in operations(&doc) {
        assert!(
            doc["paths"][&path]
                .as_object()
                .expect("path item")
                .keys()
                .all(|k| k != "parameters"),
            "{path}: parameters are declared per operation"
        );
        let in_path: BTreeSet<String> = path_params(&path).into_iter().collect();
        assert_eq!(
            in_path.contains("account_id"),
            !is_asset_path(&path),
            "{method} {path}: every operation but the asset ones is an account's"
        );
        let mut declared = BTreeSet::new();
        for p in op["parameters"].as_array().into_iter().flatten() {
            if p["in"] != "path" {
                continue;
            }
            let name = p["name"].as_str().expect("parameter name");
            assert_eq!(
                p["required"], true,
                "{method} {path}: `{name}` is not required"
            );
            let schema = schemas
                .get(name)
                .unwrap_or_else(|| panic!("{method} {path}: unexpected path parameter `{name}`"));
            assert_eq!(
                p["schema"],
                json!({"$ref": format!("#/components/schemas/{schema}")}),
                "{method} {path}: schema of `{name}`"
            );
            assert!(
                declared.insert(name.to_string()),
                "{method} {path}: `{name}` twice"
            );
        }
        assert_eq!(
            declared, in_path,
            "{method} {path}: declared path parameters"
        );
    }
}

#[test]
fn non_asset_operations_offer_both_credentials_and_asset_operations_only_the_upload_jwt() {
    let doc = spec();
    let account = json!([{"api_token": []}, {"api_email": [], "api_key": []}]);
    let upload = json!([{"pages_upload_token": []}]);
    let mut assets = 0;
    for (path, method, op) in operations(&doc) {
        let expected = if is_asset_path(&path) {
            assets += 1;
            &upload
        } else {
            &account
        };
        assert_eq!(&op["security"], expected, "{method} {path}: security");
    }
    assert_eq!(assets, 3, "the three /pages/assets/* operations");
}

#[test]
fn every_operation_has_a_200_and_a_4xx_response_with_the_envelopes() {
    let doc = spec();
    for (_, _, op) in operations(&doc) {
        let id = operation_id(&op);
        let responses = &op["responses"];
        assert_eq!(keys(responses), set(["200", "4XX"]), "{id}: responses");
        for status in ["200", "4XX"] {
            assert!(
                responses[status]["description"]
                    .as_str()
                    .is_some_and(|d| !d.is_empty()),
                "{id}: the {status} response has no description"
            );
            assert_eq!(
                keys(&responses[status]["content"]),
                set(["application/json"]),
                "{id}: {status} content types"
            );
        }
        assert_eq!(
            responses["4XX"]["content"]["application/json"]["schema"],
            json!({"$ref": "#/components/schemas/pages_api-response-common-failure"}),
            "{id}: the 4XX body is the failure envelope"
        );
        let success = collect_refs(&responses["200"]["content"]["application/json"]["schema"]);
        let envelope = if LISTS.contains(&id) {
            "#/components/schemas/pages_api-response-collection"
        } else {
            "#/components/schemas/pages_api-response-common"
        };
        assert!(
            success.iter().any(|r| r == envelope)
                || success.iter().any(|r| {
                    // The check-missing response is a component that is itself the envelope.
                    let target = doc
                        .pointer(r.trim_start_matches('#'))
                        .expect("ref resolves");
                    collect_refs(target).iter().any(|inner| inner == envelope)
                }),
            "{id}: the 200 body is built on {envelope}"
        );
        // An envelope with a typed `result` requires it (the asset operations that return
        // nothing use the bare envelope).
        let schema = resolve(
            &doc,
            &responses["200"]["content"]["application/json"]["schema"],
            0,
        );
        if schema.get("allOf").is_some() {
            assert_eq!(
                envelope_required(&schema),
                set(["errors", "messages", "result", "success"]),
                "{id}: required members of the 200 body"
            );
        }
    }
    let failure = &doc["components"]["schemas"]["pages_api-response-common-failure"];
    assert_eq!(failure["properties"]["success"]["enum"], json!([false]));
    assert_eq!(
        failure["required"],
        json!(["success", "errors", "messages", "result"])
    );
    let common = &doc["components"]["schemas"]["pages_api-response-common"];
    assert_eq!(common["properties"]["success"]["enum"], json!([true]));
    assert_eq!(common["required"], json!(["success", "errors", "messages"]));
}

/// The members a (resolved) envelope requires: its own and those of its `allOf` members, at
/// any depth.
pub fn envelope_required(schema: &Value) -> BTreeSet<String> {
    let mut required: BTreeSet<String> = schema["required"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|n| n.as_str().expect("a property name").to_string())
        .collect();
    for member in schema["allOf"].as_array().into_iter().flatten() {
        required.extend(envelope_required(member));
    }
    required
}

#[test]
fn every_success_response_has_a_full_envelope_example() {
    let doc = spec();
    for (_, _, op) in operations(&doc) {
        let id = operation_id(&op);
        let example = &op["responses"]["200"]["content"]["application/json"]["example"];
        assert_eq!(example["success"], true, "{id}: example success");
        assert_eq!(example["errors"], json!([]), "{id}: example errors");
        assert_eq!(example["messages"], json!([]), "{id}: example messages");
        assert!(
            example.get("result").is_some(),
            "{id}: example has no result"
        );
        let is_list = LISTS.contains(&id);
        assert_eq!(
            example.get("result_info").is_some(),
            is_list,
            "{id}: result_info only (and always) on lists"
        );
        if is_list {
            assert!(
                example["result"].as_array().is_some_and(|r| !r.is_empty()),
                "{id}: list example has no items"
            );
            let info = &example["result_info"];
            for field in ["count", "page", "per_page", "total_count", "total_pages"] {
                assert!(info[field].is_number(), "{id}: result_info.{field}");
            }
        }
    }
}

#[test]
fn list_operations_take_paging_and_the_deployment_list_an_environment() {
    let doc = spec();
    let query = |id: &str| -> BTreeMap<String, Value> {
        let (_, _, op) = operation(&doc, id);
        op["parameters"]
            .as_array()
            .expect("parameters")
            .iter()
            .filter(|p| p["in"] == "query")
            .map(|p| {
                assert_ne!(
                    p["required"], true,
                    "{id}: query `{}` is optional",
                    p["name"]
                );
                (
                    p["name"].as_str().expect("name").to_string(),
                    resolve(&doc, &p["schema"], 0),
                )
            })
            .collect()
    };
    for id in [
        "pages-project-get-projects",
        "pages-deployment-get-deployments",
    ] {
        let q = query(id);
        for name in ["page", "per_page"] {
            assert_eq!(
                q.get(name).map(|s| &s["type"]),
                Some(&json!("integer")),
                "{id}: query `{name}`"
            );
        }
    }
    let deployments = query("pages-deployment-get-deployments");
    assert_eq!(
        deployments.keys().collect::<Vec<_>>(),
        ["env", "page", "per_page"],
        "list-deployments query parameters"
    );
    assert_eq!(deployments["env"]["type"], "string");
    assert_eq!(deployments["env"]["enum"], json!(["production", "preview"]));
    let delete = query("pages-deployment-delete-deployment");
    assert_eq!(
        delete.keys().collect::<Vec<_>>(),
        ["force"],
        "delete-deployment query"
    );
    assert_eq!(delete["force"]["type"], "boolean");
}

/// The multipart form of create-deployment: 13 fields, the files among them binary parts, each
/// with the content type it is sent with.
#[test]
fn the_create_deployment_form_has_13_fields_and_typed_file_parts() {
    let doc = spec();
    let (_, _, op) = operation(&doc, "pages-deployment-create-deployment");
    let media = &op["requestBody"]["content"]["multipart/form-data"];
    let form = resolve(&doc, &media["schema"], 0);
    assert_eq!(form["type"], "object");
    assert!(
        form.get("required").is_none(),
        "every form field is optional"
    );
    let fields = form["properties"].as_object().expect("form properties");
    let files = set([
        "_headers",
        "_redirects",
        "_routes.json",
        "_worker.bundle",
        "_worker.js",
        "functions-filepath-routing-config.json",
    ]);
    let texts = set([
        "branch",
        "commit_dirty",
        "commit_hash",
        "commit_message",
        "manifest",
        "pages_build_output_dir",
        "wrangler_config_hash",
    ]);
    assert_eq!(fields.len(), 13, "form fields: {:?}", fields.keys());
    assert_eq!(
        keys(&form["properties"]),
        files.union(&texts).cloned().collect(),
        "form fields"
    );
    for (name, field) in fields {
        assert_eq!(field["type"], "string", "form field `{name}`");
        let binary = field["format"] == "binary";
        assert_eq!(
            binary,
            files.contains(name),
            "`{name}`: format binary iff a file part"
        );
    }
    assert_eq!(fields["commit_dirty"]["enum"], json!(["true", "false"]));

    let encoding = &media["encoding"];
    for name in &files {
        assert!(
            encoding[name]["contentType"]
                .as_str()
                .is_some_and(|t| t.contains('/')),
            "file part `{name}` has no encoding content type"
        );
    }
    assert!(
        keys(encoding).iter().all(|k| fields.contains_key(k)),
        "encoding names a field the form lacks: {:?}",
        keys(encoding)
    );
    assert_eq!(encoding["manifest"]["contentType"], "application/json");
    assert_eq!(encoding["_routes.json"]["contentType"], "application/json");
    assert_eq!(encoding["_headers"]["contentType"], "text/plain");
    assert_eq!(encoding["_redirects"]["contentType"], "text/plain");
}
