//! No request type ever serializes a readOnly property. For each JSON request body of the spec
//! a maximal value is built from its schema (every property filled), together with every
//! property of the resource it creates or changes (read-only ones included, as a caller who
//! sends back what they fetched would), decoded into the generated request type and encoded
//! again: no readOnly property may come out, and every writable one must.

use std::fs;

use pages_api_types::{
    CheckMissingRequest, DomainRequest, ProjectPatch, ProjectRequest, Source, TailRequest,
    UpsertHashesRequest,
};
use serde::{Serialize, de::DeserializeOwned};
use serde_json::{Map, Value, json};

fn resolved_spec() -> Value {
    let path = xtask::codegen::workspace_root().join(xtask::codegen::RESOLVED_SPEC);
    serde_json::from_str(&fs::read_to_string(path).unwrap()).unwrap()
}

fn resolve<'a>(doc: &'a Value, schema: &'a Value) -> &'a Value {
    match schema.get("$ref").and_then(Value::as_str) {
        Some(reference) => resolve(
            doc,
            doc.pointer(reference.trim_start_matches('#'))
                .expect("refs resolve"),
        ),
        None => schema,
    }
}

/// Properties of a schema with `allOf` members merged, and whether the schema is readOnly.
fn properties(doc: &Value, schema: &Value) -> (Map<String, Value>, bool) {
    let schema = resolve(doc, schema);
    let mut props = schema
        .get("properties")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    let mut read_only = schema.get("readOnly") == Some(&json!(true));
    for member in schema
        .get("allOf")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let (more, ro) = properties(doc, member);
        props.extend(more);
        read_only |= ro;
    }
    (props, read_only)
}

/// A value with every property of the schema filled in.
fn maximal(doc: &Value, schema: &Value, depth: usize) -> Value {
    let schema = resolve(doc, schema);
    if depth > 12 {
        return Value::Null;
    }
    if let Some(first) = schema
        .get("anyOf")
        .or(schema.get("oneOf"))
        .and_then(|m| m.get(0))
    {
        return maximal(doc, first, depth + 1);
    }
    let (props, _) = properties(doc, schema);
    if schema.get("x-placeholder-keys") == Some(&json!(true)) {
        let value = props
            .values()
            .next()
            .map(|s| maximal(doc, s, depth + 1))
            .unwrap_or(json!({}));
        return json!({"MY_BINDING": value});
    }
    if !props.is_empty() {
        return Value::Object(
            props
                .iter()
                .map(|(k, s)| (k.clone(), maximal(doc, s, depth + 1)))
                .collect(),
        );
    }
    if let Some(single) = schema
        .get("allOf")
        .and_then(Value::as_array)
        .filter(|m| m.len() == 1)
    {
        return maximal(doc, &single[0], depth + 1);
    }
    match schema.get("type").and_then(Value::as_str) {
        Some("array") => json!([maximal(
            doc,
            schema.get("items").unwrap_or(&json!({})),
            depth + 1
        )]),
        Some("integer") => json!(1),
        Some("number") => json!(1.5),
        Some("boolean") => json!(true),
        Some("object") => json!({}),
        _ if schema.get("format") == Some(&json!("date-time")) => json!("2021-03-09T00:55:03Z"),
        _ => match (
            schema.get("enum").and_then(|e| e.get(0)),
            schema.get("pattern").and_then(Value::as_str),
        ) {
            (Some(first), _) => first.clone(),
            (None, Some(pattern)) if pattern.contains('|') => {
                json!(
                    pattern
                        .trim_matches(['^', '$', '(', ')'])
                        .split('|')
                        .next()
                        .unwrap()
                )
            }
            (None, Some(_)) => json!("example.com"),
            _ => json!("value"),
        },
    }
}

