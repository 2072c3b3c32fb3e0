//! `cargo xtask mutate`: the generator on input it has not seen. Real documents are mutated in
//! deterministic, seeded ways (wrong types, odd and colliding names, deep nesting, dangling and
//! recursive references, removed and replaced nodes); each mutant must either generate or be
//! refused with an error that names a JSON pointer. The test suite runs the cases in process
//! (`xtask/tests/mutations.rs`); the command also compiles a sample of the generated outputs.

use std::fmt::Write as _;
use std::path::Path;
use std::process::Command;

use serde_json::{Value, json};

use crate::codegen::{self, OVERLAY, SPEC};
use crate::error::escape_segment;
use crate::write::{self, OutputFile};

/// The overlay every mutant is repaired with, read once.
pub fn overlay(root: &Path) -> Result<Value, String> {
    codegen::read_json(&root.join(OVERLAY), OVERLAY).map_err(|e| e.to_string())
}

/// One mutant document.
pub struct Case {
    /// Which document and what was done to it.
    pub label: String,
    pub text: String,
}

/// What the generator made of a mutant.
pub enum Outcome {
    Generated(Vec<OutputFile>),
    Refused(String),
}

/// Names a spec may use that the generator also uses (runtime types, std items, builder
/// members, keywords), and names that are not identifiers at all.
const ODD_NAMES: &[&str] = &[
    "²",
    "٣x",
    "ा",
    "日本",
    "ü",
    "",
    "-",
    "a b",
    "123abc",
    "__",
    "r#type",
    "type",
    "self",
    "Self",
    "super",
    "crate",
    "send",
    "client",
    "timeout",
    "options",
    "stream",
    "all",
    "new",
    "Client",
    "Error",
    "Option",
    "Result",
    "String",
    "Vec",
    "Box",
    "Default",
    "Serialize",
    "Deserialize",
    "From",
    "Into",
    "Method",
    "ApiRequest",
    "NoResult",
    "Envelope",
    "Patch",
    "Timestamp",
    "FilePart",
    "RequestOptions",
];

/// Path segments that would name resources after the generator's own types.
const COLLIDING_SEGMENTS: &[&str] = &[
    "client",
    "clients",
    "errors",
    "methods",
    "api_requests",
    "serializes",
    "deserializes",
    "froms",
    "no_results",
    "options",
    "selves",
    "requests",
    "envelopes",
    "patches",
    "results",
];

/// `spec/pages.json` and every `../shared/upstream/*.json`, with their labels.
pub fn documents(root: &Path) -> Result<Vec<(String, Value)>, String> {
    let mut paths = vec![root.join(SPEC)];
    paths.extend(codegen::upstream_documents(root)?);
    paths
        .iter()
        .map(|path| {
            let label = codegen::spec_label(path, root);
            codegen::read_json(path, &label)
                .map(|doc| (label, doc))
                .map_err(|e| e.to_string())
        })
        .collect()
}

/// A small deterministic generator (xorshift64*), so every run tries the same mutants.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

/// JSON pointers of every object in the document below `paths` and `components`.
fn object_pointers(value: &Value, at: &str, out: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            out.push(at.to_string());
            for (key, child) in map {
                object_pointers(child, &format!("{at}/{}", escape_segment(key)), out);
            }
        }
        Value::Array(items) => {
            for (i, child) in items.iter().enumerate() {
                object_pointers(child, &format!("{at}/{i}"), out);
            }
        }
        _ => {}
    }
}

/// `count` mutants of the documents, `seed` choosing which.
pub fn cases(documents: &[(String, Value)], count: usize, seed: u64) -> Vec<Case> {
    let mut rng = Rng(seed | 1);
    let pointers: Vec<Vec<String>> = documents
        .iter()
        .map(|(_, doc)| {
            let mut out = Vec::new();
            for top in ["paths", "components"] {
                if let Some(part) = doc.get(top) {
                    object_pointers(part, &format!("/{top}"), &mut out);
                }
            }
            out
        })
        .collect();
    let mut cases = Vec::with_capacity(count);
    for n in 0..count {
        let index = n % documents.len();
        let (label, doc) = &documents[index];
        let mut doc = doc.clone();
        let at = rng.pick(&pointers[index]).clone();
        let what = mutate_at(&mut doc, &at, &mut rng);
        let text = match what {
            Mutation::Value(_) => serde_json::to_string(&doc).unwrap_or_default(),
            Mutation::Nested(depth) => nested_text(&doc, &at, depth),
        };
        cases.push(Case {
            label: format!("{label} #{n}: {} at {at}", what.describe()),
            text,
        });
    }
    cases
}

