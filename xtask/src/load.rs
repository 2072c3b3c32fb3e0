//! The load stage: JSON in, the Pages part of it with canonical component keys out, and the
//! `openapiv3` parse of the repaired document with its errors located by JSON pointer.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use openapiv3::OpenAPI;
use serde::Deserialize as _;
use serde_json::{Map, Value};

use crate::error::{SpecError, child, escape_segment};
use crate::ident;

/// Parses JSON text; a syntax error names the line and column.
pub fn parse_json(text: &str) -> Result<Value, SpecError> {
    serde_json::from_str(text).map_err(|e| {
        SpecError::new(
            "#",
            format!(
                "expected a JSON document: {e} (line {}, column {})",
                e.line(),
                e.column()
            ),
        )
    })
}

/// How deeply a document may nest (objects and arrays). Cloudflare's documents stay below 20;
/// everything downstream (parsing into `openapiv3`, normalizing, the generated types, rustc)
/// recurses once per level, so a deeper document is refused here rather than overflowing a
/// stack later.
pub const MAX_NESTING: usize = 64;

/// Refuses a document nested deeper than [`MAX_NESTING`], naming the first node too deep.
/// Walks depth-first without recursion, keeping only the keys on the way down (the pointer is
/// spelled out when it is needed, not for every node of a large document).
pub fn check_nesting(doc: &Value) -> Result<(), SpecError> {
    enum Segment<'d> {
        Key(&'d str),
        Index(usize),
    }
    // Each pending node with its depth (the root is 1) and its key in its parent.
    let mut pending: Vec<(&Value, usize, Option<Segment<'_>>)> = vec![(doc, 1, None)];
    // The keys from the root to the node being looked at.
    let mut path: Vec<Segment<'_>> = Vec::new();
    while let Some((value, depth, segment)) = pending.pop() {
        // Depth-first: the node's ancestors are the first `depth - 2` keys of the path.
        path.truncate(depth.saturating_sub(2));
        path.extend(segment);
        if depth > MAX_NESTING {
            let at = path
                .iter()
                .fold("#".to_string(), |at, segment| match segment {
                    Segment::Key(key) => child(&at, key),
                    Segment::Index(i) => format!("{at}/{i}"),
                });
            return Err(SpecError::new(
                at,
                format!("expected a document nested at most {MAX_NESTING} levels deep"),
            ));
        }
        match value {
            Value::Object(map) => pending.extend(
                map.iter()
                    .map(|(k, v)| (v, depth + 1, Some(Segment::Key(k.as_str())))),
            ),
            Value::Array(items) => pending.extend(
                items
                    .iter()
                    .enumerate()
                    .map(|(i, v)| (v, depth + 1, Some(Segment::Index(i)))),
            ),
            _ => {}
        }
    }
    Ok(())
}

/// A Pages path: `/accounts/{account_id}/pages/...`, or `/pages/...` (the asset endpoints of
/// Direct Upload, which belong to no account).
pub fn is_pages_path(path: &str) -> bool {
    let mut segments = path.trim_start_matches('/').split('/');
    match segments.next() {
        Some("pages") => segments.next().is_some_and(|s| !s.is_empty()),
        Some("accounts") => {
            segments.next().is_some_and(|s| s.starts_with('{')) && segments.next() == Some("pages")
        }
        _ => false,
    }
}

/// Keeps the Pages paths of a document (which may hold every Cloudflare product) and the
/// components they reach, transitively; security schemes are kept whole. A `$ref` that points
/// nowhere is an error at the place it stands.
pub fn select_pages(doc: &Value) -> Result<Value, SpecError> {
    let object = doc
        .as_object()
        .ok_or_else(|| SpecError::new("#", "expected a JSON object"))?;
    let paths = object
        .get("paths")
        .and_then(Value::as_object)
        .ok_or_else(|| SpecError::new("#/paths", "expected an object of paths"))?;
    let kept_paths: Vec<(&String, &Value)> =
        paths.iter().filter(|(p, _)| is_pages_path(p)).collect();
    if kept_paths.is_empty() {
        return Err(SpecError::new(
            "#/paths",
            "expected at least one Pages path (/accounts/{account_id}/pages/... or /pages/...)",
        ));
    }

    // The walk borrows the document; each kept part is cloned once, at the end.
    let mut reached: BTreeSet<&str> = BTreeSet::new();
    let mut pending: Vec<(String, &Value)> = kept_paths
        .iter()
        .map(|(p, v)| (child("#/paths", p), *v))
        .collect();
    let mut refs = Vec::new();
    while let Some((mut pointer, value)) = pending.pop() {
        collect_refs(value, &mut pointer, &mut refs);
        for (at, reference) in refs.drain(..) {
            if !reached.insert(reference) {
                continue;
            }
            let target = resolve_pointer(doc, reference).ok_or_else(|| {
                SpecError::new(
                    at,
                    format!("expected `{reference}` to point to a component of this document"),
                )
            })?;
            pending.push((reference.to_string(), target));
        }
    }

    let kept_components = |all: &Map<String, Value>| -> Map<String, Value> {
        let mut components = Map::new();
        for (kind, members) in all {
            let Some(members) = members.as_object() else {
                continue;
            };
            let kept: Map<String, Value> = members
                .iter()
                .filter(|(name, _)| {
                    kind == "securitySchemes"
                        || reached.contains(
                            format!("#/components/{kind}/{}", escape_segment(name)).as_str(),
                        )
                })
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect();
            if !kept.is_empty() {
                components.insert(kind.clone(), Value::Object(kept));
            }
        }
        components
    };

    let mut selected = Map::new();
    for (key, value) in object {
        let kept = match (key.as_str(), value) {
            ("paths", _) => Value::Object(
                kept_paths
                    .iter()
                    .map(|(p, v)| ((*p).clone(), (*v).clone()))
                    .collect(),
            ),
            ("components", Value::Object(all)) => Value::Object(kept_components(all)),
            ("components", _) => Value::Object(Map::new()),
            ("tags" | "x-tagGroups", _) => continue, // other products' navigation
            _ => value.clone(),
        };
        selected.insert(key.clone(), kept);
    }
    Ok(Value::Object(selected))
}

/// Every `$ref` under `value` with the pointer it stands at; `pointer` (where `value` stands)
/// grows and shrinks as the walk goes, so only the pointers of references are allocated.
fn collect_refs<'a>(value: &'a Value, pointer: &mut String, out: &mut Vec<(String, &'a str)>) {
    let len = pointer.len();
    match value {
        Value::Object(map) => {
            for (key, item) in map {
                pointer.push('/');
                if key.contains(['~', '/']) {
                    pointer.push_str(&escape_segment(key));
                } else {
                    pointer.push_str(key);
                }
                match (key.as_str(), item) {
                    ("$ref", Value::String(reference)) => out.push((pointer.clone(), reference)),
                    _ => collect_refs(item, pointer, out),
                }
                pointer.truncate(len);
            }
        }
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                let _ = write!(pointer, "/{i}");
                collect_refs(item, pointer, out);
                pointer.truncate(len);
            }
        }
        _ => {}
    }
}

