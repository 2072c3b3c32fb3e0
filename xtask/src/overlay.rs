//! The fix-up stage: applies an OpenAPI Overlay 1.0 document to the spec's JSON. Each action of
//! `spec/overlay.json` repairs one upstream defect and says which in its `description`.
//!
//! One overlay serves every release of Cloudflare's document. An action may name the releases
//! it is for (`"x-releases": ["2024"]`); the overlay's top-level `x-releases` says how to tell
//! them apart (a JSONPath that selects something only that release has). Every action that is
//! for the document at hand but matched nothing, or matched and changed nothing (upstream fixed
//! the defect), is reported: a repair never fails silently.

use std::fmt;

use serde_json::Value;
use serde_json_path::JsonPath;

use crate::error::{SpecError, child, unescape_segment};

/// What applying an overlay did.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Report {
    /// The release the document was recognised as, if the overlay names releases.
    pub release: Option<String>,
    /// Actions that changed the document.
    pub applied: usize,
    /// Actions for other releases, left out.
    pub other_releases: usize,
    /// Actions that did not do their job, in order.
    pub findings: Vec<Finding>,
}

/// An action that is for this document but did not change it.
#[derive(Clone, Debug, PartialEq)]
pub struct Finding {
    /// `#/actions/N`.
    pub action: String,
    pub description: String,
    pub kind: FindingKind,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FindingKind {
    /// The target selects nothing: the document moved the thing it repairs.
    MatchedNothing,
    /// The target selects nodes that already are as the action would make them: upstream fixed
    /// the defect, and the action can go.
    ChangedNothing,
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let what = match self.kind {
            FindingKind::MatchedNothing => "matched nothing",
            FindingKind::ChangedNothing => "changed nothing (fixed upstream?)",
        };
        write!(
            f,
            "overlay action {} {what}: {}",
            self.action, self.description
        )
    }
}

/// Applies every action of `overlay` that is for this document, in order. `update` merges into
/// each node the target selects (objects recursively, arrays appended, anything else
/// replaced); `remove` deletes the selected nodes from their parents.
pub fn apply(doc: &mut Value, overlay: &Value) -> Result<Report, SpecError> {
    let version = overlay.get("overlay").and_then(Value::as_str);
    if !version.is_some_and(|v| v.starts_with("1.")) {
        return Err(SpecError::new(
            "#/overlay",
            "expected an Overlay 1.x document (`\"overlay\": \"1.0.0\"`)",
        ));
    }
    let actions = overlay
        .get("actions")
        .and_then(Value::as_array)
        .ok_or_else(|| SpecError::new("#/actions", "expected an array of actions"))?;
    let mut report = Report {
        release: release_of(doc, overlay)?,
        ..Report::default()
    };
    for (index, action) in actions.iter().enumerate() {
        let at = format!("#/actions/{index}");
        if !is_for_release(action, report.release.as_deref(), overlay, &at)? {
            report.other_releases += 1;
            continue;
        }
        match apply_action(doc, action, &at)? {
            Outcome::Changed => report.applied += 1,
            Outcome::Finding(kind) => report.findings.push(Finding {
                action: at,
                description: action
                    .get("description")
                    .and_then(Value::as_str)
                    .unwrap_or("(no description)")
                    .to_string(),
                kind,
            }),
        }
    }
    Ok(report)
}

/// The first release of `x-releases` whose `marker` selects something in the document.
fn release_of(doc: &Value, overlay: &Value) -> Result<Option<String>, SpecError> {
    let Some(releases) = overlay.get("x-releases") else {
        return Ok(None);
    };
    let releases = releases
        .as_object()
        .ok_or_else(|| SpecError::new("#/x-releases", "expected an object of releases"))?;
    for (name, release) in releases {
        let at = child(&child("#/x-releases", name), "marker");
        let marker = release
            .get("marker")
            .and_then(Value::as_str)
            .ok_or_else(|| SpecError::new(at.clone(), "expected a JSONPath string"))?;
        if !parse_path(marker, &at)?.query(doc).is_empty() {
            return Ok(Some(name.clone()));
        }
    }
    Ok(None)
}

