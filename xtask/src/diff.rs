//! `cargo xtask diff OLD NEW`: the change to the generated Rust API between two documents, each
//! change marked breaking or additive.
//!
//! The rules are Rust's (cargo-semver-checks is the reference; CI checks that every break it
//! finds is listed here as breaking), plus the type changes it does not see:
//! Breaking: anything removed (operation, argument, setter, paging, type, field, variant); a new
//! constructor argument of an operation, or a changed constructor of a request type (a field that
//! became required); any change of a Rust type (a field, argument, setter or result), which
//! includes an optional field becoming required; a type changing kind.
//! Additive: anything else added, a field above all (every struct is `#[non_exhaustive]`, every
//! enum too); a changed path or method (the Rust API is the same, the request is not, so it is
//! listed).

use std::collections::BTreeMap;
use std::fmt::Write as _;

use crate::ir::{Api, Presence, TypeKind};
use crate::surface::{constructor_arguments, field_type, result_type, rust_type, setter_type};

#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Change {
    pub breaking: bool,
    /// `added`, `removed` or `changed`.
    pub action: &'static str,
    /// What changed: `field DeploymentConfig.services`.
    pub item: String,
    /// The item's type or value, or `old -> new` for a change.
    pub detail: String,
}

/// One comparable fact of an API: its key, its shown value, and whether a new one is required of
/// callers (a constructor argument or a required setter).
struct Fact {
    value: String,
    demands: bool,
    /// The operation or type the fact is part of: when that is added or removed as a whole, it
    /// is the one change listed.
    owner: Option<String>,
}

fn facts(api: &Api) -> BTreeMap<String, Fact> {
    let mut facts = BTreeMap::new();
    let mut add = |key: String, value: String, demands: bool, owner: &Option<String>| {
        facts.insert(
            key,
            Fact {
                value,
                demands,
                owner: owner.clone(),
            },
        );
    };
    for resource in &api.resources {
        for op in &resource.operations {
            let at = format!("{}.{}", resource.name, op.method_name);
            add(
                format!("operation {at}"),
                format!("{} {}", op.http_method.as_str(), op.path),
                false,
                &None,
            );
            let owner = &Some(format!("operation {at}"));
            add(format!("result of {at}"), result_type(op), false, owner);
            for (position, (name, ty)) in constructor_arguments(op).iter().enumerate() {
                add(
                    format!("argument {at}({name})"),
                    format!("#{} {ty}", position + 1),
                    true,
                    owner,
                );
            }
            for setter in op.setters().iter().filter(|s| !s.required) {
                add(
                    format!("setter {at}.{}", setter.name),
                    setter_type(setter),
                    false,
                    owner,
                );
            }
            if let Some(item) = &op.paged_item {
                add(
                    format!("paging {at}.stream()"),
                    rust_type(item),
                    false,
                    owner,
                );
            }
        }
    }
    let request_types = api.request_types();
    for def in &api.types {
        let kind = match &def.kind {
            TypeKind::Struct(_) => "struct",
            TypeKind::Enum(_) => "enum",
            TypeKind::Union(_) => "union",
        };
        add(format!("type {}", def.name), kind.to_string(), false, &None);
        let owner = &Some(format!("type {}", def.name));
        match &def.kind {
            TypeKind::Struct(s) => {
                if request_types.contains(def.name.as_str()) {
                    // How a caller builds it: `new(required fields)`, or `Default`.
                    let required: Vec<String> = s
                        .fields
                        .iter()
                        .filter(|f| f.presence == Presence::Required)
                        .map(|f| format!("{}: {}", f.name, field_type(f)))
                        .collect();
                    let how = if required.is_empty() {
                        "default()".to_string()
                    } else {
                        format!("new({})", required.join(", "))
                    };
                    add(format!("constructor {}", def.name), how, true, owner);
                }
                for shortcut in &s.shortcuts {
                    add(
                        format!("shortcut {}::{}", def.name, shortcut.name),
                        rust_type(&shortcut.ty),
                        false,
                        owner,
                    );
                }
                for f in &s.fields {
                    add(
                        format!("field {}.{}", def.name, f.name),
                        field_type(f),
                        false,
                        owner,
                    );
                }
            }
            TypeKind::Enum(variants) => {
                for v in variants {
                    add(
                        format!("variant {}::{}", def.name, v.name),
                        format!("{:?}", v.wire),
                        false,
                        owner,
                    );
                }
            }
            TypeKind::Union(variants) => {
                for v in variants {
                    add(
                        format!("variant {}::{}", def.name, v.name),
                        rust_type(&v.ty),
                        false,
                        owner,
                    );
                }
            }
        }
    }
    facts
}