fn resolve_pointer<'a>(doc: &'a Value, reference: &str) -> Option<&'a Value> {
    reference.strip_prefix('#').and_then(|p| doc.pointer(p))
}

/// The component keys `canonicalize` changed, to report errors in the document's own keys.
#[derive(Clone, Debug, Default)]
pub struct OriginalKeys {
    /// Canonical pointer prefix -> the document's own (`#/components/schemas/project` ->
    /// `#/components/schemas/pages_project`).
    renamed: BTreeMap<String, String>,
}

impl OriginalKeys {
    /// `pointer` with a renamed component's canonical key put back as the document spells it.
    pub fn original(&self, pointer: &str) -> String {
        for (canonical, original) in &self.renamed {
            if let Some(rest) = pointer.strip_prefix(canonical.as_str())
                && (rest.is_empty() || rest.starts_with('/'))
            {
                return format!("{original}{rest}");
            }
        }
        pointer.to_string()
    }

    /// The same error, located in the document's own keys.
    pub fn locate(&self, error: SpecError) -> SpecError {
        SpecError {
            pointer: self.original(&error.pointer),
            message: error.message,
        }
    }
}

/// Renames every schema component to its canonical key (see `ident::canonical_component_keys`)
/// and rewrites the `$ref`s to match, so that the overlay and the normalizer see the same keys
/// whatever vendor prefix this release of the document used. Security schemes that carry the
/// same vendor namespace lose it too (`pages_upload_token` -> `upload_token`), in the operations'
/// `security` requirements as well; the others keep their keys (`api_token`/`api_key` share an
/// `api_` that is not a namespace).
pub fn canonicalize(doc: &mut Value) -> OriginalKeys {
    let mut renames: BTreeMap<String, String> = BTreeMap::new();
    let mut namespace = None;
    if let Some(members) = doc
        .pointer_mut("/components/schemas")
        .and_then(Value::as_object_mut)
    {
        namespace = ident::shared_namespace_of(members.keys().map(String::as_str));
        let canonical = ident::canonical_component_keys(members.keys().map(String::as_str));
        let renamed: Map<String, Value> = std::mem::take(members)
            .into_iter()
            .map(|(key, value)| {
                let new_key = canonical[&key].clone();
                if new_key != key {
                    renames.insert(
                        child("#/components/schemas", &key),
                        child("#/components/schemas", &new_key),
                    );
                }
                (new_key, value)
            })
            .collect();
        *members = renamed;
    }
    rewrite_refs(doc, &renames);
    if let Some(namespace) = namespace {
        rename_security_schemes(doc, &namespace);
    }
    OriginalKeys {
        renamed: renames.into_iter().map(|(old, new)| (new, old)).collect(),
    }
}

