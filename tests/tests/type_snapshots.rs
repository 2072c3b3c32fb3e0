//! Compiles the generator's type snapshots (`xtask/tests/snapshots/*.types.rs`) against the real
//! core types, so a snapshot that no longer builds fails the suite, and pins what each construct
//! does on the wire.

// The snapshots refer to the core and to their own types as `crate::...`, as the generated
// module of this crate does: both are re-exported here (the types a snapshot refers to by name;
// every snapshot has its own `AccountThings`). They are prettyplease output, so rustfmt leaves
// them alone (`rustfmt::skip`), and not every item of every snapshot is exercised here
// (`dead_code`).
pub use any_of::{Target, Target2};
pub use enums::{AccountThingsName, AccountThingsType, Environment};
pub use names::Thing;
pub use nullable_patch::{Var, VarPatch};
pub use pages_api_types::{Patch, Timestamp, object_serde, open_enum_serde, untagged_serde};
pub use placeholder_maps::{D1Database, EnvVar, EnvVarType};
pub use read_only::{Latest, Settings, SettingsRequest};

#[path = "../../xtask/tests/snapshots/all_of.types.rs"]
#[rustfmt::skip]
#[allow(dead_code)]
mod all_of;
#[path = "../../xtask/tests/snapshots/any_of.types.rs"]
#[rustfmt::skip]
#[allow(dead_code)]
mod any_of;
#[path = "../../xtask/tests/snapshots/enums.types.rs"]
#[rustfmt::skip]
#[allow(dead_code)]
mod enums;
#[path = "../../xtask/tests/snapshots/names.types.rs"]
#[rustfmt::skip]
#[allow(dead_code)]
mod names;
#[path = "../../xtask/tests/snapshots/nullable_patch.types.rs"]
#[rustfmt::skip]
#[allow(dead_code)]
mod nullable_patch;
#[path = "../../xtask/tests/snapshots/placeholder_maps.types.rs"]
#[rustfmt::skip]
#[allow(dead_code)]
mod placeholder_maps;
#[path = "../../xtask/tests/snapshots/read_only.types.rs"]
#[rustfmt::skip]
#[allow(dead_code)]
mod read_only;
#[path = "../../xtask/tests/snapshots/untyped.types.rs"]
#[rustfmt::skip]
#[allow(dead_code)]
mod untyped;

use serde_json::{Value, json};

fn to_json<T: serde::Serialize>(value: &T) -> Value {
    serde_json::to_value(value).unwrap()
}

#[test]
fn read_only_properties_never_reach_a_request() {
    let request = read_only::AccountThingsRequest {
        name: "blog".into(),
        settings: None,
    };
    assert_eq!(to_json(&request), json!({"name": "blog"}));
    // The request type cannot even hold them: deserializing ignores them.
    let from_response: read_only::AccountThingsRequest =
        serde_json::from_value(json!({"name": "blog", "id": "x", "created_on": "2021-03-09T00:55:03Z", "latest": {"id": "r"}})).unwrap();
    assert_eq!(to_json(&from_response), json!({"name": "blog"}));
    // The response type keeps them.
    let response: read_only::AccountThings = serde_json::from_value(
        json!({"name": "blog", "id": "x", "latest": {"id": "r", "url": "u"}}),
    )
    .unwrap();
    assert_eq!(response.id.as_deref(), Some("x"));
    assert_eq!(response.latest.unwrap().url.as_deref(), Some("u"));
}

#[test]
fn nullable_fields_in_a_merge_patch_have_three_states() {
    use nullable_patch::{ThingPatch, VarPatch};
    assert_eq!(to_json(&ThingPatch::default()), json!({}));
    let clear = ThingPatch {
        command: Patch::Null,
        ..Default::default()
    };
    assert_eq!(to_json(&clear), json!({"command": null}));
    let set = ThingPatch {
        command: Patch::Set("make".into()),
        count: Some(2),
        ..Default::default()
    };
    assert_eq!(to_json(&set), json!({"command": "make", "count": 2}));
    let vars = [
        (
            "KEEP".to_string(),
            Some(VarPatch {
                value: Some("1".into()),
            }),
        ),
        ("DROP".to_string(), None),
    ]
    .into();
    let patch = ThingPatch {
        vars: Patch::Set(vars),
        ..Default::default()
    };
    assert_eq!(
        to_json(&patch),
        json!({"vars": {"DROP": null, "KEEP": {"value": "1"}}})
    );
    let back: ThingPatch =
        serde_json::from_value(json!({"command": null, "vars": {"DROP": null}})).unwrap();
    assert_eq!(back.command, Patch::Null);
    assert_eq!(back.count, None);
}

