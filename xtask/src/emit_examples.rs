//! Emits the examples test of the types crate: every `example` of the document, decoded into
//! its generated type and encoded back, must give the example again (minus what the type
//! leaves out by design, see `ir::Example::expected`). The test functions name the type and the
//! example's pointer; the examples themselves go to a JSON file beside them ([`data`]), which
//! is far cheaper to write and to check than the same JSON escaped into Rust strings.

use std::collections::BTreeSet;

use proc_macro2::TokenStream;
use quote::quote;

use crate::emit_types::{TypePaths, ident, imports, type_tokens};
use crate::ident;
use crate::ir::Api;

/// The whole `crates/pages-api-types/tests/examples/generated.rs`, unformatted.
pub fn emit(api: &Api) -> TokenStream {
    let paths = TypePaths::in_client_crate();
    let mut names = BTreeSet::new();
    let tests = api.examples.iter().map(|example| {
        let name = ident::unique(
            ident::field_name(example.pointer.trim_start_matches("#/")),
            &mut names,
        );
        let name = ident(&name);
        let ty = type_tokens(&example.ty, &paths);
        let ty = if example.envelope {
            quote!(pages_api_types::Envelope<#ty>)
        } else {
            ty
        };
        let pointer = &example.pointer;
        quote! {
            #[test]
            fn #name() {
                super::support::round_trip::<#ty>(#pointer);
            }
        }
    });
    let imports = imports();
    quote! { #imports #(#tests)* }
}

/// What `crates/pages-api-types/tests/examples/examples.json` holds: each example and what
/// re-encoding it must give, by pointer.
pub fn data(api: &Api) -> serde_json::Value {
    api.examples
        .iter()
        .map(|example| {
            let entry = serde_json::json!({"value": example.value, "expected": example.expected});
            (example.pointer.clone(), entry)
        })
        .collect::<serde_json::Map<_, _>>()
        .into()
}