fn is_for_release(
    action: &Value,
    release: Option<&str>,
    overlay: &Value,
    at: &str,
) -> Result<bool, SpecError> {
    let Some(wanted) = action.get("x-releases") else {
        return Ok(true);
    };
    let at = child(at, "x-releases");
    let names = wanted
        .as_array()
        .ok_or_else(|| SpecError::new(at.clone(), "expected an array of release names"))?;
    let mut for_this = false;
    for (i, name) in names.iter().enumerate() {
        let name = name.as_str().unwrap_or_default();
        if overlay
            .pointer(&format!(
                "/x-releases/{}",
                crate::error::escape_segment(name)
            ))
            .is_none()
        {
            return Err(SpecError::new(
                format!("{at}/{i}"),
                format!("expected a release named in #/x-releases, found `{name}`"),
            ));
        }
        for_this |= release == Some(name);
    }
    Ok(for_this)
}

fn parse_path(text: &str, at: &str) -> Result<JsonPath, SpecError> {
    JsonPath::parse(text)
        .map_err(|e| SpecError::new(at, format!("expected an RFC 9535 JSONPath: {e}")))
}

enum Outcome {
    Changed,
    Finding(FindingKind),
}

fn apply_action(doc: &mut Value, action: &Value, at: &str) -> Result<Outcome, SpecError> {
    let target = action
        .get("target")
        .and_then(Value::as_str)
        .ok_or_else(|| SpecError::new(child(at, "target"), "expected a JSONPath string"))?;
    let path = parse_path(target, &child(at, "target"))?;
    let mut pointers: Vec<String> = path
        .query_located(doc)
        .iter()
        .map(|node| node.location().to_json_pointer())
        .collect();
    let remove = action
        .get("remove")
        .and_then(Value::as_bool)
        .unwrap_or(false);
    let update = action.get("update");
    if update.is_some() == remove {
        return Err(SpecError::new(
            at,
            "expected exactly one of `update` or `remove: true`",
        ));
    }
    if pointers.is_empty() {
        return Ok(Outcome::Finding(FindingKind::MatchedNothing));
    }
    let mut changed = false;
    if let Some(update) = update {
        for pointer in &pointers {
            if let Some(node) = doc.pointer_mut(pointer) {
                changed |= merge(node, update);
            }
        }
    } else {
        // Later siblings first, so the array indices of earlier ones stay valid.
        pointers.sort_by(|a, b| b.cmp(a));
        for pointer in &pointers {
            changed |= remove_at(doc, pointer);
        }
    }
    Ok(if changed {
        Outcome::Changed
    } else {
        Outcome::Finding(FindingKind::ChangedNothing)
    })
}

/// Merges `update` into `node`; whether that changed anything (so no copy of the node is
/// kept to compare against).
fn merge(node: &mut Value, update: &Value) -> bool {
    match (node, update) {
        (Value::Object(target), Value::Object(changes)) => {
            let mut changed = false;
            for (key, value) in changes {
                match target.get_mut(key) {
                    Some(existing) => changed |= merge(existing, value),
                    None => {
                        target.insert(key.clone(), value.clone());
                        changed = true;
                    }
                }
            }
            changed
        }
        (Value::Array(target), Value::Array(items)) => {
            target.extend(items.iter().cloned());
            !items.is_empty()
        }
        (node, value) => {
            let changed = *node != *value;
            *node = value.clone();
            changed
        }
    }
}

