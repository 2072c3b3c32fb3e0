//! What generation costs: `cargo bench -p xtask --bench generation`.
//!
//! * `replicated`: from the parsed document to the formatted files (`codegen::prepare` +
//!   `codegen::render`) for `spec/pages.json` with its Pages operations replicated under N
//!   renamed paths (N = 1 is the spec itself), against a plain `serde_json` parse of the same
//!   document text: the ratio says how many JSON parses the generator costs, and the cost per
//!   operation says whether it grows linearly.
//! * `codegen_check`: `cargo xtask codegen --check` end to end on the Pages spec, with the xtask
//!   already built: in process (`codegen::generate` + `write::stale`) and as the built binary
//!   (`CARGO_BIN_EXE_xtask codegen --check`, the release build `cargo bench` made), next to the
//!   start-up of that binary alone (`xtask help`).
//! * `full_document`: cutting the Pages part out of a ~4 MB multi-product document (the upstream
//!   Pages document from `../shared/upstream`, or `spec/pages.json` without it, plus synthetic
//!   other products; built here, never committed): read + parse + `load::select_pages`.
//!
//! Medians, ratios and the targets are printed after divan's table (`== summary`).

use std::path::PathBuf;
use std::process::Command;
use std::sync::{LazyLock, OnceLock};
use std::time::Duration;

use divan::Bencher;
use serde_json::{Map, Value, json};
use xtask::codegen::{self, OVERLAY, SPEC};
use xtask::{load, write};

#[path = "support/summary.rs"]
mod summary;

use summary::timed;

// The allocator of the `xtask` binary (src/main.rs), so in-process figures match it.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// How many copies of the Pages operations the `replicated` benchmarks generate from.
const COPIES: [usize; 3] = [1, 10, 100];
/// The size the synthetic multi-product document is grown to.
const FULL_DOCUMENT_BYTES: usize = 4_000_000;

fn root() -> PathBuf {
    codegen::workspace_root()
}

static OVERLAY_DOC: LazyLock<Value> = LazyLock::new(|| {
    codegen::read_json(&root().join(OVERLAY), OVERLAY).expect("spec/overlay.json parses")
});

static SPEC_DOC: LazyLock<Value> =
    LazyLock::new(|| codegen::read_json(&root().join(SPEC), SPEC).expect("spec/pages.json parses"));

/// A document to generate from: its text, the parsed value and how many operations it has.
struct Document {
    text: String,
    doc: Value,
    operations: usize,
}

impl Document {
    fn new(doc: Value) -> Self {
        let text = serde_json::to_string_pretty(&doc).expect("documents serialize");
        let operations = operation_count(&doc);
        Self {
            text,
            doc,
            operations,
        }
    }
}

/// The replicated documents, each built on first use (the N=100 one takes ~100 MB).
static REPLICATED: [OnceLock<Document>; COPIES.len()] = [const { OnceLock::new() }; COPIES.len()];

fn replicated(n: usize) -> &'static Document {
    let index = COPIES.iter().position(|&c| c == n).expect("a known size");
    REPLICATED[index].get_or_init(|| Document::new(replicate(&SPEC_DOC, n)))
}

fn operation_count(doc: &Value) -> usize {
    doc["paths"]
        .as_object()
        .map(|paths| {
            paths
                .values()
                .filter_map(Value::as_object)
                .flat_map(|item| item.values())
                .filter(|op| op.get("operationId").is_some())
                .count()
        })
        .unwrap_or(0)
}

/// The spec with its Pages paths present `n` times: copy 0 as it is, copy `i` with the
/// collection segments renamed (`/accounts/{account_identifier}/pages/projects3/{project_name}/
/// deployments3/...`, still Pages paths for `load::is_pages_path`, and distinct resources for
/// the generator) and every operationId suffixed `-i`.
fn replicate(spec: &Value, n: usize) -> Value {
    let mut doc = spec.clone();
    let paths = spec["paths"].as_object().expect("the spec has paths");
    let mut out = Map::new();
    for i in 0..n {
        for (path, item) in paths {
            if i == 0 {
                out.insert(path.clone(), item.clone());
                continue;
            }
            let renamed: Vec<String> = path
                .split('/')
                .map(|segment| match segment {
                    "projects" | "deployments" | "domains" => format!("{segment}{i}"),
                    other => other.to_string(),
                })
                .collect();
            let mut item = item.clone();
            for op in item
                .as_object_mut()
                .into_iter()
                .flat_map(|m| m.values_mut())
            {
                if let Some(Value::String(id)) = op.get_mut("operationId") {
                    id.push_str(&format!("-{i}"));
                }
            }
            out.insert(renamed.join("/"), item);
        }
    }
    doc["paths"] = Value::Object(out);
    doc
}

