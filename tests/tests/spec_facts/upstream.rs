//! `spec/pages.json` against Cloudflare's `pages-2026-07.json`: the same operations, and every
//! schema property of theirs in ours at the same place with the same type.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Value, json};
use xtask::error::child;

use crate::common::{UPSTREAM_2026, keys, operation_id, operations, path_shape, spec, upstream};

/// What an operation is, leaving out prose, examples and schemas (compared property by
/// property in `every_upstream_schema_property_is_ours_at_the_same_place`).
fn signature(path: &str, method: &str, op: &Value) -> Value {
    let parameters: BTreeSet<(String, String, bool)> = op["parameters"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|p| {
            (
                p["name"].as_str().unwrap_or_default().to_string(),
                p["in"].as_str().unwrap_or_default().to_string(),
                p["required"] == true,
            )
        })
        .collect();
    let content_types = |v: &Value| -> Vec<String> { keys(&v["content"]).into_iter().collect() };
    let responses: BTreeMap<String, Vec<String>> = op["responses"]
        .as_object()
        .into_iter()
        .flatten()
        .map(|(status, r)| (status.clone(), content_types(r)))
        .collect();
    json!({
        "path": path,
        "method": method,
        "tags": op["tags"],
        "security": op["security"],
        "deprecated": op.get("deprecated"),
        "parameters": parameters,
        "requestBody": op.get("requestBody").map(|b| json!({
            "required": b["required"],
            "content": content_types(b),
            "encoding": b["content"]["multipart/form-data"].get("encoding"),
        })),
        "responses": responses,
    })
}

#[test]
fn operations_are_the_upstream_2026_ones() {
    let ours = spec();
    let theirs = upstream(UPSTREAM_2026);
    let triples = |doc: &Value| -> BTreeSet<(String, String, String)> {
        operations(doc)
            .into_iter()
            .map(|(path, method, op)| (path_shape(&path), method, operation_id(&op).to_string()))
            .collect()
    };
    assert_eq!(
        triples(&ours),
        triples(&theirs),
        "(path shape, method, operationId) of spec/pages.json vs {UPSTREAM_2026}"
    );
    let signatures = |doc: &Value| -> BTreeMap<String, Value> {
        operations(doc)
            .into_iter()
            .map(|(path, method, op)| {
                (
                    operation_id(&op).to_string(),
                    signature(&path, &method, &op),
                )
            })
            .collect()
    };
    let theirs = signatures(&theirs);
    for (id, signature) in signatures(&ours) {
        assert_eq!(
            Some(&signature),
            theirs.get(&id),
            "{id}: ours | {UPSTREAM_2026}"
        );
    }
}

/// Keywords whose value must be the same in ours wherever upstream states them.
const SAME: [&str; 14] = [
    "$ref",
    "type",
    "format",
    "nullable",
    "readOnly",
    "writeOnly",
    "required",
    "pattern",
    "minLength",
    "maxLength",
    "minimum",
    "maximum",
    "uniqueItems",
    "discriminator",
];

#[derive(Default)]
struct Comparison {
    /// Properties that upstream has (in a schema is shared), checked.
    checked: usize,
    /// Upstream properties, subschemas or keyword values that ours lacks or changed.
    problems: Vec<String>,
    /// Properties ours has and upstream lacks at the same place.
    added_properties: Vec<String>,
    /// Enum values ours allows and upstream does not.
    added_enum_values: Vec<String>,
}

/// Walks upstream (`theirs`) and ours side by side, `at` the JSON pointer of both. Object keys
/// are keywords except inside `properties`; examples are sample data and not compared.
fn compare(theirs: &Value, ours: &Value, at: &str, out: &mut Comparison) {
    match theirs {
        Value::Object(map) => {
            let Some(our_map) = ours.as_object() else {
                out.problems.push(format!("{at}: not an object in ours"));
                return;
            };
            for (key, value) in map {
                let here = child(at, key);
                if matches!(key.as_str(), "example" | "examples") || key.starts_with("x-") {
                    continue;
                }
                let Some(our_value) = our_map.get(key) else {
                    if !matches!(key.as_str(), "description" | "summary" | "title") {
                        out.problems.push(format!("{here}: absent in ours"));
                    }
                    continue;
                };
                match key.as_str() {
                    "properties" => {
                        let (Some(props), Some(our_props)) =
                            (value.as_object(), our_value.as_object())
                        else {
                            out.problems
                                .push(format!("{here}: not a map of properties"));
                            continue;
                        };
                        for (name, schema) in props {
                            let at_name = child(&here, name);
                            out.checked += 1;
                            match our_props.get(name) {
                                Some(ours) => compare(schema, ours, &at_name, out),
                                None => out
                                    .problems
                                    .push(format!("{at_name}: property absent in ours")),
                            }
                        }
                        for name in our_props.keys().filter(|n| !props.contains_key(*n)) {
                            out.added_properties.push(child(&here, name));
                        }
                    }
                    "enum" => {
                        let (Some(values), Some(ours)) = (value.as_array(), our_value.as_array())
                        else {
                            out.problems.push(format!("{here}: not an array"));
                            continue;
                        };
                        for v in values.iter().filter(|v| !ours.contains(v)) {
                            out.problems.push(format!("{here}: ours lacks {v}"));
                        }
                        for v in ours.iter().filter(|v| !values.contains(v)) {
                            out.added_enum_values.push(format!("{here}: {v}"));
                        }
                    }
                    k if SAME.contains(&k) => {
                        if value != our_value {
                            out.problems
                                .push(format!("{here}: {value} upstream, {our_value} in ours"));
                        }
                    }
                    _ => compare(value, our_value, &here, out),
                }
            }
        }
        Value::Array(items) => {
            let Some(ours) = ours.as_array() else {
                out.problems.push(format!("{at}: not an array in ours"));
                return;
            };
            if items.len() != ours.len() {
                out.problems.push(format!(
                    "{at}: {} items upstream, {} in ours",
                    items.len(),
                    ours.len()
                ));
                return;
            }
            for (i, (t, o)) in items.iter().zip(ours).enumerate() {
                compare(t, o, &format!("{at}/{i}"), out);
            }
        }
        _ => {}
    }
}

/// Every schema property of `pages-2026-07.json` exists in ours at the same JSON pointer, with
/// the same type, format, nullability, `$ref`, required list, ...; ours may add properties and
/// enum values, and the ones it adds are listed here (each one a deliberate repair).
#[test]
fn every_upstream_schema_property_is_ours_at_the_same_place() {
    let ours = spec();
    let theirs = upstream(UPSTREAM_2026);
    assert_eq!(
        keys(&ours["components"]["schemas"]),
        keys(&theirs["components"]["schemas"]),
        "component schemas of spec/pages.json vs {UPSTREAM_2026}"
    );
    let mut out = Comparison::default();
    compare(
        &theirs["components"],
        &ours["components"],
        "/components",
        &mut out,
    );
    compare(&theirs["paths"], &ours["paths"], "/paths", &mut out);
    assert!(
        out.problems.is_empty(),
        "spec/pages.json vs {UPSTREAM_2026}:\n  {}",
        out.problems.join("\n  ")
    );
    assert!(
        out.checked > 250,
        "only {} upstream properties compared: is the walk broken?",
        out.checked
    );
    assert_eq!(
        out.added_properties,
        ["/components/schemas/pages_deployment/properties/skip_reason"],
        "properties ours adds to {UPSTREAM_2026}"
    );
    assert_eq!(
        out.added_enum_values,
        ["/components/schemas/pages_stage/properties/status/enum: \"skipped\""],
        "enum values ours adds to {UPSTREAM_2026}"
    );
}
