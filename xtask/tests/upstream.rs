//! Against Cloudflare's own published documents (`../shared/upstream`, present in CI): the
//! Rust API diff between the two releases is pinned, so names stay stable across their renames
//! (`aM5gKYXN_projects` -> `pages_projects`, `account_identifier` -> `account_id`) and only real
//! changes show. Skipped, saying so, where the documents are not present.

use std::fs;
use std::path::{Path, PathBuf};

use xtask::{codegen, diff};

fn upstream(name: &str) -> Option<PathBuf> {
    let path = codegen::workspace_root()
        .join("../shared/upstream")
        .join(name);
    if path.exists() {
        Some(path)
    } else {
        println!("skipped: {} not present", path.display());
        None
    }
}

#[test]
fn the_diff_between_the_two_upstream_releases_is_pinned() {
    let (Some(old), Some(new)) = (
        upstream("pages-2024-01-04.json"),
        upstream("pages-2024-08-06.json"),
    ) else {
        return;
    };
    let root = codegen::workspace_root();
    let changes = diff::changes(
        &codegen::api_of(&root, &old).unwrap(),
        &codegen::api_of(&root, &new).unwrap(),
    );
    let report = diff::render_text(&changes, "pages-2024-01-04.json", "pages-2024-08-06.json");
    let snapshot = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/snapshots/upstream-2024-01-04-to-2024-08-06.diff.txt");
    if std::env::var_os("UPDATE_SNAPSHOTS").is_some() {
        fs::write(&snapshot, &report).unwrap();
    }
    let expected = fs::read_to_string(&snapshot).unwrap_or_default();
    assert_eq!(
        report, expected,
        "the upstream diff changed; review, then rerun with UPDATE_SNAPSHOTS=1"
    );

    // The renames of every component and of the account parameter are not changes.
    assert!(
        !changes
            .iter()
            .any(|c| c.item.starts_with("type ") && c.action == "removed"),
        "{report}"
    );
    assert!(
        !changes.iter().any(|c| c.item.starts_with("argument ")),
        "{report}"
    );
    // The real ones are.
    let breaking: Vec<&str> = changes
        .iter()
        .filter(|c| c.breaking)
        .map(|c| c.item.as_str())
        .collect();
    assert!(
        breaking.contains(&"field DeploymentConfig.service_bindings"),
        "{report}"
    );
    for added in [
        "hyperdrive_bindings",
        "vectorize_bindings",
        "browsers",
        "mtls_certificates",
        "services",
    ] {
        let item = format!("field DeploymentConfig.{added}");
        assert!(
            changes
                .iter()
                .any(|c| c.item == item && c.action == "added" && !c.breaking),
            "{item} missing:\n{report}"
        );
    }
}

#[test]
fn both_releases_name_their_operations_alike() {
    let (Some(old), Some(new)) = (
        upstream("pages-2024-01-04.json"),
        upstream("pages-2024-08-06.json"),
    ) else {
        return;
    };
    let root = codegen::workspace_root();
    let ops = |path: &Path| -> Vec<String> {
        let api = codegen::api_of(&root, path).unwrap();
        api.resources
            .iter()
            .flat_map(|r| {
                r.operations.iter().map(move |o| {
                    format!(
                        "{}.{}{:?}",
                        r.name,
                        o.method_name,
                        o.arguments().iter().map(|a| &a.name).collect::<Vec<_>>()
                    )
                })
            })
            .collect()
    };
    let (before, after) = (ops(&old), ops(&new));
    assert_eq!(before.len(), 18);
    assert_eq!(before, after);
    assert!(
        before.contains(
            &"deployments.retry[\"account_id\", \"project_name\", \"deployment_id\"]".to_string()
        ),
        "{before:?}"
    );
}
