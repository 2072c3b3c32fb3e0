//! Facts about `spec/pages.json` and `spec/overlay.json` that must hold whatever else changes:
//! the create-project operation matches the operation a user gave us field for field, the 18
//! operations exist with their methods, paths, security and responses, the paths are the ones
//! Cloudflare publishes, and both files are in the form the generator and reviewers expect.
//!
//! Only `serde_json` and `std`: these tests read JSON and compare trees.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use serde_json::{Map, Value, json};

// ------------------------------------------------------------------------------------------------
// Files

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("tests/ has a parent")
        .to_path_buf()
}

/// `../shared` beside the checkout: the seed operation and Cloudflare's published documents.
/// Not part of the repository; tests that need it skip (with a message) when it is absent.
fn shared_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared")
}

fn read_text(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("reading {}: {e}", path.display()))
}

fn read_json(path: &Path) -> Value {
    serde_json::from_str(&read_text(path))
        .unwrap_or_else(|e| panic!("parsing {}: {e}", path.display()))
}

fn spec_path() -> PathBuf {
    workspace_root().join("spec/pages.json")
}

fn spec() -> Value {
    read_json(&spec_path())
}

fn overlay() -> Value {
    read_json(&workspace_root().join("spec/overlay.json"))
}

// ------------------------------------------------------------------------------------------------
// Helpers

const METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// `/accounts/{account_identifier}/pages/projects/{project_name}` -> `/accounts/{}/pages/projects/{}`.
fn path_shape(path: &str) -> String {
    let mut out = String::new();
    let mut in_param = false;
    for c in path.chars() {
        match c {
            '{' => {
                in_param = true;
                out.push_str("{}");
            }
            '}' => in_param = false,
            _ if in_param => {}
            _ => out.push(c),
        }
    }
    out
}

/// The names between braces in a path template, in order.
fn path_params(path: &str) -> Vec<String> {
    path.split('{')
        .skip(1)
        .filter_map(|s| s.split_once('}').map(|(name, _)| name.to_string()))
        .collect()
}

/// Every operation of a document: (path, method, operation).
fn operations(doc: &Value) -> Vec<(String, String, Value)> {
    let mut out = Vec::new();
    for (path, item) in doc["paths"].as_object().expect("paths is an object") {
        for (method, op) in item.as_object().expect("a path item is an object") {
            if METHODS.contains(&method.as_str()) {
                out.push((path.clone(), method.clone(), op.clone()));
            }
        }
    }
    out
}

fn operation(doc: &Value, operation_id: &str) -> (String, String, Value) {
    operations(doc)
        .into_iter()
        .find(|(_, _, op)| op["operationId"] == operation_id)
        .unwrap_or_else(|| panic!("no operation `{operation_id}` in spec/pages.json"))
}

/// Replaces every local `$ref` by (a resolved copy of) what it points to.
fn resolve(doc: &Value, value: &Value, depth: usize) -> Value {
    assert!(
        depth < 64,
        "`$ref`s nested more than 64 deep: a reference cycle?"
    );
    match value {
        Value::Object(map) => {
            if let Some(Value::String(reference)) = map.get("$ref") {
                let pointer = reference
                    .strip_prefix('#')
                    .unwrap_or_else(|| panic!("non-local $ref `{reference}`"));
                let target = doc
                    .pointer(pointer)
                    .unwrap_or_else(|| panic!("dangling $ref `{reference}`"));
                return resolve(doc, target, depth + 1);
            }
            Value::Object(
                map.iter()
                    .map(|(k, v)| (k.clone(), resolve(doc, v, depth + 1)))
                    .collect(),
            )
        }
        Value::Array(items) => {
            Value::Array(items.iter().map(|v| resolve(doc, v, depth + 1)).collect())
        }
        other => other.clone(),
    }
}