// ---- replicated: prepare + render against a JSON parse ----------------------------------------

#[divan::bench_group(sample_count = 12, sample_size = 1, max_time = 12)]
mod replicated {
    use super::*;

    /// Baseline: `serde_json::from_str::<Value>` of the document's text.
    #[divan::bench(args = COPIES)]
    fn parse(bencher: Bencher, n: usize) {
        let document = replicated(n);
        let key = format!("parse/{n}");
        bencher.bench_local(|| {
            timed(&key, || {
                serde_json::from_str::<Value>(divan::black_box(&document.text)).expect("parses")
            })
        });
    }

    /// `codegen::prepare` + `codegen::render`: the parsed document to the formatted files.
    #[divan::bench(args = COPIES)]
    fn prepare_render(bencher: Bencher, n: usize) {
        let document = replicated(n);
        let overlay = &*OVERLAY_DOC;
        let key = format!("prepare_render/{n}");
        bencher.bench_local(|| {
            timed(&key, || {
                let prepared = codegen::prepare(divan::black_box(&document.doc), SPEC, overlay)
                    .expect("the replicated spec prepares");
                codegen::render(&prepared, SPEC).expect("the replicated spec renders")
            })
        });
    }
}

// ---- where prepare + render spends its time, stage by stage (spec/pages.json) ---------------------

/// The stages of `prepare` + `render` in pipeline order: (bench key, label).
const STAGES: [(&str, &str); 12] = [
    ("stage/select_pages", "select_pages"),
    ("stage/canonicalize", "canonicalize"),
    ("stage/overlay", "overlay"),
    ("stage/parse_openapi", "openapiv3 parse"),
    ("stage/normalize", "normalize"),
    ("stage/emit_types", "emit types"),
    ("stage/emit_client", "emit client"),
    ("stage/emit_examples", "emit examples"),
    ("stage/format_types", "format types"),
    ("stage/format_client", "format client"),
    ("stage/format_examples", "format examples"),
    ("stage/resolved_json", "resolved JSON + surface"),
];

/// Each stage's input, computed once from spec/pages.json.
struct StageInputs {
    selected: Value,
    canonical: Value,
    resolved: Value,
    prepared: codegen::Prepared,
}

static STAGE_INPUTS: LazyLock<StageInputs> = LazyLock::new(|| {
    let selected = load::select_pages(&SPEC_DOC).expect("spec/pages.json has Pages paths");
    let mut canonical = selected.clone();
    load::canonicalize(&mut canonical);
    let mut resolved = canonical.clone();
    xtask::overlay::apply(&mut resolved, &OVERLAY_DOC).expect("the overlay applies");
    let prepared =
        codegen::prepare(&SPEC_DOC, SPEC, &OVERLAY_DOC).expect("spec/pages.json prepares");
    StageInputs {
        selected,
        canonical,
        resolved,
        prepared,
    }
});

#[divan::bench_group(sample_count = 40, sample_size = 1, max_time = 2)]
mod stages {
    use super::*;
    use xtask::{emit_client, emit_examples, emit_types, format, normalize, overlay, surface};

    #[divan::bench]
    fn a_select_pages(bencher: Bencher) {
        let doc = &*SPEC_DOC;
        bencher.bench_local(|| timed("stage/select_pages", || load::select_pages(doc)));
    }

    #[divan::bench]
    fn b_canonicalize(bencher: Bencher) {
        let input = &STAGE_INPUTS.selected;
        bencher
            .with_inputs(|| input.clone())
            .bench_local_values(|mut doc| {
                timed("stage/canonicalize", || load::canonicalize(&mut doc));
                doc
            });
    }

