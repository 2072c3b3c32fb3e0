//! Operations and resources: which resource an operation belongs to and its method name (from
//! the path's structure), its parameters, its request body, and the credentials it takes.

use std::collections::{BTreeMap, BTreeSet};

use indexmap::IndexMap;
use openapiv3::{
    Operation as OaOperation, Parameter, ParameterSchemaOrContent, ReferenceOr, RequestBody,
    SecurityScheme,
};

use super::{Normalizer, Usage, doc_of};
use crate::error::{SpecError, child};
use crate::ident;
use crate::ir::*;

impl<'d> Normalizer<'d> {
    /// Every operation with its path, method and pointer, in document order.
    pub(super) fn operations_in_order(
        &self,
    ) -> Result<Vec<(&'d str, &'d str, &'d OaOperation, String)>, SpecError> {
        let mut found = Vec::new();
        for (path, item) in &self.doc.paths.paths {
            let path_at = child("#/paths", path);
            let item = match item {
                ReferenceOr::Item(item) => item,
                ReferenceOr::Reference { .. } => {
                    return Err(SpecError::new(
                        path_at,
                        "expected a path item, not a $ref (unsupported construct)",
                    ));
                }
            };
            for (method, operation) in item.iter() {
                found.push((path.as_str(), method, operation, child(&path_at, method)));
            }
        }
        Ok(found)
    }

    /// What the result and the request body of the operation at `path` are called when the
    /// document does not say: one name for both (`Project`, `DeploymentRetry`).
    pub(super) fn default_type_name(&self, path: &str) -> String {
        let (resource, shape) = resource_of(path, &self.collections);
        let action = match &shape {
            PathShape::Action(action) => Some(action.as_str()),
            _ => None,
        };
        ident::result_name(&resource, action)
    }

    pub(super) fn resources(&mut self) -> Result<Vec<Resource>, SpecError> {
        let operations = self.operations_in_order()?;
        // Several methods on one action path (`POST`/`DELETE .../source`) are told apart by
        // their operation ids, all of them, so adding one never renames another.
        let mut methods_per_path: BTreeMap<&str, usize> = BTreeMap::new();
        for (path, ..) in &operations {
            *methods_per_path.entry(path).or_default() += 1;
        }
        let mut resources: Vec<Resource> = Vec::new();
        for (path, method, operation, op_at) in operations {
            let http_method = match method {
                "get" => HttpMethod::Get,
                "post" => HttpMethod::Post,
                "put" => HttpMethod::Put,
                "patch" => HttpMethod::Patch,
                "delete" => HttpMethod::Delete,
                other => {
                    return Err(SpecError::new(
                        op_at,
                        format!(
                            "expected get, post, put, patch or delete; `{other}` is not supported"
                        ),
                    ));
                }
            };
            let (resource, shape) = resource_of(path, &self.collections);
            let index = match resources.iter().position(|r| r.name == resource) {
                Some(i) => i,
                None => {
                    resources.push(Resource {
                        type_name: ident::resource_type_name(&resource),
                        name: resource.clone(),
                        operations: Vec::new(),
                    });
                    resources.len() - 1
                }
            };
            let id = operation
                .operation_id
                .clone()
                .ok_or_else(|| SpecError::new(op_at.as_str(), "expected an operationId"))?;
            let shared_action = matches!(shape, PathShape::Action(_)) && methods_per_path[path] > 1;
            let mut method_name = if shared_action {
                ident::method_from_operation_id(&id, &resource)
            } else {
                method_name(http_method, &shape)
            };
            let taken: BTreeSet<String> = resources[index]
                .operations
                .iter()
                .map(|o| o.method_name.clone())
                .collect();
            if taken.contains(&method_name) {
                method_name = ident::method_from_operation_id(&id, &resource);
            }
            let method_name = ident::unique(method_name, &mut taken.clone());
            let item = match &self.doc.paths.paths[path] {
                ReferenceOr::Item(item) => item,
                ReferenceOr::Reference { .. } => unreachable!("refused by operations_in_order"),
            };
            let default_name = self.default_type_name(path);
            let op = self.operation(
                path,
                &item.parameters,
                operation,
                http_method,
                id,
                method_name,
                &resource,
                &default_name,
                &op_at,
            )?;
            resources[index].operations.push(op);
        }
        Ok(resources)
    }

