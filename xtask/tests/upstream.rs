//! Against Cloudflare's own published documents (`../shared/upstream`, present in CI): the
//! Rust API diff between each two consecutive releases is pinned, so names stay stable across
//! Cloudflare's renames (`aM5gKYXN_projects` -> `pages_projects` -> `pages_project`,
//! `account_identifier` -> `account_id`) and only real changes show. Skipped, saying so, where
//! the documents are not present, except in CI (`CI` set), which always has them: there a missing
//! document fails the test.

use std::fs;
use std::path::{Path, PathBuf};

use xtask::diff::Change;
use xtask::{codegen, diff};

const RELEASES: [&str; 3] = [
    "pages-2024-01-04.json",
    "pages-2024-08-06.json",
    "pages-2026-07.json",
];

fn upstream(name: &str) -> Option<PathBuf> {
    let path = codegen::workspace_root()
        .join("../shared/upstream")
        .join(name);
    if path.exists() {
        Some(path)
    } else if std::env::var_os("CI").is_some() {
        panic!("{} is missing, and CI always has it", path.display());
    } else {
        println!("skipped: {} not present", path.display());
        None
    }
}

/// The diff from `old` to `new`, compared with its snapshot (rewritten with UPDATE_SNAPSHOTS).
fn pinned_diff(old: &str, new: &str) -> Option<(Vec<Change>, String)> {
    let (old_path, new_path) = (upstream(old)?, upstream(new)?);
    let root = codegen::workspace_root();
    let changes = diff::changes(
        &codegen::api_of(&root, &old_path).unwrap(),
        &codegen::api_of(&root, &new_path).unwrap(),
    );
    let report = diff::render_text(&changes, old, new);
    let stem = |name: &str| {
        name.trim_start_matches("pages-")
            .trim_end_matches(".json")
            .to_string()
    };
    let snapshot = Path::new(env!("CARGO_MANIFEST_DIR")).join(format!(
        "tests/snapshots/upstream-{}-to-{}.diff.txt",
        stem(old),
        stem(new)
    ));
    if std::env::var_os("UPDATE_SNAPSHOTS").is_some() {
        fs::write(&snapshot, &report).unwrap();
    }
    let expected = fs::read_to_string(&snapshot).unwrap_or_default();
    assert_eq!(
        report, expected,
        "the diff {old} -> {new} changed; review, then rerun with UPDATE_SNAPSHOTS=1"
    );
    Some((changes, report))
}

fn has(changes: &[Change], action: &str, item: &str) -> bool {
    changes.iter().any(|c| c.action == action && c.item == item)
}

#[test]
fn the_2024_releases_differ_only_in_real_changes() {
    let Some((changes, report)) = pinned_diff(RELEASES[0], RELEASES[1]) else {
        return;
    };
    // The renames of every component and of the account parameter are not changes.
    assert!(
        !changes.iter().any(|c| c.item.starts_with("argument ")),
        "{report}"
    );
    // The real ones are.
    assert!(
        has(
            &changes,
            "removed",
            "field DeploymentConfig.service_bindings"
        ),
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
        assert!(has(&changes, "added", &item), "{item} missing:\n{report}");
    }
}

#[test]
fn the_2026_release_keeps_every_name() {
    let Some((changes, report)) = pinned_diff(RELEASES[1], RELEASES[2]) else {
        return;
    };
    // Cloudflare renamed pages_projects, pages_deployments, pages_deployment_configs_values and
    // pages_deployment-response-logs: none of that is a change of a Rust name.
    for kept in [
        "Project",
        "Deployment",
        "DeploymentConfig",
        "Domain",
        "Stage",
        "Source",
        "BuildConfig",
        "DeploymentTrigger",
        "DeploymentLogs",
        "EnvVar",
    ] {
        assert!(
            !has(&changes, "removed", &format!("type {kept}")),
            "{kept} was renamed:\n{report}"
        );
    }
    // No name is made of a long property path.
    for change in &changes {
        let name = change
            .item
            .split_whitespace()
            .nth(1)
            .unwrap_or_default()
            .split(['.', ':', '('])
            .next()
            .unwrap_or_default();
        let words = name.chars().filter(char::is_ascii_uppercase).count();
        assert!(words <= 4, "{name} is a long name:\n{report}");
    }
    // The real changes are there.
    for (action, item) in [
        ("added", "operation assets.upload"),
        ("added", "operation projects.upload_token"),
        ("added", "operation tails.create"),
        ("added", "field Project.framework"),
        ("added", "field SourceConfig.repo_id"),
        ("added", "field DeploymentConfig.fail_open"),
        ("added", "field DeploymentTriggerMetadata.commit_dirty"),
        ("added", "setter deployments.create.manifest"),
        ("added", "setter deployments.create.worker_js"),
        ("added", "variant DeploymentTriggerType::GithubPush"),
    ] {
        assert!(
            has(&changes, action, item),
            "{action} {item} missing:\n{report}"
        );
    }
}

#[test]
fn every_release_names_its_operations_alike() {
    let Some(paths) = RELEASES
        .iter()
        .map(|r| upstream(r))
        .collect::<Option<Vec<_>>>()
    else {
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
                        "{} {}.{}{:?}",
                        o.id,
                        r.name,
                        o.method_name,
                        o.arguments().iter().map(|a| &a.name).collect::<Vec<_>>()
                    )
                })
            })
            .collect()
    };
    let all: Vec<Vec<String>> = paths.iter().map(|p| ops(p)).collect();
    assert_eq!(all[0].len(), 18);
    assert_eq!(all[0], all[1]);
    assert_eq!(all[2].len(), 26);
    // Every operation of 2024 is there in 2026, under the same name and arguments.
    for op in &all[0] {
        assert!(
            all[2].contains(op),
            "{op} is gone or renamed in 2026: {:?}",
            all[2]
        );
    }
    for expected in [
        "pages-deployment-retry-deployment deployments.retry[\"account_id\", \"project_name\", \"deployment_id\"]",
        "pages-assets-upload assets.upload[\"upload_token\"]",
        "pages-project-connect-project-source projects.connect_source[\"account_id\", \"project_name\"]",
        "pages-project-disconnect-project-source projects.disconnect_source[\"account_id\", \"project_name\"]",
    ] {
        assert!(
            all[2].contains(&expected.to_string()),
            "{expected}: {:?}",
            all[2]
        );
    }
}