    #[divan::bench]
    fn c_overlay(bencher: Bencher) {
        let input = &STAGE_INPUTS.canonical;
        bencher
            .with_inputs(|| input.clone())
            .bench_local_values(|mut doc| {
                let result = timed("stage/overlay", || overlay::apply(&mut doc, &OVERLAY_DOC));
                (doc, result)
            });
    }

    #[divan::bench]
    fn d_parse_openapi(bencher: Bencher) {
        let resolved = &STAGE_INPUTS.resolved;
        bencher.bench_local(|| timed("stage/parse_openapi", || load::parse_openapi(resolved)));
    }

    #[divan::bench]
    fn e_normalize(bencher: Bencher) {
        let parsed = load::parse_openapi(&STAGE_INPUTS.resolved).expect("parses");
        bencher.bench_local(|| timed("stage/normalize", || normalize::normalize(&parsed)));
    }

    #[divan::bench]
    fn f_emit(bencher: Bencher) {
        let api = &STAGE_INPUTS.prepared.api;
        bencher.bench_local(|| {
            (
                timed("stage/emit_types", || emit_types::emit(api)),
                timed("stage/emit_client", || emit_client::emit(api)),
                timed("stage/emit_examples", || emit_examples::emit(api)),
            )
        });
    }

    #[divan::bench]
    fn g_format(bencher: Bencher) {
        let api = &STAGE_INPUTS.prepared.api;
        let header = format::header("//", SPEC);
        bencher
            .with_inputs(|| {
                (
                    emit_types::emit(api),
                    emit_client::emit(api),
                    emit_examples::emit(api),
                )
            })
            .bench_local_values(|(types, client, examples)| {
                (
                    timed("stage/format_types", || {
                        format::format_module(types, &header)
                    }),
                    timed("stage/format_client", || {
                        format::format_module(client, &header)
                    }),
                    timed("stage/format_examples", || {
                        format::format_module(examples, &header)
                    }),
                )
            });
    }

    /// The two halves of formatting, over the three modules: `syn::parse2` of the emitted
    /// tokens and `prettyplease::unparse` of the syntax tree.
    #[divan::bench]
    fn g_format_split(bencher: Bencher) {
        let api = &STAGE_INPUTS.prepared.api;
        bencher
            .with_inputs(|| {
                [
                    emit_types::emit(api),
                    emit_client::emit(api),
                    emit_examples::emit(api),
                ]
            })
            .bench_local_values(|modules| {
                let files: Vec<syn::File> = timed("format/syn_parse", || {
                    modules
                        .into_iter()
                        .map(|tokens| syn::parse2(tokens).expect("valid Rust"))
                        .collect()
                });
                let text = timed("format/unparse", || {
                    files.iter().map(prettyplease::unparse).collect::<Vec<_>>()
                });
                (files, text)
            });
    }

    #[divan::bench]
    fn h_resolved_json(bencher: Bencher) {
        let prepared = &STAGE_INPUTS.prepared;
        bencher.bench_local(|| {
            timed("stage/resolved_json", || {
                (
                    serde_json::to_string_pretty(&prepared.resolved),
                    surface::render(&prepared.api),
                )
            })
        });
    }
}

fn stage_breakdown() -> Option<String> {
    let mut parts = Vec::new();
    let mut total = Duration::ZERO;
    for (key, label) in STAGES {
        let (d, _) = summary::median(key)?;
        total += d;
        parts.push(format!("{label} {}", summary::human(d)));
    }
    let mut line = format!(
        "stages of prepare+render on spec/pages.json (medians, sum {}): {}",
        summary::human(total),
        parts.join(", ")
    );
    if let (Some((parse, _)), Some((unparse, _))) = (
        summary::median("format/syn_parse"),
        summary::median("format/unparse"),
    ) {
        line.push_str(&format!(
            "; formatting the three modules = syn::parse2 {} + prettyplease::unparse {}",
            summary::human(parse),
            summary::human(unparse)
        ));
    }
    Some(line)
}

// ---- cargo xtask codegen --check, end to end ---------------------------------------------------

#[divan::bench_group(sample_count = 40, sample_size = 1, max_time = 4)]
mod codegen_check {
    use super::*;

