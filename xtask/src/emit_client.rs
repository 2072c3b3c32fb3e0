//! Emits the client crate's generated module from the IR: one accessor per resource and one
//! request builder per operation, all calling the hand-written runtime (`ApiRequest`,
//! `Client::execute`, `paginate`).

use std::ops::Range;

use proc_macro2::TokenStream;
use quote::quote;

use crate::emit_types::{
    TypePaths, argument_type, converts, doc_attrs, field_type_tokens, ident, imports,
    object_serde_fields, own_doc_attrs, type_tokens,
};
use crate::ir::*;

/// The whole `crates/pages-api-client/src/generated.rs`, unformatted. What it uses is named by
/// path (`crate::Client`) or imported by a name no spec name can take (`Option`, see
/// `emit_types::imports`).
pub fn emit(api: &Api) -> TokenStream {
    emit_part(api, 0..api.resources.len(), true, true)
}

/// The resources `range` of the module, unformatted, so parts can be emitted and formatted apart
/// and joined (`format::unparse`): the `first` part carries the module's attributes, imports and
/// the `Client` accessors, the `last` one the Direct Upload switch that follows the resources.
pub fn emit_part(api: &Api, range: Range<usize>, first: bool, last: bool) -> TokenStream {
    let head = first.then(|| {
        let accessors = api.resources.iter().map(|r| {
            let name = ident(&r.name);
            let ty = ident(&r.type_name);
            let doc = doc_attrs(&format!("Operations on {}.", r.name.replace('_', " ")));
            quote! { #doc pub fn #name(&self) -> #ty { #ty { client: Clone::clone(self) } } }
        });
        let imports = imports();
        quote! {
            // An operation's constructor takes everything it requires, however much.
            #![allow(clippy::too_many_arguments)]
            #imports
            impl crate::Client {
                #(#accessors)*
            }
        }
    });
    let resources = api.resources[range].iter().map(emit_resource);
    let tail = last.then(|| {
        let direct_upload = if api.direct_upload_gaps().is_empty() {
            quote! { ($($items:item)*) => { $(#[cfg(feature = "deploy")] $items)* }; }
        } else {
            quote! { ($($items:item)*) => {}; }
        };
        quote! {
            /// The hand-written Direct Upload (`Client::deploy_directory`), compiled only when this
            /// document has every operation it calls (see the generator's `DIRECT_UPLOAD_NEEDS`)
            /// and the `deploy` feature is on.
            macro_rules! with_direct_upload { #direct_upload }
            pub(crate) use with_direct_upload;
        }
    });
    quote! { #head #(#resources)* #tail }
}

fn emit_resource(resource: &Resource) -> TokenStream {
    let ty = ident(&resource.type_name);
    let doc = own_doc_attrs(&format!(
        "The {} operations; get one from [`Client::{}`](crate::Client::{}).",
        resource.name.replace('_', " "),
        resource.name,
        resource.name
    ));
    let constructors = resource.operations.iter().map(emit_constructor);
    let builders = resource
        .operations
        .iter()
        .map(|op| emit_builder(resource, op));
    quote! {
        #doc
        #[derive(Clone, Debug)]
        pub struct #ty { client: crate::Client }
        impl #ty {
            #(#constructors)*
        }
        #(#builders)*
    }
}

fn operation_doc(op: &Operation) -> String {
    let mut doc = String::new();
    if !op.summary.is_empty() {
        doc.push_str(op.summary.trim_end_matches('.'));
        doc.push_str(".\n\n");
    }
    if !op.description.is_empty()
        && op.description.trim_end_matches('.') != op.summary.trim_end_matches('.')
    {
        doc.push_str(&op.description);
        doc.push_str("\n\n");
    }
    doc.push_str(&format!(
        "`{} {}` (`{}`)",
        op.http_method.as_str(),
        op.path,
        op.id
    ));
    doc
}

/// What the builder holds, in order: the constructor's arguments (`required`), then the
/// optional setters' values (`Option<T>`, or `Patch<T>` when `tristate`).
fn members(op: &Operation) -> Vec<Setter<'_>> {
    let optional = op.setters().into_iter().filter(|s| !s.required);
    op.constructor_arguments()
        .into_iter()
        .chain(optional)
        .collect()
}

fn emit_constructor(op: &Operation) -> TokenStream {
    let paths = TypePaths::in_client_crate();
    let doc = doc_attrs(&operation_doc(op));
    let method = ident(&op.method_name);
    let builder = ident(&op.builder_name);
    let members = members(op);
    let params = members.iter().filter(|m| m.required).map(|m| {
        let name = ident(m.name);
        let ty = argument_type(m.ty, &paths);
        quote!(#name: #ty)
    });
    let inits = members.iter().map(|m| {
        let name = ident(m.name);
        match (m.required, m.tristate) {
            (true, _) if converts(m.ty) => quote!(#name: Into::into(#name)),
            (true, _) => quote!(#name),
            (false, true) => quote!(#name: Default::default()),
            (false, false) => quote!(#name: None),
        }
    });
    quote! {
        #doc
        pub fn #method(&self, #(#params),*) -> #builder {
            #builder {
                client: Clone::clone(&self.client),
                options: None,
                #(#inits,)*
            }
        }
    }
}

fn emit_builder(resource: &Resource, op: &Operation) -> TokenStream {
    let paths = TypePaths::in_client_crate();
    let prefix = &paths.named;
    let builder = ident(&op.builder_name);
    let op_id = &op.id;
    let members = members(op);
    let optional: Vec<&Setter<'_>> = members.iter().filter(|m| !m.required).collect();
    let doc = own_doc_attrs(&format!(
        "Request builder of [`{}::{}`]: {}",
        resource.type_name,
        op.method_name,
        if optional.is_empty() {
            "`send()` it.".to_string()
        } else {
            format!(
                "set what you need of {}, then `send()`.",
                optional
                    .iter()
                    .map(|m| format!("`{}`", m.name))
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        }
    ));
    let fields = members.iter().map(|m| {
        let name = ident(m.name);
        let ty = type_tokens(m.ty, &paths);
        match (m.required, m.tristate) {
            (true, _) => quote!(#name: #ty),
            (false, true) => quote!(#name: #prefix Patch<#ty>),
            (false, false) => quote!(#name: Option<#ty>),
        }
    });
    let setter_methods = optional.iter().map(|m| {
        let name = ident(m.name);
        let doc = doc_attrs(m.doc);
        let ty = type_tokens(m.ty, &paths);
        if m.tristate {
            quote! {
                #doc
                pub fn #name(mut self, value: impl Into<#prefix Patch<#ty>>) -> Self { self.#name = Into::into(value); self }
            }
        } else {
            let ty = argument_type(m.ty, &paths);
            let value = if converts(m.ty) {
                quote!(Into::into(value))
            } else {
                quote!(value)
            };
            quote! {
                #doc
                pub fn #name(mut self, value: #ty) -> Self { self.#name = Some(#value); self }
            }
        }
    });

    let (result_ty, send_body) = match &op.result {
        Some(ty) => {
            let ty = type_tokens(ty, &paths);
            (
                ty,
                quote! { self.send_envelope().await?.result.ok_or(crate::Error::MissingResult { operation: #op_id }) },
            )
        }
        None => (
            quote!(()),
            quote! { self.send_envelope().await.map(::core::mem::drop) },
        ),
    };
    let envelope_ty = match &op.result {
        Some(ty) => type_tokens(ty, &paths),
        None => quote!(::serde_json::Value),
    };
    let send_doc = match &op.result {
        Some(_) => " Sends the request and returns the envelope's `result`.",
        None => " Sends the request; the operation returns no result.",
    };

    let method = ident(op.http_method.as_str());
    let template = &op.path;
    let bearer = op.bearer.as_ref().map(|p| {
        let name = ident(&p.name);
        quote!(.bearer_auth(self.#name))
    });
    let path_params = op.path_params.iter().map(|p| {
        let name = ident(&p.name);
        let key = &p.name;
        if p.ty == TypeRef::String {
            quote!(.path_param(#key, &self.#name))
        } else {
            quote!(.path_param(#key, &::std::string::ToString::to_string(&self.#name)))
        }
    });
    let query_params = op.query_params.iter().map(|p| {
        let name = ident(&p.name);
        let wire = &p.wire;
        if p.required {
            quote!(.query(#wire, Some(&self.#name)))
        } else {
            quote!(.query(#wire, self.#name.as_ref()))
        }
    });
    let (prepare_body, attach_body) = match &op.body {
        Body::None => (quote!(), quote!()),
        Body::EmptyJson => (quote!(), quote!(.empty_json_body())),
        Body::JsonStruct { fields, .. } => {
            // The body's own serializable struct, moved out of the builder: the types crate's
            // struct is `#[non_exhaustive]`, so it cannot be built here with a literal.
            let declared = fields.iter().map(|b| {
                let field = ident(&b.field.name);
                let ty = field_type_tokens(&b.field, &paths);
                quote! { #field: #ty }
            });
            let wire_fields = object_serde_fields(fields.iter().map(|b| &b.field));
            let inits = fields.iter().map(|b| {
                let member = ident(&b.member);
                let field = ident(&b.field.name);
                quote!(#field: self.#member)
            });
            (
                quote! {
                    struct Body { #(#declared,)* }
                    ::pages_api_types::object_serde! { @serialize Body; #wire_fields }
                    let body = Body { #(#inits,)* };
                },
                quote!(.json_body(&body)?),
            )
        }
        Body::Json(_) => (quote! { let body = self.body; }, quote!(.json_body(&body)?)),
        Body::Multipart {
            fields,
            file_content_types,
        } => {
            let parts = fields.iter().map(|b| {
                let name = ident(&b.member);
                let f = &b.field;
                let wire = &f.wire;
                let value = if f.presence == Presence::Required {
                    quote!(Some(self.#name))
                } else {
                    quote!(self.#name)
                };
                match file_content_types.get(&f.wire) {
                    Some(content_type) => quote!(.multipart_file(#wire, #value, #content_type)),
                    None => quote!(.multipart_text(#wire, #value.as_ref())),
                }
            });
            (quote!(), quote! { #(#parts)* })
        }
    };

    let page_param = op.query_params.iter().find(|p| p.wire == "page");
    let paging = op.paged_item.as_ref().zip(page_param).map(|(item, page)| {
        let item = type_tokens(item, &paths);
        let page_setter = ident(&page.name);
        quote! {
            /// Every item of every page, fetched lazily page by page from `page` (default 1);
            /// stops after the last page `result_info` announces, or at an empty page. Iterate
            /// with [`TryStreamExt::try_next`](crate::TryStreamExt::try_next) after pinning
            /// (`std::pin::pin!`).
            pub fn stream(self) -> impl ::futures_core::Stream<Item = Result<#item, crate::Error>> + ::core::marker::Send + 'static {
                let first = self.#page_setter.and_then(|page| u32::try_from(page).ok()).unwrap_or(1);
                crate::paginate(first, move |page| Clone::clone(&self).#page_setter(i64::from(page)).send_envelope())
            }
            /// Collects [`Self::stream`]: every item of every page.
            pub async fn all(self) -> Result<Vec<#item>, crate::Error> {
                crate::TryStreamExt::try_collect(self.stream()).await
            }
        }
    });

    quote! {
        #doc
        #[derive(Clone, Debug)]
        #[must_use = "a request does nothing until it is sent"]
        pub struct #builder {
            client: crate::Client,
            options: Option<crate::RequestOptions>,
            #(#fields,)*
        }
        impl #builder {
            #(#setter_methods)*
            /// Options for this request alone: timeout, retries, extra headers.
            pub fn options(mut self, options: crate::RequestOptions) -> Self {
                self.options = Some(options);
                self
            }
            #[doc = #send_doc]
            pub async fn send(self) -> Result<#result_ty, crate::Error> {
                #send_body
            }
            /// Sends the request and returns the whole envelope (`messages`, `result_info`).
            pub async fn send_envelope(self) -> Result<#prefix Envelope<#envelope_ty>, crate::Error> {
                #prepare_body
                let mut request = crate::ApiRequest::new(crate::Method::#method, #template, #op_id)
                    #bearer
                    #(#path_params)*
                    #(#query_params)*
                    #attach_body;
                if let Some(options) = self.options {
                    request = request.options(options);
                }
                self.client.execute(request).await
            }
            #paging
        }
    }
}