fn rename_security_schemes(doc: &mut Value, namespace: &str) {
    let strip = |key: &str| -> Option<String> {
        let rest = key.strip_prefix(namespace)?;
        let rest = rest.strip_prefix(['_', '-'])?;
        (!rest.is_empty()).then(|| rest.to_string())
    };
    let Some(schemes) = doc
        .pointer_mut("/components/securitySchemes")
        .and_then(Value::as_object_mut)
    else {
        return;
    };
    let renames: BTreeMap<String, String> = schemes
        .keys()
        .filter_map(|k| strip(k).map(|new| (k.clone(), new)))
        .filter(|(_, new)| !schemes.contains_key(new))
        .collect();
    if renames.is_empty() {
        return;
    }
    let renamed: Map<String, Value> = std::mem::take(schemes)
        .into_iter()
        .map(|(k, v)| (renames.get(&k).cloned().unwrap_or(k), v))
        .collect();
    *schemes = renamed;
    let rename_requirements = |security: &mut Value| {
        for requirement in security.as_array_mut().into_iter().flatten() {
            if let Some(requirement) = requirement.as_object_mut() {
                let renamed: Map<String, Value> = std::mem::take(requirement)
                    .into_iter()
                    .map(|(k, v)| (renames.get(&k).cloned().unwrap_or(k), v))
                    .collect();
                *requirement = renamed;
            }
        }
    };
    if let Some(security) = doc.get_mut("security") {
        rename_requirements(security);
    }
    for item in doc
        .get_mut("paths")
        .and_then(Value::as_object_mut)
        .into_iter()
        .flat_map(|paths| paths.values_mut())
    {
        for operation in item
            .as_object_mut()
            .into_iter()
            .flat_map(|i| i.values_mut())
        {
            if let Some(security) = operation.get_mut("security") {
                rename_requirements(security);
            }
        }
    }
}

fn rewrite_refs(value: &mut Value, renames: &BTreeMap<String, String>) {
    match value {
        Value::Object(map) => {
            for (key, item) in map.iter_mut() {
                match item {
                    Value::String(reference) if key == "$ref" => {
                        if let Some(new) = renames.get(reference.as_str()) {
                            *reference = new.clone();
                        }
                    }
                    _ => rewrite_refs(item, renames),
                }
            }
        }
        Value::Array(items) => items
            .iter_mut()
            .for_each(|item| rewrite_refs(item, renames)),
        _ => {}
    }
}

/// Parses the repaired document with `openapiv3`; an error names the JSON pointer of the
/// innermost value that did not fit and what `openapiv3` expected there.
pub fn parse_openapi(doc: &Value) -> Result<OpenAPI, SpecError> {
    let version = doc
        .get("openapi")
        .and_then(Value::as_str)
        .unwrap_or_default();
    if !version.starts_with("3.0") {
        return Err(SpecError::new(
            "#/openapi",
            format!("expected an OpenAPI 3.0.x document, found `{version}`"),
        ));
    }
    // The path of an error is tracked only once there is one (tracking slows every parse).
    if let Ok(parsed) = OpenAPI::deserialize(doc) {
        return Ok(parsed);
    }
    serde_path_to_error::deserialize::<_, OpenAPI>(doc).map_err(|e| {
        locate_parse_error(doc).unwrap_or_else(|| {
            SpecError::new(
                path_to_pointer("#", e.path()),
                format!("expected valid OpenAPI 3.0: {}", e.inner()),
            )
        })
    })
}

