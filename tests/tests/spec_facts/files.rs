//! The form of `spec/pages.json`: pretty-printed with sorted keys, the published top level and
//! components, references that resolve, and prose in our own words.

use std::collections::BTreeSet;

use serde_json::{Value, json};
use xtask::error::child;

use crate::common::{UPSTREAM_ALL, collect_refs, keys, read_text, spec, spec_path, upstream};

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
                assert_keys_sorted(v, &child(at, k));
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

/// The 25 schema components of the 2026 document, under Cloudflare's own keys.
pub const COMPONENTS: [&str; 25] = [
    "pages_api-response-collection",
    "pages_api-response-common",
    "pages_api-response-common-failure",
    "pages_build_config",
    "pages_deployment",
    "pages_deployment_config_values",
    "pages_deployment_config_values_request",
    "pages_deployment_log",
    "pages_domain",
    "pages_domain_name",
    "pages_env_vars",
    "pages_identifier",
    "pages_messages",
    "pages_pages_assets_check_missing_request",
    "pages_pages_assets_check_missing_response",
    "pages_pages_assets_upload_request",
    "pages_pages_assets_upsert_hashes_request",
    "pages_pages_upload_token_response",
    "pages_plain_text_env_var",
    "pages_project",
    "pages_project_name",
    "pages_secret_text_env_var",
    "pages_source",
    "pages_stage",
    "pages_tail",
];

#[test]
fn pages_json_has_the_published_shape() {
    let doc = spec();
    assert_eq!(
        keys(&doc),
        crate::common::set([
            "components",
            "info",
            "openapi",
            "paths",
            "security",
            "servers"
        ]),
        "top-level keys"
    );
    assert_eq!(doc["openapi"], "3.0.3");
    assert_eq!(doc["info"]["title"], "Cloudflare Pages API");
    assert!(
        doc["info"]["version"]
            .as_str()
            .is_some_and(|v| v.starts_with("2026")),
        "info.version names the 2026 release: {}",
        doc["info"]["version"]
    );
    assert_eq!(
        doc["servers"],
        json!([{"url": "https://api.cloudflare.com/client/v4"}])
    );
    // No document-wide default: every operation says how it authenticates.
    assert_eq!(doc["security"], json!([]));

    assert_eq!(
        keys(&doc["components"]),
        crate::common::set(["schemas", "securitySchemes"]),
        "component kinds"
    );
    let expected: BTreeSet<String> = COMPONENTS.iter().map(|k| k.to_string()).collect();
    assert_eq!(
        keys(&doc["components"]["schemas"]),
        expected,
        "component schemas"
    );
    assert_eq!(
        doc["components"]["securitySchemes"],
        json!({
            "api_email": {"in": "header", "name": "X-Auth-Email", "type": "apiKey"},
            "api_key": {"in": "header", "name": "X-Auth-Key", "type": "apiKey"},
            "api_token": {"scheme": "bearer", "type": "http"},
            "pages_upload_token": {"bearerFormat": "JWT", "scheme": "bearer", "type": "http"}
        })
    );
}

/// Every `$ref` resolves, and every component is reached from the paths: the generator keeps
/// only what the paths reach, so an unreached component would silently vanish.
#[test]
fn references_resolve_and_every_component_is_reached_from_the_paths() {
    let doc = spec();
    for reference in collect_refs(&doc) {
        let pointer = reference
            .strip_prefix('#')
            .unwrap_or_else(|| panic!("non-local $ref `{reference}`"));
        assert!(
            doc.pointer(pointer).is_some(),
            "dangling $ref `{reference}`"
        );
    }
    let mut reached: BTreeSet<String> = BTreeSet::new();
    let mut pending = collect_refs(&doc["paths"]);
    while let Some(reference) = pending.pop() {
        if reached.insert(reference.clone()) {
            let target = doc
                .pointer(reference.trim_start_matches('#'))
                .expect("checked above");
            pending.extend(collect_refs(target));
        }
    }
    for key in keys(&doc["components"]["schemas"]) {
        let reference = child("#/components/schemas", &key);
        assert!(
            reached.contains(&reference),
            "component `{key}` is not reached from any path"
        );
    }
}

/// Descriptions and summaries (longer than 12 characters) of a tree.
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

#[test]
fn descriptions_are_our_own_words() {
    let mut ours = BTreeSet::new();
    prose(&spec(), &mut ours);
    assert!(ours.len() > 100, "spec/pages.json has hardly any prose");
    for file in UPSTREAM_ALL {
        let mut theirs = BTreeSet::new();
        prose(&upstream(file), &mut theirs);
        assert!(!theirs.is_empty(), "{file} has no prose to compare with");
        let copied: Vec<&String> = ours.intersection(&theirs).collect();
        assert!(
            copied.is_empty(),
            "descriptions copied from {file}: {copied:?}"
        );
    }
}
