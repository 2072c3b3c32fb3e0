//! `spec/overlay.json`: one overlay for Cloudflare's 2024 and 2026 documents. Its actions are
//! well formed and name the releases they are for; the real pipeline recognises
//! `spec/pages.json` as the 2026 release and applies every action for it (none matches nothing
//! or changes nothing).

use std::collections::BTreeSet;

use serde_json::Value;

use crate::common::{
    UPSTREAM_2026, UPSTREAM_ALL, collect_refs, keys, overlay, read_json, read_text, set,
    shared_file, workspace_root,
};

/// The releases the overlay declares, and the documents of each.
const RELEASES: [(&str, &[&str]); 2] = [
    ("2024", &["pages-2024-01-04.json", "pages-2024-08-06.json"]),
    ("2026", &["pages-2026-07.json"]),
];

fn actions(overlay: &Value) -> &Vec<Value> {
    overlay["actions"].as_array().expect("actions is an array")
}

/// The releases an action is for: those it names, or every release.
fn releases_of(action: &Value) -> BTreeSet<String> {
    match action.get("x-releases") {
        Some(names) => names
            .as_array()
            .expect("x-releases is an array")
            .iter()
            .map(|n| n.as_str().expect("a release name is a string").to_string())
            .collect(),
        None => RELEASES.iter().map(|(r, _)| r.to_string()).collect(),
    }
}

/// The canonical component keys of a document, as the pipeline makes them (the overlay targets
/// these, never the document's own `pages_`-prefixed keys).
fn canonical_components(doc: &Value) -> BTreeSet<String> {
    let mut selected = xtask::load::select_pages(doc).expect("a Pages document");
    xtask::load::canonicalize(&mut selected);
    keys(&selected["components"]["schemas"])
}

/// The component keys named right after `$.components.schemas` in a target: `.project`,
/// `['project-patch']`, `['deployments','projects']`; empty for filters and other targets.
fn target_components(target: &str) -> Vec<String> {
    let Some(rest) = target.strip_prefix("$.components.schemas") else {
        return Vec::new();
    };
    if let Some(dotted) = rest.strip_prefix('.') {
        let name: String = dotted
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect();
        return vec![name];
    }
    match rest.strip_prefix('[') {
        Some(bracketed) if !bracketed.starts_with('?') && !bracketed.starts_with('*') => {
            let inside = bracketed.split(']').next().unwrap_or_default();
            inside
                .split(',')
                .map(|s| s.trim().trim_matches('\'').to_string())
                .collect()
        }
        _ => Vec::new(),
    }
}

#[test]
fn target_components_reads_the_three_spellings() {
    assert_eq!(
        target_components("$.components.schemas.project.properties"),
        ["project"]
    );
    assert_eq!(
        target_components("$.components.schemas['project-patch']"),
        ["project-patch"]
    );
    assert_eq!(
        target_components("$.components.schemas['deployments','projects'].properties.source"),
        ["deployments", "projects"]
    );
    assert!(target_components("$.components.schemas[?@.properties.id]").is_empty());
    assert!(target_components("$.components.schemas").is_empty());
    assert!(target_components("$.paths[*]").is_empty());
}

#[test]
fn overlay_json_is_pretty_printed_and_declares_the_2024_and_2026_releases() {
    let path = workspace_root().join(xtask::codegen::OVERLAY);
    let text = read_text(&path);
    let overlay = read_json(&path);
    assert!(
        serde_json::to_string_pretty(&overlay).expect("serialises") + "\n" == text,
        "spec/overlay.json is not 2-space pretty-printed JSON ending in one newline"
    );
    assert_eq!(
        keys(&overlay),
        set(["actions", "info", "overlay", "x-releases"])
    );
    assert_eq!(overlay["overlay"], "1.0.0");
    assert!(overlay["info"]["title"].is_string() && overlay["info"]["version"].is_string());

    let releases = overlay["x-releases"]
        .as_object()
        .expect("x-releases is an object");
    assert_eq!(
        releases.keys().map(String::as_str).collect::<Vec<_>>(),
        RELEASES.map(|(r, _)| r),
        "declared releases, oldest first"
    );
    for (name, release) in releases {
        assert_eq!(
            keys(release),
            set(["description", "marker"]),
            "release {name}"
        );
        assert!(
            release["description"]
                .as_str()
                .is_some_and(|d| d.len() >= 20),
            "release {name}: say what sets it apart"
        );
        assert!(
            release["marker"]
                .as_str()
                .is_some_and(|m| m.starts_with('$')),
            "release {name}: the marker is a JSONPath"
        );
    }
}

/// Each release's marker selects something in its own documents and nothing in the others'.
#[test]
fn each_release_marker_recognises_exactly_its_documents() {
    let overlay = overlay();
    for (file, doc) in UPSTREAM_ALL.map(|f| (f, read_json(&shared_file(&format!("upstream/{f}")))))
    {
        let mut selected = xtask::load::select_pages(&doc).expect("a Pages document");
        xtask::load::canonicalize(&mut selected);
        let report = xtask::overlay::apply(&mut selected, &overlay).expect("the overlay applies");
        let expected = RELEASES
            .iter()
            .find(|(_, files)| files.contains(&file))
            .map(|(r, _)| r.to_string());
        assert_eq!(report.release, expected, "{file}: recognised release");
    }
}

