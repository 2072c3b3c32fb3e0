//! `cargo xtask codegen`: runs the stages in order (load -> fix-ups -> parse -> normalize ->
//! emit -> format) and hands the files to the write/check stage.

use std::fmt;
use std::fs;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicUsize, Ordering};

use serde_json::Value;

use crate::error::SpecError;
use crate::ir::Api;
use crate::write::OutputFile;
use crate::{emit_client, emit_examples, emit_types, format, load, normalize, overlay, surface};

pub const SPEC: &str = "spec/pages.json";
pub const OVERLAY: &str = "spec/overlay.json";
pub const RESOLVED_SPEC: &str = "spec/pages.resolved.json";
pub const TYPES_CRATE: &str = "crates/pages-api-types";
pub const CLIENT_CRATE: &str = "crates/pages-api-client";
pub const GENERATED_MODULE: &str = "src/generated.rs";
pub const API_SURFACE: &str = "crates/pages-api-client/api-surface.txt";
pub const EXAMPLES_TEST: &str = "crates/pages-api-types/tests/examples/generated.rs";
pub const EXAMPLES_DATA: &str = "crates/pages-api-types/tests/examples/examples.json";

/// A problem in one input file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InputError {
    pub file: String,
    pub error: SpecError,
}

impl fmt::Display for InputError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.file, self.error)
    }
}

impl std::error::Error for InputError {}

/// The cargo that runs this xtask (`$CARGO`), for the commands it starts itself.
pub fn cargo() -> std::ffi::OsString {
    std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into())
}

/// The workspace root: the nearest directory above the current one whose `Cargo.toml` declares
/// the workspace with this xtask in it (`cargo xtask` and `cargo test` run somewhere inside it).
/// Found at run time, because a build shared between checkouts (one target directory, two work
/// trees) would otherwise point at whichever checkout compiled it; the compile-time location is
/// the fallback.
pub fn workspace_root() -> PathBuf {
    let is_root = |dir: &Path| {
        dir.join("xtask/Cargo.toml").is_file()
            && fs::read_to_string(dir.join("Cargo.toml")).is_ok_and(|m| m.contains("[workspace]"))
    };
    std::env::current_dir()
        .ok()
        .and_then(|cwd| {
            cwd.ancestors()
                .find(|dir| is_root(dir))
                .map(Path::to_path_buf)
        })
        .unwrap_or_else(|| {
            Path::new(env!("CARGO_MANIFEST_DIR"))
                .parent()
                .expect("xtask has a parent directory")
                .to_path_buf()
        })
}

/// Cloudflare's own documents beside the checkout (`../shared/upstream/*.json`), in name
/// order, which is release order.
pub fn upstream_documents(root: &Path) -> Result<Vec<PathBuf>, String> {
    let dir = root.join("../shared/upstream");
    let mut found: Vec<PathBuf> = fs::read_dir(&dir)
        .map_err(|e| format!("cannot list {}: {e}", dir.display()))?
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    found.sort();
    Ok(found)
}

/// Reads and parses a JSON input file.
pub fn read_json(path: &Path, label: &str) -> Result<Value, InputError> {
    let text = fs::read_to_string(path).map_err(|e| InputError {
        file: label.to_string(),
        error: SpecError::new(
            "#",
            format!("expected a readable file at {}: {e}", path.display()),
        ),
    })?;
    load::parse_json(&text).map_err(|error| InputError {
        file: label.to_string(),
        error,
    })
}

/// The repaired Pages document, its IR, and what the overlay did.
pub struct Prepared {
    pub resolved: Value,
    pub api: Api,
    pub overlay: overlay::Report,
}

impl Prepared {
    /// What deserves a look: overlay actions that did nothing, shortcuts left out.
    pub fn warnings(&self) -> Vec<String> {
        let overlay = self.overlay.findings.iter().map(ToString::to_string);
        let gaps = self.api.direct_upload_gaps();
        let direct_upload = (!gaps.is_empty()).then(|| {
            format!(
                "Client::deploy_directory left out: this document has no {}",
                gaps.join(", no ")
            )
        });
        overlay
            .chain(self.api.warnings.iter().cloned())
            .chain(direct_upload)
            .collect()
    }

