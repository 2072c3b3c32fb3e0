//! Every name the generator produces is decided here: canonical component keys, Rust type,
//! field, variant, parameter and method names. Keeping the rules in one module (with their own
//! tests) is what keeps names stable when Cloudflare renames its components between releases.

use std::collections::{BTreeMap, BTreeSet};

use heck::{ToSnakeCase, ToUpperCamelCase};

/// Rust keywords (strict and reserved, all editions) that cannot be plain identifiers.
const KEYWORDS: &[&str] = &[
    "abstract", "as", "async", "await", "become", "box", "break", "const", "continue", "crate",
    "do", "dyn", "else", "enum", "extern", "false", "final", "fn", "for", "gen", "if", "impl",
    "in", "let", "loop", "macro", "match", "mod", "move", "mut", "override", "priv", "pub", "ref",
    "return", "self", "Self", "static", "struct", "super", "trait", "true", "try", "type",
    "typeof", "unsafe", "unsized", "use", "virtual", "where", "while", "yield",
];

/// The std and serde names the generated modules import (`use ::core::option::Option;`) and
/// then write by their short names, with the paths they come from. No name the generator gives
/// a type can be one of these (see [`reserved_type_names`]), so no spec name can shadow them.
pub const IMPORTED_NAMES: &[(&str, &str)] = &[
    ("Clone", "::core::clone::Clone"),
    ("Eq", "::core::cmp::Eq"),
    ("Ord", "::core::cmp::Ord"),
    ("PartialEq", "::core::cmp::PartialEq"),
    ("PartialOrd", "::core::cmp::PartialOrd"),
    ("From", "::core::convert::From"),
    ("Into", "::core::convert::Into"),
    ("Default", "::core::default::Default"),
    ("Debug", "::core::fmt::Debug"),
    ("Hash", "::core::hash::Hash"),
    ("Option", "::core::option::Option"),
    ("None", "::core::option::Option::None"),
    ("Some", "::core::option::Option::Some"),
    ("Result", "::core::result::Result"),
    ("BTreeMap", "::std::collections::BTreeMap"),
    ("String", "::std::string::String"),
    ("Vec", "::std::vec::Vec"),
    ("Deserialize", "::serde::Deserialize"),
    ("Serialize", "::serde::Serialize"),
];

/// Names of types the generated code uses from the hand-written core or std by path; a schema
/// that would take one of them (or an imported name) gets a suffix instead.
const RESERVED_TYPE_NAMES: &[&str] = &[
    "Envelope",
    "ApiMessage",
    "ApiFailure",
    "ResultInfo",
    "Patch",
    "Timestamp",
    "Box",
    "Value",
    "Client",
    "Error",
];

/// Every name a generated type, builder or resource accessor must not take: seeded into the
/// normalizer's taken names, so a composed name (`Partial` + `Eq`) is renamed as a clash is.
pub fn reserved_type_names() -> BTreeSet<String> {
    RESERVED_TYPE_NAMES
        .iter()
        .copied()
        .chain(IMPORTED_NAMES.iter().map(|(name, _)| *name))
        .map(str::to_string)
        .collect()
}

fn is_reserved(name: &str) -> bool {
    RESERVED_TYPE_NAMES.contains(&name) || IMPORTED_NAMES.iter().any(|(n, _)| *n == name)
}

/// `name`, or `{name}Type` when it is reserved or a keyword.
fn clear_of_reserved(name: String) -> String {
    if is_reserved(&name) || is_keyword(&name) {
        format!("{name}Type")
    } else {
        name
    }
}

pub fn is_keyword(word: &str) -> bool {
    KEYWORDS.contains(&word)
}

/// A segment that is a generated hash rather than a word: six or more letters and digits that
/// either mix digits with upper case after the first character (`aM5gKYXN`, `XyZ12345`) or switch
/// case three or more times (`aMgKYXNb`). Words (`projects`, `projectName`, `API`, `v4`) never match.
pub fn is_hash_like(segment: &str) -> bool {
    if segment.len() < 6 || !segment.chars().all(|c| c.is_ascii_alphanumeric()) {
        return false;
    }
    let digit = segment.chars().any(|c| c.is_ascii_digit());
    let upper_in_tail = segment.chars().skip(1).any(|c| c.is_ascii_uppercase());
    let letters: Vec<bool> = segment
        .chars()
        .filter(|c| c.is_ascii_alphabetic())
        .map(|c| c.is_ascii_uppercase())
        .collect();
    let case_switches = letters.windows(2).filter(|w| w[0] != w[1]).count();
    (digit && upper_in_tail) || case_switches >= 3
}

