//! Checks the fake's response bodies against the 2026 document (`spec/pages.resolved.json`,
//! the spec with the overlay applied): the operation's `200` or `4XX` schema, with `$ref`,
//! `allOf`, `oneOf`, `anyOf`, `nullable`, `required`, `enum`, `type`, `pattern`, `maxLength`,
//! `format: date-time`, `minimum` and `additionalProperties` checked. Enough of OpenAPI 3.0 for
//! this document; an unknown `pattern` is reported rather than ignored.

use std::sync::OnceLock;

use pages_api_client::types::time::OffsetDateTime;
use pages_api_client::types::time::format_description::well_known::Rfc3339;
use serde_json::Value;

/// The document, read once per test binary.
fn spec() -> &'static Value {
    static SPEC: OnceLock<Value> = OnceLock::new();
    SPEC.get_or_init(|| {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../spec/pages.resolved.json"
        );
        let text = std::fs::read_to_string(path).expect("spec/pages.resolved.json is readable");
        serde_json::from_str(&text).expect("spec/pages.resolved.json is JSON")
    })
}

/// The operation of `method` on `path` (under the API root), if the document has one.
fn operation(method: &str, path: &str) -> Option<&'static Value> {
    let segments: Vec<&str> = path.trim_end_matches('/').split('/').collect();
    let paths = spec()["paths"].as_object()?;
    paths.iter().find_map(|(template, item)| {
        let parts: Vec<&str> = template.split('/').collect();
        let matches = parts.len() == segments.len()
            && parts
                .iter()
                .zip(&segments)
                .all(|(part, segment)| part.starts_with('{') || part == segment);
        matches
            .then(|| item.get(method.to_ascii_lowercase()))
            .flatten()
    })
}

/// Whether the document is there to check against: always in the workspace (a missing
/// document fails the check there), not in the packaged crate (`cargo package` writes
/// `Cargo.toml.orig`; the tarball has no `spec/`), whose tests run without the check.
fn spec_available() -> bool {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    !dir.join("Cargo.toml.orig").exists() || dir.join("../../spec/pages.resolved.json").exists()
}

/// What is wrong with the body of a `status` response to `method path` (empty when nothing).
pub fn check_response(method: &str, path: &str, status: u16, body: &[u8]) -> Vec<String> {
    if !spec_available() {
        return Vec::new();
    }
    let body: Value = match serde_json::from_slice(body) {
        Ok(body) => body,
        Err(err) => return vec![format!("the body is not JSON: {err}")],
    };
    let key = if (200..300).contains(&status) {
        "200"
    } else {
        "4XX"
    };
    let failure = &spec()["components"]["schemas"]["api-response-common-failure"];
    let schema = operation(method, path)
        .and_then(|op| op["responses"][key]["content"]["application/json"].get("schema"))
        .unwrap_or(failure);
    let mut errors = Vec::new();
    validate(&body, schema, "", &mut errors);
    errors
}

fn resolve(schema: &Value) -> &Value {
    match schema.get("$ref").and_then(Value::as_str) {
        Some(reference) => resolve(
            spec()
                .pointer(reference.trim_start_matches('#'))
                .unwrap_or_else(|| panic!("unresolved $ref {reference}")),
        ),
        None => schema,
    }
}

fn nullable(schema: &Value) -> bool {
    let schema = resolve(schema);
    schema["nullable"] == Value::Bool(true)
        || schema["enum"]
            .as_array()
            .is_some_and(|values| values.contains(&Value::Null))
        || schema["allOf"]
            .as_array()
            .is_some_and(|members| members.iter().any(nullable))
}

