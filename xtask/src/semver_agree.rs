//! `cargo xtask semver-agree [OLD.json NEW.json]`: checks `xtask diff` against
//! cargo-semver-checks, the reference for what breaks. Both documents are generated as
//! standalone crates, cargo-semver-checks compares each crate of NEW with the one of OLD, and
//! every break it reports must be among the breaking changes `xtask diff` lists (which also
//! catches type changes cargo-semver-checks does not see). Without arguments: every two
//! consecutive `../shared/upstream/*.json` documents.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::ir::Api;
use crate::{codegen, diff, write};

/// One break as cargo-semver-checks words it, and the `(type, member)` it is about.
#[derive(Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Break {
    pub lint: String,
    pub line: String,
    pub owner: String,
    pub member: Option<String>,
}

/// Reads cargo-semver-checks' text report: each `--- failure LINT: ...` and the `Failed in:`
/// lines below it (warnings, which may break but need no major version, are not breaks).
pub fn parse_report(report: &str) -> Vec<Break> {
    let mut found = Vec::new();
    let mut lint = None;
    let mut in_list = false;
    for line in report.lines() {
        if let Some(rest) = line.strip_prefix("--- failure ") {
            lint = rest.split(':').next().map(str::to_string);
            in_list = false;
        } else if line.starts_with("--- ") {
            // `--- warning ...`: may break, and is not counted as a break.
            lint = None;
            in_list = false;
        } else if line.trim() == "Failed in:" {
            in_list = true;
        } else if in_list && line.starts_with("  ") && !line.starts_with("   ") {
            if let Some(lint) = &lint
                && let Some((owner, member)) = subject(line.trim())
            {
                found.push(Break {
                    lint: lint.clone(),
                    line: line.trim().to_string(),
                    owner,
                    member,
                });
            }
        } else {
            in_list = false;
        }
    }
    found
}

/// The type and member a `Failed in:` line is about:
/// `field f of struct T, previously in ...`, `struct pages_api_types::T, previously ...`,
/// `T::m, previously ...`, `variant E::V, previously ...`, `path::T::m now takes 3 parameters`.
fn subject(line: &str) -> Option<(String, Option<String>)> {
    let head = line
        .split(", previously")
        .next()?
        .split(" now takes")
        .next()?
        .split(" in file")
        .next()?
        .trim();
    let last = |path: &str| path.rsplit("::").next().unwrap_or(path).to_string();
    if let Some(rest) = head.strip_prefix("field ")
        && let Some((field, owner)) = rest.split_once(" of ")
    {
        let owner = owner.split_whitespace().last()?;
        return Some((last(owner), Some(field.to_string())));
    }
    let words: Vec<&str> = head.split_whitespace().collect();
    let path = match words.as_slice() {
        [kind, path] if ["struct", "enum", "trait", "type", "fn", "variant"].contains(kind) => path,
        [path] => path,
        _ => words.last()?,
    };
    let segments: Vec<&str> = path.split("::").collect();
    match (words.first(), segments.as_slice()) {
        (Some(&"struct" | &"enum" | &"type"), [.., name]) => Some((name.to_string(), None)),
        (_, [.., owner, member]) => Some((owner.to_string(), Some(member.to_string()))),
        (_, [name]) => Some((name.to_string(), None)),
        _ => None,
    }
}

/// The `(type, member)` pairs `xtask diff` marks breaking, with `*` for a whole type or
/// operation: `field T.f` -> `(T, f)`, `setter projects.create.name` -> `(ProjectCreate, name)`,
/// `argument projects.create(x)` -> `(Projects, create)`.
pub fn breaking_subjects(
    old: &Api,
    new: &Api,
    changes: &[diff::Change],
) -> BTreeSet<(String, String)> {
    let mut subjects = BTreeSet::new();
    let operation = |at: &str| -> Vec<(String, String)> {
        let (resource, method) = at.split_once('.').unwrap_or((at, ""));
        [old, new]
            .iter()
            .flat_map(|api| &api.resources)
            .filter(|r| r.name == resource)
            .flat_map(|r| {
                r.operations
                    .iter()
                    .filter(|o| o.method_name == method)
                    .map(move |o| (r.type_name.clone(), o.builder_name.clone()))
            })
            .flat_map(|(resource_type, builder)| {
                [
                    (resource_type, method.to_string()),
                    (builder, "*".to_string()),
                ]
            })
            .collect()
    };
    for change in changes.iter().filter(|c| c.breaking) {
        let Some((kind, what)) = change.item.split_once(' ') else {
            continue;
        };
        match kind {
            "field" | "variant" => {
                let (owner, member) = what.split_once(['.', ':']).unwrap_or((what, ""));
                subjects.insert((
                    owner.to_string(),
                    member.trim_start_matches(':').to_string(),
                ));
                // A struct's field comes with its setter of the same name.
            }
            "type" | "constructor" => {
                subjects.insert((what.to_string(), "*".to_string()));
            }
            "shortcut" => {
                let (owner, member) = what.split_once("::").unwrap_or((what, ""));
                subjects.insert((owner.to_string(), member.to_string()));
            }
            "setter" => {
                let (at, setter) = what.rsplit_once('.').unwrap_or((what, ""));
                for (_, builder) in operation(at).into_iter().filter(|(_, m)| m == "*") {
                    subjects.insert((builder, setter.to_string()));
                }
            }
            "operation" | "argument" | "result" | "paging" => {
                let at = what.split(['(', ' ']).next().unwrap_or(what);
                let at = at.trim_end_matches(".stream()");
                subjects.extend(operation(at));
            }
            _ => {}
        }
    }
    subjects
}