/// `openapiv3` flattens path items and components, which hides the path of an error below
/// them; parsing the parts one by one, innermost first, finds where the problem really is.
fn locate_parse_error(doc: &Value) -> Option<SpecError> {
    use openapiv3::{Operation, Parameter, PathItem, ReferenceOr, RequestBody, Response, Schema};
    fn probe<T: serde::de::DeserializeOwned>(value: &Value, pointer: &str) -> Option<SpecError> {
        serde_path_to_error::deserialize::<_, T>(value)
            .err()
            .map(|e| {
                SpecError::new(
                    path_to_pointer(pointer, e.path()),
                    format!("expected valid OpenAPI 3.0: {}", e.inner()),
                )
            })
    }
    let paths = doc
        .get("paths")
        .and_then(Value::as_object)
        .into_iter()
        .flatten();
    for (path, item) in paths {
        let path_at = child("#/paths", path);
        for (method, op) in item.as_object().into_iter().flatten() {
            let op_at = child(&path_at, method);
            let parameters = op
                .get("parameters")
                .and_then(Value::as_array)
                .into_iter()
                .flatten();
            let found = parameters
                .enumerate()
                .find_map(|(i, p)| {
                    probe::<ReferenceOr<Parameter>>(p, &format!("{op_at}/parameters/{i}"))
                })
                .or_else(|| {
                    op.get("requestBody").and_then(|b| {
                        probe::<ReferenceOr<RequestBody>>(b, &child(&op_at, "requestBody"))
                    })
                })
                .or_else(|| {
                    let responses = op
                        .get("responses")
                        .and_then(Value::as_object)
                        .into_iter()
                        .flatten();
                    responses.into_iter().find_map(|(status, r)| {
                        probe::<ReferenceOr<Response>>(
                            r,
                            &child(&child(&op_at, "responses"), status),
                        )
                    })
                })
                .or_else(|| {
                    if method.starts_with("x-") {
                        None
                    } else {
                        probe::<Operation>(op, &op_at)
                    }
                });
            if found.is_some() {
                return found;
            }
        }
        if let Some(found) = probe::<PathItem>(item, &path_at) {
            return Some(found);
        }
    }
    let schemas = doc
        .pointer("/components/schemas")
        .and_then(Value::as_object)
        .into_iter()
        .flatten();
    for (name, schema) in schemas {
        if let Some(found) =
            probe::<ReferenceOr<Schema>>(schema, &child("#/components/schemas", name))
        {
            return Some(found);
        }
    }
    None
}