    /// The warnings as one error, for `--strict`.
    pub fn strict(&self) -> Result<(), String> {
        let warnings = self.warnings();
        if warnings.is_empty() {
            return Ok(());
        }
        let lines: Vec<String> = warnings.iter().map(|w| format!("  {w}")).collect();
        Err(format!(
            "{} warning(s) with --strict (the overlay, {OVERLAY}, no longer fits the document):\n{}",
            lines.len(),
            lines.join("\n")
        ))
    }
}

/// Load, fix-ups, parse and normalize.
pub fn prepare(
    spec: &Value,
    spec_label: &str,
    overlay_doc: &Value,
) -> Result<Prepared, InputError> {
    let in_spec = |error| InputError {
        file: spec_label.to_string(),
        error,
    };
    load::check_nesting(spec).map_err(in_spec)?;
    let mut resolved = load::select_pages(spec).map_err(in_spec)?;
    let keys = load::canonicalize(&mut resolved);
    let report = overlay::apply(&mut resolved, overlay_doc).map_err(|error| InputError {
        file: OVERLAY.to_string(),
        error,
    })?;
    // Errors past this point name the document's own component keys, not the canonical ones.
    let in_spec = |error| in_spec(keys.locate(error));
    let parsed = load::parse_openapi(&resolved).map_err(in_spec)?;
    let api = normalize::normalize(&parsed).map_err(in_spec)?;
    Ok(Prepared {
        resolved,
        api,
        overlay: report,
    })
}

/// What `render` cuts its work into: parts of the types module, parts of the client module (a
/// resource each), the examples test and its data, and the resolved document.
enum Piece {
    Types {
        range: Range<usize>,
        first: bool,
    },
    Client {
        range: Range<usize>,
        first: bool,
        last: bool,
    },
    Examples,
    ExamplesData,
    Resolved,
}

/// How many parts the types module is made in: enough for two threads to even out.
const TYPE_PARTS: usize = 4;

/// The client module's pieces, a resource each: the first also carries the module's head, the
/// last its tail. A document without resources still gets one piece, with both.
fn client_pieces(resources: usize) -> impl Iterator<Item = Piece> {
    (0..resources.max(1)).map(move |i| Piece::Client {
        range: i.min(resources)..(i + 1).min(resources),
        first: i == 0,
        last: i + 1 >= resources,
    })
}