/// The facts of a (resolved) schema tree: everything but prose and sample data. `description`,
/// `summary`, `example` and `title` are dropped where they are keywords; inside a `properties`
/// map the keys are property names and are all kept.
fn facts(value: &Value) -> Value {
    fn walk(value: &Value, keys_are_names: bool) -> Value {
        match value {
            Value::Object(map) => Value::Object(
                map.iter()
                    .filter(|(k, _)| {
                        keys_are_names
                            || !matches!(
                                k.as_str(),
                                "description" | "summary" | "example" | "title"
                            )
                    })
                    .map(|(k, v)| (k.clone(), walk(v, !keys_are_names && k == "properties")))
                    .collect(),
            ),
            Value::Array(items) => Value::Array(items.iter().map(|v| walk(v, false)).collect()),
            other => other.clone(),
        }
    }
    walk(value, false)
}

/// Where two JSON trees differ, as `pointer: left | right` lines (empty when equal).
fn differences(left: &Value, right: &Value) -> Vec<String> {
    fn walk(a: &Value, b: &Value, at: String, out: &mut Vec<String>) {
        match (a, b) {
            (Value::Object(x), Value::Object(y)) => {
                let keys: BTreeSet<&String> = x.keys().chain(y.keys()).collect();
                for key in keys {
                    let here = format!("{at}/{}", key.replace('~', "~0").replace('/', "~1"));
                    match (x.get(key), y.get(key)) {
                        (Some(v), Some(w)) => walk(v, w, here, out),
                        (Some(v), None) => out.push(format!("{here}: {} | (absent)", short(v))),
                        (None, Some(w)) => out.push(format!("{here}: (absent) | {}", short(w))),
                        (None, None) => unreachable!(),
                    }
                }
            }
            (Value::Array(x), Value::Array(y)) if x.len() == y.len() => {
                for (i, (v, w)) in x.iter().zip(y).enumerate() {
                    walk(v, w, format!("{at}/{i}"), out);
                }
            }
            _ if a == b => {}
            _ => out.push(format!("{at}: {} | {}", short(a), short(b))),
        }
    }
    fn short(v: &Value) -> String {
        let s = v.to_string();
        if s.len() > 120 {
            format!("{}...", &s[..117])
        } else {
            s
        }
    }
    let mut out = Vec::new();
    walk(left, right, String::new(), &mut out);
    out
}

fn assert_same_facts(what: &str, ours: &Value, theirs: &Value) {
    let diffs = differences(&facts(ours), &facts(theirs));
    assert!(
        diffs.is_empty(),
        "{what} differs (pointer: spec/pages.json | seed):\n  {}",
        diffs.join("\n  ")
    );
}

// ------------------------------------------------------------------------------------------------
// The seed: the create-project operation as a user gave it

struct SeedOperation {
    path: String,
    method: String,
    tags: Vec<String>,
    operation_id: String,
    parameters: Value,
    request_body: Value,
    responses: Value,
    security: Value,
}

/// The seed file is plain lines: description, path, method, tag, operationId, then a run of JSON
/// values separated by whitespace (two `null`s, the parameters array, the requestBody object, the
/// responses object and the security array).
fn parse_seed(text: &str) -> SeedOperation {
    let mut lines = text.splitn(6, '\n');
    let mut header = || lines.next().expect("seed header line").trim().to_string();
    let _description = header();
    let path = header();
    let method = header();
    let tag = header();
    let operation_id = header();
    let rest = lines.next().expect("seed JSON after the header lines");
    let values: Vec<Value> = serde_json::Deserializer::from_str(rest)
        .into_iter::<Value>()
        .collect::<Result<_, _>>()
        .expect("the seed's JSON values parse");
    let mut arrays = values.iter().filter(|v| v.is_array());
    let mut objects = values.iter().filter(|v| v.is_object());
    let parameters = arrays.next().expect("seed parameters array").clone();
    let security = arrays.next().expect("seed security array").clone();
    let request_body = objects.next().expect("seed requestBody object").clone();
    let responses = objects.next().expect("seed responses object").clone();
    SeedOperation {
        path,
        method,
        tags: vec![tag],
        operation_id,
        parameters,
        request_body,
        responses,
        security,
    }
}

fn seed() -> Option<SeedOperation> {
    let path = shared_dir().join("seeds/create-project-operation.txt");
    if !path.exists() {
        println!("skipped: ../shared/seeds/create-project-operation.txt not present");
        return None;
    }
    Some(parse_seed(&read_text(&path)))
}