/// JSON pointers (below `at`) of every readOnly property of the schema, and of every writable
/// leaf property.
fn walk(
    doc: &Value,
    schema: &Value,
    at: &str,
    read_only: &mut Vec<String>,
    writable: &mut Vec<String>,
    depth: usize,
) {
    if depth > 12 {
        return;
    }
    let schema = resolve(doc, schema);
    let (props, _) = properties(doc, schema);
    let placeholder = schema.get("x-placeholder-keys") == Some(&json!(true));
    for (name, prop) in &props {
        let key = if placeholder {
            "MY_BINDING"
        } else {
            name.as_str()
        };
        let pointer = format!("{at}/{key}");
        let (nested, read_only_here) = properties(doc, prop);
        if read_only_here {
            read_only.push(pointer);
        } else if nested.is_empty() {
            writable.push(pointer);
        } else {
            walk(doc, prop, &pointer, read_only, writable, depth + 1);
        }
    }
}

/// `b` merged into `a`, objects recursively.
fn merge(a: &mut Value, b: Value) {
    match (a, b) {
        (Value::Object(a), Value::Object(b)) => {
            for (k, v) in b {
                match a.get_mut(&k) {
                    Some(existing) => merge(existing, v),
                    None => {
                        a.insert(k, v);
                    }
                }
            }
        }
        (a, b) => *a = b,
    }
}

/// Decodes the maximal body of `operation_id` into its generated request type and encodes it
/// again. With `like`, the input is also given every property of that response schema (what a
/// caller who sends back a project they fetched would pass): none of its readOnly properties
/// may come out, and every writable property of the body must.
fn check<T: DeserializeOwned + Serialize>(operation_id: &str, like: Option<&str>) {
    let doc = resolved_spec();
    let operation = doc["paths"]
        .as_object()
        .unwrap()
        .values()
        .flat_map(|item| item.as_object().unwrap().values())
        .find(|op| op["operationId"] == operation_id)
        .unwrap_or_else(|| panic!("{operation_id} in the spec"));
    let schema = &operation["requestBody"]["content"]["application/json"]["schema"];
    let mut input = json!({});
    let (mut read_only, mut writable) = (Vec::new(), Vec::new());
    if let Some(component) = like {
        let response = &doc["components"]["schemas"][component];
        assert!(response.is_object(), "{component} in the resolved spec");
        input = maximal(&doc, response, 0);
        walk(&doc, response, "", &mut read_only, &mut Vec::new(), 0);
        assert!(
            !read_only.is_empty(),
            "{operation_id}: {component} has readOnly properties to test with"
        );
    }
    merge(&mut input, maximal(&doc, schema, 0));
    walk(&doc, schema, "", &mut read_only, &mut writable, 0);
    read_only.retain(|pointer| !writable.iter().any(|w| w.starts_with(pointer.as_str())));

    let decoded: T = serde_json::from_value(input.clone())
        .unwrap_or_else(|e| panic!("{operation_id}: {e}\n{input:#}"));
    let output = serde_json::to_value(&decoded).unwrap();
    for pointer in &read_only {
        assert!(
            output.pointer(pointer).is_none(),
            "{operation_id}: readOnly {pointer} was serialized:\n{output:#}"
        );
    }
    for pointer in &writable {
        assert!(
            output.pointer(pointer).is_some(),
            "{operation_id}: writable {pointer} was lost:\n{output:#}"
        );
    }
}

#[test]
fn create_project_body_has_no_read_only_property() {
    check::<ProjectRequest>("pages-project-create-project", Some("project"));
    let fields = serde_json::to_value(
        ProjectRequest::new("blog", "main")
            .build_config(Default::default())
            .deployment_configs(Default::default()),
    )
    .unwrap();
    let keys: Vec<&String> = fields.as_object().unwrap().keys().collect();
    assert_eq!(
        keys,
        [
            "build_config",
            "deployment_configs",
            "name",
            "production_branch"
        ]
    );
}

#[test]
fn update_project_body_has_no_read_only_property() {
    check::<ProjectPatch>("pages-project-update-project", Some("project"));
}

#[test]
fn the_other_bodies_keep_every_writable_property() {
    check::<DomainRequest>("pages-domains-add-domain", Some("domain"));
    check::<Source>("pages-project-connect-project-source", None);
    check::<TailRequest>("pages-deployment-create-tail", Some("tail"));
    check::<CheckMissingRequest>("pages-assets-check-missing", None);
    check::<UpsertHashesRequest>("pages-assets-upsert-hashes", None);
}