/// The generated files of both crates plus the resolved document, paths relative to the
/// workspace root.
pub fn render(prepared: &Prepared, spec_label: &str) -> Result<Vec<OutputFile>, String> {
    let header = format::header("//", spec_label);
    let api = &prepared.api;
    // Emitting and formatting are most of the time. The work is cut into pieces of a millisecond
    // or two (each module in parts) that two threads take in turn as they finish one, so both
    // stay busy; token streams stay on the thread that makes them, only text crosses.
    let client_parts = client_pieces(api.resources.len());
    let type_parts = (0..TYPE_PARTS).map(|i| {
        let n = api.types.len();
        Piece::Types {
            range: n * i / TYPE_PARTS..n * (i + 1) / TYPE_PARTS,
            first: i == 0,
        }
    });
    let pieces: Vec<Piece> = client_parts
        .chain(type_parts)
        .chain([Piece::Examples, Piece::ExamplesData, Piece::Resolved])
        .collect();
    let made: Vec<OnceLock<Result<String, String>>> =
        pieces.iter().map(|_| OnceLock::new()).collect();
    let request_types = api.request_types();
    let next = AtomicUsize::new(0);
    let work = || loop {
        let index = next.fetch_add(1, Ordering::Relaxed);
        let Some(piece) = pieces.get(index) else {
            break;
        };
        let text = match piece {
            Piece::Types { range, first } => format::unparse(emit_types::emit_part(
                api,
                &request_types,
                range.clone(),
                *first,
            )),
            Piece::Client { range, first, last } => {
                format::unparse(emit_client::emit_part(api, range.clone(), *first, *last))
            }
            Piece::Examples => format::unparse(emit_examples::emit(api)),
            Piece::ExamplesData => format::json(&emit_examples::data(api)),
            Piece::Resolved => format::json(&prepared.resolved),
        };
        let _ = made[index].set(text);
    };
    std::thread::scope(|scope| {
        let helper = scope.spawn(work);
        work();
        helper.join()
    })
    .map_err(|_| "a generator thread panicked".to_string())?;
    let (mut types, mut client) = (String::new(), String::new());
    let [mut examples, mut examples_data, mut resolved] = Default::default();
    for (piece, text) in pieces.iter().zip(made) {
        let text = text
            .into_inner()
            .unwrap_or_else(|| Err("a piece was not made".into()))?;
        match piece {
            Piece::Types { .. } => types.push_str(&text),
            Piece::Client { .. } => client.push_str(&text),
            Piece::Examples => examples = format::finish(&text, &header),
            Piece::ExamplesData => examples_data = text,
            Piece::Resolved => resolved = text,
        }
    }
    let types = format::finish(&types, &header);
    let client = format::finish(&client, &header);
    Ok(vec![
        OutputFile {
            path: Path::new(TYPES_CRATE).join(GENERATED_MODULE),
            contents: types,
        },
        OutputFile {
            path: Path::new(CLIENT_CRATE).join(GENERATED_MODULE),
            contents: client,
        },
        OutputFile {
            path: EXAMPLES_TEST.into(),
            contents: examples,
        },
        OutputFile {
            path: EXAMPLES_DATA.into(),
            contents: examples_data,
        },
        OutputFile {
            path: API_SURFACE.into(),
            contents: surface::render(&prepared.api),
        },
        OutputFile {
            path: RESOLVED_SPEC.into(),
            contents: resolved,
        },
    ])
}

/// The label a spec file goes by in headers: workspace-relative when inside it, else its name,
/// so generated bytes do not depend on where the checkout lives.
pub fn spec_label(path: &Path, root: &Path) -> String {
    let absolute = fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
    let root = fs::canonicalize(root).unwrap_or_else(|_| root.to_path_buf());
    match absolute.strip_prefix(&root) {
        Ok(relative) => relative.to_string_lossy().replace('\\', "/"),
        Err(_) => path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default(),
    }
}

/// Reads a document file and the overlay, and prepares them; returns the spec's label too.
pub fn prepare_file(root: &Path, spec_path: &Path) -> Result<(Prepared, String), String> {
    let label = spec_label(spec_path, root);
    let spec = read_json(spec_path, &label).map_err(|e| e.to_string())?;
    let overlay_doc = read_json(&root.join(OVERLAY), OVERLAY).map_err(|e| e.to_string())?;
    let prepared = prepare(&spec, &label, &overlay_doc).map_err(|e| e.to_string())?;
    Ok((prepared, label))
}

/// The IR of a document file, with the overlay applied (for `diff`).
pub fn api_of(root: &Path, spec_path: &Path) -> Result<Api, String> {
    Ok(prepare_file(root, spec_path)?.0.api)
}

/// Everything `cargo xtask codegen` produces for the given inputs.
pub fn generate(root: &Path, spec_path: &Path) -> Result<Vec<OutputFile>, String> {
    let (prepared, label) = prepare_file(root, spec_path)?;
    render(&prepared, &label)
}