/// Splits a component key into its segments and separators: `aM5gKYXN_project-patch` ->
/// `["aM5gKYXN", "project", "patch"]` with separators `["_", "-"]`.
fn segments(key: &str) -> (Vec<&str>, Vec<char>) {
    let mut parts = Vec::new();
    let mut seps = Vec::new();
    let mut start = 0;
    for (i, c) in key.char_indices() {
        if c == '_' || c == '-' {
            parts.push(&key[start..i]);
            seps.push(c);
            start = i + 1;
        }
    }
    parts.push(&key[start..]);
    (parts, seps)
}

/// Canonical keys for a document's component keys: a leading segment that every key shares
/// (`pages_`, `aM5gKYXN_`) is a vendor namespace and goes; hash-like segments go wherever they
/// stand. Keys whose canonical forms would clash keep their original key, so nothing merges
/// silently. Returns original -> canonical for every key.
pub fn canonical_component_keys<'a>(
    keys: impl IntoIterator<Item = &'a str>,
) -> BTreeMap<String, String> {
    let keys: Vec<&str> = keys.into_iter().collect();
    let shared_prefix = shared_namespace(&keys);
    let mut canonical: BTreeMap<String, String> = keys
        .iter()
        .map(|key| {
            (
                key.to_string(),
                canonical_key(key, shared_prefix.as_deref()),
            )
        })
        .collect();
    let mut owners: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (original, canon) in &canonical {
        owners
            .entry(canon.clone())
            .or_default()
            .push(original.clone());
    }
    for originals in owners.values().filter(|o| o.len() > 1) {
        for original in originals {
            canonical.insert(original.clone(), original.clone());
        }
    }
    canonical
}

/// The vendor namespace every key of a document's components shares (`pages`, `aM5gKYXN`),
/// if there is one.
pub fn shared_namespace_of<'a>(keys: impl IntoIterator<Item = &'a str>) -> Option<String> {
    shared_namespace(&keys.into_iter().collect::<Vec<_>>())
}

/// The first segment when every key has it, is followed by `_` or `-`, and leaves something
/// behind; `None` for a single key without separator or when keys disagree.
fn shared_namespace(keys: &[&str]) -> Option<String> {
    let first = keys.first()?;
    let (parts, _) = segments(first);
    if parts.len() < 2 {
        return None;
    }
    let prefix = parts[0];
    let all_share = keys.iter().all(|key| {
        let (p, _) = segments(key);
        p.len() >= 2 && p[0] == prefix && p[1..].iter().any(|s| !s.is_empty())
    });
    (all_share && (keys.len() > 1 || is_hash_like(prefix))).then(|| prefix.to_string())
}

fn canonical_key(key: &str, shared_prefix: Option<&str>) -> String {
    let (parts, seps) = segments(key);
    let mut out = String::new();
    for (i, part) in parts.iter().enumerate() {
        let dropped = (i == 0 && Some(*part) == shared_prefix) || is_hash_like(part);
        if dropped {
            continue;
        }
        if !out.is_empty() {
            // The separator that stood before this segment in the original key.
            out.push(seps[i - 1]);
        }
        out.push_str(part);
    }
    if out.is_empty() { key.to_string() } else { out }
}

/// `project-patch` -> `ProjectPatch`, `D1_BINDING` -> `D1Binding`; a leading digit gets `T`.
pub fn type_name(raw: &str) -> String {
    let name = raw.to_upper_camel_case();
    let name = if name.is_empty() {
        "Unnamed".to_string()
    } else {
        name
    };
    let name = if name.starts_with(|c: char| c.is_ascii_digit()) {
        format!("T{name}")
    } else {
        name
    };
    clear_of_reserved(name)
}

/// A struct field or function argument: snake case; keywords get a trailing `_`.
pub fn field_name(wire: &str) -> String {
    let name = wire.to_snake_case();
    let name = if name.is_empty() {
        "field".to_string()
    } else {
        name
    };
    let name = if name.starts_with(|c: char| c.is_ascii_digit()) {
        format!("_{name}")
    } else {
        name
    };
    if is_keyword(&name) {
        format!("{name}_")
    } else {
        name
    }
}

/// What a request builder itself has: its methods and the client it holds. A parameter or body
/// field of the same name (`send`, `client`) gets a trailing `_`.
const BUILDER_MEMBERS: &[&str] = &[
    "all",
    "client",
    "options",
    "send",
    "send_envelope",
    "stream",
];

/// A parameter or body field as a member of a request builder (see `BUILDER_MEMBERS`).
pub fn member_name(name: &str) -> String {
    if BUILDER_MEMBERS.contains(&name) {
        format!("{name}_")
    } else {
        name.to_string()
    }
}

/// The setter of a field on a request type: the field's name, clear of the constructor.
pub fn setter_name(field: &str) -> String {
    if field == "new" {
        "new_".to_string()
    } else {
        field.to_string()
    }
}

