//! The normalize stage: the parsed (and repaired) document becomes the IR, with every name
//! decided. One file per concern: `view` (resolving schemas), `names` (names from meaning),
//! `schemas` (schemas and their usages), `operations` (operations and resources), `envelope`
//! (the response envelope and errors), `shortcuts` (accessors of nested values), `examples`.

mod envelope;
mod examples;
mod names;
mod operations;
mod schemas;
mod shortcuts;
mod view;

use std::collections::{BTreeSet, HashMap, HashSet};

use indexmap::IndexMap;
use openapiv3::{OpenAPI, ReferenceOr};

use crate::error::{SpecError, child};
use crate::ident;
use crate::ir::*;
use view::View;

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

struct Normalizer<'d> {
    doc: &'d OpenAPI,
    /// Static path segments followed by a parameter: the resources.
    collections: BTreeSet<String>,
    /// Security schemes the client's own credentials answer.
    account_schemes: BTreeSet<String>,
    /// Component key -> the name its uses give it.
    component_names: names::ComponentNames,
    /// Names of the components that are objects.
    object_names: names::ObjectNames,
    types: Vec<TypeDef>,
    taken: BTreeSet<String>,
    memo: HashMap<(String, Usage), Option<TypeRef>>,
    in_progress: HashSet<(String, Usage)>,
    /// How many schemas deep the walk is.
    depth: usize,
    examples: Vec<Example>,
    warnings: Vec<String>,
}

/// Builds the IR of a parsed document.
pub fn normalize(doc: &OpenAPI) -> Result<Api, SpecError> {
    let mut n = Normalizer {
        doc,
        collections: operations::collection_segments(doc.paths.paths.keys().map(String::as_str)),
        account_schemes: operations::account_schemes(doc),
        component_names: Default::default(),
        object_names: Default::default(),
        types: Vec::new(),
        taken: ident::reserved_type_names(),
        memo: HashMap::new(),
        in_progress: HashSet::new(),
        depth: 0,
        examples: Vec::new(),
        warnings: Vec::new(),
    };
    (n.component_names, n.object_names) = n.component_names()?;
    let resources = n.resources()?;
    // Sorted by name, so a new type in a spec update does not move the others in the diff.
    n.types.sort_by(|a, b| a.name.cmp(&b.name));
    let examples = examples::finish(std::mem::take(&mut n.examples), &n.types);
    Ok(Api {
        title: doc.info.title.clone(),
        version: doc.info.version.clone(),
        types: n.types,
        resources,
        examples,
        warnings: n.warnings,
    })
}

impl<'d> Normalizer<'d> {
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
}

fn doc_of(view: &View<'_>, fallback: &str) -> String {
    view.description
        .map(str::trim)
        .filter(|d| !d.is_empty())
        .unwrap_or(fallback)
        .to_string()
}