    /// Baseline: a JSON parse of spec/pages.json's text.
    #[divan::bench]
    fn parse_spec(bencher: Bencher) {
        let text = &replicated(1).text;
        bencher.bench_local(|| {
            timed("check/parse", || {
                serde_json::from_str::<Value>(divan::black_box(text)).expect("parses")
            })
        });
    }

    /// `codegen::generate` (read, parse, prepare, render) + `write::stale`, in this process.
    #[divan::bench]
    fn in_process(bencher: Bencher) {
        let root = root();
        let spec = root.join(SPEC);
        bencher.bench_local(|| {
            timed("check/in_process", || {
                let files = codegen::generate(&root, &spec).expect("spec/pages.json generates");
                write::stale(&root, &files)
            })
        });
    }

    /// `codegen::generate` alone: the in-process figure without the comparison with disk.
    #[divan::bench]
    fn generate_only(bencher: Bencher) {
        let root = root();
        let spec = root.join(SPEC);
        bencher.bench_local(|| {
            timed("check/generate", || {
                codegen::generate(&root, &spec).expect("spec/pages.json generates")
            })
        });
    }

    /// The built binary, as `cargo xtask codegen --check` runs it once cargo has built it.
    #[divan::bench]
    fn spawned(bencher: Bencher) {
        bencher.bench_local(|| timed("check/spawned", || run_xtask(&["codegen", "--check"])));
    }

    /// Reference: starting the same binary for `xtask help` (process start-up alone).
    #[divan::bench]
    fn process_start(bencher: Bencher) {
        bencher.bench_local(|| timed("check/process_start", || run_xtask(&["help"])));
    }
}

fn run_xtask(args: &[&str]) -> bool {
    Command::new(env!("CARGO_BIN_EXE_xtask"))
        .args(args)
        .output()
        .expect("the xtask binary starts")
        .status
        .success()
}

// ---- the Pages part of a full multi-product document ----------------------------------------------

/// The synthetic full document, written to a temporary file.
struct FullDocument {
    path: PathBuf,
    text: String,
    bytes: usize,
    paths: usize,
    schemas: usize,
    pages_source: String,
}

static FULL: OnceLock<FullDocument> = OnceLock::new();

fn full() -> &'static FullDocument {
    FULL.get_or_init(build_full)
}

fn build_full() -> FullDocument {
    let upstream = root().join("../shared/upstream/pages-2024-08-06.json");
    let (pages, pages_source) = match codegen::read_json(&upstream, "upstream") {
        Ok(doc) => (doc, "../shared/upstream/pages-2024-08-06.json".to_string()),
        Err(_) => (SPEC_DOC.clone(), SPEC.to_string()),
    };
    let doc = synthesize_full(pages, FULL_DOCUMENT_BYTES);
    let text = serde_json::to_string_pretty(&doc).expect("documents serialize");
    let path = std::env::temp_dir().join(format!(
        "pages-api-bench-full-document-{}.json",
        std::process::id()
    ));
    std::fs::write(&path, &text).expect("the temporary directory is writable");
    FullDocument {
        bytes: text.len(),
        paths: doc["paths"].as_object().map_or(0, Map::len),
        schemas: doc["components"]["schemas"].as_object().map_or(0, Map::len),
        path,
        text,
        pages_source,
    }
}

/// Cloudflare-like products other than Pages; repeated with a number when more are needed.
const PRODUCTS: [&str; 16] = [
    "workers",
    "dns-records",
    "r2",
    "kv",
    "d1",
    "queues",
    "access",
    "tunnels",
    "rulesets",
    "load-balancers",
    "stream",
    "images",
    "email-routing",
    "logpush",
    "magic-transit",
    "spectrum",
];

