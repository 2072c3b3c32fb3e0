//! The intermediate representation: the one thing the stages share. `normalize` builds it from
//! the OpenAPI document with every name decided; the emitters and the surface file read it and
//! never look at the document.

/// Everything the generated crates contain.
#[derive(Clone, Debug, PartialEq)]
pub struct Api {
    /// `info.title` of the document.
    pub title: String,
    /// `info.version` of the document.
    pub version: String,
    /// Types in emission order (document order of first use).
    pub types: Vec<TypeDef>,
    /// Operations grouped by resource, in document order of first use.
    pub resources: Vec<Resource>,
    /// Every `example` of the document with the Rust type it must decode into.
    pub examples: Vec<Example>,
    /// What the generator left out and why (a shortcut whose path this release lacks).
    pub warnings: Vec<String>,
}

/// An `example` from the document, to be round-tripped through its generated type.
#[derive(Clone, Debug, PartialEq)]
pub struct Example {
    /// Where the example stands in the resolved document.
    pub pointer: String,
    pub ty: TypeRef,
    /// The example is a whole response (`Envelope<ty>`), not a value of `ty`.
    pub envelope: bool,
    pub value: serde_json::Value,
    /// What re-serializing must give: the example without the keys the type does not have
    /// (readOnly properties of request forms).
    pub expected: serde_json::Value,
}