#[test]
fn create_project_matches_the_seed_operation() {
    let Some(seed) = seed() else { return };
    let doc = spec();
    let (path, method, op) = operation(&doc, &seed.operation_id);
    assert_eq!(path, seed.path);
    assert_eq!(method, seed.method);
    assert_eq!(op["tags"], json!(seed.tags));

    let ours = resolve(&doc, &op, 0);
    assert_same_facts("parameters", &ours["parameters"], &seed.parameters);
    assert_same_facts("requestBody", &ours["requestBody"], &seed.request_body);
    assert_same_facts("responses", &ours["responses"], &seed.responses);

    // Spelled out, so that a failure above cannot hide behind a stripped key: the request body's
    // top-level property names and the create call's required body.
    let body = &ours["requestBody"]["content"]["application/json"]["schema"];
    let names: Vec<&String> = body["properties"]
        .as_object()
        .expect("body properties")
        .keys()
        .collect();
    let seed_names: Vec<&String> =
        seed.request_body["content"]["application/json"]["schema"]["properties"]
            .as_object()
            .expect("seed body properties")
            .keys()
            .collect();
    assert_eq!(
        names.iter().collect::<BTreeSet<_>>(),
        seed_names.iter().collect::<BTreeSet<_>>()
    );
    assert_eq!(
        ours["requestBody"]["required"],
        seed.request_body["required"]
    );

    // The seed lists the key-and-email alternative; we list it too (beside the API token).
    for alternative in seed.security.as_array().expect("seed security") {
        assert!(
            op["security"]
                .as_array()
                .expect("security")
                .contains(alternative),
            "security alternative {alternative} of the seed is missing"
        );
    }
}

#[test]
fn seed_parser_reads_the_json_after_the_header() {
    let text = "Do a thing.\n/a/{b}\npost\nTag\nop-id\nnull null [\n{\"name\": \"b\"}\n] {\n\"required\": true\n} {\"200\": {}} [\n{\"k\": []}\n]\n";
    let seed = parse_seed(text);
    assert_eq!(
        (
            seed.path.as_str(),
            seed.method.as_str(),
            seed.operation_id.as_str()
        ),
        ("/a/{b}", "post", "op-id")
    );
    assert_eq!(seed.parameters, json!([{"name": "b"}]));
    assert_eq!(seed.request_body, json!({"required": true}));
    assert_eq!(seed.responses, json!({"200": {}}));
    assert_eq!(seed.security, json!([{"k": []}]));
}

// ------------------------------------------------------------------------------------------------
// The 18 operations

const ACCOUNT: &str = "/accounts/{}/pages/projects";

/// (operationId, method, path shape)
fn expected_operations() -> Vec<(&'static str, &'static str, String)> {
    let p = |suffix: &str| format!("{ACCOUNT}{suffix}");
    vec![
        ("pages-project-get-projects", "get", p("")),
        ("pages-project-create-project", "post", p("")),
        ("pages-project-get-project", "get", p("/{}")),
        ("pages-project-update-project", "patch", p("/{}")),
        ("pages-project-delete-project", "delete", p("/{}")),
        (
            "pages-deployment-get-deployments",
            "get",
            p("/{}/deployments"),
        ),
        (
            "pages-deployment-create-deployment",
            "post",
            p("/{}/deployments"),
        ),
        (
            "pages-deployment-get-deployment-info",
            "get",
            p("/{}/deployments/{}"),
        ),
        (
            "pages-deployment-delete-deployment",
            "delete",
            p("/{}/deployments/{}"),
        ),
        (
            "pages-deployment-get-deployment-logs",
            "get",
            p("/{}/deployments/{}/history/logs"),
        ),
        (
            "pages-deployment-retry-deployment",
            "post",
            p("/{}/deployments/{}/retry"),
        ),
        (
            "pages-deployment-rollback-deployment",
            "post",
            p("/{}/deployments/{}/rollback"),
        ),
        ("pages-domains-get-domains", "get", p("/{}/domains")),
        ("pages-domains-add-domain", "post", p("/{}/domains")),
        ("pages-domains-get-domain", "get", p("/{}/domains/{}")),
        ("pages-domains-patch-domain", "patch", p("/{}/domains/{}")),
        ("pages-domains-delete-domain", "delete", p("/{}/domains/{}")),
        (
            "pages-purge-build-cache",
            "post",
            p("/{}/purge_build_cache"),
        ),
    ]
}