/// `pages` plus other products (paths under `/accounts/{account_id}/...` and `/zones/{zone_id}/...`,
/// schemas `{product}_...` referring to each other and to their product's envelope) until the
/// pretty-printed document holds about `target_bytes`.
fn synthesize_full(mut pages: Value, target_bytes: usize) -> Value {
    let mut size = serde_json::to_string_pretty(&pages)
        .map(|s| s.len())
        .unwrap_or(0);
    let mut paths = pages["paths"].as_object().cloned().unwrap_or_default();
    let mut schemas = pages["components"]["schemas"]
        .as_object()
        .cloned()
        .unwrap_or_default();
    let mut index = 0;
    while size < target_bytes {
        let base = PRODUCTS[index % PRODUCTS.len()];
        let product = match index / PRODUCTS.len() {
            0 => base.to_string(),
            round => format!("{base}{round}"),
        };
        let scope = if index % 3 == 2 {
            "/zones/{zone_id}"
        } else {
            "/accounts/{account_id}"
        };
        let (new_paths, new_schemas) = product_part(&product, scope);
        // Pretty-printing nests these two levels deeper in the document; close enough.
        size += serde_json::to_string_pretty(&new_paths).map_or(0, |s| s.len())
            + serde_json::to_string_pretty(&new_schemas).map_or(0, |s| s.len());
        paths.extend(new_paths);
        schemas.extend(new_schemas);
        index += 1;
    }
    pages["paths"] = Value::Object(paths);
    pages["components"]["schemas"] = Value::Object(schemas);
    pages
}

/// One synthetic product: 12 resources, each with a collection path (list, create), an item
/// path (get, update, delete), an object schema and its response envelope.
fn product_part(product: &str, scope: &str) -> (Map<String, Value>, Map<String, Value>) {
    let prefix = product.replace('-', "_");
    let schema = |name: &str| format!("{prefix}_{name}");
    let reference = |name: &str| json!({ "$ref": format!("#/components/schemas/{prefix}_{name}") });
    let mut schemas = Map::new();
    schemas.insert(
        schema("messages"),
        json!({
            "items": {
                "properties": {
                    "code": { "minimum": 1000, "type": "integer" },
                    "message": { "type": "string" }
                },
                "required": ["code", "message"],
                "type": "object"
            },
            "type": "array"
        }),
    );
    schemas.insert(
        schema("api-response-common"),
        json!({
            "properties": {
                "errors": reference("messages"),
                "messages": reference("messages"),
                "success": { "description": "Whether the API call was successful.", "enum": [true], "type": "boolean" }
            },
            "required": ["success", "errors", "messages"],
            "type": "object"
        }),
    );
    schemas.insert(
        schema("identifier"),
        json!({ "description": "Identifier.", "example": "023e105f4ecef8ad9ca31a8372d0c353", "maxLength": 32, "type": "string" }),
    );
    let mut paths = Map::new();
    for r in 0..12 {
        let resource = format!("resource{r}");
        let related = format!("resource{}", (r + 1) % 12);
        schemas.insert(
            schema(&resource),
            json!({
                "description": format!("A {product} {resource}: what it is, what it holds and how it relates to {related}."),
                "properties": {
                    "id": reference("identifier"),
                    "name": { "description": format!("Name of the {resource}."), "example": format!("my-{resource}"), "maxLength": 255, "type": "string" },
                    "created_on": { "description": "When it was created.", "example": "2024-01-04T10:15:00.412977Z", "format": "date-time", "readOnly": true, "type": "string" },
                    "modified_on": { "description": "When it last changed.", "example": "2024-01-04T10:16:58.105533Z", "format": "date-time", "readOnly": true, "type": "string" },
                    "enabled": { "default": true, "description": "Whether it is in effect.", "type": "boolean" },
                    "priority": { "description": "Lower runs first.", "example": 10, "maximum": 1000, "minimum": 0, "type": "integer" },
                    "status": { "description": "Where it stands.", "enum": ["pending", "active", "disabled", "error"], "type": "string" },
                    "tags": { "description": "Free-form labels.", "items": { "maxLength": 64, "type": "string" }, "type": "array" },
                    "settings": {
                        "description": "Settings of this resource.",
                        "properties": {
                            "ttl": { "description": "Time to live, in seconds.", "example": 3600, "type": "integer" },
                            "mode": { "enum": ["simple", "advanced"], "type": "string" },
                            "comment": { "nullable": true, "type": "string" }
                        },
                        "type": "object"
                    },
                    "related": { "items": reference(&related), "type": "array" }
                },
                "required": ["id", "name"],
                "type": "object"
            }),
        );
        let single = format!("{resource}-response-single");
        schemas.insert(
            schema(&single),
            json!({
                "allOf": [
                    reference("api-response-common"),
                    { "properties": { "result": reference(&resource) }, "type": "object" }
                ]
            }),
        );
        let collection = format!("{resource}-response-collection");
        schemas.insert(
            schema(&collection),
            json!({
                "allOf": [
                    reference("api-response-common"),
                    { "properties": { "result": { "items": reference(&resource), "type": "array" } }, "type": "object" }
                ]
            }),
        );
        let response = |name: &str, description: &str| {
            json!({
                "200": {
                    "content": { "application/json": { "schema": reference(name) } },
                    "description": description
                },
                "4XX": {
                    "content": { "application/json": { "schema": reference("api-response-common") } },
                    "description": "Failure response."
                }
            })
        };
        let id_param = json!({ "in": "path", "name": "identifier", "required": true, "schema": reference("identifier") });
        let tag = format!("{product} {resource}");
        let base = format!("{scope}/{product}/{resource}s");
        paths.insert(
            base.clone(),
            json!({
                "get": {
                    "description": format!("Lists the {resource}s of the {product} product, a page at a time."),
                    "operationId": format!("{product}-{resource}-list"),
                    "parameters": [
                        { "in": "query", "name": "page", "schema": { "default": 1, "minimum": 1, "type": "number" } },
                        { "in": "query", "name": "per_page", "schema": { "default": 25, "maximum": 100, "minimum": 5, "type": "number" } }
                    ],
                    "responses": response(&collection, "List response."),
                    "summary": format!("List {resource}s"),
                    "tags": [tag]
                },
                "post": {
                    "description": format!("Creates a {resource}."),
                    "operationId": format!("{product}-{resource}-create"),
                    "requestBody": { "content": { "application/json": { "schema": reference(&resource) } }, "required": true },
                    "responses": response(&single, "Create response."),
                    "summary": format!("Create a {resource}"),
                    "tags": [tag]
                }
            }),
        );
        paths.insert(
            format!("{base}/{{identifier}}"),
            json!({
                "delete": {
                    "operationId": format!("{product}-{resource}-delete"),
                    "parameters": [id_param],
                    "responses": response("api-response-common", "Delete response."),
                    "summary": format!("Delete a {resource}"),
                    "tags": [tag]
                },
                "get": {
                    "operationId": format!("{product}-{resource}-get"),
                    "parameters": [id_param],
                    "responses": response(&single, "Get response."),
                    "summary": format!("Get a {resource}"),
                    "tags": [tag]
                },
                "patch": {
                    "operationId": format!("{product}-{resource}-update"),
                    "parameters": [id_param],
                    "requestBody": { "content": { "application/json": { "schema": reference(&resource) } }, "required": true },
                    "responses": response(&single, "Update response."),
                    "summary": format!("Update a {resource}"),
                    "tags": [tag]
                }
            }),
        );
    }
    (paths, schemas)
}

