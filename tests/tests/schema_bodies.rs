//! Every schema-valid body decodes. Random 200 bodies are generated from an OpenAPI document
//! (following `$ref`, `allOf`, `oneOf`/`anyOf`, `nullable`, required and optional keys, unknown
//! extra keys, open enums, maps, date-times in every form `Timestamp` reads) and then:
//!
//! * for `spec/pages.resolved.json` (what the client is generated from), decoded end to end with
//!   the client's own decoding (`pages_api_client::decode_envelope`, as `Client::execute` does)
//!   into the operation's generated result type: every body decodes, with nothing dropped;
//! * for every `../shared/upstream/*.json`, checked against that document's IR (`fits`, which
//!   mirrors serde's semantics of the generated types): bodies valid per the document as the
//!   generator reads it (canonical keys, overlay applied) must all fit; bodies valid per the raw
//!   document are counted too, and what does not fit is reported by cause (the defects the
//!   overlay repairs) — the client's lenient decoding drops such nodes rather than failing; for
//!   the 2026 release (the client's shape) they are also decoded through the client, counting
//!   what decodes as is, with nodes dropped, or not at all (printed with `--nocapture`).

use std::collections::BTreeMap;

use pages_api_client::decode_envelope;
use pages_api_types as types;
use serde_json::{Map, Value, json};
use xtask::codegen;
use xtask::ir::{Api, Presence, TypeDef, TypeKind, TypeRef};

/// Bodies per operation.
const BODIES: usize = 200;

// ---------------------------------------------------------------------------------------------
// A tiny seeded PRNG (SplitMix64): reproducible bodies without a dependency.

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// `0..n` (`n > 0`).
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    /// True with probability `percent`/100.
    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }

    fn word(&mut self, min: usize, max: usize) -> String {
        const CHARS: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789_-ABCXYZ";
        let len = min + self.below(max.saturating_sub(min) + 1);
        (0..len)
            .map(|_| CHARS[self.below(CHARS.len())] as char)
            .collect()
    }
}

// ---------------------------------------------------------------------------------------------
// Generating bodies valid per a document.

struct Generator<'d> {
    doc: &'d Value,
    rng: Rng,
    /// `allOf` schemas merged once, by the address of the schema in `doc`.
    merged: std::collections::HashMap<usize, &'d Value>,
}

impl<'d> Generator<'d> {
    fn new(doc: &'d Value, seed: u64) -> Self {
        Generator {
            doc,
            rng: Rng(seed),
            merged: Default::default(),
        }
    }
}

const MAX_DEPTH: usize = 14;

