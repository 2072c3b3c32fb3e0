//! The Cloudflare envelope: a success response is `{success, errors, messages, result}` and the
//! operation's result is the type of `result`; failure statuses (`4XX`, `default`, ...) are all
//! the failure envelope, decoded leniently by the runtime as `ApiFailure`.

use openapiv3::{Operation as OaOperation, StatusCode};

use super::view::{SchemaRef, View};
use super::{Normalizer, Usage};
use crate::error::{SpecError, child};
use crate::ir::TypeRef;

/// Whether a schema (after `allOf` merging) is the envelope; one without `result` is the
/// envelope of an operation that returns none.
pub(super) fn is_envelope(view: &View<'_>) -> bool {
    ["success", "errors", "messages"]
        .iter()
        .all(|p| view.properties.contains_key(p))
}

impl<'d> Normalizer<'d> {
    /// The success result type and the documented failure statuses. `result_name` is what the
    /// result is called when it is an inline schema.
    pub(super) fn responses(
        &mut self,
        op: &'d OaOperation,
        result_name: &str,
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
            let media_at = child(&child(&response_at, "content"), "application/json");
            let schema_at = child(&media_at, "schema");
            let view = self.view_of(schema.into(), &schema_at)?;
            if is_envelope(&view) {
                let Some((result_schema, result_at)) = view.properties.get("result").cloned()
                else {
                    continue;
                };
                let ty = self.type_of(result_schema, &result_at, result_name, Usage::Response)?;
                result = if self.is_untyped(result_schema, &result_at) {
                    None
                } else {
                    ty
                };
                if let Some(example) = &media.example {
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

    /// `result` with nothing known about it: no type, `{type: object}`, or the envelope's
    /// generic union. Such an operation returns no result rather than a `serde_json::Value`
    /// nobody can use.
    fn is_untyped(&self, schema: SchemaRef<'d>, at: &str) -> bool {
        let Ok(view) = self.view_of(schema, at) else {
            return true;
        };
        matches!(view.typ, None | Some("object"))
            && view.properties.is_empty()
            && view.items.is_none()
            && view.additional.is_none()
            && view.alternatives.len() != 1
    }
}