/// Every change from `old` to `new`, breaking ones first, each group sorted by item.
pub fn changes(old: &Api, new: &Api) -> Vec<Change> {
    let (old, new) = (facts(old), facts(new));
    let mut changes = Vec::new();
    let whole = |fact: &Fact, other: &BTreeMap<String, Fact>| {
        fact.owner.as_ref().is_some_and(|o| !other.contains_key(o))
    };
    for (key, before) in &old {
        match new.get(key) {
            None if whole(before, &new) => {}
            None => changes.push(Change {
                breaking: true,
                action: "removed",
                item: key.clone(),
                detail: before.value.clone(),
            }),
            Some(after) if after.value != before.value => {
                let breaking = if key.starts_with("operation ") {
                    false
                } else if key.starts_with("setter ") {
                    // Only the requirement relaxed: the same setter, no longer demanded.
                    let relaxed = !after.demands
                        && before.value.trim_end_matches(" (required)") == after.value;
                    !relaxed
                } else {
                    true
                };
                changes.push(Change {
                    breaking,
                    action: "changed",
                    item: key.clone(),
                    detail: format!("{} -> {}", before.value, after.value),
                });
            }
            Some(_) => {}
        }
    }
    for (key, after) in &new {
        if !old.contains_key(key) && !whole(after, &old) {
            changes.push(Change {
                breaking: after.demands,
                action: "added",
                item: key.clone(),
                detail: after.value.clone(),
            });
        }
    }
    changes.sort_by(|a, b| (!a.breaking, &a.item).cmp(&(!b.breaking, &b.item)));
    changes
}

fn counts(changes: &[Change]) -> (usize, usize) {
    let breaking = changes.iter().filter(|c| c.breaking).count();
    (breaking, changes.len() - breaking)
}

/// For a terminal: a summary line, then the breaking and the additive changes.
pub fn render_text(changes: &[Change], old: &str, new: &str) -> String {
    let (breaking, additive) = counts(changes);
    let mut out =
        format!("Rust API changes from {old} to {new}: {breaking} breaking, {additive} additive\n");
    for (title, want) in [("Breaking", true), ("Additive", false)] {
        let group: Vec<&Change> = changes.iter().filter(|c| c.breaking == want).collect();
        if group.is_empty() {
            continue;
        }
        let _ = writeln!(out, "\n{title}:");
        for c in group {
            let sign = match c.action {
                "added" => '+',
                "removed" => '-',
                _ => '~',
            };
            let _ = writeln!(out, "  {sign} {:<7} {}: {}", c.action, c.item, c.detail);
        }
    }
    out
}