    #[allow(clippy::too_many_arguments)]
    fn operation(
        &mut self,
        path: &str,
        shared_params: &'d [ReferenceOr<Parameter>],
        op: &'d OaOperation,
        http_method: HttpMethod,
        id: String,
        method_name: String,
        resource: &str,
        default_name: &str,
        at: &str,
    ) -> Result<Operation, SpecError> {
        let builder_name = ident::builder_name(resource, &method_name);
        let mut params: IndexMap<(String, String), (&'d Parameter, String)> = IndexMap::new();
        let path_at = at.rsplit_once('/').map_or(at, |(p, _)| p);
        for (list, list_at) in [
            (shared_params, child(path_at, "parameters")),
            (&op.parameters[..], child(at, "parameters")),
        ] {
            for (i, p) in list.iter().enumerate() {
                let p_at = format!("{list_at}/{i}");
                let param = self.component(p, "parameters", |c| &c.parameters, &p_at)?;
                let data = param.parameter_data_ref();
                let location = match param {
                    Parameter::Path { .. } => "path",
                    Parameter::Query { .. } => "query",
                    _ => {
                        return Err(SpecError::new(
                            p_at,
                            "expected a path or query parameter (header and cookie parameters are not supported)",
                        ));
                    }
                };
                params.insert((location.to_string(), data.name.clone()), (param, p_at));
            }
        }
        let bearer = self.own_bearer(op, &child(at, "security"))?;
        let mut rust_path = path.to_string();
        let mut path_params = Vec::new();
        let mut query_params = Vec::new();
        // Argument and setter names share the builder; the bearer argument is taken first.
        let mut names: BTreeSet<String> = bearer.iter().map(|b| b.name.clone()).collect();
        for ((location, wire), (param, p_at)) in &params {
            let data = param.parameter_data_ref();
            let name = ident::unique(ident::member_name(&ident::param_name(wire)), &mut names);
            let ParameterSchemaOrContent::Schema(schema) = &data.format else {
                return Err(SpecError::new(
                    child(p_at, "content"),
                    "expected a parameter `schema` (content parameters are not supported)",
                ));
            };
            let schema_at = child(p_at, "schema");
            let view = self.view_of(schema.into(), &schema_at)?;
            let ty = self
                .type_of(
                    schema.into(),
                    &schema_at,
                    &ident::type_name(wire),
                    Usage::Request,
                )?
                .unwrap_or(TypeRef::String);
            // The parameter's own description, else its schema's.
            let doc = data
                .description
                .clone()
                .or(view.description.map(str::to_string))
                .unwrap_or_else(|| format!("The `{wire}` parameter."));
            let param = Param {
                name: name.clone(),
                wire: wire.clone(),
                doc,
                ty,
                required: data.required || location == "path",
            };
            if location == "path" {
                let placeholder = format!("{{{wire}}}");
                if !rust_path.contains(&placeholder) {
                    return Err(SpecError::new(
                        p_at.clone(),
                        format!("expected `{placeholder}` in the path `{path}`"),
                    ));
                }
                rust_path = rust_path.replace(&placeholder, &format!("{{{name}}}"));
                path_params.push(param);
            } else {
                query_params.push(param);
            }
        }
        // Path parameters in the order they appear in the path, so arguments read left to right.
        path_params.sort_by_key(|p| rust_path.find(&format!("{{{}}}", p.name)));

        let body = match &op.request_body {
            None => Body::None,
            Some(body) => self.request_body(
                body,
                http_method,
                default_name,
                &mut names,
                &child(at, "requestBody"),
            )?,
        };

        let (result, error_statuses) = self.responses(op, default_name, &child(at, "responses"))?;
        let paged_item = match &result {
            Some(TypeRef::List(item)) if is_paged(&query_params) => Some((**item).clone()),
            _ => None,
        };
        Ok(Operation {
            id,
            method_name,
            builder_name,
            http_method,
            path: rust_path,
            summary: op.summary.clone().unwrap_or_default(),
            description: op.description.clone().unwrap_or_default(),
            bearer,
            path_params,
            query_params,
            body,
            result,
            paged_item,
            error_statuses,
        })
    }

    /// The bearer token an operation takes instead of the client's credentials, when its
    /// `security` names none of the schemes most operations use (the account's token or key):
    /// the asset uploads of Direct Upload take the JWT that `upload-token` returns.
    fn own_bearer(&self, op: &'d OaOperation, at: &str) -> Result<Option<Param>, SpecError> {
        let Some(requirements) = &op.security else {
            return Ok(None);
        };
        if requirements.is_empty()
            || requirements
                .iter()
                .any(|r| r.keys().all(|scheme| self.account_schemes.contains(scheme)))
        {
            return Ok(None);
        }
        let [requirement] = requirements.as_slice() else {
            return Err(SpecError::new(
                at,
                "expected one security requirement when an operation does not take the account's credentials",
            ));
        };
        let mut schemes = requirement.keys();
        let (Some(scheme), None) = (schemes.next(), schemes.next()) else {
            return Err(SpecError::new(
                format!("{at}/0"),
                "expected a single bearer scheme when an operation does not take the account's credentials",
            ));
        };
        let definition = self
            .doc
            .components
            .as_ref()
            .and_then(|c| c.security_schemes.get(scheme))
            .and_then(ReferenceOr::as_item);
        let scheme_at = child("#/components/securitySchemes", scheme);
        match definition {
            Some(SecurityScheme::HTTP {
                scheme: http_scheme,
                description,
                ..
            }) if http_scheme.eq_ignore_ascii_case("bearer") => Ok(Some(Param {
                name: ident::param_name(scheme),
                wire: scheme.clone(),
                doc: description.clone().unwrap_or_else(|| {
                    format!("The bearer token of the `{scheme}` security scheme.")
                }),
                ty: TypeRef::String,
                required: true,
            })),
            Some(_) => Err(SpecError::new(
                scheme_at,
                "expected an http bearer scheme (the only kind an operation may take instead of the account's credentials)",
            )),
            None => Err(SpecError::new(
                child(&format!("{at}/0"), scheme),
                format!("expected `{scheme}` to name a member of #/components/securitySchemes"),
            )),
        }
    }

    fn request_body(
        &mut self,
        body: &'d ReferenceOr<RequestBody>,
        http_method: HttpMethod,
        hint: &str,
        taken: &mut BTreeSet<String>,
        at: &str,
    ) -> Result<Body, SpecError> {
        let body = self.component(body, "requestBodies", |c| &c.request_bodies, at)?;
        let content_at = child(at, "content");
        let usage = if http_method == HttpMethod::Patch {
            Usage::Patch
        } else {
            Usage::Request
        };
        let members = |fields: Vec<Field>, taken: &mut BTreeSet<String>| -> Vec<BodyField> {
            fields
                .into_iter()
                .map(|field| BodyField {
                    member: ident::unique(ident::member_name(&field.name), taken),
                    field,
                })
                .collect()
        };
        if let Some(media) = body.content.get("application/json") {
            let schema_at = child(&child(&content_at, "application/json"), "schema");
            let Some(schema) = &media.schema else {
                return Ok(Body::EmptyJson);
            };
            return Ok(
                match self.type_of(schema.into(), &schema_at, hint, usage)? {
                    None => Body::EmptyJson,
                    Some(TypeRef::Named(name)) => match self.named_struct_fields(&name) {
                        Some(fields) => Body::JsonStruct {
                            type_name: name,
                            fields: members(fields.to_vec(), taken),
                        },
                        None => Body::Json(TypeRef::Named(name)),
                    },
                    Some(other) => Body::Json(other),
                },
            );
        }
        if let Some(media) = body.content.get("multipart/form-data") {
            let media_at = child(&content_at, "multipart/form-data");
            let schema_at = child(&media_at, "schema");
            let Some(schema) = &media.schema else {
                return Ok(Body::Multipart {
                    fields: Vec::new(),
                    file_content_types: BTreeMap::new(),
                });
            };
            let view = self.view_of(schema.into(), &schema_at)?;
            let mut fields = Vec::new();
            let mut file_content_types = BTreeMap::new();
            for (wire, (prop, prop_at)) in &view.properties {
                let prop_view = self.view_of(*prop, prop_at)?;
                let ty = if prop_view.typ == Some("string") && prop_view.format == Some("binary") {
                    // The first type a part may have is what it is sent as by default.
                    let content_type = media
                        .encoding
                        .get(*wire)
                        .and_then(|e| e.content_type.as_deref())
                        .and_then(|c| c.split(',').next())
                        .map(str::trim)
                        .unwrap_or("application/octet-stream");
                    file_content_types.insert(wire.to_string(), content_type.to_string());
                    TypeRef::File
                } else {
                    self.type_of(*prop, prop_at, &ident::type_name(wire), usage)?
                        .unwrap_or(TypeRef::String)
                };
                if !matches!(
                    ty,
                    TypeRef::String
                        | TypeRef::Integer
                        | TypeRef::Number
                        | TypeRef::Bool
                        | TypeRef::File
                        | TypeRef::Named(_)
                ) || matches!(&ty, TypeRef::Named(n) if self.named_struct_fields(n).is_some())
                {
                    return Err(SpecError::new(
                        prop_at.clone(),
                        "expected a form field that is text (string, number, boolean or enum) or a file (string, format binary)",
                    ));
                }
                fields.push(Field {
                    name: ident::field_name(wire),
                    wire: wire.to_string(),
                    doc: doc_of(&prop_view, &format!("The `{wire}` form field.")),
                    ty,
                    presence: if view.required.contains(wire) {
                        Presence::Required
                    } else {
                        Presence::Optional
                    },
                    sensitive: false,
                });
            }
            return Ok(Body::Multipart {
                fields: members(fields, taken),
                file_content_types,
            });
        }
        let found: Vec<&str> = body.content.keys().map(String::as_str).collect();
        Err(SpecError::new(
            content_at,
            format!("expected application/json or multipart/form-data content, found {found:?}"),
        ))
    }
}

/// `page` and `per_page` integer query parameters: the operation pages.
fn is_paged(query: &[Param]) -> bool {
    let integer = |wire: &str| {
        query
            .iter()
            .any(|p| p.wire == wire && p.ty == TypeRef::Integer)
    };
    integer("page") && integer("per_page")
}

/// The security schemes most operations use: the ones the client's own credentials answer.
pub(super) fn account_schemes(doc: &openapiv3::OpenAPI) -> BTreeSet<String> {
    let mut uses: BTreeMap<&str, usize> = BTreeMap::new();
    for item in doc.paths.paths.values().filter_map(ReferenceOr::as_item) {
        for (_, op) in item.iter() {
            let requirements = op.security.as_ref().or(doc.security.as_ref());
            for scheme in requirements.into_iter().flatten().flat_map(|r| r.keys()) {
                *uses.entry(scheme).or_default() += 1;
            }
        }
    }
    let most = uses.values().copied().max().unwrap_or(0);
    uses.into_iter()
        .filter(|(_, n)| *n == most)
        .map(|(scheme, _)| scheme.to_string())
        .collect()
}

/// How a path relates to its resource: the collection itself, one item, or an action below.
#[derive(Debug, PartialEq)]
pub(super) enum PathShape {
    Collection,
    Item,
    Action(String),
}

/// Static segments that some path follows with a parameter: `projects` in `/projects/{name}`.
pub(super) fn collection_segments<'a>(paths: impl Iterator<Item = &'a str>) -> BTreeSet<String> {
    let mut collections = BTreeSet::new();
    for path in paths {
        let segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
        for pair in segments.windows(2) {
            if !pair[0].starts_with('{') && pair[1].starts_with('{') {
                collections.insert(pair[0].to_string());
            }
        }
    }
    collections
}