#[test]
fn all_eighteen_operations_exist_with_their_methods_and_paths() {
    let doc = spec();
    let found: BTreeMap<String, (String, String)> = operations(&doc)
        .into_iter()
        .map(|(path, method, op)| {
            (
                op["operationId"].as_str().expect("operationId").to_string(),
                (method, path_shape(&path)),
            )
        })
        .collect();
    let expected: BTreeMap<String, (String, String)> = expected_operations()
        .into_iter()
        .map(|(id, method, shape)| (id.to_string(), (method.to_string(), shape)))
        .collect();
    assert_eq!(found, expected);
    assert_eq!(operations(&doc).len(), 18, "an operationId is used twice");
}

#[test]
fn paths_use_the_seed_parameter_names_and_declare_every_path_parameter() {
    let doc = spec();
    let allowed: BTreeSet<&str> = [
        "account_identifier",
        "project_name",
        "deployment_identifier",
        "domain_name",
    ]
    .into();
    for (path, method, op) in operations(&doc) {
        let in_path: BTreeSet<String> = path_params(&path).into_iter().collect();
        for name in &in_path {
            assert!(
                allowed.contains(name.as_str()),
                "{method} {path}: unexpected path parameter `{name}`"
            );
        }
        let declared: BTreeSet<String> = op["parameters"]
            .as_array()
            .expect("parameters")
            .iter()
            .filter(|p| p["in"] == "path")
            .map(|p| {
                assert_eq!(
                    p["required"], true,
                    "{method} {path}: path parameter {p} is not required"
                );
                p["name"].as_str().expect("parameter name").to_string()
            })
            .collect();
        assert_eq!(
            declared, in_path,
            "{method} {path}: declared path parameters"
        );
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
    let env = &query("pages-deployment-get-deployments")["env"];
    assert_eq!(env["enum"], json!(["production", "preview"]));
    let (_, _, create) = operation(&doc, "pages-deployment-create-deployment");
    let form = &create["requestBody"]["content"]["multipart/form-data"]["schema"];
    assert_eq!(form["properties"]["branch"]["type"], "string");
}

#[test]
fn every_operation_has_both_security_alternatives_and_success_and_failure_responses() {
    let doc = spec();
    let expected_security = json!([{"api_token": []}, {"api_email": [], "api_key": []}]);
    let schemes = &doc["components"]["securitySchemes"];
    assert_eq!(
        schemes["api_token"],
        json!({"scheme": "bearer", "type": "http"})
    );
    assert_eq!(
        schemes["api_email"],
        json!({"in": "header", "name": "X-Auth-Email", "type": "apiKey"})
    );
    assert_eq!(
        schemes["api_key"],
        json!({"in": "header", "name": "X-Auth-Key", "type": "apiKey"})
    );

    for (path, method, op) in operations(&doc) {
        let id = op["operationId"].as_str().expect("operationId");
        assert_eq!(op["security"], expected_security, "{id}: security");
        let responses = op["responses"].as_object().expect("responses");
        assert!(responses.contains_key("200"), "{id}: no 200 response");
        // Upstream keys delete-domain's failure `4xx`; we keep that shape and the overlay repairs it
        // (checked in `the_overlay_repairs_the_lower_case_4xx`).
        let failure = if id == "pages-domains-delete-domain" {
            "4xx"
        } else {
            "4XX"
        };
        assert!(
            responses.contains_key(failure),
            "{id}: no {failure} response"
        );
        let failure_refs = collect_refs(&responses[failure]);
        assert!(
            failure_refs
                .iter()
                .any(|r| r == "#/components/schemas/pages_api-response-common-failure"),
            "{id}: the {failure} response is not the failure envelope"
        );
        assert_eq!(
            responses.len(),
            2,
            "{method} {path}: responses other than 200 and 4XX"
        );
    }
}

#[test]
fn every_success_response_has_a_full_envelope_example() {
    let doc = spec();
    let lists: BTreeSet<&str> = [
        "pages-project-get-projects",
        "pages-deployment-get-deployments",
        "pages-domains-get-domains",
    ]
    .into();
    for (_, _, op) in operations(&doc) {
        let id = op["operationId"].as_str().expect("operationId");
        let example = &op["responses"]["200"]["content"]["application/json"]["example"];
        assert_eq!(example["success"], true, "{id}: example success");
        assert_eq!(example["errors"], json!([]), "{id}: example errors");
        assert_eq!(example["messages"], json!([]), "{id}: example messages");
        assert!(
            example.get("result").is_some(),
            "{id}: example has no result"
        );
        assert_eq!(
            example.get("result_info").is_some(),
            lists.contains(id),
            "{id}: result_info only (and always) on lists"
        );
        if lists.contains(id) {
            assert!(
                example["result"].as_array().is_some_and(|r| !r.is_empty()),
                "{id}: list example has no items"
            );
        }
    }
}

// ------------------------------------------------------------------------------------------------
// Same paths as Cloudflare publishes

#[test]
fn operations_are_the_upstream_ones_modulo_parameter_names() {
    let upstream_dir = shared_dir().join("upstream");
    if !upstream_dir.is_dir() {
        println!("skipped: ../shared/upstream not present");
        return;
    }
    let upstream = read_json(&upstream_dir.join("pages-2024-01-04.json"));
    let signature = |doc: &Value| -> BTreeSet<(String, String, String)> {
        operations(doc)
            .into_iter()
            .filter(|(path, _, _)| path.contains("/pages/"))
            .map(|(path, method, op)| {
                (
                    path_shape(&path),
                    method,
                    op["operationId"].as_str().unwrap_or_default().to_string(),
                )
            })
            .collect()
    };
    let ours = signature(&spec());
    let theirs = signature(&upstream);
    assert_eq!(
        ours, theirs,
        "(path shape, method, operationId) of spec/pages.json vs pages-2024-01-04.json"
    );

    // The same tags per operation, too.
    let tags = |doc: &Value| -> BTreeMap<String, Value> {
        operations(doc)
            .into_iter()
            .map(|(_, _, op)| {
                (
                    op["operationId"].as_str().unwrap_or_default().to_string(),
                    op["tags"].clone(),
                )
            })
            .collect()
    };
    let upstream_tags = tags(&upstream);
    for (id, t) in tags(&spec()) {
        assert_eq!(Some(&t), upstream_tags.get(&id), "{id}: tags");
    }
}

// ------------------------------------------------------------------------------------------------
// Form of the files

fn collect_refs(value: &Value) -> Vec<String> {
    let mut out = Vec::new();
    fn walk(v: &Value, out: &mut Vec<String>) {
        match v {
            Value::Object(map) => {
                for (k, item) in map {
                    match (k.as_str(), item) {
                        ("$ref", Value::String(r)) => out.push(r.clone()),
                        _ => walk(item, out),
                    }
                }
            }
            Value::Array(items) => items.iter().for_each(|i| walk(i, out)),
            _ => {}
        }
    }
    walk(value, &mut out);
    out
}

fn assert_keys_sorted(value: &Value, at: &str) {
    match value {
        Value::Object(map) => {
            let keys: Vec<&String> = map.keys().collect();
            let mut sorted = keys.clone();
            sorted.sort();
            assert_eq!(
                keys, sorted,
                "spec/pages.json: keys at `{at}` are not sorted"
            );
            for (k, v) in map {
                assert_keys_sorted(v, &format!("{at}/{k}"));
            }
        }
        Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                assert_keys_sorted(v, &format!("{at}/{i}"));
            }
        }
        _ => {}
    }
}