/// For a pull-request comment.
pub fn render_markdown(changes: &[Change], old: &str, new: &str) -> String {
    let (breaking, additive) = counts(changes);
    let mut out = format!(
        "### Rust API changes: {breaking} breaking, {additive} additive\n\n`{old}` → `{new}`\n"
    );
    for (title, want) in [("Breaking", true), ("Additive", false)] {
        let group: Vec<&Change> = changes.iter().filter(|c| c.breaking == want).collect();
        if group.is_empty() {
            continue;
        }
        let _ = writeln!(out, "\n**{title}**\n");
        for c in group {
            let _ = writeln!(out, "- {} `{}`: `{}`", c.action, c.item, c.detail);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ir::*;

    fn field(name: &str, ty: TypeRef, presence: Presence) -> Field {
        Field {
            name: name.into(),
            wire: name.into(),
            doc: String::new(),
            ty,
            presence,
            sensitive: false,
        }
    }

    fn param(name: &str) -> Param {
        Param {
            name: name.into(),
            wire: name.into(),
            doc: String::new(),
            ty: TypeRef::String,
            required: true,
        }
    }

    /// A one-operation API: `projects.create(account_id)` with a body of `fields`, and one
    /// struct `Project` with `fields` and one enum `Stage`.
    fn api(fields: Vec<Field>, variants: &[&str], extra_args: &[&str]) -> Api {
        let op = Operation {
            id: "create".into(),
            method_name: "create".into(),
            builder_name: "ProjectCreate".into(),
            http_method: HttpMethod::Post,
            path: "/accounts/{account_id}/pages/projects".into(),
            summary: String::new(),
            description: String::new(),
            bearer: None,
            path_params: std::iter::once("account_id")
                .chain(extra_args.iter().copied())
                .map(param)
                .collect(),
            query_params: vec![],
            body: Body::JsonStruct {
                type_name: "Project".into(),
                fields: fields
                    .iter()
                    .map(|field| BodyField {
                        member: field.name.clone(),
                        field: field.clone(),
                    })
                    .collect(),
            },
            result: Some(TypeRef::Named("Project".into())),
            paged_item: None,
            error_statuses: vec![],
        };
        Api {
            title: String::new(),
            version: String::new(),
            types: vec![
                TypeDef {
                    name: "Project".into(),
                    doc: String::new(),
                    kind: TypeKind::Struct(Struct {
                        fields,
                        all_fields_default: false,
                        shortcuts: vec![],
                    }),
                },
                TypeDef {
                    name: "Stage".into(),
                    doc: String::new(),
                    kind: TypeKind::Enum(
                        variants
                            .iter()
                            .map(|v| Variant {
                                name: v.to_uppercase(),
                                wire: v.to_string(),
                            })
                            .collect(),
                    ),
                },
            ],
            resources: vec![Resource {
                name: "projects".into(),
                type_name: "Projects".into(),
                operations: vec![op],
            }],
            examples: vec![],
            warnings: vec![],
        }
    }

    fn base() -> Api {
        api(
            vec![field("name", TypeRef::String, Presence::Optional)],
            &["a", "b"],
            &[],
        )
    }

    fn classify(new: &Api) -> Vec<(bool, &'static str, String)> {
        changes(&base(), new)
            .into_iter()
            .map(|c| (c.breaking, c.action, c.item))
            .collect()
    }

    #[test]
    fn nothing_changed_is_no_change() {
        assert!(changes(&base(), &base()).is_empty());
    }

    #[test]
    fn an_added_optional_field_is_additive() {
        let new = api(
            vec![
                field("name", TypeRef::String, Presence::Optional),
                field("size", TypeRef::Integer, Presence::Optional),
            ],
            &["a", "b"],
            &[],
        );
        assert_eq!(
            classify(&new),
            [
                (false, "added", "field Project.size".to_string()),
                (false, "added", "setter projects.create.size".to_string())
            ]
        );
    }

    #[test]
    fn a_new_required_body_field_is_breaking() {
        let new = api(
            vec![
                field("name", TypeRef::String, Presence::Optional),
                field("branch", TypeRef::String, Presence::Required),
            ],
            &["a", "b"],
            &[],
        );
        let found = classify(&new);
        assert!(
            found.contains(&(
                true,
                "added",
                "argument projects.create(branch)".to_string()
            )),
            "{found:?}"
        );
        assert!(
            found.contains(&(false, "added", "field Project.branch".to_string())),
            "{found:?}"
        );
    }

    #[test]
    fn an_optional_field_that_became_required_is_breaking() {
        let new = api(
            vec![field("name", TypeRef::String, Presence::Required)],
            &["a", "b"],
            &[],
        );
        let found = classify(&new);
        assert!(
            found.contains(&(true, "changed", "field Project.name".to_string())),
            "{found:?}"
        );
        assert!(
            found.contains(&(true, "added", "argument projects.create(name)".to_string())),
            "{found:?}"
        );
        assert!(
            found.contains(&(true, "removed", "setter projects.create.name".to_string())),
            "{found:?}"
        );
    }

    #[test]
    fn a_required_setter_that_became_optional_is_additive() {
        let old = api(
            vec![field("name", TypeRef::String, Presence::Required)],
            &["a", "b"],
            &[],
        );
        let found: Vec<_> = changes(&old, &base())
            .into_iter()
            .filter(|c| c.item.starts_with("setter"))
            .collect();
        assert_eq!(found.len(), 1);
        assert!(!found[0].breaking, "{found:?}");
    }

    #[test]
    fn a_changed_field_type_is_breaking() {
        let new = api(
            vec![field("name", TypeRef::Integer, Presence::Optional)],
            &["a", "b"],
            &[],
        );
        assert!(classify(&new).contains(&(true, "changed", "field Project.name".to_string())));
    }

    #[test]
    fn removed_fields_variants_and_operations_are_breaking() {
        let new = api(vec![], &["a"], &[]);
        let found = classify(&new);
        assert!(
            found.contains(&(true, "removed", "field Project.name".to_string())),
            "{found:?}"
        );
        assert!(
            found.contains(&(true, "removed", "variant Stage::B".to_string())),
            "{found:?}"
        );
        let mut without_op = base();
        without_op.resources.clear();
        let found = classify(&without_op);
        assert!(
            found.contains(&(true, "removed", "operation projects.create".to_string())),
            "{found:?}"
        );
    }

    #[test]
    fn an_added_variant_is_additive_and_a_new_argument_breaking() {
        let found = classify(&api(
            vec![field("name", TypeRef::String, Presence::Optional)],
            &["a", "b", "c"],
            &[],
        ));
        assert_eq!(found, [(false, "added", "variant Stage::C".to_string())]);
        let found = classify(&api(
            vec![field("name", TypeRef::String, Presence::Optional)],
            &["a", "b"],
            &["region"],
        ));
        assert!(
            found.contains(&(
                true,
                "added",
                "argument projects.create(region)".to_string()
            )),
            "{found:?}"
        );
    }

    #[test]
    fn a_changed_path_is_listed_but_not_breaking() {
        let mut new = base();
        new.resources[0].operations[0].path = "/accounts/{account_id}/pages/sites".into();
        assert_eq!(
            classify(&new),
            [(false, "changed", "operation projects.create".to_string())]
        );
    }

    #[test]
    fn renderings_summarise_and_group() {
        let new = api(
            vec![field("size", TypeRef::Integer, Presence::Optional)],
            &["a", "b"],
            &[],
        );
        let found = changes(&base(), &new);
        let text = render_text(&found, "old.json", "new.json");
        assert!(
            text.starts_with(
                "Rust API changes from old.json to new.json: 2 breaking, 2 additive\n"
            ),
            "{text}"
        );
        assert!(
            text.contains("\nBreaking:\n  - removed field Project.name: Option<String>\n"),
            "{text}"
        );
        let markdown = render_markdown(&found, "old.json", "new.json");
        assert!(markdown.contains("**Breaking**"), "{markdown}");
        assert!(
            markdown.contains("- added `field Project.size`: `Option<i64>`"),
            "{markdown}"
        );
    }
}
