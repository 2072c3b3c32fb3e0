//! `x-shortcuts` (set by the overlay): accessors of nested values, such as a deployment's
//! branch at `deployment_trigger.metadata.branch`. They are generated rather than written by
//! hand so they follow each release's shapes (a field that becomes required changes the
//! generated code, not user code); a path this release lacks is left out with a warning.

use serde_json::Value;

use super::Normalizer;
use super::view::View;
use crate::error::{SpecError, child};
use crate::ident;
use crate::ir::*;

impl Normalizer<'_> {
    pub(super) fn shortcuts(
        &mut self,
        view: &View<'_>,
        type_name: &str,
        fields: &[Field],
        at: &str,
    ) -> Result<Vec<Shortcut>, SpecError> {
        let Some(declared) = view.extension("x-shortcuts") else {
            return Ok(Vec::new());
        };
        let at = child(at, "x-shortcuts");
        let declared = declared.as_object().ok_or_else(|| {
            SpecError::new(
                at.clone(),
                "expected an object of shortcut name -> {path, description}",
            )
        })?;
        let mut shortcuts = Vec::new();
        for (name, spec) in declared {
            let spec_at = child(&at, name);
            let path = spec.get("path").and_then(Value::as_str).ok_or_else(|| {
                SpecError::new(
                    child(&spec_at, "path"),
                    "expected a dotted path of JSON keys",
                )
            })?;
            let doc = spec
                .get("description")
                .and_then(Value::as_str)
                .unwrap_or_default();
            match self.resolve_path(fields, path) {
                Some((steps, ty)) => shortcuts.push(Shortcut {
                    name: ident::field_name(name),
                    doc: format!("{doc} (`{path}`)").trim().to_string(),
                    steps,
                    ty,
                }),
                None => self.warnings.push(format!(
                    "{spec_at}: shortcut {type_name}::{name} left out: this document has no `{path}`"
                )),
            }
        }
        Ok(shortcuts)
    }

    /// The fields along `path` (JSON keys) and the type at its end.
    fn resolve_path(&self, fields: &[Field], path: &str) -> Option<(Vec<(String, bool)>, TypeRef)> {
        let mut fields = fields;
        let mut steps = Vec::new();
        let mut keys = path.split('.').peekable();
        while let Some(key) = keys.next() {
            let field = fields.iter().find(|f| f.wire == key)?;
            steps.push((field.name.clone(), field.presence != Presence::Required));
            if keys.peek().is_none() {
                return Some((steps, field.ty.clone()));
            }
            let TypeRef::Named(next) = &field.ty else {
                return None;
            };
            fields = self.named_struct_fields(next)?;
        }
        None
    }
}