/// A path or query parameter. `account_identifier` and `account_id` name the same thing, so the
/// `identifier` word is spelled `id` (Cloudflare renamed these parameters between releases).
pub fn param_name(wire: &str) -> String {
    let snake = wire.to_snake_case();
    let renamed = match snake.strip_suffix("identifier") {
        Some("") => "id".to_string(),
        Some(stem) if stem.ends_with('_') => format!("{stem}id"),
        _ => snake,
    };
    field_name(&renamed)
}

/// An enum variant: `clone_repo` -> `CloneRepo`; empty or numeric values stay valid.
pub fn variant_name(wire: &str) -> String {
    let name = wire.to_upper_camel_case();
    if name.is_empty() {
        "Empty".to_string()
    } else if name.starts_with(|c: char| c.is_ascii_digit()) {
        format!("V{name}")
    } else if is_keyword(&name) || name == "Unknown" {
        format!("{name}Value")
    } else {
        name
    }
}

/// `projects` -> `project`, `policies` -> `policy`; words not ending in a plural `s` unchanged.
pub fn singular(word: &str) -> String {
    if let Some(stem) = word.strip_suffix("ies") {
        format!("{stem}y")
    } else if word.ends_with("ss") || word.ends_with("us") {
        word.to_string()
    } else if let Some(stem) = word.strip_suffix("ses").filter(|s| s.ends_with("s")) {
        format!("{stem}s")
    } else if let Some(stem) = word.strip_suffix('s') {
        stem.to_string()
    } else {
        word.to_string()
    }
}

/// The name of an inline schema found under `property` of type `parent`. A property of two or
/// more words names its value on its own (`deployment_trigger` -> `DeploymentTrigger`,
/// `validation_data` -> `ValidationData`), so names never grow with the nesting depth; a one-word
/// property is too vague alone and is qualified by its parent (`Stage` + `name` -> `StageName`,
/// `Source` + `config` -> `SourceConfig`).
pub fn nested_type_name(parent: &str, property: &str) -> String {
    let prop = type_name(property);
    let words = prop.chars().filter(char::is_ascii_uppercase).count();
    if words >= 2 || prop.starts_with(parent) {
        prop
    } else {
        format!("{parent}{prop}")
    }
}

/// The name of one element of a list or one value of a map named `collection`:
/// `D1Databases` -> `D1Database`, `EnvVars` -> `EnvVar`.
pub fn element_name(collection: &str) -> String {
    type_name(&singular(collection))
}

/// The name of the result of an operation on `resource`: the resource itself for its
/// collection and items (`projects` -> `Project`); for an action, the action when it says what
/// it returns in more than one word (`upload_token` -> `UploadToken`), else the resource and the
/// action (`logs` -> `DeploymentLogs`).
pub fn result_name(resource: &str, action: Option<&str>) -> String {
    let item = type_name(&singular(resource));
    match action {
        None => item,
        Some(action) if action.contains('_') => type_name(action),
        Some(action) => format!("{item}{}", type_name(action)),
    }
}

/// A method name from an operation id, for operations the path alone cannot tell apart
/// (`pages-project-connect-project-source` on `projects` -> `connect_source`): the id's words
/// without the product's and the resource's.
pub fn method_from_operation_id(operation_id: &str, resource: &str) -> String {
    let resource_words: BTreeSet<String> = resource
        .to_snake_case()
        .split('_')
        .flat_map(|w| [w.to_string(), singular(w)])
        .collect();
    let snake = operation_id.to_snake_case();
    let mut words: Vec<&str> = snake.split('_').filter(|w| !w.is_empty()).collect();
    if words.len() > 1 {
        // The first word is the product (`pages`).
        words.remove(0);
    }
    let kept: Vec<&str> = words
        .iter()
        .copied()
        .filter(|w| !resource_words.contains(*w))
        .collect();
    let kept = if kept.is_empty() { words } else { kept };
    field_name(&kept.join("_"))
}

/// Builder type of an operation: resource (singular) then method: `ProjectCreate`, `DeploymentList`.
pub fn builder_name(resource: &str, method: &str) -> String {
    clear_of_reserved(format!(
        "{}{}",
        type_name(&singular(resource)),
        method.to_upper_camel_case()
    ))
}

/// Resource accessor type: `projects` -> `Projects`.
pub fn resource_type_name(resource: &str) -> String {
    clear_of_reserved(resource.to_upper_camel_case())
}

