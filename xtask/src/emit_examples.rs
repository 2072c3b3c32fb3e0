//! Emits the examples test of the types crate: every `example` of the document, decoded into
//! its generated type and encoded back, must give the example again (minus what the type
//! leaves out by design, see `ir::Example::expected`).

use std::collections::BTreeSet;

use proc_macro2::TokenStream;
use quote::quote;

use crate::emit_types::{TypePaths, ident, type_tokens};
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
        let value = example.value.to_string();
        let expected = example.expected.to_string();
        quote! {
            #[test]
            fn #name() {
                super::support::round_trip::<#ty>(#pointer, #value, #expected);
            }
        }
    });
    quote! { #(#tests)* }
}