impl Api {
    /// The types a caller builds: those of request bodies, and every type inside them. They get
    /// a constructor taking their required fields and a setter per optional one (their fields
    /// are `#[non_exhaustive]`, so a field Cloudflare adds breaks no caller).
    pub fn request_types(&self) -> std::collections::BTreeSet<&str> {
        let mut found = std::collections::BTreeSet::new();
        let mut pending: Vec<&TypeRef> = Vec::new();
        for op in self.resources.iter().flat_map(|r| &r.operations) {
            match &op.body {
                Body::JsonStruct { type_name, .. } => {
                    if let Some(def) = self.types.iter().find(|t| &t.name == type_name) {
                        found.insert(def.name.as_str());
                        if let TypeKind::Struct(s) = &def.kind {
                            pending.extend(s.fields.iter().map(|f| &f.ty));
                        }
                    }
                }
                Body::Json(ty) => pending.push(ty),
                Body::Multipart { fields, .. } => {
                    pending.extend(fields.iter().map(|b| &b.field.ty))
                }
                Body::None | Body::EmptyJson => {}
            }
        }
        while let Some(ty) = pending.pop() {
            match ty {
                TypeRef::Named(name) => {
                    let Some(def) = self.types.iter().find(|t| &t.name == name) else {
                        continue;
                    };
                    if !found.insert(def.name.as_str()) {
                        continue;
                    }
                    match &def.kind {
                        TypeKind::Struct(s) => pending.extend(s.fields.iter().map(|f| &f.ty)),
                        TypeKind::Union(variants) => pending.extend(variants.iter().map(|v| &v.ty)),
                        TypeKind::Enum(_) => {}
                    }
                }
                TypeRef::List(inner) | TypeRef::Map(inner) | TypeRef::Nullable(inner) => {
                    pending.push(inner)
                }
                _ => {}
            }
        }
        found
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct TypeDef {
    pub name: String,
    pub doc: String,
    pub kind: TypeKind,
}

#[derive(Clone, Debug, PartialEq)]
pub enum TypeKind {
    Struct(Struct),
    /// A string enum that keeps values it does not know (`Unknown(String)`).
    Enum(Vec<Variant>),
    /// An untagged union of several schemas (`anyOf`/`oneOf` with more than one member).
    Union(Vec<UnionVariant>),
}

#[derive(Clone, Debug, PartialEq)]
pub struct Struct {
    pub fields: Vec<Field>,
    /// Every field has a default (`Option`, `Patch`, collections), so `Default` can be derived.
    pub all_fields_default: bool,
    /// Accessors of nested values (`x-shortcuts`), resolved against this release's fields.
    pub shortcuts: Vec<Shortcut>,
}

/// `deployment.branch()`: a nested value reached through fields, `None` where an optional one
/// on the way is absent. Generated, so it follows every release's shapes.
#[derive(Clone, Debug, PartialEq)]
pub struct Shortcut {
    pub name: String,
    pub doc: String,
    /// Field names from the struct down, each with whether it is an `Option`.
    pub steps: Vec<(String, bool)>,
    /// The type at the end of the path.
    pub ty: TypeRef,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Field {
    /// Rust identifier.
    pub name: String,
    /// JSON key.
    pub wire: String,
    pub doc: String,
    pub ty: TypeRef,
    pub presence: Presence,
    /// Redacted in `Debug` (`x-sensitive`).
    pub sensitive: bool,
}

/// How a field is present in JSON, which decides its Rust wrapper and how `object_serde!` (or a
/// client body's serde attributes) encodes and decodes it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Presence {
    /// `T`: always present.
    Required,
    /// `Option<T>`: may be missing or null; never serialized when `None`.
    Optional,
    /// `Patch<T>`: keep (absent) / null / value, for nullable fields of merge-patch bodies.
    Tristate,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Variant {
    pub name: String,
    pub wire: String,
}

#[derive(Clone, Debug, PartialEq)]
pub struct UnionVariant {
    pub name: String,
    pub ty: TypeRef,
}

/// A Rust type as a field, parameter or result sees it.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum TypeRef {
    String,
    Bool,
    Integer,
    Number,
    Timestamp,
    /// Anything JSON (`serde_json::Value`): only where the document says nothing better.
    Json,
    Named(String),
    List(Box<TypeRef>),
    /// Keys are user-chosen strings (binding names, variable names).
    Map(Box<TypeRef>),
    /// `Option<T>` inside a list or map (a null element or a null map value).
    Nullable(Box<TypeRef>),
    /// A file part of a `multipart/form-data` body (bytes or a path, with a content type).
    File,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Resource {
    /// Accessor method on `Client`: `projects`.
    pub name: String,
    /// Accessor struct: `Projects`.
    pub type_name: String,
    pub operations: Vec<Operation>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Operation {
    /// `operationId` from the document.
    pub id: String,
    /// Method on the resource accessor: `create`, `list`, `retry`.
    pub method_name: String,
    /// Builder struct: `ProjectCreate`.
    pub builder_name: String,
    pub http_method: HttpMethod,
    /// Path template with the Rust parameter names: `/accounts/{account_id}/pages/projects`.
    pub path: String,
    pub summary: String,
    pub description: String,
    /// The bearer token the operation takes instead of the client's credentials (the upload
    /// JWT of the asset operations); always a constructor argument.
    pub bearer: Option<Param>,
    pub path_params: Vec<Param>,
    pub query_params: Vec<Param>,
    pub body: Body,
    /// Type of the envelope's `result`; `None` when the operation returns no result.
    pub result: Option<TypeRef>,
    /// Item type when the operation pages (`page`/`per_page` query and a list result).
    pub paged_item: Option<TypeRef>,
    /// Documented failure statuses (`4XX`, ...), all decoded as `ApiFailure`.
    pub error_statuses: Vec<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HttpMethod {
    Get,
    Post,
    Put,
    Patch,
    Delete,
}

impl HttpMethod {
    pub fn as_str(self) -> &'static str {
        match self {
            HttpMethod::Get => "GET",
            HttpMethod::Post => "POST",
            HttpMethod::Put => "PUT",
            HttpMethod::Patch => "PATCH",
            HttpMethod::Delete => "DELETE",
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Param {
    /// Rust identifier.
    pub name: String,
    /// Name on the wire (the query key; for path parameters the document's name).
    pub wire: String,
    pub doc: String,
    pub ty: TypeRef,
    pub required: bool,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Body {
    None,
    /// The document demands a JSON body but gives it no schema: `{}` is sent.
    EmptyJson,
    /// A JSON body whose type is a struct: one builder member per field.
    JsonStruct {
        type_name: String,
        fields: Vec<BodyField>,
    },
    /// A JSON body of any other type: one `body` setter.
    Json(TypeRef),
    /// `multipart/form-data`: text fields and file parts (`TypeRef::File`).
    Multipart {
        fields: Vec<BodyField>,
        /// JSON key of each file part -> the content type it is sent with by default.
        file_content_types: std::collections::BTreeMap<String, String>,
    },
}

/// A body field as a member of the request builder: its name there can differ from the
/// field's own (`send` -> `send_`, clear of the builder's methods and other members).
#[derive(Clone, Debug, PartialEq)]
pub struct BodyField {
    pub member: String,
    pub field: Field,
}

/// A method of an operation's request builder that sets one value.
#[derive(Clone, Debug, PartialEq)]
pub struct Setter<'o> {
    pub name: &'o str,
    pub doc: &'o str,
    pub ty: &'o TypeRef,
    /// The value is a `Patch<T>` (keep / null / value).
    pub tristate: bool,
    /// A constructor argument rather than a setter: the compiler checks it is given.
    pub required: bool,
}

impl Operation {
    /// Arguments of the builder's constructor before the required body fields: the bearer
    /// token, path parameters, then required query parameters.
    pub fn arguments(&self) -> Vec<&Param> {
        self.bearer
            .iter()
            .chain(&self.path_params)
            .chain(self.query_params.iter().filter(|p| p.required))
            .collect()
    }

    /// What the builder's constructor takes, in order: [`arguments`](Self::arguments), then the
    /// required body fields; each is `required`.
    pub fn constructor_arguments(&self) -> Vec<Setter<'_>> {
        self.arguments()
            .into_iter()
            .map(|p| Setter {
                name: &p.name,
                doc: &p.doc,
                ty: &p.ty,
                tristate: false,
                required: true,
            })
            .chain(self.setters().into_iter().filter(|s| s.required))
            .collect()
    }

    /// Values of the builder beside the arguments: optional query parameters, then body (or
    /// form) fields; the required ones are constructor arguments too.
    pub fn setters(&self) -> Vec<Setter<'_>> {
        let mut setters: Vec<Setter<'_>> = self
            .query_params
            .iter()
            .filter(|p| !p.required)
            .map(|p| Setter {
                name: &p.name,
                doc: &p.doc,
                ty: &p.ty,
                tristate: false,
                required: false,
            })
            .collect();
        fn from_field(b: &BodyField) -> Setter<'_> {
            Setter {
                name: &b.member,
                doc: &b.field.doc,
                ty: &b.field.ty,
                tristate: b.field.presence == Presence::Tristate,
                required: b.field.presence == Presence::Required,
            }
        }
        match &self.body {
            Body::JsonStruct { fields, .. } | Body::Multipart { fields, .. } => {
                setters.extend(fields.iter().map(from_field))
            }
            Body::Json(ty) => setters.push(Setter {
                name: "body",
                doc: "The request body.",
                ty,
                tristate: false,
                required: true,
            }),
            Body::None | Body::EmptyJson => {}
        }
        setters
    }
}

/// What `Client::deploy_directory` (the hand-written Direct Upload of the client's runtime,
/// `runtime/upload/calls.rs`) calls: the operations, with their constructor arguments and the
/// setters it uses, and the types it names. The generated code includes that module only when
/// the document has all of it (`with_direct_upload!`), so a release that lacks or reshapes one
/// leaves Direct Upload out, with a warning, instead of breaking the build.
const DIRECT_UPLOAD_NEEDS: &[(&str, &[&str], &[&str])] = &[
    (
        "projects.upload_token",
        &["account_id", "project_name"],
        &[],
    ),
    ("assets.check_missing", &["upload_token", "hashes"], &[]),
    ("assets.upload", &["upload_token", "body"], &[]),
    ("assets.upsert_hashes", &["upload_token", "hashes"], &[]),
    (
        "deployments.create",
        &["account_id", "project_name"],
        &[
            "manifest",
            "branch",
            "commit_hash",
            "commit_message",
            "commit_dirty",
            "headers",
            "redirects",
            "routes_json",
            "worker_js",
            "worker_bundle",
        ],
    ),
];

impl Api {
    /// What this document lacks of `DIRECT_UPLOAD_NEEDS`; empty when Direct Upload is in.
    pub fn direct_upload_gaps(&self) -> Vec<String> {
        let mut gaps = Vec::new();
        for (at, arguments, setters) in DIRECT_UPLOAD_NEEDS {
            let (resource, method) = at.split_once('.').unwrap_or_default();
            let Some(op) = self
                .resources
                .iter()
                .filter(|r| r.name == resource)
                .flat_map(|r| &r.operations)
                .find(|o| o.method_name == method)
            else {
                gaps.push(format!("operation {at}"));
                continue;
            };
            let given: Vec<&str> = op.constructor_arguments().iter().map(|s| s.name).collect();
            let all_setters = op.setters();
            if given != *arguments {
                gaps.push(format!(
                    "{at}({}) (it takes ({}))",
                    arguments.join(", "),
                    given.join(", ")
                ));
            }
            for setter in *setters {
                if !all_setters.iter().any(|s| s.name == *setter && !s.required) {
                    gaps.push(format!("setter {at}.{setter}"));
                }
            }
        }
        let upload_token = self.types.iter().any(|t| {
            t.name == "UploadToken"
                && matches!(&t.kind, TypeKind::Struct(s) if s.fields.iter().any(|f| f.name == "jwt" && f.ty == TypeRef::String && f.presence == Presence::Required))
        });
        if !upload_token {
            gaps.push("type UploadToken { jwt: String }".into());
        }
        let commit_dirty = self.types.iter().any(|t| {
            t.name == "CommitDirty"
                && matches!(&t.kind, TypeKind::Enum(v) if ["True", "False"].iter().all(|n| v.iter().any(|x| x.name == *n)))
        });
        if !commit_dirty {
            gaps.push("enum CommitDirty { True, False }".into());
        }
        gaps
    }
}
