//! Schemas become types, per usage: response, request (readOnly properties left out) and merge
//! patch (every field optional, nullable ones tri-state, map values nullable). Also: `allOf`
//! merged, single-member unions unwrapped, discriminated object unions merged into one struct,
//! open enums from `enum` and `pattern: "a|b|c"`, placeholder-keyed objects as maps.

use std::collections::BTreeSet;

use serde_json::Value;

use super::view::{MAX_DEPTH, Resolved, SchemaRef, View};
use super::{Normalizer, Usage, doc_of};
use crate::error::SpecError;
use crate::ident;
use crate::ir::*;

/// One property of a struct to be: where its schema is and how it is present.
struct PropertySpec<'d> {
    wire: &'d str,
    schema: SchemaRef<'d>,
    at: String,
    required: bool,
    /// Its type is decided already (the discriminator of a merged union).
    fixed: Option<TypeRef>,
    /// Redacted in `Debug` whatever its own schema says (a merged union's member says so).
    sensitive: bool,
}

impl<'d> Normalizer<'d> {
    /// The Rust type of a schema in a usage; `None` when the usage drops it (an object whose
    /// every property is readOnly, in a request).
    pub(super) fn type_of(
        &mut self,
        r: SchemaRef<'d>,
        at: &str,
        hint: &str,
        usage: Usage,
    ) -> Result<Option<TypeRef>, SpecError> {
        if self.depth >= MAX_DEPTH {
            return Err(SpecError::new(
                at,
                format!("expected schemas nested at most {MAX_DEPTH} deep"),
            ));
        }
        let resolved = self.resolve(r, at)?;
        self.depth += 1;
        let result = self.type_of_memoized(&resolved, hint, usage);
        self.depth -= 1;
        result
    }

    fn type_of_memoized(
        &mut self,
        resolved: &Resolved<'d>,
        hint: &str,
        usage: Usage,
    ) -> Result<Option<TypeRef>, SpecError> {
        let key = (resolved.pointer.clone(), usage);
        if let Some(done) = self.memo.get(&key) {
            return Ok(done.clone());
        }
        if !self.in_progress.insert(key.clone()) {
            return Err(SpecError::new(
                resolved.pointer.clone(),
                "expected a schema that does not contain itself (recursive schemas are not supported)",
            ));
        }
        let result = self.type_of_resolved(resolved, hint, usage);
        self.in_progress.remove(&key);
        let result = result?;
        if let (Some(example), Some(ty)) = (&resolved.schema.schema_data.example, &result) {
            self.record_example(
                crate::error::child(&resolved.pointer, "example"),
                ty,
                false,
                example,
            );
        }
        self.memo.insert(key, result.clone());
        Ok(result)
    }

    /// A `title` names the type; else the name the component's uses give it; else the name
    /// of the place an inline schema stands.
    fn base_name(&self, resolved: &Resolved<'d>, view: &View<'d>, hint: &str) -> String {
        if let Some(title) = view.title {
            return ident::type_name(title);
        }
        resolved
            .component
            .and_then(|key| self.component_names.get(key))
            .cloned()
            .unwrap_or_else(|| {
                if hint.is_empty() {
                    ident::type_name(resolved.component.unwrap_or("Unnamed"))
                } else {
                    hint.to_string()
                }
            })
    }

    fn type_of_resolved(
        &mut self,
        resolved: &Resolved<'d>,
        hint: &str,
        usage: Usage,
    ) -> Result<Option<TypeRef>, SpecError> {
        let view = self.view(resolved)?;
        let base = self.base_name(resolved, &view, hint);
        let at = resolved.pointer.as_str();

        if !view.alternatives.is_empty() && view.properties.is_empty() {
            return self.alternatives_type(resolved, &view, &base, usage);
        }
        if let Some(variants) = enum_variants(&view) {
            return Ok(Some(self.register(
                base,
                doc_of(&view, "Allowed values."),
                TypeKind::Enum(variants),
            )));
        }
        match view.typ {
            Some("string") if view.format == Some("date-time") => Ok(Some(TypeRef::Timestamp)),
            Some("string") => Ok(Some(TypeRef::String)),
            Some("integer") => Ok(Some(TypeRef::Integer)),
            Some("number") => Ok(Some(TypeRef::Number)),
            Some("boolean") => Ok(Some(TypeRef::Bool)),
            Some("array") => {
                let Some((items, items_at)) = view.items else {
                    return Ok(Some(TypeRef::List(Box::new(TypeRef::Json))));
                };
                let item = self.type_of(items, &items_at, &ident::element_name(&base), usage)?;
                let nullable_items = self.view_of(items, &items_at)?.nullable;
                Ok(item.map(|t| {
                    TypeRef::List(Box::new(if nullable_items {
                        TypeRef::Nullable(Box::new(t))
                    } else {
                        t
                    }))
                }))
            }
            _ if view.is_placeholder_map() => self.placeholder_map(&view, at, &base, usage),
            _ if !view.properties.is_empty() => {
                let properties = view
                    .properties
                    .iter()
                    .map(|(wire, (schema, at))| PropertySpec {
                        wire,
                        schema: *schema,
                        at: at.clone(),
                        required: view.required.contains(wire),
                        fixed: None,
                        sensitive: false,
                    })
                    .collect();
                self.struct_type(resolved, &view, base, properties, usage)
            }
            _ if view.additional.is_some() => {
                let (value, value_at) = view.additional.unwrap();
                self.map_type(value, &value_at, &ident::element_name(&base), usage)
            }
            _ => Ok(Some(TypeRef::Json)),
        }
    }