fn path_to_pointer(base: &str, path: &serde_path_to_error::Path) -> String {
    use serde_path_to_error::Segment;
    let mut pointer = base.to_string();
    for segment in path.iter() {
        match segment {
            Segment::Seq { index } => pointer.push_str(&format!("/{index}")),
            Segment::Map { key } => pointer = child(&pointer, key),
            Segment::Enum { variant } => pointer = child(&pointer, variant),
            Segment::Unknown => break,
        }
    }
    pointer
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn selection_keeps_pages_paths_and_what_they_reach() {
        let doc = json!({
            "openapi": "3.0.3",
            "paths": {
                "/accounts/{a}/pages/projects": {"get": {"responses": {"200": {"$ref": "#/components/responses/r"}}}},
                "/zones/{z}/dns_records": {"get": {"responses": {"200": {"$ref": "#/components/responses/dns"}}}}
            },
            "components": {
                "responses": {"r": {"description": "", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/a"}}}}, "dns": {"description": ""}},
                "schemas": {"a": {"properties": {"b": {"$ref": "#/components/schemas/b"}}}, "b": {}, "unused": {}},
                "securitySchemes": {"api_token": {"type": "http", "scheme": "bearer"}}
            }
        });
        let selected = select_pages(&doc).unwrap();
        assert_eq!(selected["paths"].as_object().unwrap().len(), 1);
        let schemas: Vec<_> = selected["components"]["schemas"]
            .as_object()
            .unwrap()
            .keys()
            .cloned()
            .collect();
        assert_eq!(schemas, ["a", "b"]);
        assert!(selected["components"]["responses"].get("dns").is_none());
        assert!(
            selected["components"]["securitySchemes"]
                .get("api_token")
                .is_some()
        );
    }

    #[test]
    fn a_dangling_ref_names_where_it_stands() {
        let doc = json!({"paths": {"/accounts/{a}/pages/p": {"get": {"responses": {"200": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/missing"}}}}}}}}});
        let err = select_pages(&doc).unwrap_err();
        assert_eq!(
            err.pointer,
            "#/paths/~1accounts~1{a}~1pages~1p/get/responses/200/content/application~1json/schema/$ref"
        );
        assert!(
            err.message.contains("#/components/schemas/missing"),
            "{err}"
        );
    }

    #[test]
    fn canonical_keys_rewrite_refs() {
        let mut doc = json!({
            "paths": {"/x": {"get": {"schema": {"$ref": "#/components/schemas/aM5gKYXN_projects"}}}},
            "components": {"schemas": {"aM5gKYXN_projects": {"items": {"$ref": "#/components/schemas/aM5gKYXN_stage"}}, "aM5gKYXN_stage": {}}}
        });
        doc["components"]["securitySchemes"] =
            json!({"api_key": {}, "api_token": {}, "aM5gKYXN_upload": {}});
        doc["paths"]["/x"]["get"]["security"] = json!([{"aM5gKYXN_upload": []}]);
        let keys = canonicalize(&mut doc);
        let schemes: Vec<_> = doc["components"]["securitySchemes"]
            .as_object()
            .unwrap()
            .keys()
            .cloned()
            .collect();
        assert_eq!(
            schemes,
            ["api_key", "api_token", "upload"],
            "security schemes lose only the schemas' namespace"
        );
        assert_eq!(
            doc["paths"]["/x"]["get"]["security"],
            json!([{"upload": []}])
        );
        assert_eq!(
            keys.original("#/components/schemas/projects/items/$ref"),
            "#/components/schemas/aM5gKYXN_projects/items/$ref"
        );
        assert_eq!(
            keys.original("#/components/schemas/projectsX"),
            "#/components/schemas/projectsX"
        );
        assert_eq!(
            doc["paths"]["/x"]["get"]["schema"]["$ref"],
            "#/components/schemas/projects"
        );
        assert_eq!(
            doc["components"]["schemas"]["projects"]["items"]["$ref"],
            "#/components/schemas/stage"
        );
    }

    #[test]
    fn a_document_too_deep_is_refused_at_its_first_node_too_deep() {
        let mut deep = json!(1);
        for _ in 0..70 {
            deep = json!([deep]);
        }
        // The deep branch is walked last, after a sibling that leaves keys on the way.
        let doc = json!({"paths": {"x/y": deep, "z": {"a": {"b": [1, 2]}}}});
        let err = check_nesting(&doc).unwrap_err().to_string();
        // The root is level 1, `paths` 2, `x/y` 3: the node at level 65 is 62 arrays down.
        let expected = format!("#/paths/x~1y{}", "/0".repeat(62));
        assert!(err.starts_with(&format!("{expected}: ")), "{err}");
        assert!(err.contains("at most 64 levels deep"), "{err}");
        let shallow = json!({"paths": {"z": {"a": {"b": [1, 2]}}}});
        assert!(check_nesting(&shallow).is_ok());
    }

    #[test]
    fn parse_errors_carry_the_pointer() {
        let doc = json!({"openapi": "3.0.3", "info": {"title": "t", "version": "1"}, "paths": {
            "/accounts/{a}/pages/p": {"get": {"parameters": [{"in": "path", "name": 3}], "responses": {}}}
        }});
        let err = parse_openapi(&doc).unwrap_err();
        assert!(
            err.pointer
                .starts_with("#/paths/~1accounts~1{a}~1pages~1p/get/parameters/0"),
            "{err}"
        );
        let err = parse_openapi(&json!({"openapi": "2.0"})).unwrap_err();
        assert_eq!(err.pointer, "#/openapi");
    }
}