#[divan::bench_group(sample_count = 15, sample_size = 1, max_time = 8)]
mod full_document {
    use super::*;

    /// Baseline: `serde_json::from_str::<Value>` of the document's text (already in memory).
    #[divan::bench]
    fn parse(bencher: Bencher) {
        let text = &full().text;
        bencher.bench_local(|| {
            timed("full/parse", || {
                serde_json::from_str::<Value>(divan::black_box(text)).expect("parses")
            })
        });
    }

    /// What `codegen --spec FULL.json` does before the fix-ups: read, parse, keep the Pages part.
    #[divan::bench]
    fn read_parse_select(bencher: Bencher) {
        let path = &full().path;
        bencher.bench_local(|| {
            timed("full/read_parse_select", || {
                let doc = codegen::read_json(path, "full.json").expect("reads and parses");
                load::select_pages(&doc).expect("has a Pages part")
            })
        });
    }

    /// `load::select_pages` alone, on the parsed document.
    #[divan::bench]
    fn select_only(bencher: Bencher) {
        let doc = codegen::read_json(&full().path, "full.json").expect("reads and parses");
        bencher.bench_local(|| {
            timed("full/select", || {
                load::select_pages(divan::black_box(&doc)).expect("has a Pages part")
            })
        });
    }

    /// All of `codegen --spec FULL.json --check` but the comparison: `codegen::generate`.
    #[divan::bench]
    fn generate(bencher: Bencher) {
        let root = root();
        let path = &full().path;
        bencher.bench_local(|| {
            timed("full/generate", || {
                codegen::generate(&root, path).expect("the full document generates")
            })
        });
    }
}

