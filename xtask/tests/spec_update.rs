//! `spec-update` on a document that holds other products too: it keeps exactly the Pages paths
//! and the components they reach, writes them sorted, regenerates, and is idempotent.

use std::fs;

use serde_json::{Value, json};
use xtask::{codegen, spec_update};

#[test]
fn keeps_the_pages_part_and_is_idempotent() {
    let repo = codegen::workspace_root();
    let ours: Value =
        serde_json::from_str(&fs::read_to_string(repo.join(codegen::SPEC)).unwrap()).unwrap();

    // A "full" download: our document plus another product's path and components.
    let mut full = ours.clone();
    full["paths"]["/zones/{zone_id}/dns_records"] = json!({"get": {
        "operationId": "dns-records-list",
        "responses": {"200": {"description": "ok", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/dns_record"}}}}}
    }});
    full["components"]["schemas"]["dns_record"] =
        json!({"type": "object", "properties": {"ttl": {"$ref": "#/components/schemas/dns_ttl"}}});
    full["components"]["schemas"]["dns_ttl"] = json!({"type": "integer"});
    full["tags"] = json!([{"name": "DNS Records"}]);

    let root = std::env::temp_dir().join(format!("xtask-spec-update-{}", std::process::id()));
    let _ = fs::remove_dir_all(&root);
    fs::create_dir_all(root.join("spec")).unwrap();
    fs::copy(repo.join(codegen::OVERLAY), root.join(codegen::OVERLAY)).unwrap();
    let download = root.join("full.json");
    fs::write(&download, serde_json::to_string(&full).unwrap()).unwrap();

    let first = spec_update::run(&root, &download).unwrap();
    assert!(first.spec_changed);
    assert!(
        first.files_written >= 5,
        "both crates, the examples test, the surface and the resolved spec"
    );
    let written: Value =
        serde_json::from_str(&fs::read_to_string(root.join(codegen::SPEC)).unwrap()).unwrap();
    let keys = |v: &Value, at: &str| -> Vec<String> {
        v.pointer(at)
            .unwrap()
            .as_object()
            .unwrap()
            .keys()
            .cloned()
            .collect()
    };
    let mut our_paths = keys(&ours, "/paths");
    our_paths.sort();
    assert_eq!(
        keys(&written, "/paths"),
        our_paths,
        "exactly the Pages paths, sorted"
    );
    let schemas = keys(&written, "/components/schemas");
    assert!(!schemas.iter().any(|k| k.starts_with("dns")), "{schemas:?}");
    assert_eq!(
        schemas.len(),
        keys(&ours, "/components/schemas").len(),
        "every component the Pages paths reach"
    );
    assert!(written.get("tags").is_none());
    assert!(
        root.join("crates/pages-api-client/src/generated.rs")
            .exists()
    );

    // Written sorted and pretty-printed, then a second run changes nothing.
    let text = fs::read_to_string(root.join(codegen::SPEC)).unwrap();
    assert!(
        text.starts_with("{\n  \"components\": {"),
        "{}",
        &text[..40]
    );
    let second = spec_update::run(&root, &download).unwrap();
    assert!(!second.spec_changed);
    assert_eq!(second.files_written, 0);
    assert!(second.changes.is_empty(), "{:?}", second.changes);
    assert_eq!(fs::read_to_string(root.join(codegen::SPEC)).unwrap(), text);
    fs::remove_dir_all(&root).unwrap();
}

/// A document that selects fine but fails later (here: in normalize) leaves the tree exactly as
/// it was: `git status` is clean afterwards.
#[test]
fn a_failed_update_changes_nothing() {
    let repo = codegen::workspace_root();
    let root = std::env::temp_dir().join(format!("xtask-spec-update-fail-{}", std::process::id()));
    let _ = fs::remove_dir_all(&root);
    fs::create_dir_all(root.join("spec")).unwrap();
    fs::copy(repo.join(codegen::OVERLAY), root.join(codegen::OVERLAY)).unwrap();
    fs::copy(repo.join(codegen::SPEC), root.join(codegen::SPEC)).unwrap();
    let git = |args: &[&str]| {
        let out = std::process::Command::new("git")
            .args(["-c", "user.name=t", "-c", "user.email=t@t", "-C"])
            .arg(&root)
            .args(args)
            .output()
            .expect("git runs");
        assert!(
            out.status.success(),
            "git {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    };
    // A tree as after a successful update, committed.
    let download = root.join("good.json");
    fs::copy(repo.join(codegen::SPEC), &download).unwrap();
    spec_update::run(&root, &download).unwrap();
    git(&["init", "-q"]);
    git(&["add", "-A"]);
    git(&["commit", "-qm", "tree"]);

    // The same document with one schema the generator refuses (`not`), deep inside.
    let mut broken: Value =
        serde_json::from_str(&fs::read_to_string(repo.join(codegen::SPEC)).unwrap()).unwrap();
    broken["components"]["schemas"]["pages_stage"]["properties"]["name"] =
        json!({"not": {"type": "integer"}});
    broken["paths"]["/accounts/{account_id}/pages/projects"]["get"]["summary"] =
        json!("changed, so the spec would be rewritten");
    let bad = root.join("broken.json");
    fs::write(&bad, serde_json::to_string(&broken).unwrap()).unwrap();
    let err = match spec_update::run(&root, &bad) {
        Ok(_) => panic!("a document with `not` must fail"),
        Err(err) => err,
    };
    assert!(
        err.contains("#/components/schemas/pages_stage/properties/name/not"),
        "names the pointer in the document's own keys: {err}"
    );
    assert_eq!(
        git(&["status", "--porcelain"]),
        "?? broken.json\n",
        "only the download is new"
    );
    fs::remove_dir_all(&root).unwrap();
}
