//! The normalize stage: the parsed (and repaired) document becomes the IR. Every rule about the
//! document's shape lives here: usages (response / request / merge-patch), readOnly stripping,
//! nullable, allOf merging, anyOf/oneOf, open enums, placeholder maps, the Cloudflare envelope,
//! resources and method names. Names come from `ident`.

use std::collections::{BTreeSet, HashMap, HashSet};

use indexmap::IndexMap;
use openapiv3::{
    AdditionalProperties, OpenAPI, Operation as OaOperation, Parameter, ParameterSchemaOrContent,
    ReferenceOr, RequestBody, Schema, SchemaData, SchemaKind, StatusCode, Type,
};
use serde_json::Value;

use crate::error::{SpecError, child};
use crate::ident;
use crate::ir::*;

/// Where a schema is used decides which of its properties exist and how absence is spelled.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
enum Usage {
    Response,
    Request,
    /// A PATCH body: a JSON merge patch (RFC 7396).
    Patch,
}

impl Usage {
    fn suffix(self) -> &'static str {
        match self {
            Usage::Response => "",
            Usage::Request => "Request",
            Usage::Patch => "Patch",
        }
    }
}

/// A schema reference as found in the document (two `ReferenceOr` flavours exist).
#[derive(Clone, Copy)]
enum SchemaRef<'d> {
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
struct Resolved<'d> {
    schema: &'d Schema,
    pointer: String,
    component: Option<&'d str>,
}

/// One uniform view of a schema whatever `openapiv3` variant it parsed into, with `allOf`
/// members merged in (later members override earlier properties).
#[derive(Default)]
struct View<'d> {
    typ: Option<&'d str>,
    properties: IndexMap<&'d str, (SchemaRef<'d>, String)>,
    required: BTreeSet<&'d str>,
    additional: Option<(SchemaRef<'d>, String)>,
    items: Option<(SchemaRef<'d>, String)>,
    enum_values: Vec<String>,
    pattern: Option<&'d str>,
    format: Option<&'d str>,
    alternatives: Vec<(SchemaRef<'d>, String)>,
    nullable: bool,
    read_only: bool,
    description: Option<&'d str>,
    title: Option<&'d str>,
    extensions: Vec<&'d IndexMap<String, Value>>,
}

impl View<'_> {
    fn extension(&self, name: &str) -> Option<&Value> {
        self.extensions.iter().rev().find_map(|e| e.get(name))
    }
}

struct Normalizer<'d> {
    doc: &'d OpenAPI,
    types: Vec<TypeDef>,
    taken: BTreeSet<String>,
    memo: HashMap<(String, Usage), Option<TypeRef>>,
    in_progress: HashSet<(String, Usage)>,
    differs_memo: HashMap<(String, Usage), bool>,
    examples: Vec<Example>,
}

/// Builds the IR of a parsed document.
pub fn normalize(doc: &OpenAPI) -> Result<Api, SpecError> {
    let mut n = Normalizer {
        doc,
        types: Vec::new(),
        taken: BTreeSet::new(),
        memo: HashMap::new(),
        in_progress: HashSet::new(),
        differs_memo: HashMap::new(),
        examples: Vec::new(),
    };
    let resources = n.resources()?;
    // Sorted by name, so a new type in a spec update does not move the others in the diff.
    n.types.sort_by(|a, b| a.name.cmp(&b.name));
    let mut examples = std::mem::take(&mut n.examples);
    examples.sort_by(|a, b| a.pointer.cmp(&b.pointer));
    examples.dedup_by(|a, b| a.pointer == b.pointer && a.ty == b.ty);
    for example in &mut examples {
        example.expected = if example.envelope {
            project_envelope(&example.value, &example.ty, &n.types)
        } else {
            project(&example.value, &example.ty, &n.types)
        };
    }
    Ok(Api {
        title: doc.info.title.clone(),
        version: doc.info.version.clone(),
        types: n.types,
        resources,
        examples,
    })
}

impl<'d> Normalizer<'d> {
    // ---- schemas -------------------------------------------------------------------------

