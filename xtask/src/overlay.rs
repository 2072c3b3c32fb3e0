//! The fix-up stage: applies an OpenAPI Overlay 1.0 document to the spec's JSON. Each action of
//! `spec/overlay.json` repairs one upstream defect and says which in its `description`.

use serde_json::Value;
use serde_json_path::JsonPath;

use crate::error::{SpecError, child};

/// Applies every action of `overlay` to `doc`, in order. `update` merges into each node the
/// target selects (objects recursively, arrays appended, anything else replaced); `remove`
/// deletes the selected nodes from their parents. A target that selects nothing is not an
/// error: one overlay serves several releases of the upstream document.
pub fn apply(doc: &mut Value, overlay: &Value) -> Result<(), SpecError> {
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
    for (index, action) in actions.iter().enumerate() {
        let at = format!("#/actions/{index}");
        apply_action(doc, action, &at)?;
    }
    Ok(())
}

fn apply_action(doc: &mut Value, action: &Value, at: &str) -> Result<(), SpecError> {
    let target = action
        .get("target")
        .and_then(Value::as_str)
        .ok_or_else(|| SpecError::new(child(at, "target"), "expected a JSONPath string"))?;
    let path = JsonPath::parse(target).map_err(|e| {
        SpecError::new(
            child(at, "target"),
            format!("expected an RFC 9535 JSONPath: {e}"),
        )
    })?;
    let mut pointers: Vec<String> = path
        .query_located(doc)
        .iter()
        .map(|node| node.location().to_json_pointer())
        .collect();
    let remove = action
        .get("remove")
        .and_then(Value::as_bool)
        .unwrap_or(false);
    match (action.get("update"), remove) {
        (Some(update), false) => {
            for pointer in &pointers {
                if let Some(node) = doc.pointer_mut(pointer) {
                    merge(node, update);
                }
            }
            Ok(())
        }
        (None, true) => {
            // Later siblings first, so the array indices of earlier ones stay valid.
            pointers.sort_by(|a, b| b.cmp(a));
            for pointer in &pointers {
                remove_at(doc, pointer);
            }
            Ok(())
        }
        _ => Err(SpecError::new(
            at,
            "expected exactly one of `update` or `remove: true`",
        )),
    }
}

fn merge(node: &mut Value, update: &Value) {
    match (node, update) {
        (Value::Object(target), Value::Object(changes)) => {
            for (key, value) in changes {
                match target.get_mut(key) {
                    Some(existing) => merge(existing, value),
                    None => {
                        target.insert(key.clone(), value.clone());
                    }
                }
            }
        }
        (Value::Array(target), Value::Array(items)) => target.extend(items.iter().cloned()),
        (node, value) => *node = value.clone(),
    }
}

fn remove_at(doc: &mut Value, pointer: &str) {
    let Some((parent, last)) = pointer.rsplit_once('/') else {
        return;
    };
    let key = last.replace("~1", "/").replace("~0", "~");
    match doc.pointer_mut(parent) {
        Some(Value::Object(map)) => {
            map.shift_remove(&key);
        }
        Some(Value::Array(items)) => {
            if let Ok(index) = key.parse::<usize>()
                && index < items.len()
            {
                items.remove(index);
            }
        }
        _ => {}
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