/// The resource of a path is its last collection segment; what follows decides the shape. A
/// path below no collection (`/pages/assets/upload`) is an action (`upload`) of the segment
/// before it (`assets`).
pub(super) fn resource_of(path: &str, collections: &BTreeSet<String>) -> (String, PathShape) {
    let segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    let Some(index) = segments.iter().rposition(|s| collections.contains(*s)) else {
        let words: Vec<&str> = segments
            .iter()
            .copied()
            .filter(|s| !s.starts_with('{'))
            .collect();
        return match words.as_slice() {
            [] => ("api".to_string(), PathShape::Collection),
            [only] => (ident::field_name(only), PathShape::Collection),
            [.., resource, action] => (
                ident::field_name(resource),
                PathShape::Action(ident::field_name(action)),
            ),
        };
    };
    let resource = ident::field_name(segments[index]);
    let rest: Vec<&str> = segments[index + 1..].to_vec();
    let shape = match rest.as_slice() {
        [] => PathShape::Collection,
        [param] if param.starts_with('{') => PathShape::Item,
        _ => {
            let action = rest
                .iter()
                .rev()
                .find(|s| !s.starts_with('{'))
                .copied()
                .unwrap_or("item");
            PathShape::Action(ident::field_name(action))
        }
    };
    (resource, shape)
}

