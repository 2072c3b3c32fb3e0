//! The document's examples, to be round-tripped through their generated types, with what
//! re-serializing them must give.

use serde_json::Value;

use super::Normalizer;
use crate::ir::*;

impl Normalizer<'_> {
    /// Structured examples only: a bare string or number says nothing about the generated code.
    pub(super) fn record_example(
        &mut self,
        pointer: String,
        ty: &TypeRef,
        envelope: bool,
        value: &Value,
    ) {
        let structured =
            envelope || matches!(ty, TypeRef::Named(_) | TypeRef::List(_) | TypeRef::Map(_));
        if structured {
            self.examples.push(Example {
                pointer,
                ty: ty.clone(),
                envelope,
                value: value.clone(),
                expected: Value::Null,
            });
        }
    }
}

/// Examples in pointer order, each once, with what their types re-serialize them to.
pub(super) fn finish(mut examples: Vec<Example>, types: &[TypeDef]) -> Vec<Example> {
    examples.sort_by(|a, b| a.pointer.cmp(&b.pointer));
    examples.dedup_by(|a, b| a.pointer == b.pointer && a.ty == b.ty);
    for example in &mut examples {
        example.expected = if example.envelope {
            project_envelope(&example.value, &example.ty, types)
        } else {
            project(&example.value, &example.ty, types)
        };
    }
    examples
}

/// What a value re-serializes to through its generated type: keys the type does not have are
/// gone (readOnly properties of request forms), as are nulls of optional fields (`None` is not
/// serialized); everything else is kept.
fn project(value: &Value, ty: &TypeRef, types: &[TypeDef]) -> Value {
    match (ty, value) {
        (TypeRef::Named(name), Value::Object(object)) => {
            // `types` is sorted by name (`normalize`).
            let found = types.binary_search_by(|t| t.name.as_str().cmp(name));
            let Some(TypeDef {
                kind: TypeKind::Struct(s),
                ..
            }) = found.ok().map(|i| &types[i])
            else {
                return value.clone();
            };
            let mut out = serde_json::Map::new();
            for field in &s.fields {
                match object.get(&field.wire) {
                    None => {}
                    Some(Value::Null) if field.presence == Presence::Optional => {}
                    Some(Value::Null) => {
                        out.insert(field.wire.clone(), Value::Null);
                    }
                    Some(v) => {
                        out.insert(field.wire.clone(), project(v, &field.ty, types));
                    }
                }
            }
            Value::Object(out)
        }
        (TypeRef::List(item), Value::Array(items)) => {
            Value::Array(items.iter().map(|v| project(v, item, types)).collect())
        }
        (TypeRef::Map(inner), Value::Object(map)) => Value::Object(
            map.iter()
                .map(|(k, v)| (k.clone(), project(v, inner, types)))
                .collect(),
        ),
        (TypeRef::Nullable(inner), v) if !v.is_null() => project(v, inner, types),
        _ => value.clone(),
    }
}

/// `project` for a whole response: the envelope's own members are kept, its `result` projected.
fn project_envelope(value: &Value, ty: &TypeRef, types: &[TypeDef]) -> Value {
    let mut out = value.clone();
    if let Some(result) = out.get_mut("result").filter(|r| !r.is_null()) {
        *result = project(result, ty, types);
    }
    out
}