/// Makes `candidate` unique among `taken` by appending 2, 3, ... and records it.
pub fn unique(candidate: String, taken: &mut BTreeSet<String>) -> String {
    if taken.insert(candidate.clone()) {
        return candidate;
    }
    let mut n = 2;
    loop {
        let next = format!("{candidate}{n}");
        if taken.insert(next.clone()) {
            return next;
        }
        n += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn canon(keys: &[&str]) -> Vec<String> {
        let map = canonical_component_keys(keys.iter().copied());
        keys.iter().map(|k| map[*k].clone()).collect()
    }

    #[test]
    fn vendor_prefix_and_hash_suffix_give_the_same_key() {
        assert_eq!(
            canon(&["aM5gKYXN_projects", "aM5gKYXN_stage"]),
            ["projects", "stage"]
        );
        assert_eq!(
            canon(&["pages_projects", "pages_stage"]),
            ["projects", "stage"]
        );
        assert_eq!(
            canon(&["projects-XyZ12345", "stage"]),
            ["projects", "stage"]
        );
        assert_eq!(
            canon(&["aM5gKYXN_project-patch", "aM5gKYXN_x"]),
            ["project-patch", "x"]
        );
        assert_eq!(
            canon(&["aM5gKYXN_deployment_configs"]),
            ["deployment_configs"]
        );
    }

    #[test]
    fn a_prefix_not_shared_by_every_key_is_meaning() {
        assert_eq!(
            canon(&["deployment_configs", "deployment_stage", "build_config"]),
            ["deployment_configs", "deployment_stage", "build_config"]
        );
    }

    #[test]
    fn clashing_canonical_keys_keep_their_original_keys() {
        assert_eq!(
            canon(&["pages_projects", "pages_projects-AbC12345", "pages_stage"]),
            ["pages_projects", "pages_projects-AbC12345", "stage"]
        );
    }

    #[test]
    fn hash_detection_leaves_words_alone() {
        for word in [
            "projects",
            "Projects",
            "projectName",
            "API",
            "v4",
            "DEPLOYMENT",
            "pages",
        ] {
            assert!(!is_hash_like(word), "{word}");
        }
        for hash in ["aM5gKYXN", "XyZ12345", "a1B2c3D4", "aMgKYXNb"] {
            assert!(is_hash_like(hash), "{hash}");
        }
    }

    #[test]
    fn type_names() {
        assert_eq!(type_name("project-patch"), "ProjectPatch");
        assert_eq!(type_name("D1_BINDING"), "D1Binding");
        assert_eq!(type_name("ENVIRONMENT_VARIABLE"), "EnvironmentVariable");
        assert_eq!(type_name("4xx"), "T4xx");
        assert_eq!(type_name("envelope"), "EnvelopeType");
        assert_eq!(type_name("option"), "OptionType");
        assert_eq!(type_name("partial_eq"), "PartialEqType");
        assert_eq!(resource_type_name("serialize"), "SerializeType");
        assert_eq!(builder_name("partials", "eq"), "PartialEqType");
        let reserved = reserved_type_names();
        assert!(
            ["Some", "Vec", "Timestamp", "Client"]
                .iter()
                .all(|n| reserved.contains(*n))
        );
        assert_eq!(
            nested_type_name("Deployment", "deployment_trigger"),
            "DeploymentTrigger"
        );
        assert_eq!(nested_type_name("Stage", "name"), "StageName");
    }

    #[test]
    fn keywords_are_escaped() {
        assert_eq!(field_name("type"), "type_");
        assert_eq!(field_name("self"), "self_");
        assert_eq!(field_name("X-Auth-Email"), "x_auth_email");
        assert_eq!(field_name("2fa"), "_2fa");
        assert_eq!(variant_name("type"), "Type");
        assert_eq!(variant_name("Self"), "SelfValue");
        assert_eq!(variant_name("unknown"), "UnknownValue");
        assert_eq!(variant_name(""), "Empty");
        assert_eq!(variant_name("1.0"), "V10");
    }

    #[test]
    fn identifier_parameters_read_as_ids() {
        assert_eq!(param_name("account_identifier"), "account_id");
        assert_eq!(param_name("account_id"), "account_id");
        assert_eq!(param_name("deployment_identifier"), "deployment_id");
        assert_eq!(param_name("identifier"), "id");
        assert_eq!(param_name("project_name"), "project_name");
    }

    #[test]
    fn singular_and_builder_names() {
        assert_eq!(singular("projects"), "project");
        assert_eq!(singular("policies"), "policy");
        assert_eq!(singular("status"), "status");
        assert_eq!(singular("addresses"), "address");
        assert_eq!(builder_name("deployments", "list"), "DeploymentList");
        assert_eq!(
            builder_name("projects", "purge_build_cache"),
            "ProjectPurgeBuildCache"
        );
    }

    #[test]
    fn unique_names_are_deterministic() {
        let mut taken = BTreeSet::new();
        assert_eq!(unique("Stage".into(), &mut taken), "Stage");
        assert_eq!(unique("Stage".into(), &mut taken), "Stage2");
        assert_eq!(unique("Stage".into(), &mut taken), "Stage3");
    }
}