    fn alternatives_type(
        &mut self,
        resolved: &Resolved<'d>,
        view: &View<'d>,
        base: &str,
        usage: Usage,
    ) -> Result<Option<TypeRef>, SpecError> {
        if let [(only, only_at)] = view.alternatives.as_slice() {
            return self.type_of(*only, only_at, base, usage);
        }
        let mut members = Vec::new();
        for (member, member_at) in &view.alternatives {
            members.push(self.view_of(*member, member_at)?);
        }
        // Members that say nothing but a JSON kind (`{type: object}`, `{type: array}`) carry no
        // information; a union of only those is any JSON (the envelope's generic `result`).
        if members.iter().all(View::is_shapeless) {
            return Ok(Some(TypeRef::Json));
        }
        if let Some(properties) = self.merged_properties(&members, base)? {
            return self.struct_type(resolved, view, base.to_string(), properties, usage);
        }
        let mut variants = Vec::new();
        let mut names = BTreeSet::new();
        for (i, (member, member_at)) in view.alternatives.iter().enumerate() {
            let hint = format!("{base}Variant{i}");
            let Some(ty) = self.type_of(*member, member_at, &hint, usage)? else {
                continue;
            };
            let name = ident::unique(variant_name_for(&ty), &mut names);
            variants.push(UnionVariant { name, ty });
        }
        Ok(Some(self.register(
            base.to_string(),
            doc_of(view, "One of several shapes."),
            TypeKind::Union(variants),
        )))
    }

    /// Objects that differ only in the value of one property (`type: plain_text` /
    /// `type: secret_text`) are one struct whose discriminator is an enum of those values: it
    /// decodes every member (an untagged union would take the first that fits) and keeps its
    /// shape when a release adds a member. `None` when the members are not such objects.
    fn merged_properties(
        &mut self,
        members: &[View<'d>],
        base: &str,
    ) -> Result<Option<Vec<PropertySpec<'d>>>, SpecError> {
        if members.len() < 2 || members.iter().any(|m| m.properties.is_empty()) {
            return Ok(None);
        }
        let mut discriminator = None;
        for wire in members[0].properties.keys() {
            let mut values = Vec::new();
            for member in members {
                let Some((schema, at)) = member.properties.get(wire) else {
                    break;
                };
                match self.view_of(*schema, at)?.enum_values.as_slice() {
                    [value] => values.push(value.clone()),
                    _ => break,
                }
            }
            let distinct: BTreeSet<&String> = values.iter().collect();
            if values.len() == members.len() && distinct.len() == values.len() {
                discriminator = Some((*wire, values));
                break;
            }
        }
        let Some((tag, values)) = discriminator else {
            return Ok(None);
        };
        let mut properties: Vec<PropertySpec<'d>> = Vec::new();
        for member in members {
            for (wire, (schema, at)) in &member.properties {
                let required = members
                    .iter()
                    .all(|m| m.required.contains(wire) && m.properties.contains_key(wire));
                let mine = self.view_of(*schema, at)?;
                let sensitive = mine.extension("x-sensitive") == Some(&Value::Bool(true));
                if let Some(index) = properties.iter().position(|p| p.wire == *wire) {
                    // The same property must mean the same in every member: a plain value.
                    let theirs = self.view_of(properties[index].schema, &properties[index].at)?;
                    let plain =
                        mine.typ == theirs.typ && mine.is_shapeless() && theirs.is_shapeless();
                    if *wire != tag && !plain {
                        return Ok(None);
                    }
                    properties[index].sensitive |= sensitive;
                    continue;
                }
                let fixed = (*wire == tag).then(|| {
                    let mut names = BTreeSet::new();
                    let variants = values
                        .iter()
                        .map(|wire| Variant {
                            name: ident::unique(ident::variant_name(wire), &mut names),
                            wire: wire.clone(),
                        })
                        .collect();
                    self.register(
                        ident::nested_type_name(base, tag),
                        format!("Which kind of {base} this is."),
                        TypeKind::Enum(variants),
                    )
                });
                properties.push(PropertySpec {
                    wire,
                    schema: *schema,
                    at: at.clone(),
                    required,
                    fixed,
                    sensitive,
                });
            }
        }
        Ok(Some(properties))
    }

