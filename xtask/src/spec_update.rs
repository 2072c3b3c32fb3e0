//! `cargo xtask spec-update FILE`: takes a downloaded Cloudflare document (all products), keeps
//! the Pages part, writes it to `spec/pages.json` sorted and pretty-printed (so the spec diff is
//! reviewable too), regenerates both crates and reports the Rust API change.

use std::fs;
use std::path::Path;

use serde_json::{Map, Value};

use crate::codegen::{self, OVERLAY, SPEC};
use crate::diff::{self, Change};
use crate::write::OutputFile;
use crate::{format, load, write};

/// What a spec update did.
pub struct Update {
    pub spec_changed: bool,
    pub files_written: usize,
    pub changes: Vec<Change>,
    /// Overlay actions that did nothing to the new document, shortcuts it lacks.
    pub warnings: Vec<String>,
}

/// Replaces `spec/pages.json` with the Pages part of `download` and regenerates both crates.
/// Everything (selection, overlay, normalization, rendering) happens in memory first: on any
/// error the tree is left exactly as it was.
pub fn run(root: &Path, download: &Path) -> Result<Update, String> {
    let overlay = codegen::read_json(&root.join(OVERLAY), OVERLAY).map_err(|e| e.to_string())?;
    let spec_path = root.join(SPEC);
    // The API before the update; a missing or broken spec counts as an empty API.
    let before = codegen::read_json(&spec_path, SPEC)
        .and_then(|spec| codegen::prepare(&spec, SPEC, &overlay))
        .ok()
        .map(|prepared| prepared.api);

    let label = codegen::spec_label(download, root);
    let full = codegen::read_json(download, &label).map_err(|e| e.to_string())?;
    let pages = sorted(load::select_pages(&full).map_err(|e| format!("{label}: {e}"))?);
    let text = format::json(&pages)?;
    // Generated from the new document as it will be read back from spec/pages.json.
    let prepared = codegen::prepare(&pages, &label, &overlay).map_err(|e| e.to_string())?;
    let mut files = codegen::render(&prepared, SPEC)?;
    let spec_changed = fs::read_to_string(&spec_path).ok().as_deref() != Some(text.as_str());
    files.push(OutputFile {
        path: SPEC.into(),
        contents: text,
    });
    let files_written = write::write(root, &files)?.len() - usize::from(spec_changed);

    let empty = crate::ir::Api {
        title: String::new(),
        version: String::new(),
        types: vec![],
        resources: vec![],
        examples: vec![],
        warnings: vec![],
    };
    let changes = diff::changes(before.as_ref().unwrap_or(&empty), &prepared.api);
    Ok(Update {
        spec_changed,
        files_written,
        changes,
        warnings: prepared.warnings(),
    })
}

/// Object keys sorted at every level (document order carries no meaning in OpenAPI, and a
/// sorted file diffs well from one release to the next).
fn sorted(value: Value) -> Value {
    match value {
        Value::Object(map) => {
            let mut entries: Vec<(String, Value)> = map.into_iter().collect();
            entries.sort_by(|a, b| a.0.cmp(&b.0));
            Value::Object(
                entries
                    .into_iter()
                    .map(|(k, v)| (k, sorted(v)))
                    .collect::<Map<String, Value>>(),
            )
        }
        Value::Array(items) => Value::Array(items.into_iter().map(sorted).collect()),
        other => other,
    }
}