/// The generated files laid out as a standalone workspace of the two library crates (for
/// `--out`): their hand-written `src/` beside the generated modules, their manifests without
/// test-only sections, this workspace's shared settings and lock file. So
/// `cargo check --manifest-path OUT/pages-api-client/Cargo.toml` builds them anywhere.
pub fn standalone(root: &Path, files: Vec<OutputFile>) -> Result<Vec<OutputFile>, String> {
    let read = |path: &Path| {
        fs::read_to_string(root.join(path))
            .map_err(|e| format!("cannot read {}: {e}", path.display()))
    };
    let mut standalone = Vec::new();
    for krate in [TYPES_CRATE, CLIENT_CRATE] {
        let name = Path::new(krate)
            .file_name()
            .expect("crate paths end in a name");
        for relative in source_files(&root.join(krate).join("src"))? {
            let contents = read(&Path::new(krate).join("src").join(&relative))?;
            standalone.push(OutputFile {
                path: Path::new(name).join("src").join(relative),
                contents,
            });
        }
        let manifest = read(&Path::new(krate).join("Cargo.toml"))?;
        standalone.push(OutputFile {
            path: Path::new(name).join("Cargo.toml"),
            contents: library_manifest(&manifest),
        });
    }
    for file in files {
        let Ok(inside) = file.path.strip_prefix("crates") else {
            standalone.push(OutputFile {
                path: "openapi.json".into(),
                contents: file.contents,
            });
            continue;
        };
        if inside
            .components()
            .nth(1)
            .is_some_and(|c| c.as_os_str() == "src")
        {
            standalone.retain(|f| f.path != inside);
            standalone.push(OutputFile {
                path: inside.to_path_buf(),
                contents: file.contents,
            });
        }
    }
    standalone.push(OutputFile {
        path: "Cargo.toml".into(),
        contents: workspace_manifest(&read(Path::new("Cargo.toml"))?),
    });
    standalone.push(OutputFile {
        path: "Cargo.lock".into(),
        contents: read(Path::new("Cargo.lock"))?,
    });
    Ok(standalone)
}

/// Files below `dir`, relative to it.
fn source_files(dir: &Path) -> Result<Vec<PathBuf>, String> {
    let mut found = Vec::new();
    let mut pending = vec![PathBuf::new()];
    while let Some(relative) = pending.pop() {
        let entries = fs::read_dir(dir.join(&relative))
            .map_err(|e| format!("cannot list {}: {e}", dir.join(&relative).display()))?;
        for entry in entries.flatten() {
            let path = relative.join(entry.file_name());
            if entry.file_type().is_ok_and(|t| t.is_dir()) {
                pending.push(path);
            } else {
                found.push(path);
            }
        }
    }
    found.sort();
    Ok(found)
}

/// A crate manifest without the sections only tests, examples and benches need.
fn library_manifest(manifest: &str) -> String {
    let mut out = String::new();
    let mut keep = true;
    for line in manifest.lines() {
        if line.starts_with('[') {
            keep = !(line.starts_with("[[") || line.starts_with("[dev-dependencies"));
        }
        if keep {
            out.push_str(line);
            out.push('\n');
        }
    }
    out
}

/// The workspace manifest for `--out`: this one's `[workspace.package]`, dependencies and
/// profiles, with the two crates as its only members.
fn workspace_manifest(manifest: &str) -> String {
    let mut out = String::from(
        "# @generated by `cargo xtask codegen --out`: the two Pages API crates as a standalone workspace.\n[workspace]\nresolver = \"3\"\nmembers = [\"pages-api-types\", \"pages-api-client\"]\n",
    );
    let mut keep = false;
    for line in manifest.lines() {
        if line.starts_with('[') {
            keep = line != "[workspace]";
        }
        if keep && !line.trim_start().starts_with("xtask") {
            out.push_str(&line.replace("path = \"crates/", "path = \""));
            out.push('\n');
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_client_pieces_cover_every_resource_once_with_one_head_and_one_tail() {
        for resources in [0, 1, 3] {
            let pieces: Vec<(Range<usize>, bool, bool)> = client_pieces(resources)
                .map(|piece| match piece {
                    Piece::Client { range, first, last } => (range, first, last),
                    _ => unreachable!("client pieces only"),
                })
                .collect();
            assert_eq!(pieces.len(), resources.max(1), "{resources} resources");
            let covered: Vec<usize> = pieces.iter().flat_map(|(r, _, _)| r.clone()).collect();
            assert_eq!(covered, (0..resources).collect::<Vec<_>>());
            let heads: Vec<usize> = (0..pieces.len()).filter(|&i| pieces[i].1).collect();
            let tails: Vec<usize> = (0..pieces.len()).filter(|&i| pieces[i].2).collect();
            assert_eq!(heads, [0], "{resources} resources: {pieces:?}");
            assert_eq!(
                tails,
                [pieces.len() - 1],
                "{resources} resources: {pieces:?}"
            );
        }
    }
}