#[test]
fn pages_json_is_pretty_printed_with_sorted_keys() {
    let text = read_text(&spec_path());
    let doc: Value = serde_json::from_str(&text).expect("spec/pages.json parses");
    assert_keys_sorted(&doc, "");
    let pretty = serde_json::to_string_pretty(&doc).expect("serialises") + "\n";
    assert!(
        text == pretty,
        "spec/pages.json is not 2-space pretty-printed JSON ending in one newline"
    );
}

#[test]
fn pages_json_has_the_published_shape() {
    let doc = spec();
    assert_eq!(doc["openapi"], "3.0.3");
    assert_eq!(doc["info"]["title"], "Cloudflare Pages API");
    assert!(
        doc["info"]["version"]
            .as_str()
            .is_some_and(|v| !v.is_empty())
    );
    assert_eq!(
        doc["servers"],
        json!([{"url": "https://api.cloudflare.com/client/v4"}])
    );

    let schemas = doc["components"]["schemas"]
        .as_object()
        .expect("component schemas");
    let expected: BTreeSet<String> = [
        "api-response-common",
        "api-response-common-failure",
        "api-response-single",
        "build_config",
        "deployment-list-response",
        "deployment-new-deployment",
        "deployment-response-details",
        "deployment-response-logs",
        "deployment_configs",
        "deployment_configs_values",
        "deployments",
        "domain-response-collection",
        "domain-response-single",
        "domain_name",
        "domains-post",
        "identifier",
        "messages",
        "new-project-response",
        "project-patch",
        "project-response",
        "project_name",
        "projects",
        "projects-response",
        "stage",
    ]
    .iter()
    .map(|k| format!("pages_{k}"))
    .collect();
    assert_eq!(schemas.keys().cloned().collect::<BTreeSet<_>>(), expected);

    for reference in collect_refs(&doc) {
        let pointer = reference
            .strip_prefix('#')
            .unwrap_or_else(|| panic!("non-local $ref `{reference}`"));
        assert!(
            doc.pointer(pointer).is_some(),
            "dangling $ref `{reference}`"
        );
    }
}

