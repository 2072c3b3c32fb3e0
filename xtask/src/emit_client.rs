//! Emits the client crate's generated module from the IR: one accessor per resource and one
//! request builder per operation, all calling the hand-written runtime (`ApiRequest`,
//! `Client::execute`, `paginate`).

use proc_macro2::TokenStream;
use quote::quote;

use crate::emit_types::{TypePaths, doc_attrs, ident, type_tokens};
use crate::ir::*;

/// The whole `crates/pages-api-client/src/generated.rs`, unformatted.
pub fn emit(api: &Api) -> TokenStream {
    let accessors = api.resources.iter().map(|r| {
        let name = ident(&r.name);
        let ty = ident(&r.type_name);
        let doc = doc_attrs(&format!("Operations on {}.", r.name.replace('_', " ")));
        quote! { #doc pub fn #name(&self) -> #ty<'_> { #ty { client: self } } }
    });
    let resources = api.resources.iter().map(emit_resource);
    quote! {
        use crate::{ApiRequest, Client, Error, Method};
        impl Client {
            #(#accessors)*
        }
        #(#resources)*
    }
}

fn emit_resource(resource: &Resource) -> TokenStream {
    let ty = ident(&resource.type_name);
    let doc = doc_attrs(&format!(
        "The {} operations; get one from [`Client::{}`].",
        resource.name.replace('_', " "),
        resource.name
    ));
    let constructors = resource.operations.iter().map(emit_constructor);
    let builders = resource
        .operations
        .iter()
        .map(|op| emit_builder(resource, op));
    quote! {
        #doc
        #[derive(Clone, Copy, Debug)]
        pub struct #ty<'a> { client: &'a Client }
        impl<'a> #ty<'a> {
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

fn emit_constructor(op: &Operation) -> TokenStream {
    let doc = doc_attrs(&operation_doc(op));
    let method = ident(&op.method_name);
    let builder = ident(&op.builder_name);
    let args = op.arguments();
    let params = args.iter().map(|p| {
        let name = ident(&p.name);
        if p.ty == TypeRef::String {
            quote!(#name: impl Into<String>)
        } else {
            let ty = type_tokens(&p.ty, &TypePaths::in_client_crate());
            quote!(#name: #ty)
        }
    });
    let mut inits: Vec<TokenStream> = args
        .iter()
        .map(|p| {
            let name = ident(&p.name);
            if p.ty == TypeRef::String {
                quote!(#name: #name.into())
            } else {
                quote!(#name)
            }
        })
        .collect();
    inits.extend(op.setters().into_iter().map(|s| {
        let name = ident(s.name);
        if s.tristate {
            quote!(#name: Default::default())
        } else {
            quote!(#name: None)
        }
    }));
    quote! {
        #doc
        pub fn #method(&self, #(#params),*) -> #builder<'a> {
            #builder { client: self.client, #(#inits,)* }
        }
    }
}

fn emit_builder(resource: &Resource, op: &Operation) -> TokenStream {
    let paths = TypePaths::in_client_crate();
    let prefix = &paths.named;
    let builder = ident(&op.builder_name);
    let op_id = &op.id;
    let doc = doc_attrs(&format!(
        "Request builder of [`{}::{}`]: set optional values, then `send()`.",
        resource.type_name, op.method_name
    ));
    let setters = op.setters();
    let args = op.arguments();
    let arg_fields = args.iter().map(|p| {
        let name = ident(&p.name);
        let ty = if p.ty == TypeRef::String {
            quote!(String)
        } else {
            type_tokens(&p.ty, &paths)
        };
        quote!(#name: #ty)
    });
    let setter_fields = setters.iter().map(|s| {
        let name = ident(s.name);
        let ty = type_tokens(s.ty, &paths);
        if s.tristate {
            quote!(#name: #prefix Patch<#ty>)
        } else {
            quote!(#name: Option<#ty>)
        }
    });
    let setter_methods = setters.iter().map(|s| {
        let name = ident(s.name);
        let doc = doc_attrs(s.doc);
        let ty = type_tokens(s.ty, &paths);
        if s.tristate {
            quote! {
                #doc
                pub fn #name(mut self, value: impl Into<#prefix Patch<#ty>>) -> Self { self.#name = value.into(); self }
            }
        } else if *s.ty == TypeRef::String {
            quote! {
                #doc
                pub fn #name(mut self, value: impl Into<String>) -> Self { self.#name = Some(value.into()); self }
            }
        } else {
            quote! {
                #doc
                pub fn #name(mut self, value: #ty) -> Self { self.#name = Some(value); self }
            }
        }
    });

    let (result_ty, send_body) = match &op.result {
        Some(ty) => {
            let ty = type_tokens(ty, &paths);
            (
                ty,
                quote! { self.send_envelope().await?.result.ok_or(Error::MissingResult { operation: #op_id }) },
            )
        }
        None => (quote!(()), quote! { self.send_envelope().await.map(drop) }),
    };
    let envelope_ty = match &op.result {
        Some(ty) => type_tokens(ty, &paths),
        None => quote!(serde_json::Value),
    };
    let send_doc = match &op.result {
        Some(_) => " Sends the request and returns the envelope's `result`.",
        None => " Sends the request; the operation returns no result.",
    };

    // A setter's value as the request needs it: required ones must have been set.
    let take = |name: &str, required: bool| {
        let field = ident(name);
        if required {
            quote!(self.#field.ok_or(Error::MissingField { operation: #op_id, field: #name })?)
        } else {
            quote!(self.#field)
        }
    };
    let method = ident(op.http_method.as_str());
    let template = &op.path;
    let path_params = op.path_params.iter().map(|p| {
        let name = ident(&p.name);
        let key = &p.name;
        if p.ty == TypeRef::String {
            quote!(.path_param(#key, &self.#name))
        } else {
            quote!(.path_param(#key, &self.#name.to_string()))
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
        Body::JsonStruct { type_name, fields } => {
            let ty = ident(type_name);
            let inits = fields.iter().map(|f| {
                let name = ident(&f.name);
                let value = take(&f.name, f.presence == Presence::Required);
                quote!(#name: #value)
            });
            (
                quote! { let body = #prefix #ty { #(#inits,)* }; },
                quote!(.json_body(&body)?),
            )
        }
        Body::Json(_) => {
            let value = take("body", true);
            (quote! { let body = #value; }, quote!(.json_body(&body)?))
        }
        Body::Multipart(fields) => {
            let checks = fields.iter().filter(|f| f.presence == Presence::Required).map(|f| {
                let name = ident(&f.name);
                let field = &f.name;
                quote! { if self.#name.is_none() { return Err(Error::MissingField { operation: #op_id, field: #field }); } }
            });
            let parts = fields.iter().map(|f| {
                let name = ident(&f.name);
                let wire = &f.wire;
                quote!(.multipart_text(#wire, self.#name.as_ref()))
            });
            (quote! { #(#checks)* }, quote! { #(#parts)* })
        }
    };

    let page_param = op.query_params.iter().find(|p| p.wire == "page");
    let paging = op.paged_item.as_ref().zip(page_param).map(|(item, page)| {
        let item = type_tokens(item, &paths);
        let page_setter = ident(&page.name);
        quote! {
            /// Every item of every page, fetched lazily page by page from `page` (default 1);
            /// stops after the last page `result_info` announces, or at an empty page. Iterate
            /// with `futures_util::TryStreamExt::try_next`, after pinning (`std::pin::pin!`).
            pub fn stream(self) -> impl futures_core::Stream<Item = Result<#item, Error>> + 'a {
                let first = self.#page_setter.and_then(|page| u32::try_from(page).ok()).unwrap_or(1);
                crate::paginate(first, move |page| self.clone().#page_setter(i64::from(page)).send_envelope())
            }
            /// Collects [`Self::stream`]: every item of every page.
            pub async fn all(self) -> Result<Vec<#item>, Error> {
                futures_util::TryStreamExt::try_collect(self.stream()).await
            }
        }
    });

    quote! {
        #doc
        #[derive(Clone, Debug)]
        #[must_use = "a request does nothing until it is sent"]
        pub struct #builder<'a> {
            client: &'a Client,
            #(#arg_fields,)*
            #(#setter_fields,)*
        }
        impl<'a> #builder<'a> {
            #(#setter_methods)*
            #[doc = #send_doc]
            pub async fn send(self) -> Result<#result_ty, Error> {
                #send_body
            }
            /// Sends the request and returns the whole envelope (`messages`, `result_info`).
            pub async fn send_envelope(self) -> Result<#prefix Envelope<#envelope_ty>, Error> {
                #prepare_body
                let request = ApiRequest::new(Method::#method, #template, #op_id)
                    #(#path_params)*
                    #(#query_params)*
                    #attach_body;
                self.client.execute(request).await
            }
            #paging
        }
    }
}
