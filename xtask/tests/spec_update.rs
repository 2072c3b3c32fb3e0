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