#[test]
fn descriptions_are_our_own_words() {
    let upstream_dir = shared_dir().join("upstream");
    if !upstream_dir.is_dir() {
        println!("skipped: ../shared/upstream not present");
        return;
    }
    fn prose(v: &Value, out: &mut BTreeSet<String>) {
        match v {
            Value::Object(map) => {
                for (k, item) in map {
                    match (k.as_str(), item) {
                        ("description" | "summary", Value::String(s)) if s.len() > 12 => {
                            out.insert(s.clone());
                        }
                        _ => prose(item, out),
                    }
                }
            }
            Value::Array(items) => items.iter().for_each(|i| prose(i, out)),
            _ => {}
        }
    }
    let mut ours = BTreeSet::new();
    prose(&spec(), &mut ours);
    for file in ["pages-2024-01-04.json", "pages-2024-08-06.json"] {
        let mut theirs = BTreeSet::new();
        prose(&read_json(&upstream_dir.join(file)), &mut theirs);
        let copied: Vec<&String> = ours.intersection(&theirs).collect();
        assert!(
            copied.is_empty(),
            "descriptions copied from {file}: {copied:?}"
        );
    }
}

// ------------------------------------------------------------------------------------------------
// The overlay

/// Canonical key of a `pages_` component (the generator's rule for this document).
fn canonical(key: &str) -> &str {
    key.strip_prefix("pages_").unwrap_or(key)
}

/// The component keys named right after `$.components.schemas` in a target: `.projects`,
/// `['project-patch']`, `['deployments','projects']`; empty for other targets.
fn target_components(target: &str) -> Vec<String> {
    let Some(rest) = target.strip_prefix("$.components.schemas") else {
        return Vec::new();
    };
    if let Some(dotted) = rest.strip_prefix('.') {
        let name: String = dotted
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect();
        return vec![name];
    }
    if let Some(bracketed) = rest.strip_prefix('[') {
        let inside = bracketed.split(']').next().unwrap_or_default();
        return inside
            .split(',')
            .map(|s| s.trim().trim_matches('\'').to_string())
            .collect();
    }
    Vec::new()
}