enum Mutation {
    Value(String),
    /// The node is replaced by objects nested this deep (written as text).
    Nested(usize),
}

impl Mutation {
    fn describe(&self) -> String {
        match self {
            Mutation::Value(what) => what.clone(),
            Mutation::Nested(depth) => format!("nested {depth} deep"),
        }
    }
}

fn mutate_at(doc: &mut Value, at: &str, rng: &mut Rng) -> Mutation {
    let component_keys: Vec<String> = doc
        .pointer("/components/schemas")
        .and_then(Value::as_object)
        .map(|m| m.keys().cloned().collect())
        .unwrap_or_default();
    let Some(Value::Object(node)) = doc.pointer_mut(at) else {
        return Mutation::Value("nothing".into());
    };
    let keys: Vec<String> = node.keys().cloned().collect();
    let odd = rng.pick(ODD_NAMES).to_string();
    match rng.below(11) {
        0 => {
            let typ = rng
                .pick(&[
                    json!("string"),
                    json!("integer"),
                    json!("number"),
                    json!("boolean"),
                    json!("object"),
                    json!("array"),
                    json!("null"),
                    json!("foo"),
                    json!(3),
                ])
                .clone();
            node.insert("type".into(), typ.clone());
            Mutation::Value(format!("type {typ}"))
        }
        1 if !keys.is_empty() => {
            let key = rng.pick(&keys).clone();
            let value = node.shift_remove(&key).unwrap_or(Value::Null);
            node.insert(odd.clone(), value);
            Mutation::Value(format!("key {key:?} renamed {odd:?}"))
        }
        2 if !keys.is_empty() => {
            let key = rng.pick(&keys).clone();
            node.shift_remove(&key);
            Mutation::Value(format!("key {key:?} removed"))
        }
        3 if !keys.is_empty() => {
            let key = rng.pick(&keys).clone();
            let value = rng
                .pick(&[
                    Value::Null,
                    json!(1),
                    json!("x"),
                    json!([]),
                    json!({}),
                    json!(true),
                ])
                .clone();
            node.insert(key.clone(), value.clone());
            Mutation::Value(format!("{key:?} replaced by {value}"))
        }
        4 => {
            let target = if rng.below(3) == 0 || component_keys.is_empty() {
                "missing".to_string()
            } else {
                rng.pick(&component_keys).clone()
            };
            node.insert(
                "$ref".into(),
                json!(format!("#/components/schemas/{target}")),
            );
            Mutation::Value(format!("$ref to {target}"))
        }
        5 => {
            node.insert("type".into(), json!("string"));
            node.insert("enum".into(), json!([odd, odd, "", "Unknown", "a|b"]));
            Mutation::Value(format!("enum with {odd:?}"))
        }
        6 => {
            node.insert("properties".into(), json!({ odd.clone(): {"type": "object", "properties": {"send": {"type": "string"}, "client": {"type": "integer"}}}}));
            Mutation::Value(format!("property {odd:?}"))
        }
        7 => Mutation::Nested(*rng.pick(&[8, 30, 60, 100, 5_000])),
        8 if !component_keys.is_empty() => {
            let target = rng.pick(&component_keys).clone();
            node.insert("allOf".into(), json!([{"$ref": format!("#/components/schemas/{target}")}, {"properties": {"me": {"$ref": format!("#/components/schemas/{target}")}}}]));
            Mutation::Value(format!("allOf with {target} inside itself"))
        }
        9 => {
            node.insert("additionalProperties".into(), json!({"oneOf": [{"type": "string"}, {"type": "object", "properties": {odd.clone(): {"type": "boolean"}}}]}));
            Mutation::Value(format!("map of a union with {odd:?}"))
        }
        _ => {
            let flag = rng.pick(&["nullable", "readOnly", "x-placeholder-keys", "x-sensitive"]);
            node.insert((*flag).into(), json!(true));
            Mutation::Value(format!("{flag}: true"))
        }
    }
}