/// Adds what is wrong with `value` under `schema` to `errors`, each at its JSON pointer.
pub fn validate(value: &Value, schema: &Value, at: &str, errors: &mut Vec<String>) {
    let schema = resolve(schema);
    if value.is_null() {
        if !nullable(schema) {
            errors.push(format!("{at}: null is not allowed"));
        }
        return;
    }
    for member in schema["allOf"].as_array().into_iter().flatten() {
        validate(value, member, at, errors);
    }
    for (keyword, allowed) in [("oneOf", 1..=1), ("anyOf", 1..=usize::MAX)] {
        let Some(members) = schema[keyword].as_array() else {
            continue;
        };
        let valid = members
            .iter()
            .filter(|member| {
                let mut found = Vec::new();
                validate(value, member, at, &mut found);
                found.is_empty()
            })
            .count();
        if !allowed.contains(&valid) {
            errors.push(format!("{at}: matches {valid} of the {keyword} schemas"));
        }
    }
    if let Some(values) = schema["enum"].as_array()
        && !values.contains(value)
    {
        errors.push(format!("{at}: {value} is not one of {values:?}"));
    }
    if let Some(kind) = schema["type"].as_str() {
        let ok = match kind {
            "string" => value.is_string(),
            "integer" => value.is_i64() || value.is_u64(),
            "number" => value.is_number(),
            "boolean" => value.is_boolean(),
            "array" => value.is_array(),
            "object" => value.is_object(),
            other => {
                errors.push(format!("{at}: the check knows no type {other}"));
                true
            }
        };
        if !ok {
            errors.push(format!("{at}: {value} is not of type {kind}"));
            return;
        }
    }
    match value {
        Value::String(text) => check_string(text, schema, at, errors),
        Value::Number(number) => {
            if let (Some(minimum), Some(n)) = (schema["minimum"].as_f64(), number.as_f64())
                && n < minimum
            {
                errors.push(format!("{at}: {n} is below the minimum {minimum}"));
            }
        }
        Value::Array(items) => {
            if let Some(min) = schema["minLength"].as_u64()
                && (items.len() as u64) < min
            {
                errors.push(format!("{at}: fewer than {min} items"));
            }
            for (i, item) in items.iter().enumerate() {
                if let Some(item_schema) = schema.get("items") {
                    validate(item, item_schema, &format!("{at}/{i}"), errors);
                }
                if schema["uniqueItems"] == Value::Bool(true) && items[..i].contains(item) {
                    errors.push(format!("{at}/{i}: a duplicate item"));
                }
            }
        }
        Value::Object(object) => {
            for key in schema["required"].as_array().into_iter().flatten() {
                let key = key.as_str().expect("required names are strings");
                if !object.contains_key(key) {
                    errors.push(format!("{at}: the required property {key} is missing"));
                }
            }
            let properties = schema["properties"].as_object();
            for (key, item) in object {
                let at = format!("{at}/{key}");
                match (
                    properties.and_then(|p| p.get(key)),
                    &schema["additionalProperties"],
                ) {
                    (Some(property), _) => validate(item, property, &at, errors),
                    (None, Value::Bool(false)) => errors.push(format!("{at}: not allowed")),
                    (None, extra @ Value::Object(_)) => validate(item, extra, &at, errors),
                    (None, _) => {}
                }
            }
        }
        _ => {}
    }
}

fn check_string(text: &str, schema: &Value, at: &str, errors: &mut Vec<String>) {
    if let Some(max) = schema["maxLength"].as_u64()
        && text.chars().count() as u64 > max
    {
        errors.push(format!("{at}: {text:?} is longer than {max}"));
    }
    if schema["format"] == "date-time" && OffsetDateTime::parse(text, &Rfc3339).is_err() {
        errors.push(format!("{at}: {text:?} is not an RFC 3339 date-time"));
    }
    if let Some(pattern) = schema["pattern"].as_str() {
        match matches_pattern(pattern, text) {
            Some(true) => {}
            Some(false) => errors.push(format!("{at}: {text:?} does not match {pattern}")),
            None => errors.push(format!("{at}: the check knows no pattern {pattern}")),
        }
    }
}

/// The document's two patterns, by hand (the tests have no regex engine); `None` for another.
fn matches_pattern(pattern: &str, text: &str) -> Option<bool> {
    let label = |label: &str, first_alnum: bool| {
        !label.is_empty()
            && label
                .chars()
                .enumerate()
                .all(|(i, c)| c.is_ascii_alphanumeric() || (c == '-' && !(first_alnum && i == 0)))
    };
    match pattern {
        // A project name.
        "^[a-z0-9][a-z0-9-]*$" => {
            Some(label(text, true) && !text.chars().any(|c| c.is_ascii_uppercase()))
        }
        // A domain name: labels and dots, a last label of 2 to 20 characters.
        r"^([a-zA-Z0-9][\-a-zA-Z0-9]*\.)+[\-a-zA-Z0-9]{2,20}$" => {
            let labels: Vec<&str> = text.split('.').collect();
            let (last, rest) = labels.split_last()?;
            Some(
                !rest.is_empty()
                    && rest.iter().all(|l| label(l, true))
                    && (2..=20).contains(&last.len())
                    && label(last, false),
            )
        }
        _ => None,
    }
}