    fn placeholder_map(
        &mut self,
        view: &View<'d>,
        at: &str,
        base: &str,
        usage: Usage,
    ) -> Result<Option<TypeRef>, SpecError> {
        let mut placeholders = view.properties.iter();
        let (Some((_, (schema, schema_at))), None) = (placeholders.next(), placeholders.next())
        else {
            return Err(SpecError::new(
                crate::error::child(at, "properties"),
                "expected exactly one placeholder property beside `x-placeholder-keys: true`",
            ));
        };
        let schema_at = schema_at.clone();
        self.map_type(*schema, &schema_at, &ident::element_name(base), usage)
    }

    fn map_type(
        &mut self,
        value: SchemaRef<'d>,
        at: &str,
        hint: &str,
        usage: Usage,
    ) -> Result<Option<TypeRef>, SpecError> {
        let Some(ty) = self.type_of(value, at, hint, usage)? else {
            return Ok(None);
        };
        let nullable = self.view_of(value, at)?.nullable;
        // In a merge patch, null removes a key: every map value may be null.
        let ty = if nullable || usage == Usage::Patch {
            TypeRef::Nullable(Box::new(ty))
        } else {
            ty
        };
        Ok(Some(TypeRef::Map(Box::new(ty))))
    }

    /// A struct in `usage`. Its name is `base` with the usage's suffix (`ProjectRequest`),
    /// taken before the fields are walked so that a nested schema wanting the same name is the
    /// one renamed. When the fields come out the same as those of the type already called
    /// `base` (a request form without readOnly properties to drop, a request schema that
    /// repeats the response's), that type is the one used: one type, one name.
    fn struct_type(
        &mut self,
        resolved: &Resolved<'d>,
        view: &View<'d>,
        base: String,
        properties: Vec<PropertySpec<'d>>,
        usage: Usage,
    ) -> Result<Option<TypeRef>, SpecError> {
        let suffixed = if base.ends_with(usage.suffix()) {
            base.clone()
        } else {
            format!("{base}{}", usage.suffix())
        };
        let name = ident::unique(suffixed.clone(), &mut self.taken);
        let mut fields = Vec::new();
        let mut field_names = BTreeSet::new();
        for property in properties {
            let prop = self.view_of(property.schema, &property.at)?;
            if usage != Usage::Response && prop.read_only {
                continue;
            }
            let ty = match property.fixed {
                Some(ty) => Some(ty),
                None => {
                    let hint = self.property_hint(&base, property.wire, &prop);
                    self.type_of(property.schema, &property.at, &hint, usage)?
                }
            };
            let Some(ty) = ty else {
                continue;
            };
            let required = usage != Usage::Patch && property.required;
            let presence = match (required, prop.nullable, usage) {
                (true, false, _) => Presence::Required,
                (_, true, Usage::Patch) => Presence::Tristate,
                _ => Presence::Optional,
            };
            fields.push(Field {
                name: ident::unique(ident::field_name(property.wire), &mut field_names),
                wire: property.wire.to_string(),
                doc: doc_of(&prop, &format!("The `{}` property.", property.wire)),
                ty,
                presence,
                sensitive: property.sensitive
                    || prop.extension("x-sensitive") == Some(&Value::Bool(true)),
            });
        }
        if fields.is_empty() && usage != Usage::Response {
            self.taken.remove(&name);
            return Ok(None);
        }
        for existing in [&base, &suffixed] {
            if *existing != name
                && self
                    .named_struct_fields(existing)
                    .is_some_and(|theirs| same_fields(theirs, &fields))
            {
                self.taken.remove(&name);
                return Ok(Some(TypeRef::Named(existing.clone())));
            }
        }
        let all_fields_default = fields.iter().all(|f| f.presence != Presence::Required);
        let shortcuts = match usage {
            Usage::Response => self.shortcuts(view, &name, &fields, &resolved.pointer)?,
            _ => Vec::new(),
        };
        let mut doc = doc_of(
            view,
            &format!("The `{}` object.", resolved.component.unwrap_or(&name)),
        );
        match usage {
            Usage::Response => {}
            Usage::Request => doc.push_str("\n\nRequest form: read-only properties are left out."),
            Usage::Patch => doc.push_str("\n\nMerge-patch form: every field is optional, `Patch::Null` clears a nullable field and a `None` map value removes that key."),
        }
        self.types.push(TypeDef {
            name: name.clone(),
            doc,
            kind: TypeKind::Struct(Struct {
                fields,
                all_fields_default,
                shortcuts,
            }),
        });
        Ok(Some(TypeRef::Named(name)))
    }