    fn resolve(&self, r: SchemaRef<'d>, at: &str) -> Result<Resolved<'d>, SpecError> {
        let mut current = r;
        let mut pointer = at.to_string();
        let mut component = None;
        for _ in 0..32 {
            match current {
                SchemaRef::Inline(schema) => {
                    return Ok(Resolved {
                        schema,
                        pointer,
                        component,
                    });
                }
                SchemaRef::Ref(reference) => {
                    let key = reference.strip_prefix("#/components/schemas/").ok_or_else(|| {
                        SpecError::new(child(&pointer, "$ref"), format!("expected a reference to #/components/schemas/..., found `{reference}`"))
                    })?;
                    let key = key.replace("~1", "/").replace("~0", "~");
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

    fn view(&self, resolved: &Resolved<'d>) -> Result<View<'d>, SpecError> {
        let mut view = View::default();
        self.fill_view(&mut view, resolved.schema, &resolved.pointer, 0)?;
        Ok(view)
    }

    fn fill_view(
        &self,
        view: &mut View<'d>,
        schema: &'d Schema,
        at: &str,
        depth: usize,
    ) -> Result<(), SpecError> {
        if depth > 32 {
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
                if let openapiv3::VariantOrUnknownOrEmpty::Item(openapiv3::StringFormat::DateTime) =
                    s.format
                {
                    view.format = Some("date-time");
                }
            }
            SchemaKind::Type(Type::Number(_)) => view.typ = Some("number"),
            SchemaKind::Type(Type::Integer(_)) => view.typ = Some("integer"),
            SchemaKind::Type(Type::Boolean(_)) => view.typ = Some("boolean"),
            SchemaKind::Type(Type::Object(o)) => {
                view.typ = Some("object");
                self.add_object_parts(
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
                if any.format.as_deref() == Some("date-time") {
                    view.format = Some("date-time");
                }
                view.enum_values.extend(
                    any.enumeration
                        .iter()
                        .filter_map(|v| v.as_str().map(String::from)),
                );
                self.add_object_parts(
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

    fn add_object_parts(
        &self,
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

    fn merge_all_of(
        &self,
        view: &mut View<'d>,
        members: &'d [ReferenceOr<Schema>],
        at: &str,
        depth: usize,
    ) -> Result<(), SpecError> {
        let all_of_at = child(at, "allOf");
        if members.len() == 1 && view.properties.is_empty() && view.typ.is_none() {
            // A single-member allOf is how 3.0 documents put nullable/readOnly/description beside
            // a $ref: it is that member.
            let member_at = format!("{all_of_at}/0");
            if view.description.is_none() {
                let member = self.resolve((&members[0]).into(), &member_at)?;
                view.description = member.schema.schema_data.description.as_deref();
            }
            view.alternatives
                .push((SchemaRef::from(&members[0]), member_at));
            return Ok(());
        }
        for (i, member) in members.iter().enumerate() {
            let resolved = self.resolve(member.into(), &format!("{all_of_at}/{i}"))?;
            let own_title = view.title;
            self.fill_view(view, resolved.schema, &resolved.pointer, depth + 1)?;
            view.title = own_title;
        }
        Ok(())
    }

    /// The Rust type of a schema in a usage; `None` when the usage drops it (an object whose
    /// every property is readOnly, in a request).
    fn type_of(
        &mut self,
        r: SchemaRef<'d>,
        at: &str,
        hint: &str,
        usage: Usage,
    ) -> Result<Option<TypeRef>, SpecError> {
        let resolved = self.resolve(r, at)?;
        self.type_of_memoized(&resolved, hint, usage)
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
            self.record_example(child(&resolved.pointer, "example"), ty, false, example);
        }
        self.memo.insert(key, result.clone());
        Ok(result)
    }

    fn base_name(&self, resolved: &Resolved<'d>, view: &View<'d>, hint: &str) -> String {
        match (view.title, resolved.component) {
            (Some(title), _) => ident::type_name(title),
            (None, Some(component)) => ident::type_name(component),
            (None, None) => hint.to_string(),
        }
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
            return self.alternatives_type(&view, &base, usage);
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
                let item_hint = ident::singular(&base);
                let item = self.type_of(items, &items_at, &item_hint, usage)?;
                let nullable_items = self.view(&self.resolve(items, &items_at)?)?.nullable;
                Ok(item.map(|t| {
                    TypeRef::List(Box::new(if nullable_items {
                        TypeRef::Nullable(Box::new(t))
                    } else {
                        t
                    }))
                }))
            }
            _ if view.extension("x-placeholder-keys") == Some(&Value::Bool(true)) => {
                self.placeholder_map(&view, at, usage)
            }
            _ if !view.properties.is_empty() => self.struct_type(resolved, &view, base, usage),
            _ if view.additional.is_some() => {
                let (value, value_at) = view.additional.unwrap();
                let value_hint = format!("{base}Value");
                self.map_type(value, &value_at, &value_hint, usage)
            }
            _ => Ok(Some(TypeRef::Json)),
        }
    }

    fn alternatives_type(
        &mut self,
        view: &View<'d>,
        base: &str,
        usage: Usage,
    ) -> Result<Option<TypeRef>, SpecError> {
        if let [(only, only_at)] = view.alternatives.as_slice() {
            return self.type_of(*only, only_at, base, usage);
        }
        // Members that say nothing but a JSON kind (`{type: object}`, `{type: array}`) carry no
        // information; a union of only those is any JSON (the envelope's generic `result`).
        let mut shapeless = true;
        for (member, member_at) in &view.alternatives {
            let v = self.view(&self.resolve(*member, member_at)?)?;
            shapeless &= v.properties.is_empty()
                && v.items.is_none()
                && v.enum_values.is_empty()
                && v.alternatives.is_empty()
                && v.additional.is_none();
        }
        if shapeless {
            return Ok(Some(TypeRef::Json));
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

    fn placeholder_map(
        &mut self,
        view: &View<'d>,
        at: &str,
        usage: Usage,
    ) -> Result<Option<TypeRef>, SpecError> {
        let mut placeholders = view.properties.iter();
        let (Some((placeholder, (schema, schema_at))), None) =
            (placeholders.next(), placeholders.next())
        else {
            return Err(SpecError::new(
                child(at, "properties"),
                "expected exactly one placeholder property beside `x-placeholder-keys: true`",
            ));
        };
        let hint = ident::type_name(placeholder);
        let schema_at = schema_at.clone();
        self.map_type(*schema, &schema_at, &hint, usage)
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
        let nullable = self.view(&self.resolve(value, at)?)?.nullable;
        // In a merge patch, null removes a key: every map value may be null.
        let ty = if nullable || usage == Usage::Patch {
            TypeRef::Nullable(Box::new(ty))
        } else {
            ty
        };
        Ok(Some(TypeRef::Map(Box::new(ty))))
    }

    fn struct_type(
        &mut self,
        resolved: &Resolved<'d>,
        view: &View<'d>,
        base: String,
        usage: Usage,
    ) -> Result<Option<TypeRef>, SpecError> {
        if usage != Usage::Response && !self.differs(resolved, usage)? {
            return self.type_of_memoized(resolved, &base, Usage::Response);
        }
        // The name is taken before the fields are walked, so a type keeps its own name and a
        // nested schema that wants the same one is the one renamed.
        let suffixed = if base.ends_with(usage.suffix()) {
            base.clone()
        } else {
            format!("{base}{}", usage.suffix())
        };
        let name = ident::unique(suffixed, &mut self.taken);
        let mut fields = Vec::new();
        let mut field_names = BTreeSet::new();
        for (wire, (schema, prop_at)) in &view.properties {
            let prop = self.view(&self.resolve(*schema, prop_at)?)?;
            if usage != Usage::Response && prop.read_only {
                continue;
            }
            let hint = ident::nested_type_name(&base, wire);
            let Some(ty) = self.type_of(*schema, prop_at, &hint, usage)? else {
                continue;
            };
            let required = usage != Usage::Patch && view.required.contains(wire);
            let presence = match (required, prop.nullable, usage) {
                (true, false, _) => Presence::Required,
                (_, true, Usage::Patch) => Presence::Tristate,
                _ => Presence::Optional,
            };
            fields.push(Field {
                name: ident::unique(ident::field_name(wire), &mut field_names),
                wire: wire.to_string(),
                doc: doc_of(&prop, &format!("The `{wire}` property.")),
                ty,
                presence,
                sensitive: prop.extension("x-sensitive") == Some(&Value::Bool(true)),
            });
        }
        if fields.is_empty() && usage != Usage::Response {
            self.taken.remove(&name);
            return Ok(None);
        }
        let all_fields_default = fields.iter().all(|f| f.presence != Presence::Required);
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
            }),
        });
        Ok(Some(TypeRef::Named(name)))
    }

    /// Whether the request/patch form of a schema differs from its response form.
    fn differs(&mut self, resolved: &Resolved<'d>, usage: Usage) -> Result<bool, SpecError> {
        let key = (resolved.pointer.clone(), usage);
        if let Some(&known) = self.differs_memo.get(&key) {
            return Ok(known);
        }
        // Provisional answer guards against cycles; recursive schemas fail later in type_of.
        self.differs_memo.insert(key.clone(), false);
        let view = self.view(resolved)?;
        let mut differs = usage == Usage::Patch && !view.required.is_empty();
        let mut children: Vec<(SchemaRef<'d>, String)> = view.alternatives.clone();
        children.extend(view.items.clone());
        children.extend(view.additional.clone());
        for (schema, at) in view.properties.values() {
            let prop = self.view(&self.resolve(*schema, at)?)?;
            differs |= prop.read_only;
            differs |= usage == Usage::Patch
                && (prop.nullable
                    || prop.extension("x-placeholder-keys").is_some()
                    || prop.additional.is_some());
            children.push((*schema, at.clone()));
        }
        for (schema, at) in children {
            if differs {
                break;
            }
            let resolved = self.resolve(schema, &at)?;
            differs |= self.differs(&resolved, usage)?;
        }
        self.differs_memo.insert(key, differs);
        Ok(differs)
    }

    /// Structured examples only: a bare string or number says nothing about the generated code.
    fn record_example(&mut self, pointer: String, ty: &TypeRef, envelope: bool, value: &Value) {
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

    /// Adds an enum or union, reusing an identical one of the same name (the same enum reached
    /// from two places) and renaming on a real clash.
    fn register(&mut self, name: String, doc: String, kind: TypeKind) -> TypeRef {
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

    fn named_struct_fields(&self, name: &str) -> Option<Vec<Field>> {
        self.types
            .iter()
            .find(|t| t.name == name)
            .and_then(|t| match &t.kind {
                TypeKind::Struct(s) => Some(s.fields.clone()),
                _ => None,
            })
    }

    // ---- operations ----------------------------------------------------------------------

    fn resources(&mut self) -> Result<Vec<Resource>, SpecError> {
        let collections = collection_segments(self.doc.paths.paths.keys().map(String::as_str));
        let mut resources: Vec<Resource> = Vec::new();
        for (path, item) in &self.doc.paths.paths {
            let path_at = child("#/paths", path);
            let item = match item {
                ReferenceOr::Item(item) => item,
                ReferenceOr::Reference { .. } => {
                    return Err(SpecError::new(
                        path_at,
                        "expected a path item, not a $ref (unsupported construct)",
                    ));
                }
            };
            for (method, operation) in item.iter() {
                let op_at = child(&path_at, method);
                let http_method = match method {
                    "get" => HttpMethod::Get,
                    "post" => HttpMethod::Post,
                    "put" => HttpMethod::Put,
                    "patch" => HttpMethod::Patch,
                    "delete" => HttpMethod::Delete,
                    other => {
                        return Err(SpecError::new(
                            op_at,
                            format!(
                                "expected get, post, put, patch or delete; `{other}` is not supported"
                            ),
                        ));
                    }
                };
                let (resource, shape) = resource_of(path, &collections);
                let index = match resources.iter().position(|r| r.name == resource) {
                    Some(i) => i,
                    None => {
                        resources.push(Resource {
                            type_name: ident::resource_type_name(&resource),
                            name: resource.clone(),
                            operations: Vec::new(),
                        });
                        resources.len() - 1
                    }
                };
                let taken: BTreeSet<String> = resources[index]
                    .operations
                    .iter()
                    .map(|o| o.method_name.clone())
                    .collect();
                let op = self.operation(
                    path,
                    &item.parameters,
                    operation,
                    http_method,
                    &resource,
                    &shape,
                    &taken,
                    &op_at,
                )?;
                resources[index].operations.push(op);
            }
        }
        Ok(resources)
    }

    #[allow(clippy::too_many_arguments)]
    fn operation(
        &mut self,
        path: &str,
        shared_params: &'d [ReferenceOr<Parameter>],
        op: &'d OaOperation,
        http_method: HttpMethod,
        resource: &str,
        shape: &PathShape,
        taken_methods: &BTreeSet<String>,
        at: &str,
    ) -> Result<Operation, SpecError> {
        let id = op
            .operation_id
            .clone()
            .ok_or_else(|| SpecError::new(at, "expected an operationId"))?;
        let mut method_name = method_name(http_method, shape);
        if taken_methods.contains(&method_name) {
            method_name = ident::field_name(&id);
        }
        let builder_name = ident::builder_name(resource, &method_name);

        let mut params: IndexMap<(String, String), (&'d Parameter, String)> = IndexMap::new();
        for (list, list_at) in [
            (
                shared_params,
                format!("{}/parameters", at.rsplit_once('/').unwrap().0),
            ),
            (&op.parameters[..], child(at, "parameters")),
        ] {
            for (i, p) in list.iter().enumerate() {
                let p_at = format!("{list_at}/{i}");
                let param = self.component(p, "parameters", |c| &c.parameters, &p_at)?;
                let data = param.parameter_data_ref();
                let location = match param {
                    Parameter::Path { .. } => "path",
                    Parameter::Query { .. } => "query",
                    _ => {
                        return Err(SpecError::new(
                            p_at,
                            "expected a path or query parameter (header and cookie parameters are not supported)",
                        ));
                    }
                };
                params.insert((location.to_string(), data.name.clone()), (param, p_at));
            }
        }
        let mut rust_path = path.to_string();
        let mut path_params = Vec::new();
        let mut query_params = Vec::new();
        let mut names = BTreeSet::new();
        for ((location, wire), (param, p_at)) in &params {
            let data = param.parameter_data_ref();
            let name = ident::unique(ident::param_name(wire), &mut names);
            let (ty, schema_doc) = match &data.format {
                ParameterSchemaOrContent::Schema(schema) => {
                    let hint = ident::type_name(wire);
                    let schema_at = child(p_at, "schema");
                    let view = self.view(&self.resolve(schema.into(), &schema_at)?)?;
                    let ty = self.type_of(schema.into(), &schema_at, &hint, Usage::Request)?;
                    (
                        ty.unwrap_or(TypeRef::String),
                        view.description.map(str::to_string),
                    )
                }
                ParameterSchemaOrContent::Content(_) => {
                    return Err(SpecError::new(
                        child(p_at, "content"),
                        "expected a parameter `schema` (content parameters are not supported)",
                    ));
                }
            };
            // The parameter's own description, else its schema's.
            let doc = data
                .description
                .clone()
                .or(schema_doc)
                .unwrap_or_else(|| format!("The `{wire}` parameter."));
            let param = Param {
                name: name.clone(),
                wire: wire.clone(),
                doc,
                ty,
                required: data.required,
            };
            if location == "path" {
                let placeholder = format!("{{{wire}}}");
                if !rust_path.contains(&placeholder) {
                    return Err(SpecError::new(
                        p_at.clone(),
                        format!("expected `{placeholder}` in the path `{path}`"),
                    ));
                }
                rust_path = rust_path.replace(&placeholder, &format!("{{{name}}}"));
                path_params.push(param);
            } else {
                query_params.push(param);
            }
        }
        // Path parameters in the order they appear in the path, so arguments read left to right.
        path_params.sort_by_key(|p| rust_path.find(&format!("{{{}}}", p.name)));

        let body = match &op.request_body {
            None => Body::None,
            Some(body) => {
                self.request_body(body, http_method, &builder_name, &child(at, "requestBody"))?
            }
        };

        let (result, error_statuses) =
            self.responses(op, &builder_name, &child(at, "responses"))?;
        let pages = query_params.iter().any(|p| p.wire == "page")
            && query_params.iter().any(|p| p.wire == "per_page");
        let paged_item = match (&result, pages) {
            (Some(TypeRef::List(item)), true) => Some((**item).clone()),
            _ => None,
        };
        Ok(Operation {
            id,
            method_name,
            builder_name,
            http_method,
            path: rust_path,
            summary: op.summary.clone().unwrap_or_default(),
            description: op.description.clone().unwrap_or_default(),
            path_params,
            query_params,
            body,
            result,
            paged_item,
            error_statuses,
        })
    }

    /// The item itself, or the component its `$ref` names among `#/components/{kind}`.
    fn component<T>(
        &self,
        item: &'d ReferenceOr<T>,
        kind: &str,
        members: impl FnOnce(&'d openapiv3::Components) -> &'d IndexMap<String, ReferenceOr<T>>,
        at: &str,
    ) -> Result<&'d T, SpecError> {
        match item {
            ReferenceOr::Item(item) => Ok(item),
            ReferenceOr::Reference { reference } => {
                let prefix = format!("#/components/{kind}/");
                let key = reference.strip_prefix(prefix.as_str()).unwrap_or_default();
                self.doc
                    .components
                    .as_ref()
                    .and_then(|c| members(c).get(key))
                    .and_then(ReferenceOr::as_item)
                    .ok_or_else(|| {
                        SpecError::new(
                            child(at, "$ref"),
                            format!(
                                "expected `{reference}` to name a member of #/components/{kind}"
                            ),
                        )
                    })
            }
        }
    }

    fn request_body(
        &mut self,
        body: &'d ReferenceOr<RequestBody>,
        http_method: HttpMethod,
        builder: &str,
        at: &str,
    ) -> Result<Body, SpecError> {
        let body = self.component(body, "requestBodies", |c| &c.request_bodies, at)?;
        let content_at = child(at, "content");
        let usage = if http_method == HttpMethod::Patch {
            Usage::Patch
        } else {
            Usage::Request
        };
        let hint = format!("{builder}Body");
        if let Some(media) = body.content.get("application/json") {
            let schema_at = child(&child(&content_at, "application/json"), "schema");
            let Some(schema) = &media.schema else {
                return Ok(Body::EmptyJson);
            };
            return Ok(
                match self.type_of(schema.into(), &schema_at, &hint, usage)? {
                    None => Body::EmptyJson,
                    Some(TypeRef::Named(name)) => match self.named_struct_fields(&name) {
                        Some(fields) => Body::JsonStruct {
                            type_name: name,
                            fields,
                        },
                        None => Body::Json(TypeRef::Named(name)),
                    },
                    Some(other) => Body::Json(other),
                },
            );
        }
        if let Some(media) = body.content.get("multipart/form-data") {
            let schema_at = child(&child(&content_at, "multipart/form-data"), "schema");
            let Some(schema) = &media.schema else {
                return Ok(Body::Multipart(Vec::new()));
            };
            let view = self.view(&self.resolve(schema.into(), &schema_at)?)?;
            let mut fields = Vec::new();
            for (wire, (prop, prop_at)) in &view.properties {
                let prop_view = self.view(&self.resolve(*prop, prop_at)?)?;
                let ty = self
                    .type_of(*prop, prop_at, &ident::type_name(wire), usage)?
                    .unwrap_or(TypeRef::String);
                if !matches!(
                    ty,
                    TypeRef::String
                        | TypeRef::Integer
                        | TypeRef::Number
                        | TypeRef::Bool
                        | TypeRef::Named(_)
                ) {
                    return Err(SpecError::new(
                        prop_at.clone(),
                        "expected a text form field (string, number, boolean or enum); file parts are not supported",
                    ));
                }
                fields.push(Field {
                    name: ident::field_name(wire),
                    wire: wire.to_string(),
                    doc: doc_of(&prop_view, &format!("The `{wire}` form field.")),
                    ty,
                    presence: if view.required.contains(wire) {
                        Presence::Required
                    } else {
                        Presence::Optional
                    },
                    sensitive: false,
                });
            }
            return Ok(Body::Multipart(fields));
        }
        let found: Vec<&str> = body.content.keys().map(String::as_str).collect();
        Err(SpecError::new(
            content_at,
            format!("expected application/json or multipart/form-data content, found {found:?}"),
        ))
    }

    /// The success result type and the documented failure statuses.
    fn responses(
        &mut self,
        op: &'d OaOperation,
        builder: &str,
        at: &str,
    ) -> Result<(Option<TypeRef>, Vec<String>), SpecError> {
        let mut result = None;
        let mut success_seen = false;
        let mut errors = Vec::new();
        if op.responses.default.is_some() {
            errors.push("default".to_string());
        }
        for (status, response) in &op.responses.responses {
            let status_text = status.to_string();
            let response_at = child(at, &status_text);
            let is_success = match status {
                StatusCode::Code(code) => (200..300).contains(code),
                StatusCode::Range(range) => *range == 2,
            };
            if !is_success {
                errors.push(status_text);
                continue;
            }
            if success_seen {
                continue;
            }
            success_seen = true;
            let response = self.component(response, "responses", |c| &c.responses, &response_at)?;
            let Some(media) = response.content.get("application/json") else {
                continue;
            };
            let Some(schema) = &media.schema else {
                continue;
            };
            let schema_at = child(
                &child(&child(&response_at, "content"), "application/json"),
                "schema",
            );
            let resolved = self.resolve(schema.into(), &schema_at)?;
            let view = self.view(&resolved)?;
            let is_envelope = ["success", "errors", "messages", "result"]
                .iter()
                .all(|p| view.properties.contains_key(p));
            if is_envelope {
                let (result_schema, result_at) = view.properties["result"].clone();
                let ty = self.type_of(
                    result_schema,
                    &result_at,
                    &format!("{builder}Result"),
                    Usage::Response,
                )?;
                result = if self.is_untyped(result_schema, &result_at) {
                    None
                } else {
                    ty
                };
                if let Some(example) = &media.example {
                    let media_at = child(&child(&response_at, "content"), "application/json");
                    self.record_example(
                        child(&media_at, "example"),
                        result.as_ref().unwrap_or(&TypeRef::Json),
                        true,
                        example,
                    );
                }
            } else if !view.properties.is_empty()
                || view.typ.is_some()
                || !view.alternatives.is_empty()
            {
                return Err(SpecError::new(
                    schema_at,
                    "expected the Cloudflare response envelope {success, errors, messages, result}",
                ));
            }
        }
        Ok((result, errors))
    }

    /// `result` with nothing known about it: no type, or the envelope's generic union. Such an
    /// operation returns no result rather than a `serde_json::Value` nobody can use.
    fn is_untyped(&self, schema: SchemaRef<'d>, at: &str) -> bool {
        let Ok(resolved) = self.resolve(schema, at) else {
            return true;
        };
        let Ok(view) = self.view(&resolved) else {
            return true;
        };
        view.typ.is_none()
            && view.properties.is_empty()
            && view.items.is_none()
            && view.alternatives.len() != 1
    }
}

fn add_alternatives<'d>(view: &mut View<'d>, members: &'d [ReferenceOr<Schema>], at: &str) {
    for (i, member) in members.iter().enumerate() {
        view.alternatives.push((member.into(), format!("{at}/{i}")));
    }
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

fn doc_of(view: &View<'_>, fallback: &str) -> String {
    view.description
        .map(str::trim)
        .filter(|d| !d.is_empty())
        .unwrap_or(fallback)
        .to_string()
}

/// How a path relates to its resource: the collection itself, one item, or an action below.
#[derive(Debug, PartialEq)]
enum PathShape {
    Collection,
    Item,
    Action(String),
}

/// Static segments that some path follows with a parameter: `projects` in `/projects/{name}`.
fn collection_segments<'a>(paths: impl Iterator<Item = &'a str>) -> BTreeSet<String> {
    let mut collections = BTreeSet::new();
    for path in paths {
        let segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
        for pair in segments.windows(2) {
            if !pair[0].starts_with('{') && pair[1].starts_with('{') {
                collections.insert(pair[0].to_string());
            }
        }
    }
    collections
}

/// The resource of a path is its last collection segment; what follows decides the shape.
fn resource_of(path: &str, collections: &BTreeSet<String>) -> (String, PathShape) {
    let segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    let Some(index) = segments.iter().rposition(|s| collections.contains(*s)) else {
        let last = segments
            .iter()
            .rev()
            .find(|s| !s.starts_with('{'))
            .copied()
            .unwrap_or("api");
        return (ident::field_name(last), PathShape::Collection);
    };
    let resource = ident::field_name(segments[index]);
    let rest: Vec<&str> = segments[index + 1..].to_vec();
    let shape = match rest.as_slice() {
        [] => PathShape::Collection,
        [param] if param.starts_with('{') => PathShape::Item,
        _ => {
            let action = rest
                .iter()
                .rev()
                .find(|s| !s.starts_with('{'))
                .copied()
                .unwrap_or("item");
            PathShape::Action(ident::field_name(action))
        }
    };
    (resource, shape)
}

fn method_name(method: HttpMethod, shape: &PathShape) -> String {
    let name = match (shape, method) {
        (PathShape::Collection, HttpMethod::Get) => "list",
        (PathShape::Collection, HttpMethod::Post) => "create",
        (PathShape::Collection, HttpMethod::Put) => "replace_all",
        (PathShape::Collection, HttpMethod::Patch) => "update_all",
        (PathShape::Collection, HttpMethod::Delete) => "delete_all",
        (PathShape::Item, HttpMethod::Get) => "get",
        (PathShape::Item, HttpMethod::Post) => "post",
        (PathShape::Item, HttpMethod::Put) => "replace",
        (PathShape::Item, HttpMethod::Patch) => "update",
        (PathShape::Item, HttpMethod::Delete) => "delete",
        (PathShape::Action(action), _) => return action.clone(),
    };
    name.to_string()
}

/// What a value re-serializes to through its generated type: keys the type does not have are
/// gone (readOnly properties of request forms), as are nulls of optional fields (`None` is not
/// serialized); everything else is kept.
fn project(value: &Value, ty: &TypeRef, types: &[TypeDef]) -> Value {
    match (ty, value) {
        (TypeRef::Named(name), Value::Object(object)) => {
            let Some(TypeDef {
                kind: TypeKind::Struct(s),
                ..
            }) = types.iter().find(|t| &t.name == name)
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resources_and_method_names_follow_the_path_structure() {
        let paths = [
            "/accounts/{a}/pages/projects",
            "/accounts/{a}/pages/projects/{p}",
            "/accounts/{a}/pages/projects/{p}/deployments",
            "/accounts/{a}/pages/projects/{p}/deployments/{d}",
            "/accounts/{a}/pages/projects/{p}/deployments/{d}/history/logs",
            "/accounts/{a}/pages/projects/{p}/purge_build_cache",
        ];
        let collections = collection_segments(paths.iter().copied());
        let shapes: Vec<_> = paths.iter().map(|p| resource_of(p, &collections)).collect();
        assert_eq!(shapes[0], ("projects".into(), PathShape::Collection));
        assert_eq!(shapes[1], ("projects".into(), PathShape::Item));
        assert_eq!(shapes[2], ("deployments".into(), PathShape::Collection));
        assert_eq!(shapes[3], ("deployments".into(), PathShape::Item));
        assert_eq!(
            shapes[4],
            ("deployments".into(), PathShape::Action("logs".into()))
        );
        assert_eq!(
            shapes[5],
            (
                "projects".into(),
                PathShape::Action("purge_build_cache".into())
            )
        );
        assert_eq!(method_name(HttpMethod::Get, &PathShape::Collection), "list");
        assert_eq!(method_name(HttpMethod::Patch, &PathShape::Item), "update");
    }
}