fn remove_at(doc: &mut Value, pointer: &str) -> bool {
    let Some((parent, last)) = pointer.rsplit_once('/') else {
        return false;
    };
    let key = unescape_segment(last);
    match doc.pointer_mut(parent) {
        Some(Value::Object(map)) => map.shift_remove(&key).is_some(),
        Some(Value::Array(items)) => match key.parse::<usize>() {
            Ok(index) if index < items.len() => {
                items.remove(index);
                true
            }
            _ => false,
        },
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn overlay(actions: Value) -> Value {
        json!({"overlay": "1.0.0", "info": {"title": "t", "version": "1"}, "actions": actions})
    }

    #[test]
    fn update_merges_objects_and_replaces_refs() {
        let mut doc =
            json!({"components": {"schemas": {"a": {"items": {"$ref": "#/x"}, "type": "array"}}}});
        let o = overlay(
            json!([{"target": "$.components.schemas.a", "update": {"items": {"$ref": "#/y"}, "title": "A"}}]),
        );
        apply(&mut doc, &o).unwrap();
        assert_eq!(
            doc,
            json!({"components": {"schemas": {"a": {"items": {"$ref": "#/y"}, "type": "array", "title": "A"}}}})
        );
    }

    #[test]
    fn filters_select_operations_whatever_their_path_parameters() {
        let mut doc = json!({"paths": {
            "/a/{account_id}": {"get": {"operationId": "x"}},
            "/a/{account_identifier}/b": {"get": {"operationId": "y"}, "post": {"operationId": "x"}}
        }});
        let o = overlay(
            json!([{"target": "$.paths[*][?@.operationId == 'x']", "update": {"summary": "S"}}]),
        );
        apply(&mut doc, &o).unwrap();
        assert_eq!(doc["paths"]["/a/{account_id}"]["get"]["summary"], "S");
        assert_eq!(
            doc["paths"]["/a/{account_identifier}/b"]["post"]["summary"],
            "S"
        );
        assert!(
            doc["paths"]["/a/{account_identifier}/b"]["get"]
                .get("summary")
                .is_none()
        );
    }

    #[test]
    fn remove_deletes_members_and_elements() {
        let mut doc = json!({"r": {"4xx": {}, "200": {}}, "l": [1, 2, 3]});
        let o = overlay(json!([
            {"target": "$.r['4xx']", "remove": true},
            {"target": "$.l[0,2]", "remove": true}
        ]));
        apply(&mut doc, &o).unwrap();
        assert_eq!(doc, json!({"r": {"200": {}}, "l": [2]}));
    }

    #[test]
    fn actions_that_do_nothing_are_reported() {
        let mut doc = json!({"a": {"b": 1}});
        let o = overlay(json!([
            {"target": "$.a", "update": {"b": 1}, "description": "already so"},
            {"target": "$.missing", "update": {"b": 2}, "description": "moved"},
            {"target": "$.a", "update": {"c": 2}, "description": "works"}
        ]));
        let report = apply(&mut doc, &o).unwrap();
        assert_eq!(report.applied, 1);
        let found: Vec<_> = report
            .findings
            .iter()
            .map(|f| (f.action.as_str(), f.description.as_str(), f.kind))
            .collect();
        assert_eq!(
            found,
            [
                ("#/actions/0", "already so", FindingKind::ChangedNothing),
                ("#/actions/1", "moved", FindingKind::MatchedNothing)
            ]
        );
        assert!(
            report.findings[1]
                .to_string()
                .contains("matched nothing: moved")
        );
    }

    #[test]
    fn actions_apply_to_the_releases_they_name() {
        let mut o = overlay(json!([
            {"target": "$.a", "update": {"old": true}, "x-releases": ["old"]},
            {"target": "$.a", "update": {"new": true}, "x-releases": ["new"]},
            {"target": "$.a", "update": {"every": true}}
        ]));
        o["x-releases"] = json!({"old": {"marker": "$.legacy"}, "new": {"marker": "$.modern"}});
        let mut doc = json!({"modern": 1, "a": {}});
        let report = apply(&mut doc, &o).unwrap();
        assert_eq!(report.release.as_deref(), Some("new"));
        assert_eq!(doc["a"], json!({"new": true, "every": true}));
        assert_eq!((report.applied, report.other_releases), (2, 1));
        assert!(report.findings.is_empty());

        o["actions"][0]["x-releases"] = json!(["neither"]);
        let err = apply(&mut json!({}), &o).unwrap_err();
        assert_eq!(err.pointer, "#/actions/0/x-releases/0");
    }

    #[test]
    fn bad_actions_name_their_pointer() {
        let mut doc = json!({});
        let err = apply(&mut doc, &overlay(json!([{"target": "$.a"}, {}]))).unwrap_err();
        assert_eq!(err.pointer, "#/actions/0");
        let err = apply(
            &mut doc,
            &overlay(json!([{"target": "$[", "remove": true}])),
        )
        .unwrap_err();
        assert_eq!(err.pointer, "#/actions/0/target");
        assert!(err.message.contains("JSONPath"), "{err}");
        let err = apply(&mut doc, &json!({"actions": []})).unwrap_err();
        assert_eq!(err.pointer, "#/overlay");
    }
}