    /// What an inline schema under `wire` of `base` is called. The property's name alone when
    /// it names a map (of bindings keyed by the user's names: `services` -> `Service` values)
    /// or an object component (an inline `source` in a request body is a form of the
    /// `Source`); else `ident::nested_type_name`.
    fn property_hint(&self, base: &str, wire: &str, prop: &View<'d>) -> String {
        let alone = ident::type_name(wire);
        let map = prop.additional.is_some() || prop.is_placeholder_map();
        if map || self.object_names.contains(&alone) {
            alone
        } else {
            ident::nested_type_name(base, wire)
        }
    }

    /// Adds an enum or union, reusing an identical one of the same name (the same enum reached
    /// from two places) and renaming on a real clash.
    pub(super) fn register(&mut self, name: String, doc: String, kind: TypeKind) -> TypeRef {
        if let Some(existing) = self.types.iter().find(|t| t.name == name)
            && same_kind(&existing.kind, &kind)
        {
            return TypeRef::Named(name);
        }
        let name = ident::unique(name, &mut self.taken);
        self.types.push(TypeDef {
            name: name.clone(),
            doc,
            kind,
        });
        TypeRef::Named(name)
    }

    pub(super) fn named_struct_fields(&self, name: &str) -> Option<&[Field]> {
        self.types
            .iter()
            .find(|t| t.name == name)
            .and_then(|t| match &t.kind {
                TypeKind::Struct(s) => Some(s.fields.as_slice()),
                _ => None,
            })
    }
}

/// The same fields but for their documentation.
fn same_fields(a: &[Field], b: &[Field]) -> bool {
    a.len() == b.len()
        && a.iter().zip(b).all(|(x, y)| {
            (&x.name, &x.wire, &x.ty, x.presence, x.sensitive)
                == (&y.name, &y.wire, &y.ty, y.presence, y.sensitive)
        })
}

/// Variants of an enum schema, or of a string whose `pattern` is only an alternation of plain
/// words (`queued|initialize|build`): Cloudflare writes enums that way.
fn enum_variants(view: &View<'_>) -> Option<Vec<Variant>> {
    if view.typ != Some("string") && view.typ.is_some() {
        return None;
    }
    let values: Vec<String> = if !view.enum_values.is_empty() {
        view.enum_values.clone()
    } else {
        let pattern = view.pattern?.trim_start_matches('^').trim_end_matches('$');
        let pattern = pattern
            .strip_prefix('(')
            .and_then(|p| p.strip_suffix(')'))
            .unwrap_or(pattern);
        let words: Vec<&str> = pattern.split('|').collect();
        let plain = words.iter().all(|w| {
            !w.is_empty()
                && w.chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
        });
        if words.len() < 2 || !plain {
            return None;
        }
        words.into_iter().map(String::from).collect()
    };
    let mut names = BTreeSet::new();
    let mut seen = BTreeSet::new();
    Some(
        values
            .into_iter()
            .filter(|v| seen.insert(v.clone()))
            .map(|wire| Variant {
                name: ident::unique(ident::variant_name(&wire), &mut names),
                wire,
            })
            .collect(),
    )
}

fn variant_name_for(ty: &TypeRef) -> String {
    match ty {
        TypeRef::String => "String".into(),
        TypeRef::Bool => "Bool".into(),
        TypeRef::Integer => "Integer".into(),
        TypeRef::Number => "Number".into(),
        TypeRef::Timestamp => "Timestamp".into(),
        TypeRef::Json => "Json".into(),
        TypeRef::File => "File".into(),
        TypeRef::Named(name) => name.clone(),
        TypeRef::List(inner) => format!("{}List", variant_name_for(inner)),
        TypeRef::Map(inner) => format!("{}Map", variant_name_for(inner)),
        TypeRef::Nullable(inner) => variant_name_for(inner),
    }
}

fn same_kind(a: &TypeKind, b: &TypeKind) -> bool {
    match (a, b) {
        // The same set of values is the same enum, whatever order each place lists them in.
        (TypeKind::Enum(x), TypeKind::Enum(y)) => {
            let wires = |v: &[Variant]| v.iter().map(|v| v.wire.clone()).collect::<BTreeSet<_>>();
            wires(x) == wires(y)
        }
        _ => a == b,
    }
}