/// The document as text, with the node at `at` replaced by `depth` nested objects (written
/// directly: no `Value` that deep is ever built here).
fn nested_text(doc: &Value, at: &str, depth: usize) -> String {
    let mut doc = doc.clone();
    let marker = "\u{1}nested\u{1}";
    if let Some(node) = doc.pointer_mut(at) {
        *node = json!(marker);
    }
    let text = serde_json::to_string(&doc).unwrap_or_default();
    let mut nested = String::new();
    for _ in 0..depth {
        nested.push_str(r#"{"type":"object","properties":{"d":"#);
    }
    nested.push_str(r#"{"type":"string"}"#);
    for _ in 0..depth {
        nested.push_str("}}");
    }
    text.replacen(
        &format!("\"{}\"", marker.replace('\u{1}', "\\u0001")),
        &nested,
        1,
    )
}

/// Documents whose names collide with the generator's own on purpose: schemas titled after the
/// std and serde names the generated code imports, resources named after runtime types, body
/// fields named after builder members, a query and a path parameter of one name, paging
/// parameters that are not integers.
pub fn collisions(document: &(String, Value)) -> Vec<Case> {
    let (label, doc) = document;
    let mut cases = Vec::new();
    // New schemas, each titled after an imported name, as properties of the first object.
    let mut titled = doc.clone();
    if let Some(Value::Object(schemas)) = titled.pointer_mut("/components/schemas") {
        let names = crate::ident::IMPORTED_NAMES.iter().map(|(name, _)| *name);
        let properties: serde_json::Map<String, Value> = names
            .map(|name| {
                let key = format!("collides_with_{}", name.to_lowercase());
                let schema = json!({"title": name, "type": "object", "properties": {"v": {"type": "string"}}});
                schemas.insert(key.clone(), schema);
                (key.clone(), json!({"$ref": format!("#/components/schemas/{key}")}))
            })
            .collect();
        if let Some(Value::Object(first)) = schemas
            .values_mut()
            .find_map(|schema| schema.get_mut("properties"))
        {
            first.extend(properties);
        }
    }
    cases.push(Case {
        label: format!("{label}: schemas titled `Option`, `Some`, `Serialize`, `Into`, ..."),
        text: serde_json::to_string(&titled).unwrap_or_default(),
    });
    let text = serde_json::to_string(doc).unwrap_or_default();
    for segment in COLLIDING_SEGMENTS {
        cases.push(Case {
            label: format!("{label}: resource `{segment}`"),
            text: text.replace("/pages/projects", &format!("/pages/{segment}")),
        });
    }
    let mut fields = doc.clone();
    if let Some(Value::Object(operations)) =
        fields.pointer_mut("/paths/~1accounts~1{account_id}~1pages~1projects")
    {
        for op in operations.values_mut() {
            let body = op.pointer_mut("/requestBody/content/application~1json/schema/properties");
            if let Some(Value::Object(props)) = body {
                for name in [
                    "send",
                    "client",
                    "timeout",
                    "options",
                    "send_envelope",
                    "new",
                    "self",
                ] {
                    props.insert(name.into(), json!({"type": "string"}));
                }
            }
            if let Some(Value::Array(params)) = op.get_mut("parameters") {
                params.push(
                    json!({"in": "query", "name": "account_id", "schema": {"type": "string"}}),
                );
                for p in params.iter_mut() {
                    if p["name"] == "page" {
                        p["schema"] = json!({"type": "string"});
                    }
                    if p["name"] == "per_page" {
                        p["schema"] = json!({"type": "number"});
                    }
                }
            }
        }
    }
    cases.push(Case {
        label: format!("{label}: body fields named after builder members, a query parameter named as a path parameter, paging typed string/number"),
        text: serde_json::to_string(&fields).unwrap_or_default(),
    });
    cases
}

/// Generates one mutant in memory: parsed, repaired and normalized, and with `render`, also
/// emitted and formatted (which parses the emitted code with `syn`).
pub fn run(case: &Case, overlay: &Value, render: bool) -> Outcome {
    let spec = match crate::load::parse_json(&case.text) {
        Ok(spec) => spec,
        Err(e) => return Outcome::Refused(format!("mutant.json: {e}")),
    };
    let prepared = match codegen::prepare(&spec, "mutant.json", overlay) {
        Ok(prepared) => prepared,
        Err(e) => return Outcome::Refused(e.to_string()),
    };
    if !render {
        return Outcome::Generated(Vec::new());
    }
    match codegen::render(&prepared, "mutant.json") {
        Ok(files) => Outcome::Generated(files),
        Err(e) => Outcome::Refused(format!("mutant.json: #: cannot render: {e}")),
    }
}

/// `cargo xtask mutate [--cases N] [--compile N]`: runs the cases and `cargo check`s (with
/// clippy's `-D warnings`) the first N generated outputs, written as standalone workspaces.
pub fn command(args: &[String]) -> Result<(), String> {
    let mut count = 1_200;
    let mut compile = 0;
    let mut rest = args.iter();
    while let Some(arg) = rest.next() {
        let value = |v: Option<&String>| -> Result<usize, String> {
            v.and_then(|v| v.parse().ok())
                .ok_or(format!("{arg} takes a number"))
        };
        match arg.as_str() {
            "--cases" => count = value(rest.next())?,
            "--compile" => compile = value(rest.next())?,
            other => return Err(format!("unknown mutate argument `{other}`")),
        }
    }
    let root = codegen::workspace_root();
    let documents = documents(&root)?;
    let overlay = overlay(&root)?;
    // The collisions first: they are the cases most worth compiling.
    let mut cases_to_run = collisions(&documents[0]);
    cases_to_run.extend(cases(&documents, count, 0x5eed));
    let cases = cases_to_run;
    let (mut generated, mut refused, mut compiled) = (0, 0, 0);
    let mut panics = Vec::new();
    let out_root = root.join("target/mutate");
    let mut report = String::new();
    for case in &cases {
        let outcome =
            std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| run(case, &overlay, true)));
        let Ok(outcome) = outcome else {
            panics.push(case.label.clone());
            continue;
        };
        match outcome {
            Outcome::Refused(message) => {
                refused += 1;
                if !message.contains(": #") {
                    return Err(format!("{}: no JSON pointer in: {message}", case.label));
                }
            }
            Outcome::Generated(files) => {
                generated += 1;
                // Every tenth accepted output, and every collision case, until N are compiled.
                let sample = generated % 10 == 1
                    || case.label.contains(": resource `")
                    || case.label.contains("builder members");
                if compiled < compile && sample {
                    let dir = out_root.join(format!("case-{compiled}"));
                    let _ = std::fs::remove_dir_all(&dir);
                    write::write(&dir, &codegen::standalone(&root, files)?)?;
                    let manifest = dir.join("pages-api-client/Cargo.toml");
                    // Each case's workspace has the same relative paths, so its crates share
                    // artifacts with the previous case's; clean them so this one is compiled.
                    Command::new(codegen::cargo())
                        .args([
                            "clean",
                            "--quiet",
                            "-p",
                            "pages-api-types",
                            "-p",
                            "pages-api-client",
                        ])
                        .arg("--manifest-path")
                        .arg(&manifest)
                        .env("CARGO_TARGET_DIR", root.join("target"))
                        .status()
                        .map_err(|e| format!("cannot run cargo: {e}"))?;
                    let status = Command::new(codegen::cargo())
                        .args(["clippy", "--quiet", "--manifest-path"])
                        .arg(&manifest)
                        .args(["--", "-D", "warnings"])
                        .env("CARGO_TARGET_DIR", root.join("target"))
                        .status()
                        .map_err(|e| format!("cannot run cargo: {e}"))?;
                    if !status.success() {
                        return Err(format!(
                            "{}: the generated code does not compile ({})",
                            case.label,
                            dir.display()
                        ));
                    }
                    compiled += 1;
                    let _ = writeln!(report, "compiled: {}", case.label);
                }
            }
        }
    }
    print!("{report}");
    println!(
        "mutate: {} cases, {generated} generated, {refused} refused with a JSON pointer, {} panics, {compiled} compiled",
        cases.len(),
        panics.len()
    );
    if !panics.is_empty() {
        return Err(format!("the generator panicked on: {panics:#?}"));
    }
    Ok(())
}