#[test]
fn overlay_actions_are_well_formed_and_target_canonical_keys() {
    let overlay = overlay();
    let actions = actions(&overlay);
    assert!(!actions.is_empty());
    let declared = keys(&overlay["x-releases"]);

    // Per release: the canonical components of its documents, plus those the overlay adds
    // (updates of `$.components.schemas` itself).
    let mut known: Vec<(String, BTreeSet<String>)> = RELEASES
        .iter()
        .map(|(release, files)| {
            let keys = files
                .iter()
                .flat_map(|f| {
                    canonical_components(&read_json(&shared_file(&format!("upstream/{f}"))))
                })
                .collect();
            (release.to_string(), keys)
        })
        .collect();
    for action in actions
        .iter()
        .filter(|a| a["target"] == "$.components.schemas")
    {
        let added = keys(&action["update"]);
        assert!(
            !added.is_empty(),
            "an update of $.components.schemas adds components"
        );
        for (release, keys) in &mut known {
            if releases_of(action).contains(release) {
                keys.extend(added.iter().cloned());
            }
        }
    }

    let allowed = set(["description", "remove", "target", "update", "x-releases"]);
    for (i, action) in actions.iter().enumerate() {
        let object = action
            .as_object()
            .unwrap_or_else(|| panic!("action {i} is not an object"));
        assert!(
            keys(action).is_subset(&allowed),
            "action {i}: unknown keys {:?}",
            keys(action).difference(&allowed).collect::<Vec<_>>()
        );
        let target = action["target"]
            .as_str()
            .unwrap_or_else(|| panic!("action {i}: no target"));
        assert!(
            target.starts_with('$'),
            "action {i}: `{target}` is not a JSONPath"
        );
        assert!(
            action["description"]
                .as_str()
                .is_some_and(|d| d.len() >= 20),
            "action {i}: the description must name the upstream defect"
        );
        let update = object.contains_key("update");
        let remove = object.contains_key("remove");
        assert!(
            update != remove,
            "action {i}: exactly one of `update` or `remove`"
        );
        if remove {
            assert_eq!(action["remove"], true, "action {i}: `remove` is `true`");
        }
        if let Some(names) = object.get("x-releases") {
            let names = names
                .as_array()
                .unwrap_or_else(|| panic!("action {i}: x-releases is not an array"));
            assert!(
                !names.is_empty(),
                "action {i}: empty x-releases (leave it out for every release)"
            );
            let unique: BTreeSet<String> = names.iter().map(Value::to_string).collect();
            assert_eq!(
                unique.len(),
                names.len(),
                "action {i}: a release named twice"
            );
            for name in names {
                assert!(
                    name.as_str().is_some_and(|n| declared.contains(n)),
                    "action {i}: release {name} is not declared in x-releases"
                );
            }
        }

        for forbidden in ["pages_", "account_identifier", "account_id", "/accounts/"] {
            assert!(
                !target.contains(forbidden),
                "action {i}: target `{target}` must not depend on `{forbidden}`"
            );
        }
        for (release, known) in &known {
            if !releases_of(action).contains(release) {
                continue;
            }
            for component in target_components(target) {
                assert!(
                    known.contains(&component),
                    "action {i}: `{component}` is not a canonical component key of release {release}"
                );
            }
            for reference in collect_refs(&action["update"]) {
                let key = reference
                    .strip_prefix("#/components/schemas/")
                    .unwrap_or_else(|| {
                        panic!("action {i}: `{reference}` is not a component schema")
                    });
                assert!(
                    known.contains(key),
                    "action {i}: `{reference}` does not name a canonical component of release {release}"
                );
            }
        }
    }
}

/// The real pipeline (`cargo xtask codegen`'s load, fix-ups, parse and normalize) on
/// `spec/pages.json`: recognised as 2026, every action for 2026 applied, nothing to warn about
/// (what `--strict` fails on), and all 26 operations in the IR.
#[test]
fn the_pipeline_applies_every_2026_action_without_warnings() {
    let root = workspace_root();
    let (prepared, label) = xtask::codegen::prepare_file(&root, &root.join(xtask::codegen::SPEC))
        .expect("codegen prepares spec/pages.json");
    assert_eq!(label, xtask::codegen::SPEC);
    assert_eq!(
        prepared.overlay.release.as_deref(),
        Some("2026"),
        "recognised release"
    );
    let warnings = prepared.warnings();
    assert!(
        warnings.is_empty(),
        "codegen warnings:\n  {}",
        warnings.join("\n  ")
    );
    assert!(prepared.strict().is_ok());

    let overlay = overlay();
    let (for_2026, others): (Vec<&Value>, Vec<&Value>) = actions(&overlay)
        .iter()
        .partition(|a| releases_of(a).contains("2026"));
    assert!(!for_2026.is_empty(), "no action is for 2026");
    assert_eq!(prepared.overlay.applied, for_2026.len(), "actions applied");
    assert_eq!(
        prepared.overlay.other_releases,
        others.len(),
        "actions for other releases"
    );

    let operations: usize = prepared
        .api
        .resources
        .iter()
        .map(|r| r.operations.len())
        .sum();
    assert_eq!(operations, 26, "operations in the IR");
}

/// The same on Cloudflare's own `pages-2026-07.json`: our document keeps its shape, so every
/// repair the overlay makes for 2026 is one Cloudflare's document needs too.
#[test]
fn the_overlay_also_fits_cloudflares_own_2026_document() {
    let root = workspace_root();
    let path = shared_file(&format!("upstream/{UPSTREAM_2026}"));
    let (prepared, _) =
        xtask::codegen::prepare_file(&root, &path).expect("codegen prepares pages-2026-07.json");
    assert_eq!(prepared.overlay.release.as_deref(), Some("2026"));
    let warnings = prepared.warnings();
    assert!(
        warnings.is_empty(),
        "codegen warnings on {UPSTREAM_2026}:\n  {}",
        warnings.join("\n  ")
    );
    let for_2026 = actions(&overlay())
        .iter()
        .filter(|a| releases_of(a).contains("2026"))
        .count();
    assert_eq!(prepared.overlay.applied, for_2026, "actions applied");
}
