//! Schema resolution: a `$ref` chain followed to its definition, and one uniform view of a
//! schema whatever `openapiv3` variant it parsed into, with `allOf` members merged in.

use std::collections::BTreeSet;

use indexmap::IndexMap;
use openapiv3::{AdditionalProperties, ReferenceOr, Schema, SchemaData, SchemaKind, Type};
use serde_json::Value;

use super::Normalizer;
use crate::error::{SpecError, child, unescape_segment};

/// How deep schemas may nest (properties in properties, `allOf` in `allOf`, ...) before the
/// document is refused: real documents stay below 10, and the generated types, their serde impls
/// and rustc all recurse once per level.
pub(super) const MAX_DEPTH: usize = 32;

/// The component key a `$ref` to `#/components/schemas/...` names (unescaped), if it is one.
pub(super) fn schema_key(reference: &str) -> Option<String> {
    reference
        .strip_prefix("#/components/schemas/")
        .map(unescape_segment)
}

/// A schema reference as found in the document (two `ReferenceOr` flavours exist).
#[derive(Clone, Copy)]
pub(super) enum SchemaRef<'d> {
    Ref(&'d str),
    Inline(&'d Schema),
}

impl<'d> From<&'d ReferenceOr<Schema>> for SchemaRef<'d> {
    fn from(r: &'d ReferenceOr<Schema>) -> Self {
        match r {
            ReferenceOr::Reference { reference } => SchemaRef::Ref(reference),
            ReferenceOr::Item(schema) => SchemaRef::Inline(schema),
        }
    }
}

impl<'d> From<&'d ReferenceOr<Box<Schema>>> for SchemaRef<'d> {
    fn from(r: &'d ReferenceOr<Box<Schema>>) -> Self {
        match r {
            ReferenceOr::Reference { reference } => SchemaRef::Ref(reference),
            ReferenceOr::Item(schema) => SchemaRef::Inline(schema),
        }
    }
}

/// A schema resolved to its definition, with where it lives and its component key if any.
#[derive(Clone)]
pub(super) struct Resolved<'d> {
    pub schema: &'d Schema,
    pub pointer: String,
    pub component: Option<&'d str>,
}

