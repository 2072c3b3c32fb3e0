//! Snapshot tests: each fixture document under `tests/fixtures/` exercises one construct of the
//! Cloudflare document; its generated types and client are compared with the checked-in files
//! under `tests/snapshots/`, so a generator change shows up as a reviewed diff. The type
//! snapshots are also compiled and exercised by `crates/pages-api-types/tests/snapshots.rs`.
//!
//! After an intended generator change: `UPDATE_SNAPSHOTS=1 cargo test -p xtask --test snapshots`.

use std::fs;
use std::path::{Path, PathBuf};

use serde_json::json;
use xtask::codegen;

fn dir(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests")
        .join(name)
}

/// Both modules are made in parts on two threads; joined, each must be the module made whole.
/// `files` is what `codegen::render` returned: the types module, then the client module.
fn assert_parts_make_the_whole(
    prepared: &codegen::Prepared,
    label: &str,
    files: &[xtask::write::OutputFile],
) {
    let header = xtask::format::header("//", label);
    let whole = |tokens| xtask::format::format_module(tokens, &header).unwrap();
    assert!(
        files[0].contents == whole(xtask::emit_types::emit(&prepared.api)),
        "{label}: the types module made in parts differs from it made whole"
    );
    assert!(
        files[1].contents == whole(xtask::emit_client::emit(&prepared.api)),
        "{label}: the client module made in parts differs from it made whole"
    );
}

#[test]
fn the_modules_made_in_parts_are_the_modules_made_whole() {
    let root = codegen::workspace_root();
    let (prepared, label) = codegen::prepare_file(&root, &root.join(codegen::SPEC)).unwrap();
    let files = codegen::render(&prepared, &label).unwrap();
    assert!(
        prepared.api.types.len() > 4 * 10 && prepared.api.resources.len() > 2,
        "a document of many types and resources"
    );
    assert_parts_make_the_whole(&prepared, &label, &files);
}

#[test]
fn generated_code_matches_the_snapshots() {
    let empty_overlay =
        json!({"overlay": "1.0.0", "info": {"title": "none", "version": "1"}, "actions": []});
    let update = std::env::var_os("UPDATE_SNAPSHOTS").is_some();
    let mut fixtures: Vec<PathBuf> = fs::read_dir(dir("fixtures"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    fixtures.sort();
    assert!(fixtures.len() >= 8, "fixtures missing: {fixtures:?}");
    let mut stale = Vec::new();
    for fixture in fixtures {
        let name = fixture.file_stem().unwrap().to_string_lossy().into_owned();
        let label = format!("xtask/tests/fixtures/{name}.json");
        let spec = codegen::read_json(&fixture, &label).unwrap();
        let prepared =
            codegen::prepare(&spec, &label, &empty_overlay).unwrap_or_else(|e| panic!("{e}"));
        let files = codegen::render(&prepared, &label).unwrap();
        assert_parts_make_the_whole(&prepared, &label, &files);
        for (file, kind) in files.iter().zip(["types", "client"]) {
            let snapshot = dir("snapshots").join(format!("{name}.{kind}.rs"));
            let expected = fs::read_to_string(&snapshot).unwrap_or_default();
            if expected != file.contents {
                if update {
                    fs::write(&snapshot, &file.contents).unwrap();
                } else {
                    stale.push(format!(
                        "{}:\n{}",
                        snapshot.display(),
                        xtask::write::short_diff(&expected, &file.contents, 30)
                    ));
                }
            }
        }
    }
    assert!(
        stale.is_empty(),
        "generated code differs from the snapshots (review, then rerun with UPDATE_SNAPSHOTS=1):\n{}",
        stale.join("\n")
    );
}
