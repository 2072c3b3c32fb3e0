//! Names from meaning: before any type is built, every component schema is given the name of
//! what it is used as, never its key, so a component Cloudflare renames between releases keeps
//! its Rust name. A schema that is an operation's result is named after the resource
//! (`Project`); one reached through a property after the property (`build_config` ->
//! `BuildConfig`, `stages` -> `Stage`). Of several uses, results win, then properties (the
//! shortest name), then request bodies. A `title` (set by the overlay) overrides all of this.

use std::collections::HashMap;

use openapiv3::{ReferenceOr, StatusCode};

use super::Normalizer;
use super::envelope::is_envelope;
use super::view::{MAX_DEPTH, SchemaRef, schema_key};
use crate::error::{SpecError, child};
use crate::ident;

/// What a use of a schema says about it, best first: a property's name is the document's own
/// word for the thing, a body's name only our guess from the path.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Rank {
    Result,
    Property,
    Body,
}

/// The name each component's uses give it: component key -> name.
pub(super) type ComponentNames = HashMap<String, String>;

/// The names of the components that are objects (have properties): what an inline object
/// under a property of the same name is a form of.
pub(super) type ObjectNames = std::collections::HashSet<String>;

#[derive(Default)]
struct Candidates {
    by_component: HashMap<String, Vec<(Rank, String)>>,
}

impl Candidates {
    fn add(&mut self, r: SchemaRef<'_>, rank: Rank, name: &str) {
        if let SchemaRef::Ref(reference) = r
            && let Some(key) = schema_key(reference)
        {
            self.by_component
                .entry(key)
                .or_default()
                .push((rank, name.to_string()));
        }
    }

    fn choose(self) -> ComponentNames {
        self.by_component
            .into_iter()
            .filter_map(|(key, mut names)| {
                names.sort_by_key(|(rank, name)| {
                    let words = name.chars().filter(char::is_ascii_uppercase).count();
                    (*rank, words, name.len(), name.clone())
                });
                names.into_iter().next().map(|(_, name)| (key, name))
            })
            .collect()
    }
}

impl<'d> Normalizer<'d> {
    /// Walks every operation's result and body, and every component, collecting the names its
    /// uses give each component; returns the chosen name of each.
    pub(super) fn component_names(&self) -> Result<(ComponentNames, ObjectNames), SpecError> {
        let mut found = Candidates::default();
        for (path, _, op, at) in self.operations_in_order()? {
            let default_name = self.default_type_name(path);
            if let Some(body) = &op.request_body {
                let body = self.component(body, "requestBodies", |c| &c.request_bodies, &at)?;
                for (media_type, media) in &body.content {
                    if let Some(schema) = &media.schema {
                        let schema_at = child(
                            &child(&child(&child(&at, "requestBody"), "content"), media_type),
                            "schema",
                        );
                        found.add(schema.into(), Rank::Body, &default_name);
                        self.collect(schema.into(), &schema_at, &default_name, &mut found, 0)?;
                    }
                }
            }
            for (status, response) in &op.responses.responses {
                let success = match status {
                    StatusCode::Code(code) => (200..300).contains(code),
                    StatusCode::Range(range) => *range == 2,
                };
                let response_at = child(&child(&at, "responses"), &status.to_string());
                let Ok(response) =
                    self.component(response, "responses", |c| &c.responses, &response_at)
                else {
                    continue;
                };
                let Some(schema) = response
                    .content
                    .get("application/json")
                    .and_then(|m| m.schema.as_ref())
                else {
                    continue;
                };
                if !success {
                    continue;
                }
                let schema_at = child(&response_at, "schema");
                let envelope = self.view_of(schema.into(), &schema_at)?;
                if let Some((result, result_at)) = envelope.properties.get("result") {
                    self.collect_result(*result, result_at, &default_name, &mut found)?;
                }
            }
        }
        if let Some(components) = &self.doc.components {
            let mut keys: Vec<&String> = components.schemas.keys().collect();
            keys.sort();
            for key in keys {
                let schema = &components.schemas[key];
                let at = child("#/components/schemas", key);
                if let ReferenceOr::Item(_) = schema {
                    self.collect(schema.into(), &at, "", &mut found, 0)?;
                }
            }
        }
        let names = found.choose();
        let mut objects = ObjectNames::new();
        for (key, name) in &names {
            let at = child("#/components/schemas", key);
            let reference = format!("#/components/schemas/{}", crate::error::escape_segment(key));
            if !self
                .view_of(SchemaRef::Ref(&reference), &at)?
                .properties
                .is_empty()
            {
                objects.insert(name.clone());
            }
        }
        Ok((names, objects))
    }

    /// A result names the schema it is, or the item schema of the list it is.
    fn collect_result(
        &self,
        result: SchemaRef<'d>,
        at: &str,
        name: &str,
        found: &mut Candidates,
    ) -> Result<(), SpecError> {
        found.add(result, Rank::Result, name);
        let view = self.view_of(result, at)?;
        for (alternative, _) in &view.alternatives {
            found.add(*alternative, Rank::Result, name);
        }
        if let Some((items, _)) = &view.items {
            found.add(*items, Rank::Result, name);
        }
        Ok(())
    }

    /// Records the property names under which `r`'s members refer to components. `name` is
    /// what `r` itself is called here (for the elements of a list or map it names).
    fn collect(
        &self,
        r: SchemaRef<'d>,
        at: &str,
        name: &str,
        found: &mut Candidates,
        depth: usize,
    ) -> Result<(), SpecError> {
        if depth > MAX_DEPTH {
            return Err(SpecError::new(
                at,
                format!("expected schemas nested at most {MAX_DEPTH} deep"),
            ));
        }
        let SchemaRef::Inline(_) = r else {
            // Components are walked once each, from their own root.
            return Ok(());
        };
        let view = self.view_of(r, at)?;
        if is_envelope(&view) {
            return Ok(());
        }
        for (property, (schema, property_at)) in &view.properties {
            let property_name = ident::type_name(property);
            found.add(*schema, Rank::Property, &property_name);
            self.collect(*schema, property_at, &property_name, found, depth + 1)?;
        }
        let element = ident::element_name(name);
        for (member, member_at) in view.items.iter().chain(&view.additional) {
            if !name.is_empty() {
                found.add(*member, Rank::Property, &element);
            }
            self.collect(*member, member_at, &element, found, depth + 1)?;
        }
        for (alternative, alternative_at) in &view.alternatives {
            if !name.is_empty() {
                found.add(*alternative, Rank::Property, name);
            }
            self.collect(*alternative, alternative_at, name, found, depth + 1)?;
        }
        Ok(())
    }
}