fn method_name(method: HttpMethod, shape: &PathShape) -> String {
    let name = match (shape, method) {
        (PathShape::Collection, HttpMethod::Get) => "list",
        (PathShape::Collection, HttpMethod::Post) => "create",
        (PathShape::Collection, HttpMethod::Put) => "replace_all",
        (PathShape::Collection, HttpMethod::Patch) => "update_all",
        (PathShape::Collection, HttpMethod::Delete) => "delete_all",
        (PathShape::Item, HttpMethod::Get) => "get",
        (PathShape::Item, HttpMethod::Post) => "post",
        (PathShape::Item, HttpMethod::Put) => "replace",
        (PathShape::Item, HttpMethod::Patch) => "update",
        (PathShape::Item, HttpMethod::Delete) => "delete",
        (PathShape::Action(action), _) => return action.clone(),
    };
    name.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resources_and_method_names_follow_the_path_structure() {
        let paths = [
            "/accounts/{a}/pages/projects",
            "/accounts/{a}/pages/projects/{p}",
            "/accounts/{a}/pages/projects/{p}/deployments",
            "/accounts/{a}/pages/projects/{p}/deployments/{d}",
            "/accounts/{a}/pages/projects/{p}/deployments/{d}/history/logs",
            "/accounts/{a}/pages/projects/{p}/purge_build_cache",
            "/pages/assets/check-missing",
        ];
        let collections = collection_segments(paths.iter().copied());
        let shapes: Vec<_> = paths.iter().map(|p| resource_of(p, &collections)).collect();
        assert_eq!(shapes[0], ("projects".into(), PathShape::Collection));
        assert_eq!(shapes[1], ("projects".into(), PathShape::Item));
        assert_eq!(shapes[2], ("deployments".into(), PathShape::Collection));
        assert_eq!(shapes[3], ("deployments".into(), PathShape::Item));
        assert_eq!(
            shapes[4],
            ("deployments".into(), PathShape::Action("logs".into()))
        );
        assert_eq!(
            shapes[5],
            (
                "projects".into(),
                PathShape::Action("purge_build_cache".into())
            )
        );
        assert_eq!(
            shapes[6],
            ("assets".into(), PathShape::Action("check_missing".into()))
        );
        assert_eq!(method_name(HttpMethod::Get, &PathShape::Collection), "list");
        assert_eq!(method_name(HttpMethod::Patch, &PathShape::Item), "update");
    }
}