impl<'d> Generator<'d> {
    fn resolve(&self, mut schema: &'d Value) -> &'d Value {
        for _ in 0..32 {
            match schema.get("$ref").and_then(Value::as_str) {
                Some(r) => {
                    schema = self
                        .doc
                        .pointer(r.trim_start_matches('#'))
                        .unwrap_or_else(|| panic!("unresolved $ref {r}"));
                }
                None => return schema,
            }
        }
        panic!("a $ref cycle");
    }

    /// `allOf` merged into one schema: properties (a property in several members: `allOf` of
    /// them), `required` united, the first of everything else; `nullable` only if every member
    /// allows null.
    fn merged(&self, schema: &'d Value) -> Value {
        let schema = self.resolve(schema);
        let Some(members) = schema.get("allOf").and_then(Value::as_array) else {
            return schema.clone();
        };
        let mut out = Map::new();
        let mut properties: BTreeMap<String, Vec<Value>> = BTreeMap::new();
        let mut required: Vec<Value> = Vec::new();
        let mut nullable = true;
        let mut parts: Vec<Value> = members.iter().map(|m| self.merged(m)).collect();
        let mut own = schema.clone();
        own.as_object_mut().unwrap().remove("allOf");
        parts.push(own);
        // A union beside a concrete schema (the envelope's `result: anyOf [object, array,
        // string]` beside `result: {$ref: project}`) is taken as satisfied by the concrete one:
        // a body valid per the `allOf` is one of the concrete schema's.
        let is_union = |p: &Value| p.get("anyOf").is_some() || p.get("oneOf").is_some();
        let concrete = |p: &Value| {
            !is_union(p)
                && ["type", "properties", "enum"]
                    .iter()
                    .any(|k| p.get(k).is_some())
        };
        if parts.iter().any(concrete) {
            parts.retain(|p| !is_union(p));
        }
        for part in &parts {
            let Some(part) = part.as_object() else {
                continue;
            };
            nullable &= part.get("nullable") == Some(&Value::Bool(true))
                || part
                    .keys()
                    .all(|k| matches!(k.as_str(), "description" | "title"));
            for (key, value) in part {
                match key.as_str() {
                    "properties" => {
                        for (name, prop) in value.as_object().unwrap() {
                            properties
                                .entry(name.clone())
                                .or_default()
                                .push(prop.clone());
                        }
                    }
                    "required" => {
                        for r in value.as_array().unwrap() {
                            if !required.contains(r) {
                                required.push(r.clone());
                            }
                        }
                    }
                    "nullable" => {}
                    _ => {
                        out.entry(key.clone()).or_insert_with(|| value.clone());
                    }
                }
            }
        }
        if !properties.is_empty() {
            let props: Map<String, Value> = properties
                .into_iter()
                .map(|(name, mut all)| {
                    let one = if all.len() == 1 {
                        all.pop().unwrap()
                    } else {
                        json!({ "allOf": all })
                    };
                    (name, one)
                })
                .collect();
            out.insert("properties".into(), Value::Object(props));
        }
        if !required.is_empty() {
            out.insert("required".into(), Value::Array(required));
        }
        if nullable {
            out.insert("nullable".into(), Value::Bool(true));
        }
        Value::Object(out)
    }

    fn any_json(&mut self, depth: usize) -> Value {
        match self.rng.below(if depth > 3 { 5 } else { 7 }) {
            0 => Value::Null,
            1 => json!(self.rng.chance(50)),
            2 => json!(self.rng.below(1000)),
            3 => json!(self.rng.below(1000) as f64 / 8.0),
            4 => json!(self.rng.word(0, 8)),
            5 => Value::Array(
                (0..self.rng.below(3))
                    .map(|_| self.any_json(depth + 1))
                    .collect(),
            ),
            _ => Value::Object(
                (0..self.rng.below(3))
                    .map(|_| (self.rng.word(1, 6), self.any_json(depth + 1)))
                    .collect(),
            ),
        }
    }

    fn timestamp(&mut self) -> String {
        let date = format!(
            "20{:02}-{:02}-{:02}T{:02}:{:02}:{:02}",
            10 + self.rng.below(20),
            1 + self.rng.below(12),
            1 + self.rng.below(28),
            self.rng.below(24),
            self.rng.below(60),
            self.rng.below(60)
        );
        let fraction = match self.rng.below(4) {
            0 => String::new(),
            1 => format!(".{:03}", self.rng.below(1000)),
            2 => format!(".{:06}", self.rng.below(1_000_000)),
            _ => format!(".{}", self.rng.below(10)),
        };
        let offset = match self.rng.below(5) {
            0 => String::new(),
            1 => "z".into(),
            2 => "+00:00".into(),
            3 => format!(
                "+{:02}:{:02}",
                self.rng.below(14),
                [0, 30, 45][self.rng.below(3)]
            ),
            _ => "Z".into(),
        };
        format!("{date}{fraction}{offset}")
    }

    fn value(&mut self, schema: &'d Value, depth: usize) -> Value {
        let schema = self.resolve(schema);
        if schema.get("allOf").is_some() {
            let key = schema as *const Value as usize;
            let merged = match self.merged.get(&key) {
                Some(merged) => *merged,
                None => {
                    // Leaked once per schema of the document: the test's lifetime.
                    let merged: &'d Value = Box::leak(Box::new(self.merged(schema)));
                    self.merged.insert(key, merged);
                    merged
                }
            };
            return self.value(merged, depth);
        }
        if schema.get("nullable") == Some(&Value::Bool(true)) && self.rng.chance(10) {
            return Value::Null;
        }
        for key in ["oneOf", "anyOf"] {
            if let Some(members) = schema.get(key).and_then(Value::as_array) {
                let member = &members[self.rng.below(members.len())];
                return self.value(member, depth);
            }
        }
        if let Some(values) = schema.get("enum").and_then(Value::as_array) {
            let is_string = values.iter().all(Value::is_string);
            if is_string && self.rng.chance(10) {
                return json!(format!("new_{}", self.rng.word(1, 6)));
            }
            return values[self.rng.below(values.len())].clone();
        }
        let ty = schema.get("type").and_then(Value::as_str);
        let is_object = ty == Some("object")
            || schema.get("properties").is_some()
            || schema.get("additionalProperties").is_some();
        match ty {
            Some("string") => return json!(self.string(schema)),
            Some("integer") => {
                let min = schema.get("minimum").and_then(Value::as_i64).unwrap_or(0);
                return json!(min + self.rng.below(5000) as i64);
            }
            Some("number") => {
                let min = schema.get("minimum").and_then(Value::as_f64).unwrap_or(0.0);
                return if self.rng.chance(50) {
                    json!(min + self.rng.below(5000) as f64)
                } else {
                    json!(min + self.rng.below(5000) as f64 / 16.0)
                };
            }
            Some("boolean") => return json!(self.rng.chance(50)),
            Some("array") => {
                let items = schema.get("items").expect("an array schema has items");
                let min = schema.get("minItems").and_then(Value::as_u64).unwrap_or(0) as usize;
                let n = if depth >= MAX_DEPTH {
                    min
                } else {
                    min + self.rng.below(4)
                };
                return Value::Array((0..n).map(|_| self.value(items, depth + 1)).collect());
            }
            _ if is_object => return self.object(schema, depth),
            _ => {}
        }
        // Untyped (`{}`): anything JSON.
        self.any_json(depth)
    }

    fn string(&mut self, schema: &Value) -> String {
        if schema.get("format").and_then(Value::as_str) == Some("date-time") {
            return self.timestamp();
        }
        if schema.get("pattern").is_some() {
            // Patterns are satisfied with the schema's own example.
            if let Some(example) = schema.get("example").and_then(Value::as_str) {
                return example.to_owned();
            }
        }
        let min = schema.get("minLength").and_then(Value::as_u64).unwrap_or(0) as usize;
        let max = schema
            .get("maxLength")
            .and_then(Value::as_u64)
            .map_or(min.max(12), |m| m as usize);
        if min == max && min >= 32 {
            // Fixed-length identifiers.
            return (0..min)
                .map(|i| b"0123456789abcdef"[(i * 7 + min) % 16] as char)
                .collect();
        }
        self.rng.word(min, max.min(min + 24))
    }

    fn object(&mut self, schema: &'d Value, depth: usize) -> Value {
        let mut out = Map::new();
        let required: Vec<&str> = schema
            .get("required")
            .and_then(Value::as_array)
            .map(|r| r.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        let properties: Vec<(&'d String, &'d Value)> = schema
            .get("properties")
            .and_then(Value::as_object)
            .map(|m| m.iter().collect())
            .unwrap_or_default();
        // `x-placeholder-keys`: the one property is a placeholder for keys the user chooses (a
        // map, as the overlay declares it).
        if schema.get("x-placeholder-keys") == Some(&Value::Bool(true))
            && let Some(&(_, member)) = properties.first()
        {
            for _ in 0..self.rng.below(if depth >= MAX_DEPTH { 1 } else { 4 }) {
                let key = self.rng.word(1, 10).to_uppercase();
                let v = self.value(member, depth + 1);
                out.insert(key, v);
            }
            return Value::Object(out);
        }
        for &(name, prop) in &properties {
            let prop_schema = self.resolve(prop);
            if prop_schema.get("writeOnly") == Some(&Value::Bool(true)) {
                continue;
            }
            let present =
                required.contains(&name.as_str()) || (depth < MAX_DEPTH && self.rng.chance(60));
            if present {
                let v = self.value(prop, depth + 1);
                out.insert(name.clone(), v);
            }
        }
        match schema.get("additionalProperties") {
            Some(extra @ Value::Object(_)) => {
                let n = if depth >= MAX_DEPTH {
                    0
                } else {
                    self.rng.below(4)
                };
                for _ in 0..n {
                    let key = format!("{}_{}", self.rng.word(1, 8), self.rng.below(100));
                    let v = self.value(extra, depth + 1);
                    out.insert(key, v);
                }
            }
            Some(Value::Bool(false)) => {}
            _ if !properties.is_empty() && self.rng.chance(20) => {
                // An unknown key of a newer API.
                let v = self.any_json(depth + 1);
                out.insert(format!("x_new_{}", self.rng.word(1, 6)), v);
            }
            _ => {}
        }
        Value::Object(out)
    }
}

/// `(operationId, the 200 response's JSON schema)` of every operation of `doc`.
fn responses(doc: &Value) -> Vec<(String, &Value)> {
    let mut out = Vec::new();
    for item in doc["paths"].as_object().unwrap().values() {
        for (method, op) in item.as_object().unwrap() {
            if !["get", "put", "post", "delete", "patch"].contains(&method.as_str()) {
                continue;
            }
            let Some(schema) = op.pointer("/responses/200/content/application~1json/schema") else {
                continue;
            };
            out.push((op["operationId"].as_str().unwrap().to_owned(), schema));
        }
    }
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out
}

// ---------------------------------------------------------------------------------------------
// Whether a value fits an IR type, as serde decodes the generated types.

fn fits(value: &Value, ty: &TypeRef, types: &[TypeDef], path: &str) -> Result<(), String> {
    let fail = |why: &str| Err(format!("{path}: {why} (got {})", excerpt(value)));
    match ty {
        TypeRef::Json => Ok(()),
        TypeRef::String if value.is_string() => Ok(()),
        TypeRef::Bool if value.is_boolean() => Ok(()),
        TypeRef::Integer
            if value.is_i64() || value.is_u64() && value.as_u64() <= Some(i64::MAX as u64) =>
        {
            Ok(())
        }
        TypeRef::Number if value.is_number() => Ok(()),
        TypeRef::Timestamp => match serde_json::from_value::<types::Timestamp>(value.clone()) {
            Ok(_) => Ok(()),
            Err(e) => fail(&format!("not a timestamp: {e}")),
        },
        TypeRef::Nullable(_) if value.is_null() => Ok(()),
        TypeRef::Nullable(inner) => fits(value, inner, types, path),
        TypeRef::List(inner) => match value.as_array() {
            Some(items) => items
                .iter()
                .enumerate()
                .try_for_each(|(i, v)| fits(v, inner, types, &format!("{path}[{i}]"))),
            None => fail("not a list"),
        },
        TypeRef::Map(inner) => match value {
            Value::Object(members) => members
                .iter()
                .try_for_each(|(k, v)| fits(v, inner, types, &format!("{path}.{k}"))),
            Value::Array(a) if a.is_empty() => Ok(()),
            _ => fail("not a map"),
        },
        TypeRef::Named(name) => {
            let def = types
                .iter()
                .find(|t| &t.name == name)
                .unwrap_or_else(|| panic!("no type {name} in the IR"));
            match &def.kind {
                TypeKind::Enum(_) => {
                    if value.is_string() {
                        Ok(())
                    } else {
                        fail(&format!("{name} (an open enum) needs a string"))
                    }
                }
                TypeKind::Union(variants) => {
                    let mut why = Vec::new();
                    for v in variants {
                        match fits(value, &v.ty, types, path) {
                            Ok(()) => return Ok(()),
                            Err(e) => why.push(e),
                        }
                    }
                    fail(&format!("no member of {name} fits: {}", why.join("; ")))
                }
                TypeKind::Struct(s) => {
                    let empty = Map::new();
                    let members = match value {
                        Value::Object(m) => m,
                        Value::Array(a) if a.is_empty() => &empty,
                        _ => return fail(&format!("{name} needs an object")),
                    };
                    for field in &s.fields {
                        let at = format!("{path}.{}", field.wire);
                        match (members.get(&field.wire), field.presence) {
                            (None, Presence::Required) => {
                                return Err(format!("{at}: required by {name}, missing"));
                            }
                            (None, _) => {}
                            (Some(Value::Null), Presence::Optional | Presence::Tristate) => {}
                            (Some(v), _) => fits(v, &field.ty, types, &at)?,
                        }
                    }
                    Ok(())
                }
            }
        }
        _ => fail(&format!("not a {ty:?}")),
    }
}

fn excerpt(value: &Value) -> String {
    let text = value.to_string();
    if text.len() > 80 {
        format!("{}...", &text[..80])
    } else {
        text
    }
}

/// The IR's result type of every operation, by operation id (`None`: no typed result).
fn results(api: &Api) -> BTreeMap<String, Option<TypeRef>> {
    api.resources
        .iter()
        .flat_map(|r| &r.operations)
        .map(|op| (op.id.clone(), op.result.clone()))
        .collect()
}

/// A path in a body with array indices and map keys generalised (`result[].env_vars.*`), to
/// group failures by cause.
fn cause(failure: &str) -> String {
    let (path, why) = failure.split_once(": ").unwrap_or((failure, ""));
    // Keys the generator made up (unknown members, map keys) are one key.
    let path = path
        .split('.')
        .map(|k| {
            if k.starts_with("x_new_") {
                "<new key>"
            } else {
                k
            }
        })
        .collect::<Vec<_>>()
        .join(".");
    let mut out = String::new();
    let mut in_index = false;
    for c in path.chars() {
        match c {
            '[' => {
                in_index = true;
                out.push_str("[]");
            }
            ']' => in_index = false,
            _ if in_index => {}
            _ => out.push(c),
        }
    }
    // Without the values (quoted, or after "got"), which differ body by body.
    let why = why.split(" (got").next().unwrap_or(why);
    let why = why.split('"').next().unwrap_or(why);
    format!("{out}: {why}")
}

struct Tally {
    bodies: usize,
    failures: Vec<String>,
}

/// Generates bodies from `doc` for every operation the IR knows and checks each against the
/// IR's result type.
fn check_against_ir(doc: &Value, api: &Api, seed: u64) -> Tally {
    let results = results(api);
    let mut generator = Generator::new(doc, seed);
    let mut tally = Tally {
        bodies: 0,
        failures: Vec::new(),
    };
    for (id, schema) in responses(doc) {
        let Some(result) = results.get(&id) else {
            continue;
        };
        for _ in 0..BODIES {
            let body = generator.value(schema, 0);
            tally.bodies += 1;
            let Some(ty) = result else { continue };
            let value = body.get("result").cloned().unwrap_or(Value::Null);
            if value.is_null() {
                continue;
            }
            if let Err(e) = fits(&value, ty, &api.types, "result") {
                tally.failures.push(format!("{id}: {e}"));
            }
        }
    }
    tally
}

fn summary(failures: &[String]) -> String {
    let mut by_cause: BTreeMap<String, usize> = BTreeMap::new();
    for f in failures {
        let (op, rest) = f.split_once(": ").unwrap();
        *by_cause
            .entry(format!("{op}: {}", cause(rest)))
            .or_default() += 1;
    }
    by_cause
        .iter()
        .map(|(c, n)| format!("  {n:4} × {c}"))
        .collect::<Vec<_>>()
        .join("\n")
}

// ---------------------------------------------------------------------------------------------
// The client's document, end to end through the client's decoding.

/// Decodes `body` as the client decodes operation results of type `ty`; returns what was
/// dropped.
fn decode_as(ty: &Option<TypeRef>, body: &[u8]) -> Result<Vec<types::DroppedField>, String> {
    fn run<T: serde::de::DeserializeOwned>(
        body: &[u8],
    ) -> Result<Vec<types::DroppedField>, String> {
        decode_envelope::<T>(200, body)
            .map(|e| e.dropped)
            .map_err(|e| match &e {
                pages_api_client::Error::Decode { source, .. } => format!("{e}: {source}"),
                _ => e.to_string(),
            })
    }
    fn named(t: &TypeRef) -> Option<&str> {
        match t {
            TypeRef::Named(n) => Some(n.as_str()),
            _ => None,
        }
    }
    match ty {
        None | Some(TypeRef::Json) => run::<Value>(body),
        Some(TypeRef::List(inner)) => match (inner.as_ref(), named(inner)) {
            (TypeRef::String, _) => run::<Vec<String>>(body),
            (_, Some("Project")) => run::<Vec<types::Project>>(body),
            (_, Some("Deployment")) => run::<Vec<types::Deployment>>(body),
            (_, Some("Domain")) => run::<Vec<types::Domain>>(body),
            other => panic!("decode_as: add the list type {other:?}"),
        },
        Some(t) => match named(t) {
            Some("Project") => run::<types::Project>(body),
            Some("Deployment") => run::<types::Deployment>(body),
            Some("DeploymentLogs") => run::<types::DeploymentLogs>(body),
            Some("Domain") => run::<types::Domain>(body),
            Some("Tail") => run::<types::Tail>(body),
            Some("UploadToken") => run::<types::UploadToken>(body),
            _ => panic!("decode_as: add the result type {t:?}"),
        },
    }
}

#[test]
fn every_body_valid_per_the_clients_document_decodes_with_nothing_dropped() {
    let root = codegen::workspace_root();
    let (prepared, _) = codegen::prepare_file(&root, &root.join(codegen::SPEC)).unwrap();
    // What `spec/pages.resolved.json` holds (the freshness test keeps the file to it).
    let doc = &prepared.resolved;
    let results = results(&prepared.api);
    let mut generator = Generator::new(doc, 0x5EED_2026);
    let mut failures = Vec::new();
    let mut bodies = 0;
    let mut operations = 0;
    for (id, schema) in responses(doc) {
        let ty = results
            .get(&id)
            .unwrap_or_else(|| panic!("{id} is not in the IR"));
        operations += 1;
        for _ in 0..BODIES {
            let body = generator.value(schema, 0).to_string();
            bodies += 1;
            match decode_as(ty, body.as_bytes()) {
                Ok(dropped) if dropped.is_empty() => {}
                Ok(dropped) => failures.push(format!("{id}: dropped {dropped:?} of {body}")),
                Err(e) => failures.push(format!("{id}: {e}\n  body: {body}")),
            }
        }
    }
    // Every body fits the IR too.
    let ir = check_against_ir(doc, &prepared.api, 0x5EED_2026);
    eprintln!(
        "spec/pages.resolved.json: {operations} operations, {bodies} bodies decoded, {} failures; \
         IR check: {} bodies, {} failures",
        failures.len(),
        ir.bodies,
        ir.failures.len()
    );
    assert_eq!(
        operations,
        results.len(),
        "every operation has a 200 response"
    );
    assert!(
        failures.is_empty(),
        "{} of {bodies} bodies did not decode cleanly; first:\n{}",
        failures.len(),
        failures
            .iter()
            .take(5)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n")
    );
    assert!(ir.failures.is_empty(), "{}", summary(&ir.failures));
}

/// What the shipped client makes of bodies valid per `doc`: (decoded as is, decoded with nodes
/// dropped, errors by cause).
fn client_outcomes(
    doc: &Value,
    client: &BTreeMap<String, Option<TypeRef>>,
    seed: u64,
) -> (usize, usize, BTreeMap<String, usize>) {
    let mut generator = Generator::new(doc, seed);
    let (mut clean, mut dropped) = (0, 0);
    let mut errors: BTreeMap<String, usize> = BTreeMap::new();
    for (id, schema) in responses(doc) {
        let Some(ty) = client.get(&id) else { continue };
        for _ in 0..BODIES {
            let body = generator.value(schema, 0).to_string();
            match decode_as(ty, body.as_bytes()) {
                Ok(d) if d.is_empty() => clean += 1,
                Ok(_) => dropped += 1,
                Err(e) => {
                    let at = e.split("at `").nth(1).and_then(|r| r.split('`').next());
                    *errors
                        .entry(format!("{id}: at `{}`", at.unwrap_or("?")))
                        .or_default() += 1;
                }
            }
        }
    }
    (clean, dropped, errors)
}

#[test]
fn every_body_valid_per_each_upstream_document_fits_its_ir() {
    let root = codegen::workspace_root();
    let files = codegen::upstream_documents(&root).unwrap_or_else(|e| panic!("{e}"));
    assert!(
        !files.is_empty(),
        "no upstream documents in {}",
        root.join("../shared/upstream").display()
    );
    let mut report = Vec::new();
    let mut fatal = Vec::new();
    for (n, file) in files.iter().enumerate() {
        let name = file.file_name().unwrap().to_string_lossy().into_owned();
        let (prepared, _) =
            codegen::prepare_file(&root, file).unwrap_or_else(|e| panic!("{name}: {e}"));
        // As the generator reads it: must fit, every body.
        let resolved = check_against_ir(&prepared.resolved, &prepared.api, 0xD0C + n as u64);
        // As published: the defects the overlay repairs show here.
        let raw: Value = serde_json::from_str(&std::fs::read_to_string(file).unwrap()).unwrap();
        let published = check_against_ir(&raw, &prepared.api, 0xAB + n as u64);
        report.push(format!(
            "{name}: {} bodies (overlay applied), {} failures; {} bodies (as published), {} \
             do not fit{}",
            resolved.bodies,
            resolved.failures.len(),
            published.bodies,
            published.failures.len(),
            if published.failures.is_empty() {
                String::new()
            } else {
                format!(":\n{}", summary(&published.failures))
            }
        ));
        // The shipped client (generated from spec/, shaped as the 2026 releases) on bodies valid
        // per the published document of that shape: nothing fatal but what cannot be dropped.
        if name.contains("2026") {
            let (client, _) = codegen::prepare_file(&root, &root.join(codegen::SPEC)).unwrap();
            let (clean, dropped, errors) =
                client_outcomes(&raw, &results(&client.api), 0xC1 + n as u64);
            report.push(format!(
                "{name} (as published) through the client: {clean} decoded as is, {dropped} \
                 with nodes dropped, {} errors{}",
                errors.values().sum::<usize>(),
                errors
                    .iter()
                    .map(|(c, k)| format!("\n  {k:4} × {c}"))
                    .collect::<String>()
            ));
        }
        if !resolved.failures.is_empty() {
            fatal.push(format!("{name}:\n{}", summary(&resolved.failures)));
        }
    }
    eprintln!("{}", report.join("\n"));
    assert!(
        fatal.is_empty(),
        "bodies that do not fit:\n{}",
        fatal.join("\n")
    );
}

#[test]
fn a_deployment_with_a_bad_stage_status_is_dropped_from_a_list_with_its_path() {
    let root = codegen::workspace_root();
    let doc: Value =
        serde_json::from_str(&std::fs::read_to_string(root.join(codegen::RESOLVED_SPEC)).unwrap())
            .unwrap();
    let deployment = json!({"$ref": "#/components/schemas/deployment"});
    let mut generator = Generator::new(&doc, 7);
    let list: Vec<Value> = (0..3).map(|_| generator.value(&deployment, 1)).collect();
    let mut bad = list.clone();
    bad[1]["latest_stage"]["status"] = json!(5);
    let body = json!({"success": true, "errors": [], "messages": [], "result": bad}).to_string();
    let env = decode_envelope::<Vec<types::Deployment>>(200, body.as_bytes()).unwrap();
    assert_eq!(env.result.unwrap().len(), 2);
    assert_eq!(env.dropped.len(), 1, "{:?}", env.dropped);
    assert_eq!(env.dropped[0].path, "result[1]");
    assert!(
        env.dropped[0]
            .reason
            .contains("result[1].latest_stage.status"),
        "{:?}",
        env.dropped[0]
    );
    // A single deployment cannot be dropped: the error names the path.
    let one = json!({"result": bad[1]}).to_string();
    let err = decode_envelope::<types::Deployment>(200, one.as_bytes()).unwrap_err();
    let pages_api_client::Error::Decode { source, .. } = &err else {
        panic!("{err:?}")
    };
    assert!(source.to_string().contains("at `result`"), "{source}");
}
