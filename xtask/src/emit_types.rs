//! Emits the types crate's generated module from the IR: structs, open enums and untagged
//! unions, each with rustdoc from the document. The std and serde names the generated code
//! uses are imported by [`imports`] and written short (`Option<String>`); the runtime is named by
//! path (`crate::Patch`). No generated type can take an imported name
//! (`ident::reserved_type_names`), so no spec name can shadow one.

use std::collections::{BTreeMap, BTreeSet};
use std::ops::Range;

use proc_macro2::{Ident, Span, TokenStream};
use quote::quote;

use crate::ident::IMPORTED_NAMES;
use crate::ir::*;

/// The whole `crates/pages-api-types/src/generated.rs`, unformatted.
pub fn emit(api: &Api) -> TokenStream {
    emit_part(api, &api.request_types(), 0..api.types.len(), true)
}

/// The types `range` of the module, unformatted: parts can be emitted and formatted apart and
/// joined (`format::unparse`). The first part (`first`) carries the module's attributes and
/// imports; `request_types` is `api.request_types()`, worked out once for all parts.
pub fn emit_part(
    api: &Api,
    request_types: &BTreeSet<&str>,
    range: Range<usize>,
    first: bool,
) -> TokenStream {
    let head = first.then(|| {
        let imports = imports();
        quote! {
            // A constructor takes every field the document requires, however many.
            #![allow(clippy::large_enum_variant, clippy::derive_partial_eq_without_eq, clippy::too_many_arguments)]
            #imports
        }
    });
    let items = api.types[range]
        .iter()
        .map(|def| emit_type(def, request_types.contains(def.name.as_str())));
    quote! { #head #(#items)* }
}

/// The `use` items of a generated module: every name of `ident::IMPORTED_NAMES`, one item per
/// crate (a module that needs fewer of them must still compile without warnings).
pub fn imports() -> TokenStream {
    let mut by_crate: BTreeMap<&str, Vec<TokenStream>> = BTreeMap::new();
    for (_, path) in IMPORTED_NAMES {
        let mut segments = path.trim_start_matches("::").split("::");
        let root = segments.next().unwrap_or_default();
        let rest = segments.map(ident);
        by_crate.entry(root).or_default().push(quote!(#(#rest)::*));
    }
    let items = by_crate.into_iter().map(|(root, paths)| {
        let root = ident(root);
        quote! {
            #[allow(unused_imports)]
            use ::#root::{#(#paths),*};
        }
    });
    quote! { #(#items)* }
}

pub fn ident(name: &str) -> Ident {
    Ident::new(name, Span::call_site())
}

/// `#[doc = ...]` lines for a text from the document, made safe for rustdoc: brackets and
/// angle brackets are escaped (descriptions are prose, not intra-doc links or HTML), except
/// inside inline code, which Markdown shows as written; bare URLs are wrapped.
pub fn doc_attrs(text: &str) -> TokenStream {
    let lines = text.trim().lines().map(|line| {
        let mut out = String::with_capacity(line.len() + 16);
        out.push(' ');
        // Alternating prose and inline code: the backticks split them.
        for (i, part) in line.split('`').enumerate() {
            if i > 0 {
                out.push('`');
            }
            if i % 2 == 1 {
                out.push_str(part);
                continue;
            }
            for (j, word) in part.split(' ').enumerate() {
                if j > 0 {
                    out.push(' ');
                }
                if word.starts_with("http://") || word.starts_with("https://") {
                    let url = word.trim_end_matches(['.', ',', ')', ';']);
                    out.push('<');
                    out.push_str(url);
                    out.push('>');
                    out.push_str(&word[url.len()..]);
                    continue;
                }
                for c in word.chars() {
                    match c {
                        '\\' => out.push_str("\\\\"),
                        '[' => out.push_str("\\["),
                        ']' => out.push_str("\\]"),
                        '<' => out.push_str("&lt;"),
                        '>' => out.push_str("&gt;"),
                        c => out.push(c),
                    }
                }
            }
        }
        out.truncate(out.trim_end().len());
        quote! { #[doc = #out] }
    });
    quote! { #(#lines)* }
}

/// `#[doc = ...]` lines for the generator's own text, whose links are meant as links.
pub fn own_doc_attrs(text: &str) -> TokenStream {
    let lines = text.trim().lines().map(|line| {
        let line = format!(" {line}").trim_end().to_string();
        quote! { #[doc = #line] }
    });
    quote! { #(#lines)* }
}

/// How generated code reaches the types: the hand-written core (`Timestamp`, `Patch`) and the
/// generated types, from inside the types crate or from the client crate.
pub struct TypePaths {
    pub core: TokenStream,
    pub named: TokenStream,
    /// A multipart file part (only the client crate has one).
    pub file: TokenStream,
}

impl TypePaths {
    pub fn in_types_crate() -> Self {
        TypePaths {
            core: quote!(crate::),
            named: quote!(crate::),
            file: quote!(Vec<u8>),
        }
    }

    pub fn in_client_crate() -> Self {
        TypePaths {
            core: quote!(::pages_api_types::),
            named: quote!(::pages_api_types::),
            file: quote!(crate::FilePart),
        }
    }
}

/// The Rust type of a type reference.
pub fn type_tokens(ty: &TypeRef, paths: &TypePaths) -> TokenStream {
    let prefix = &paths.named;
    let core = &paths.core;
    match ty {
        TypeRef::String => quote!(String),
        TypeRef::Bool => quote!(bool),
        TypeRef::Integer => quote!(i64),
        TypeRef::Number => quote!(f64),
        TypeRef::Timestamp => quote!(#core Timestamp),
        TypeRef::Json => quote!(::serde_json::Value),
        TypeRef::File => paths.file.clone(),
        TypeRef::Named(name) => {
            let name = ident(name);
            quote!(#prefix #name)
        }
        TypeRef::List(item) => {
            let item = type_tokens(item, paths);
            quote!(Vec<#item>)
        }
        TypeRef::Map(value) => {
            let value = type_tokens(value, paths);
            quote!(BTreeMap<String, #value>)
        }
        TypeRef::Nullable(inner) => {
            let inner = type_tokens(inner, paths);
            quote!(Option<#inner>)
        }
    }
}

/// How a value of `ty` is taken by a constructor or setter: strings and files as
/// `impl Into<...>` (converted with [`converts`]), everything else as itself.
pub fn argument_type(ty: &TypeRef, paths: &TypePaths) -> TokenStream {
    let file = &paths.file;
    match ty {
        TypeRef::String => quote!(impl Into<String>),
        TypeRef::File => quote!(impl Into<#file>),
        other => type_tokens(other, paths),
    }
}

/// Whether [`argument_type`] takes `ty` as `impl Into<...>`.
pub fn converts(ty: &TypeRef) -> bool {
    matches!(ty, TypeRef::String | TypeRef::File)
}

/// The field's declared type: the type wrapped according to its presence.
pub fn field_type_tokens(field: &Field, paths: &TypePaths) -> TokenStream {
    let ty = type_tokens(&field.ty, paths);
    let core = &paths.core;
    match field.presence {
        Presence::Required => ty,
        Presence::Optional => quote!(Option<#ty>),
        Presence::Tristate => quote!(#core Patch<#ty>),
    }
}

fn emit_type(def: &TypeDef, constructible: bool) -> TokenStream {
    let doc = doc_attrs(&def.doc);
    let name = ident(&def.name);
    match &def.kind {
        TypeKind::Struct(s) => emit_struct(&name, &doc, s, constructible),
        TypeKind::Enum(variants) => emit_enum(&name, &doc, variants),
        TypeKind::Union(variants) => {
            let names: Vec<Ident> = variants.iter().map(|v| ident(&v.name)).collect();
            let types = variants
                .iter()
                .map(|v| type_tokens(&v.ty, &TypePaths::in_types_crate()));
            // Serde impls from the core's `untagged_serde!`, as `#[serde(untagged)]` would
            // have them, so that no user builds serde's derive macro.
            quote! {
                #doc
                #[derive(Clone, Debug, PartialEq)]
                #[non_exhaustive]
                pub enum #name { #(#names(#types),)* }
                crate::untagged_serde! { #name; #(#names),* }
            }
        }
    }
}

/// Every struct is `#[non_exhaustive]`, so a field Cloudflare adds is a minor change. A caller
/// builds the ones requests take with `new(required fields)` (or `Default`) and a setter per
/// optional field: `BuildConfigPatch::default().build_command("npm run build")`.
fn emit_struct(name: &Ident, doc: &TokenStream, s: &Struct, constructible: bool) -> TokenStream {
    let paths = TypePaths::in_types_crate();
    let fields = s.fields.iter().map(|f| {
        let fdoc = doc_attrs(&f.doc);
        let fname = ident(&f.name);
        let ty = field_type_tokens(f, &paths);
        quote! { #fdoc pub #fname: #ty }
    });
    // The serde impls come from the core's `object_serde!` rather than serde's derives: they
    // cost a fraction of the compile time (see there).
    let wire_fields = object_serde_fields(&s.fields);
    let redacts = s.fields.iter().any(|f| f.sensitive);
    let derive_default = s.all_fields_default.then(|| quote!(Default,));
    let derive_debug = (!redacts).then(|| quote!(Debug,));
    let debug_impl = redacts.then(|| {
        let type_name = name.to_string();
        let entries = s.fields.iter().map(|f| {
            let fname = ident(&f.name);
            let label = &f.name;
            if f.sensitive {
                quote! { .field(#label, &"<redacted>") }
            } else {
                quote! { .field(#label, &self.#fname) }
            }
        });
        quote! {
            /// Sensitive values (secrets) are redacted.
            impl Debug for #name {
                fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                    f.debug_struct(#type_name) #(#entries)* .finish()
                }
            }
        }
    });
    let constructors = constructible.then(|| emit_constructors(name, s, &paths));
    let shortcuts = (!s.shortcuts.is_empty()).then(|| {
        let methods = s
            .shortcuts
            .iter()
            .map(|shortcut| emit_shortcut(shortcut, &paths));
        quote! { impl #name { #(#methods)* } }
    });
    quote! {
        #doc
        #[derive(Clone, #derive_debug #derive_default PartialEq)]
        #[non_exhaustive]
        pub struct #name { #(#fields,)* }
        crate::object_serde! { #name; #wire_fields }
        #debug_impl
        #constructors
        #shortcuts
    }
}

/// The fields as `object_serde!` takes them: `required id; optional content_type = "contentType";`.
pub fn object_serde_fields<'a>(fields: impl IntoIterator<Item = &'a Field>) -> TokenStream {
    let fields = fields.into_iter().map(|f| {
        let fname = ident(&f.name);
        let wire = &f.wire;
        let key = (f.name != f.wire).then(|| quote!(= #wire));
        let presence = match f.presence {
            Presence::Required => quote!(required),
            Presence::Optional => quote!(optional),
            Presence::Tristate => quote!(patch),
        };
        quote! { #presence #fname #key; }
    });
    quote! { #(#fields)* }
}

/// `new(required fields)` when there are any, and a setter per optional field.
fn emit_constructors(name: &Ident, s: &Struct, paths: &TypePaths) -> TokenStream {
    let into = |ty: &TypeRef| argument_type(ty, paths);
    let required: Vec<&Field> = s
        .fields
        .iter()
        .filter(|f| f.presence == Presence::Required)
        .collect();
    let new = (!required.is_empty()).then(|| {
        let params = required.iter().map(|f| {
            let fname = ident(&f.name);
            let ty = into(&f.ty);
            quote!(#fname: #ty)
        });
        let inits = s.fields.iter().map(|f| {
            let fname = ident(&f.name);
            match f.presence {
                Presence::Required if converts(&f.ty) => {
                    quote!(#fname: Into::into(#fname))
                }
                Presence::Required => quote!(#fname),
                _ => quote!(#fname: Default::default()),
            }
        });
        let optional = required.len() < s.fields.len();
        let doc = format!(
            " A value with its required fields ({}){}.",
            required
                .iter()
                .map(|f| format!("`{}`", f.name))
                .collect::<Vec<_>>()
                .join(", "),
            if optional {
                "; the others have setters of the same name"
            } else {
                ""
            }
        );
        quote! {
            #[doc = #doc]
            pub fn new(#(#params),*) -> Self {
                Self { #(#inits,)* }
            }
        }
    });
    let setters = s
        .fields
        .iter()
        .filter(|f| f.presence != Presence::Required)
        .map(|f| {
            let fname = ident(&f.name);
            let setter = ident(&crate::ident::setter_name(&f.name));
            let doc = doc_attrs(&f.doc);
            let ty = type_tokens(&f.ty, paths);
            match f.presence {
                Presence::Tristate => {
                    let core = &paths.core;
                    quote! {
                        #doc
                        #[must_use]
                        pub fn #setter(mut self, value: impl Into<#core Patch<#ty>>) -> Self {
                            self.#fname = Into::into(value);
                            self
                        }
                    }
                }
                _ => {
                    let param = into(&f.ty);
                    let value = if converts(&f.ty) {
                        quote!(Into::into(value))
                    } else {
                        quote!(value)
                    };
                    quote! {
                        #doc
                        #[must_use]
                        pub fn #setter(mut self, value: #param) -> Self {
                            self.#fname = Some(#value);
                            self
                        }
                    }
                }
            }
        });
    quote! {
        impl #name {
            #new
            #(#setters)*
        }
    }
}

/// `pub fn branch(&self) -> Option<&str>`: each step borrows the next field, and an `Option`
/// on the way returns `None` when absent.
fn emit_shortcut(shortcut: &Shortcut, paths: &TypePaths) -> TokenStream {
    let doc = doc_attrs(&shortcut.doc);
    let name = ident(&shortcut.name);
    let steps = shortcut.steps.iter().map(|(field, optional)| {
        let field = ident(field);
        let unwrap = optional.then(|| quote! { let value = value.as_ref()?; });
        quote! { let value = &value.#field; #unwrap }
    });
    let (ty, value) = match &shortcut.ty {
        TypeRef::String => (quote!(&str), quote!(value.as_str())),
        other => {
            let ty = type_tokens(other, paths);
            (quote!(&#ty), quote!(value))
        }
    };
    quote! {
        #doc
        #[must_use]
        pub fn #name(&self) -> Option<#ty> {
            let value = self;
            #(#steps)*
            Some(#value)
        }
    }
}

fn emit_enum(name: &Ident, doc: &TokenStream, variants: &[Variant]) -> TokenStream {
    let declared = variants.iter().map(|v| {
        let vname = ident(&v.name);
        let vdoc = format!(" `{}`", v.wire);
        quote! { #[doc = #vdoc] #vname }
    });
    let to_wire = variants.iter().map(|v| {
        let vname = ident(&v.name);
        let wire = &v.wire;
        quote! { Self::#vname => #wire }
    });
    let wires = variants.iter().map(|v| &v.wire);
    let from_wire = variants.iter().map(|v| {
        let vname = ident(&v.name);
        let wire = &v.wire;
        quote! { #wire => Self::#vname }
    });
    quote! {
        #doc
        #[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[non_exhaustive]
        pub enum #name {
            #(#declared,)*
            /// A value this version of the crate does not know yet, kept as sent.
            Unknown(String),
        }
        impl #name {
            /// Every value this version of the crate knows, as the API spells them.
            pub const VALUES: &'static [&'static str] = &[#(#wires),*];
            /// The value as the API spells it.
            pub fn as_str(&self) -> &str {
                match self {
                    #(#to_wire,)*
                    Self::Unknown(value) => value,
                }
            }
        }
        impl From<&str> for #name {
            fn from(value: &str) -> Self {
                match value {
                    #(#from_wire,)*
                    other => Self::Unknown(other.to_owned()),
                }
            }
        }
        crate::open_enum_serde!(#name);
    }
}