fn main() {
    divan::main();

    let mut lines = Vec::new();
    for n in COPIES {
        if summary::median(&format!("prepare_render/{n}")).is_none() {
            continue;
        }
        let document = replicated(n);
        let label = format!(
            "prepare+render, {} operations (N={n}, {:.2} MB of JSON)",
            document.operations,
            document.text.len() as f64 / 1e6
        );
        lines.push(summary::ratio_line(
            &label,
            ("generator", &format!("prepare_render/{n}")),
            ("serde_json parse", &format!("parse/{n}")),
            None,
        ));
        lines.push(per_operation(n, document.operations));
    }
    lines.push(growth());
    lines.push(stage_breakdown());
    lines.push(summary::absolute_line(
        "cargo xtask codegen --check end to end, spawned release binary (CARGO_BIN_EXE_xtask)",
        "check/spawned",
        Duration::from_millis(20),
        Some(("serde_json parse of spec/pages.json", "check/parse")),
    ));
    lines.push(summary::absolute_line(
        "cargo xtask codegen --check end to end, in process (codegen::generate + write::stale)",
        "check/in_process",
        Duration::from_millis(20),
        Some(("serde_json parse of spec/pages.json", "check/parse")),
    ));
    lines.push(
        summary::median("check/generate")
            .map(|(d, _)| format!("  (of which codegen::generate: {})", summary::human(d))),
    );
    lines.push(summary::median("check/process_start").map(|(d, _)| {
        format!(
            "  (of which process start-up, `xtask help`: {})",
            summary::human(d)
        )
    }));
    if summary::median("full/parse").is_some() {
        let full = full();
        lines.push(Some(format!(
            "full document: {:.2} MB, {} paths, {} schemas (Pages part from {})",
            full.bytes as f64 / 1e6,
            full.paths,
            full.schemas,
            full.pages_source
        )));
    }
    lines.push(summary::absolute_line(
        "full document: read + parse + select_pages",
        "full/read_parse_select",
        Duration::from_millis(500),
        Some(("serde_json parse", "full/parse")),
    ));
    lines.push(
        summary::median("full/select")
            .map(|(d, _)| format!("  (of which select_pages alone: {})", summary::human(d))),
    );
    lines.push(summary::median("full/generate").map(|(d, _)| {
        format!(
            "full document: codegen::generate (read to formatted files): {}",
            summary::human(d)
        )
    }));
    summary::print("generation", 1.0, lines);

    if let Some(full) = FULL.get() {
        let _ = std::fs::remove_file(&full.path);
    }
}

fn per_operation(n: usize, operations: usize) -> Option<String> {
    let (d, _) = summary::median(&format!("prepare_render/{n}"))?;
    Some(format!(
        "  per operation (N={n}): {}",
        summary::human(d / operations.max(1) as u32)
    ))
}

/// Whether the cost grows linearly: the marginal cost of an added operation from N=1 to N=10
/// against that from N=10 to N=100 (a fixed part, the shared types, is paid once).
fn growth() -> Option<String> {
    let point = |n: usize| -> Option<(f64, f64)> {
        let (d, _) = summary::median(&format!("prepare_render/{n}"))?;
        Some((replicated(n).operations as f64, d.as_secs_f64()))
    };
    let (o1, t1) = point(COPIES[0])?;
    let (o2, t2) = point(COPIES[1])?;
    let (o3, t3) = point(COPIES[2])?;
    let low = (t2 - t1) / (o2 - o1);
    let high = (t3 - t2) / (o3 - o2);
    let fixed = t1 - low * o1;
    let ratio = high / low;
    let verdict = if (0.75..=1.33).contains(&ratio) {
        "linear (within a third)"
    } else if ratio > 1.33 {
        "super-linear"
    } else {
        "sub-linear"
    };
    let human = |s: f64| summary::human(Duration::from_secs_f64(s.max(0.0)));
    Some(format!(
        "growth: each added operation costs {} from N={} to N={} and {} from N={} to N={} ({ratio:.2}x): {verdict}; fixed part about {}",
        human(low),
        COPIES[0],
        COPIES[1],
        human(high),
        COPIES[1],
        COPIES[2],
        human(fixed)
    ))
}