/// One uniform view of a schema, with `allOf` members merged in (later members override
/// earlier properties).
#[derive(Default)]
pub(super) struct View<'d> {
    pub typ: Option<&'d str>,
    pub properties: IndexMap<&'d str, (SchemaRef<'d>, String)>,
    pub required: BTreeSet<&'d str>,
    pub additional: Option<(SchemaRef<'d>, String)>,
    pub items: Option<(SchemaRef<'d>, String)>,
    pub enum_values: Vec<String>,
    pub pattern: Option<&'d str>,
    pub format: Option<&'d str>,
    pub alternatives: Vec<(SchemaRef<'d>, String)>,
    pub nullable: bool,
    pub read_only: bool,
    pub description: Option<&'d str>,
    pub title: Option<&'d str>,
    pub extensions: Vec<&'d IndexMap<String, Value>>,
}

impl View<'_> {
    pub fn extension(&self, name: &str) -> Option<&Value> {
        self.extensions.iter().rev().find_map(|e| e.get(name))
    }

    pub fn is_placeholder_map(&self) -> bool {
        self.extension("x-placeholder-keys") == Some(&Value::Bool(true))
    }

    /// Nothing but (at most) a JSON kind: `{}`, `{type: object}`, `{nullable: true}`.
    pub fn is_shapeless(&self) -> bool {
        self.properties.is_empty()
            && self.items.is_none()
            && self.enum_values.is_empty()
            && self.alternatives.is_empty()
            && self.additional.is_none()
    }
}

impl<'d> Normalizer<'d> {
    pub(super) fn resolve(&self, r: SchemaRef<'d>, at: &str) -> Result<Resolved<'d>, SpecError> {
        let mut current = r;
        let mut pointer = at.to_string();
        let mut component = None;
        for _ in 0..MAX_DEPTH {
            match current {
                SchemaRef::Inline(schema) => {
                    return Ok(Resolved {
                        schema,
                        pointer,
                        component,
                    });
                }
                SchemaRef::Ref(reference) => {
                    let key = schema_key(reference).ok_or_else(|| {
                        SpecError::new(child(&pointer, "$ref"), format!("expected a reference to #/components/schemas/..., found `{reference}`"))
                    })?;
                    let (name, target) = self
                        .doc
                        .components
                        .as_ref()
                        .and_then(|c| c.schemas.get_key_value(&key))
                        .ok_or_else(|| {
                            SpecError::new(child(&pointer, "$ref"), format!("expected `{reference}` to name a schema of #/components/schemas"))
                        })?;
                    pointer = child("#/components/schemas", name);
                    component = Some(name.as_str());
                    current = target.into();
                }
            }
        }
        Err(SpecError::new(
            at,
            "expected a $ref chain that ends (it loops)",
        ))
    }

    pub(super) fn view(&self, resolved: &Resolved<'d>) -> Result<View<'d>, SpecError> {
        let mut view = View::default();
        self.fill_view(&mut view, resolved.schema, &resolved.pointer, 0)?;
        Ok(view)
    }

    /// The view of whatever `r` refers to.
    pub(super) fn view_of(&self, r: SchemaRef<'d>, at: &str) -> Result<View<'d>, SpecError> {
        self.view(&self.resolve(r, at)?)
    }

    fn fill_view(
        &self,
        view: &mut View<'d>,
        schema: &'d Schema,
        at: &str,
        depth: usize,
    ) -> Result<(), SpecError> {
        if depth > MAX_DEPTH {
            return Err(SpecError::new(
                at,
                "expected allOf members that do not include themselves",
            ));
        }
        let data: &'d SchemaData = &schema.schema_data;
        view.nullable |= data.nullable;
        view.read_only |= data.read_only;
        if data.description.is_some() {
            view.description = data.description.as_deref();
        }
        if depth == 0 {
            view.title = data.title.as_deref();
        }
        view.extensions.push(&data.extensions);
        match &schema.schema_kind {
            SchemaKind::Type(Type::String(s)) => {
                view.typ = Some("string");
                view.pattern = s.pattern.as_deref();
                view.enum_values = s.enumeration.iter().flatten().cloned().collect();
                match &s.format {
                    openapiv3::VariantOrUnknownOrEmpty::Item(openapiv3::StringFormat::DateTime) => {
                        view.format = Some("date-time")
                    }
                    openapiv3::VariantOrUnknownOrEmpty::Item(openapiv3::StringFormat::Binary) => {
                        view.format = Some("binary")
                    }
                    _ => {}
                }
            }
            SchemaKind::Type(Type::Number(_)) => view.typ = Some("number"),
            SchemaKind::Type(Type::Integer(_)) => view.typ = Some("integer"),
            SchemaKind::Type(Type::Boolean(_)) => view.typ = Some("boolean"),
            SchemaKind::Type(Type::Object(o)) => {
                view.typ = Some("object");
                add_object_parts(
                    view,
                    &o.properties,
                    &o.required,
                    o.additional_properties.as_ref(),
                    at,
                );
            }
            SchemaKind::Type(Type::Array(a)) => {
                view.typ = Some("array");
                view.items = a.items.as_ref().map(|i| (i.into(), child(at, "items")));
            }
            SchemaKind::AllOf { all_of } => self.merge_all_of(view, all_of, at, depth)?,
            SchemaKind::AnyOf { any_of } => add_alternatives(view, any_of, &child(at, "anyOf")),
            SchemaKind::OneOf { one_of } => add_alternatives(view, one_of, &child(at, "oneOf")),
            SchemaKind::Not { .. } => {
                return Err(SpecError::new(
                    child(at, "not"),
                    "expected no `not` schema (unsupported construct)",
                ));
            }
            SchemaKind::Any(any) => {
                view.typ = any.typ.as_deref().or(view.typ);
                if let Some(t) = any.typ.as_deref()
                    && !matches!(
                        t,
                        "string" | "number" | "integer" | "boolean" | "object" | "array"
                    )
                {
                    return Err(SpecError::new(
                        child(at, "type"),
                        format!(
                            "expected one of string, number, integer, boolean, object, array; found `{t}`"
                        ),
                    ));
                }
                if any.pattern.is_some() {
                    view.pattern = any.pattern.as_deref();
                }
                if let Some(format @ ("date-time" | "binary")) = any.format.as_deref() {
                    view.format = Some(format);
                }
                view.enum_values.extend(
                    any.enumeration
                        .iter()
                        .filter_map(|v| v.as_str().map(String::from)),
                );
                add_object_parts(
                    view,
                    &any.properties,
                    &any.required,
                    any.additional_properties.as_ref(),
                    at,
                );
                if let Some(items) = &any.items {
                    view.items = Some((items.into(), child(at, "items")));
                }
                if !any.all_of.is_empty() {
                    self.merge_all_of(view, &any.all_of, at, depth)?;
                }
                add_alternatives(view, &any.any_of, &child(at, "anyOf"));
                add_alternatives(view, &any.one_of, &child(at, "oneOf"));
            }
        }
        Ok(())
    }

    fn merge_all_of(
        &self,
        view: &mut View<'d>,
        members: &'d [ReferenceOr<Schema>],
        at: &str,
        depth: usize,
    ) -> Result<(), SpecError> {
        let all_of_at = child(at, "allOf");
        // How 3.0 documents put nullable/readOnly/description beside a $ref: a single-member
        // allOf, or a $ref and members that say nothing but that (`{nullable: true, readOnly:
        // true, type: object}`; a member that requires properties says something). The schema
        // is that member.
        let mut shaped = Vec::new();
        for (i, member) in members.iter().enumerate() {
            let member_at = format!("{all_of_at}/{i}");
            let resolved = self.resolve(member.into(), &member_at)?;
            let decoration = matches!(member, ReferenceOr::Item(_)) && {
                let mut v = View::default();
                self.fill_view(&mut v, resolved.schema, &resolved.pointer, depth + 1)?;
                v.is_shapeless() && v.required.is_empty() && matches!(v.typ, None | Some("object"))
            };
            if decoration {
                let data = &resolved.schema.schema_data;
                view.nullable |= data.nullable;
                view.read_only |= data.read_only;
            } else {
                shaped.push((member, member_at, resolved));
            }
        }
        if let [(member, member_at, resolved)] = shaped.as_slice()
            && view.properties.is_empty()
            && view.typ.is_none()
        {
            if view.description.is_none() {
                view.description = resolved.schema.schema_data.description.as_deref();
            }
            view.alternatives
                .push((SchemaRef::from(*member), member_at.clone()));
            return Ok(());
        }
        for (_, _, resolved) in shaped {
            let own_title = view.title;
            self.fill_view(view, resolved.schema, &resolved.pointer, depth + 1)?;
            view.title = own_title;
        }
        Ok(())
    }
}

fn add_object_parts<'d>(
    view: &mut View<'d>,
    properties: &'d IndexMap<String, ReferenceOr<Box<Schema>>>,
    required: &'d [String],
    additional: Option<&'d AdditionalProperties>,
    at: &str,
) {
    let props_at = child(at, "properties");
    for (name, schema) in properties {
        view.properties
            .insert(name.as_str(), (schema.into(), child(&props_at, name)));
    }
    view.required.extend(required.iter().map(String::as_str));
    if let Some(AdditionalProperties::Schema(schema)) = additional {
        view.additional = Some((schema.as_ref().into(), child(at, "additionalProperties")));
    }
}

fn add_alternatives<'d>(view: &mut View<'d>, members: &'d [ReferenceOr<Schema>], at: &str) {
    for (i, member) in members.iter().enumerate() {
        view.alternatives.push((member.into(), format!("{at}/{i}")));
    }
}