#[test]
fn nullable_fields_in_a_response_accept_null_and_absence() {
    let absent: nullable_patch::Thing = serde_json::from_value(json!({"name": "a"})).unwrap();
    let null: nullable_patch::Thing =
        serde_json::from_value(json!({"name": "a", "command": null, "vars": null})).unwrap();
    assert_eq!(absent, null);
    assert_eq!(absent.command, None);
}

#[test]
fn single_member_any_of_is_the_member_and_several_are_untagged() {
    let thing: any_of::AccountThings =
        serde_json::from_value(json!({"preview": {"mode": "smart"}, "target": "name"})).unwrap();
    assert_eq!(thing.preview.unwrap().mode.as_deref(), Some("smart"));
    assert_eq!(thing.target, Some(Target2::String("name".into())));
    let thing: any_of::AccountThings =
        serde_json::from_value(json!({"target": {"mode": "off"}})).unwrap();
    assert!(matches!(thing.target, Some(Target2::Target(_))));
}

#[test]
fn all_of_members_merge_into_one_struct() {
    let thing: all_of::AccountThings =
        serde_json::from_value(json!({"id": "1", "size": 2.5})).unwrap();
    assert_eq!((thing.id.as_str(), thing.size), ("1", Some(2.5)));
}

#[test]
fn enums_keep_unknown_values_and_patterns_are_enums() {
    use enums::{AccountThingsName as StageName, AccountThingsType as StageType};
    let stage: enums::AccountThings = serde_json::from_value(
        json!({"name": "clone_repo", "environment": "preview", "type": "self"}),
    )
    .unwrap();
    assert_eq!(stage.name, Some(StageName::CloneRepo));
    assert_eq!(stage.environment, Some(Environment::Preview));
    assert_eq!(stage.type_, Some(StageType::SelfValue));
    let future: enums::AccountThings =
        serde_json::from_value(json!({"name": "warm_cache", "environment": "staging"})).unwrap();
    assert_eq!(future.name, Some(StageName::Unknown("warm_cache".into())));
    assert_eq!(
        to_json(&future),
        json!({"name": "warm_cache", "environment": "staging"})
    );
    assert_eq!(StageName::Deploy.to_string(), "deploy");
    assert_eq!("1st".parse::<StageType>().unwrap(), StageType::V1st);
    // A pattern that is not an alternation of words stays a string.
    let slug: enums::AccountThings = serde_json::from_value(json!({"slug": "my-site"})).unwrap();
    assert_eq!(slug.slug.as_deref(), Some("my-site"));
}

#[test]
fn placeholder_keyed_objects_are_maps_and_secrets_are_redacted() {
    let config: placeholder_maps::AccountThings = serde_json::from_value(json!({
        "d1_databases": {"MY_DB": {"id": "445e"}, "OTHER": {"id": "9"}},
        "env_vars": {"TOKEN": {"type": "secret_text", "value": "hunter2"}}
    }))
    .unwrap();
    let d1 = config.d1_databases.as_ref().unwrap();
    assert_eq!(d1["MY_DB"].id.as_deref(), Some("445e"));
    assert_eq!(d1.len(), 2);
    let debug = format!("{config:?}");
    assert!(!debug.contains("hunter2"), "{debug}");
    assert!(debug.contains("<redacted>"), "{debug}");
}

#[test]
fn unknown_fields_are_ignored_and_names_are_escaped() {
    let thing: names::AccountThings = serde_json::from_value(
        json!({"type": "t", "self": "s", "2fa": true, "added_tomorrow": 1, "thing": {"a": "x"}}),
    )
    .unwrap();
    assert_eq!(thing.type_.as_deref(), Some("t"));
    assert_eq!(thing.self_.as_deref(), Some("s"));
    assert_eq!(thing._2fa, Some(true));
    assert_eq!(thing.thing.unwrap().a.as_deref(), Some("x"));
}
