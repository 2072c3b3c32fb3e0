//! Reading the files, and walking OpenAPI documents as plain JSON.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use serde_json::Value;

// ------------------------------------------------------------------------------------------------
// Files

/// The checkout under test: found from the working directory (as `cargo xtask` does), so one
/// build can check another checkout's files.
pub fn workspace_root() -> PathBuf {
    xtask::codegen::workspace_root()
}

/// `../shared` beside the checkout: the seed operation and Cloudflare's published documents.
/// Not part of the repository, but an input of these tests (and of CI): missing, they fail.
pub fn shared_file(relative: &str) -> PathBuf {
    let path = workspace_root().join("../shared").join(relative);
    assert!(
        path.is_file(),
        "{} is missing: these tests read Cloudflare's documents and the seed from ../shared/ \
         beside the checkout",
        path.display()
    );
    path
}

pub fn read_text(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("reading {}: {e}", path.display()))
}

pub fn read_json(path: &Path) -> Value {
    serde_json::from_str(&read_text(path))
        .unwrap_or_else(|e| panic!("parsing {}: {e}", path.display()))
}

pub fn spec_path() -> PathBuf {
    workspace_root().join(xtask::codegen::SPEC)
}

pub fn spec() -> Value {
    read_json(&spec_path())
}

pub fn overlay() -> Value {
    read_json(&workspace_root().join(xtask::codegen::OVERLAY))
}

/// One of Cloudflare's documents in `../shared/upstream/`.
pub fn upstream(file: &str) -> Value {
    read_json(&shared_file(&format!("upstream/{file}")))
}

/// The current upstream document, the one `spec/pages.json` describes.
pub const UPSTREAM_2026: &str = "pages-2026-07.json";

/// Every upstream document.
pub const UPSTREAM_ALL: [&str; 3] = [
    "pages-2024-01-04.json",
    "pages-2024-08-06.json",
    UPSTREAM_2026,
];

// ------------------------------------------------------------------------------------------------
// Operations

const METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// `/accounts/{account_id}/pages/projects/{project_name}` -> `/accounts/{}/pages/projects/{}`.
pub fn path_shape(path: &str) -> String {
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
pub fn path_params(path: &str) -> Vec<String> {
    path.split('{')
        .skip(1)
        .filter_map(|s| s.split_once('}').map(|(name, _)| name.to_string()))
        .collect()
}

/// Every operation of a document: (path, method, operation).
pub fn operations(doc: &Value) -> Vec<(String, String, Value)> {
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

pub fn operation_id(op: &Value) -> &str {
    op["operationId"]
        .as_str()
        .expect("every operation has an operationId")
}

pub fn operation(doc: &Value, id: &str) -> (String, String, Value) {
    operations(doc)
        .into_iter()
        .find(|(_, _, op)| op["operationId"] == id)
        .unwrap_or_else(|| panic!("no operation `{id}`"))
}

/// The operations under `/pages/assets/`: not an account's, authenticated with the upload JWT.
pub fn is_asset_path(path: &str) -> bool {
    path.starts_with("/pages/assets/")
}

// ------------------------------------------------------------------------------------------------
// JSON trees

/// Replaces every local `$ref` by (a resolved copy of) what it points to.
pub fn resolve(doc: &Value, value: &Value, depth: usize) -> Value {
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

/// Every `$ref` string in a tree.
pub fn collect_refs(value: &Value) -> Vec<String> {
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
    let mut out = Vec::new();
    walk(value, &mut out);
    out
}

/// The keys of an object, as a set (empty for anything else).
pub fn keys(value: &Value) -> BTreeSet<String> {
    value
        .as_object()
        .map(|m| m.keys().cloned().collect())
        .unwrap_or_default()
}

/// A set of strings, for comparisons.
pub fn set<const N: usize>(items: [&str; N]) -> BTreeSet<String> {
    items.iter().map(|s| s.to_string()).collect()
}