#[test]
fn overlay_actions_are_well_formed_and_use_canonical_keys() {
    let overlay = overlay();
    assert_eq!(overlay["overlay"], "1.0.0");
    assert!(overlay["info"]["title"].is_string() && overlay["info"]["version"].is_string());
    let actions = overlay["actions"].as_array().expect("actions");
    assert!(!actions.is_empty());

    let doc = spec();
    let mut known: BTreeSet<String> = doc["components"]["schemas"]
        .as_object()
        .expect("schemas")
        .keys()
        .map(|k| canonical(k).to_string())
        .collect();
    // Components the overlay adds (updates of `$.components.schemas` itself).
    for action in actions {
        if action["target"] == "$.components.schemas" {
            known.extend(
                action["update"]
                    .as_object()
                    .expect("added components")
                    .keys()
                    .cloned(),
            );
        }
    }

    for (i, action) in actions.iter().enumerate() {
        let object = action.as_object().expect("an action is an object");
        let target = action["target"]
            .as_str()
            .unwrap_or_else(|| panic!("action {i}: no target"));
        assert!(
            target.starts_with('$'),
            "action {i}: `{target}` is not a JSONPath"
        );
        assert!(
            action["description"]
                .as_str()
                .is_some_and(|d| d.len() >= 20),
            "action {i}: the description must name the upstream defect"
        );
        let update = object.contains_key("update");
        let remove = action["remove"] == true;
        assert!(
            update != remove,
            "action {i}: exactly one of `update` or `remove: true`"
        );
        let allowed: BTreeSet<&str> = ["target", "description", "update", "remove"].into();
        assert!(
            object.keys().all(|k| allowed.contains(k.as_str())),
            "action {i}: unknown keys"
        );

        for forbidden in ["pages_", "aM5gKYXN", "account_id", "/accounts/"] {
            assert!(
                !target.contains(forbidden),
                "action {i}: target `{target}` must not depend on `{forbidden}`"
            );
        }
        for component in target_components(target) {
            assert!(
                known.contains(&component),
                "action {i}: `{component}` is not a canonical component key"
            );
        }
        for reference in collect_refs(&action["update"]) {
            let key = reference
                .strip_prefix("#/components/schemas/")
                .unwrap_or_else(|| panic!("action {i}: `{reference}` is not a component schema"));
            assert!(
                known.contains(key),
                "action {i}: `{reference}` does not name a canonical component"
            );
        }
    }
}

#[test]
fn the_overlay_repairs_the_lower_case_4xx() {
    let overlay = overlay();
    let actions = overlay["actions"].as_array().expect("actions");
    let about_delete_domain = |a: &&Value| {
        a["target"]
            .as_str()
            .is_some_and(|t| t.contains("'pages-domains-delete-domain'"))
    };
    let adds = actions
        .iter()
        .filter(about_delete_domain)
        .any(|a| a["update"]["4XX"]["content"]["application/json"]["schema"].is_object());
    let removes = actions.iter().filter(about_delete_domain).any(|a| {
        a["remove"] == true && a["target"].as_str().is_some_and(|t| t.ends_with("['4xx']"))
    });
    assert!(
        adds && removes,
        "the overlay must add `4XX` to delete-domain and remove `4xx`"
    );
}

#[test]
fn the_overlay_names_the_placeholder_maps() {
    let overlay = overlay();
    let actions = overlay["actions"].as_array().expect("actions");
    let placeholder = actions
        .iter()
        .find(|a| a["update"]["x-placeholder-keys"] == true)
        .expect("an action marks the placeholder maps");
    let target = placeholder["target"].as_str().expect("target");
    let doc = spec();
    let values = &doc["components"]["schemas"]["pages_deployment_configs_values"]["properties"];
    for (name, schema) in values
        .as_object()
        .expect("deployment_configs_values properties")
    {
        let is_map = schema["properties"].as_object().is_some_and(|p| {
            p.len() == 1
                && p.keys().all(|k| {
                    k.chars()
                        .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
                })
        });
        assert_eq!(
            target.contains(&format!("'{name}'")),
            is_map,
            "`{name}`: placeholder map marked iff it is one"
        );
    }
}

#[test]
fn overlay_json_parses_as_an_object() {
    let _: Map<String, Value> =
        serde_json::from_value(overlay()).expect("spec/overlay.json is a JSON object");
}