/// Whether `xtask diff` lists the break: the member itself, or its whole type.
fn listed(b: &Break, subjects: &BTreeSet<(String, String)>) -> bool {
    let whole = subjects.contains(&(b.owner.clone(), "*".to_string()));
    let member = b
        .member
        .as_ref()
        .is_some_and(|m| subjects.contains(&(b.owner.clone(), m.clone())));
    whole || member || (b.member.is_none() && subjects.iter().any(|(o, _)| *o == b.owner))
}

fn generate(root: &Path, spec: &Path, out: &Path) -> Result<Api, String> {
    let (prepared, label) = codegen::prepare_file(root, spec)?;
    let files = codegen::standalone(root, codegen::render(&prepared, &label)?)?;
    let _ = std::fs::remove_dir_all(out);
    write::write(out, &files)?;
    Ok(prepared.api)
}

/// Runs cargo-semver-checks on one crate of NEW against the same crate of OLD.
fn semver_checks(root: &Path, old: &Path, new: &Path, krate: &str) -> Result<String, String> {
    let output = Command::new(codegen::cargo())
        .args([
            "semver-checks",
            "check-release",
            "--release-type",
            "minor",
            "--manifest-path",
        ])
        .arg(new.join(krate).join("Cargo.toml"))
        .arg("--baseline-root")
        .arg(old.join(krate))
        .env("CARGO_TARGET_DIR", root.join("target/semver-agree"))
        .output()
        .map_err(|e| {
            format!(
                "cannot run cargo semver-checks (cargo install --locked cargo-semver-checks): {e}"
            )
        })?;
    // The failures go to stdout, the progress to stderr.
    let text = String::from_utf8_lossy(&output.stdout).into_owned();
    match output.status.code() {
        Some(0) => Ok(text),
        _ if text.contains("--- failure") => Ok(text),
        _ => Err(format!(
            "cargo semver-checks failed on {krate}:\n{text}{}",
            String::from_utf8_lossy(&output.stderr)
        )),
    }
}

/// Compares one pair; returns the report lines, or the disagreements as an error.
pub fn agree(root: &Path, old_spec: &Path, new_spec: &Path) -> Result<String, String> {
    let stem = |p: &Path| {
        p.file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default()
    };
    let base = root.join("target/semver-agree");
    let (old_dir, new_dir) = (base.join(stem(old_spec)), base.join(stem(new_spec)));
    let old = generate(root, old_spec, &old_dir)?;
    let new = generate(root, new_spec, &new_dir)?;
    let changes = diff::changes(&old, &new);
    let subjects = breaking_subjects(&old, &new, &changes);
    let ours = changes.iter().filter(|c| c.breaking).count();
    let mut report = String::new();
    let mut missing = Vec::new();
    for krate in ["pages-api-types", "pages-api-client"] {
        let text = semver_checks(root, &old_dir, &new_dir, krate)?;
        let breaks = parse_report(&text);
        for b in &breaks {
            if !listed(b, &subjects) {
                missing.push(format!("{krate}: {} {}", b.lint, b.line));
            }
        }
        report.push_str(&format!(
            "  {krate}: cargo-semver-checks reports {} break(s), all listed by xtask diff: {}\n",
            breaks.len(),
            if missing.is_empty() { "yes" } else { "no" }
        ));
    }
    let header = format!(
        "{} -> {}: xtask diff lists {ours} breaking change(s)\n",
        stem(old_spec),
        stem(new_spec)
    );
    if missing.is_empty() {
        Ok(header + &report)
    } else {
        Err(format!(
            "{header}{report}breaks cargo-semver-checks found that xtask diff does not list as breaking:\n  {}",
            missing.join("\n  ")
        ))
    }
}

pub fn command(args: &[String]) -> Result<(), String> {
    let root = codegen::workspace_root();
    let pairs: Vec<(PathBuf, PathBuf)> = match args {
        [old, new] => vec![(old.into(), new.into())],
        [] => {
            let docs = codegen::upstream_documents(&root)?;
            docs.windows(2)
                .map(|w| (w[0].clone(), w[1].clone()))
                .collect()
        }
        _ => return Err("semver-agree takes no arguments, or OLD.json NEW.json".into()),
    };
    for (old, new) in &pairs {
        print!("{}", agree(&root, old, new)?);
    }
    println!("semver-agree: {} pair(s) agree", pairs.len());
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_report_is_read_line_by_line() {
        let report = "\
--- failure struct_pub_field_missing: pub struct's pub field removed or renamed ---

Description:
A publicly-visible struct has at least one public field ...

Failed in:
  field service_bindings of struct DeploymentConfig, previously in file /x/generated.rs:530

--- failure struct_missing: pub struct removed or renamed ---

Failed in:
  struct pages_api_types::ServiceBinding, previously in file /x/generated.rs:1858

--- failure inherent_method_missing: pub method removed or renamed ---

Failed in:
  DeploymentConfigPatch::service_bindings, previously in file /x/generated.rs:910
  pages_api_client::builders::Projects::create now takes 3 parameters instead of 1, in file /y

--- warning partial_ord_enum_variants_reordered: enum variants reordered ---

Failed in:
  Stage::Unknown moved from position 3 to 4, in /x/generated.rs:1870
";
        let found: Vec<(String, String, Option<String>)> = parse_report(report)
            .into_iter()
            .map(|b| (b.lint, b.owner, b.member))
            .collect();
        assert_eq!(
            found,
            [
                (
                    "struct_pub_field_missing".into(),
                    "DeploymentConfig".into(),
                    Some("service_bindings".into())
                ),
                ("struct_missing".into(), "ServiceBinding".into(), None),
                (
                    "inherent_method_missing".into(),
                    "DeploymentConfigPatch".into(),
                    Some("service_bindings".into())
                ),
                (
                    "inherent_method_missing".into(),
                    "Projects".into(),
                    Some("create".into())
                ),
            ]
        );
    }
}
