//! A description of one API call, rebuilt into a fresh HTTP request for every attempt.

use std::fmt::{self, Display};

use bytes::Bytes;
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use reqwest::Method;
use serde::Serialize;

use super::body::{Body, FilePart, FormField};
use super::error::Error;
use super::options::RequestOptions;

/// Everything but RFC 3986 "unreserved" (`A-Z a-z 0-9 - . _ ~`) is encoded: one path segment
/// (so `/`, `?`, `#`, `%`, spaces and non-ASCII are escaped) or one query name/value.
const COMPONENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// One API call: method, path template and its parameters, query and body.
///
/// Generated builders create these and hand them to [`Client::execute`](crate::Client::execute);
/// it can also be used directly for operations the generated surface does not cover.
///
/// ```
/// use pages_api_client::{ApiRequest, Method};
///
/// let req = ApiRequest::new(
///     Method::GET,
///     "/accounts/{account_id}/pages/projects/{project_name}",
///     "pages-project-get-project",
/// )
/// .path_param("account_id", "023e105f4ecef8ad9ca31a8372d0c353")
/// .path_param("project_name", "my project/ü")
/// .query("page", Some(2))
/// .query("per_page", None::<u32>);
/// assert_eq!(
///     req.path_and_query().unwrap(),
///     "/accounts/023e105f4ecef8ad9ca31a8372d0c353/pages/projects/my%20project%2F%C3%BC?page=2"
/// );
/// ```
#[derive(Clone)]
pub struct ApiRequest {
    method: Method,
    path_template: &'static str,
    operation_id: &'static str,
    /// `(name, already-encoded value)`.
    path_params: Vec<(String, String)>,
    /// Path parameter values that cannot be sent (`""`, `.`, `..`): `(name, value)`.
    invalid_param: Option<(String, String)>,
    /// `(name, value)`, not yet encoded.
    query: Vec<(&'static str, String)>,
    body: Body,
    /// Sent instead of the client's credentials.
    bearer_token: Option<String>,
    /// Boxed: most requests have none, and every request is moved through the builders.
    options: Option<Box<RequestOptions>>,
}

impl ApiRequest {
    /// A request for `operation_id` to `path_template` (`/accounts/{account_id}/...`, relative
    /// to the client's base URL).
    pub fn new(method: Method, path_template: &'static str, operation_id: &'static str) -> Self {
        Self {
            method,
            path_template,
            operation_id,
            path_params: Vec::new(),
            invalid_param: None,
            query: Vec::new(),
            body: Body::None,
            bearer_token: None,
            options: None,
        }
    }

    /// Fills the `{name}` placeholder of the path template with `value`, percent-encoded as a
    /// single path segment (`/`, `?`, `#`, `%`, spaces and non-ASCII are escaped).
    ///
    /// An empty value, `.` or `..` would address a different resource, so sending such a
    /// request fails with [`Error::InvalidPathParam`] instead.
    pub fn path_param(mut self, name: &str, value: impl AsRef<str>) -> Self {
        let value = value.as_ref();
        if matches!(value, "" | "." | "..") && self.invalid_param.is_none() {
            self.invalid_param = Some((name.to_owned(), value.to_owned()));
        }
        // `Cow` -> `String`: one exact allocation, and none of `Display`'s machinery.
        let encoded =
            std::borrow::Cow::<str>::from(utf8_percent_encode(value, COMPONENT)).into_owned();
        match self.path_params.iter_mut().find(|(n, _)| n == name) {
            Some(slot) => slot.1 = encoded,
            None => self.path_params.push((name.to_owned(), encoded)),
        }
        self
    }

    /// Adds `name=value` to the query string; `None` leaves it out.
    pub fn query(mut self, name: &'static str, value: Option<impl Display>) -> Self {
        if let Some(value) = value {
            self.query.push((name, value.to_string()));
        }
        self
    }

    /// Sets a JSON body, serialized once now.
    pub fn json_body<B: Serialize + ?Sized>(mut self, body: &B) -> Result<Self, Error> {
        let bytes = serde_json::to_vec(body).map_err(Error::Encode)?;
        self.body = Body::Json(Bytes::from(bytes));
        Ok(self)
    }

    /// Sets the JSON body `{}` (for operations that require a body but take no fields).
    pub fn empty_json_body(mut self) -> Self {
        self.body = Body::Json(Bytes::from_static(b"{}"));
        self
    }

    /// Adds a text field to a `multipart/form-data` body; `None` leaves the field out (the
    /// body is multipart from the first call on, even if every field is `None`: a form without
    /// fields is sent as the closing delimiter alone, as browsers send an empty `FormData`).
    pub fn multipart_text(mut self, name: &'static str, value: Option<impl Display>) -> Self {
        let fields = self.form_fields();
        if let Some(value) = value {
            fields.push(FormField::Text {
                name,
                value: Bytes::from(value.to_string()),
            });
        }
        self
    }

    /// Adds a file part to a `multipart/form-data` body (mixing with
    /// [`multipart_text`](Self::multipart_text) fields in the order of the calls); `None`
    /// leaves it out. The part is sent with a `filename` (the [`FilePart`]'s, else `name`) and
    /// a `Content-Type` (the [`FilePart`]'s, else `default_content_type`).
    pub fn multipart_file(
        mut self,
        name: &'static str,
        file: Option<FilePart>,
        default_content_type: &'static str,
    ) -> Self {
        let fields = self.form_fields();
        if let Some(file) = file {
            fields.push(FormField::File {
                name,
                file,
                default_content_type,
            });
        }
        self
    }

    /// The fields of the multipart body, which it becomes if it was not one.
    fn form_fields(&mut self) -> &mut Vec<FormField> {
        if !matches!(self.body, Body::Multipart(_)) {
            self.body = Body::Multipart(Vec::new());
        }
        match &mut self.body {
            Body::Multipart(fields) => fields,
            _ => unreachable!("just made multipart"),
        }
    }

    /// Authenticates this request with `Authorization: Bearer <token>` *instead of* the
    /// client's credentials (neither its API token nor `X-Auth-Email`/`X-Auth-Key` is sent).
    /// The Pages asset endpoints (`/pages/assets/*`) take such a token: the upload JWT that
    /// `upload-token` returns. `Debug` never shows it.
    pub fn bearer_auth(mut self, token: impl Into<String>) -> Self {
        self.bearer_token = Some(token.into());
        self
    }

    /// Overrides the client's timeout, retry policy or headers for this request; a later call
    /// replaces earlier options.
    pub fn options(mut self, options: RequestOptions) -> Self {
        self.options = Some(Box::new(options));
        self
    }

    /// The request's own bearer token, if it has one.
    pub(crate) fn bearer_token(&self) -> Option<&str> {
        self.bearer_token.as_deref()
    }

    /// The request's options, if any were set.
    pub(crate) fn request_options(&self) -> Option<&RequestOptions> {
        self.options.as_deref()
    }

    /// The HTTP method.
    pub fn method(&self) -> &Method {
        &self.method
    }

    /// The path template, with placeholders (what tracing records).
    pub fn path_template(&self) -> &'static str {
        self.path_template
    }

    /// The operation id.
    pub fn operation_id(&self) -> &'static str {
        self.operation_id
    }

    /// The filled path and the encoded query string, relative to the base URL.
    ///
    /// Fails with [`Error::MissingField`] when a placeholder was never filled and with
    /// [`Error::InvalidPathParam`] for an empty, `.` or `..` value.
    pub fn path_and_query(&self) -> Result<String, Error> {
        let mut out = String::with_capacity(self.path_template.len() + 64);
        self.write_path_and_query(&mut out)?;
        Ok(out)
    }

    /// Appends the filled path and the encoded query string to `out` (so the client builds
    /// the whole URL in one buffer); errors as [`path_and_query`](Self::path_and_query).
    pub(crate) fn write_path_and_query(&self, out: &mut String) -> Result<(), Error> {
        if let Some((param, value)) = &self.invalid_param {
            return Err(Error::InvalidPathParam {
                operation: self.operation_id,
                param: param.clone(),
                value: value.clone(),
            });
        }
        let mut rest = self.path_template;
        while let Some(open) = rest.find('{') {
            out.push_str(&rest[..open]);
            let after = &rest[open + 1..];
            let Some(close) = after.find('}') else {
                out.push_str(&rest[open..]);
                rest = "";
                break;
            };
            let name: &'static str = &after[..close];
            let value =
                self.path_params
                    .iter()
                    .find(|(n, _)| n == name)
                    .ok_or(Error::MissingField {
                        operation: self.operation_id,
                        field: name,
                    })?;
            out.push_str(&value.1);
            rest = &after[close + 1..];
        }
        out.push_str(rest);
        for (i, (name, value)) in self.query.iter().enumerate() {
            out.push(if i == 0 { '?' } else { '&' });
            out.extend(utf8_percent_encode(name, COMPONENT));
            out.push('=');
            out.extend(utf8_percent_encode(value, COMPONENT));
        }
        Ok(())
    }

    /// The body as built.
    pub(crate) fn body(&self) -> &Body {
        &self.body
    }
}

impl fmt::Debug for ApiRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ApiRequest")
            .field("method", &self.method)
            .field("path_template", &self.path_template)
            .field("operation_id", &self.operation_id)
            .field("path_params", &self.path_params)
            .field("query", &self.query)
            .field("body", &format_args!("{}", self.body.summary()))
            .field(
                "auth",
                &format_args!(
                    "{}",
                    match self.bearer_token {
                        Some(_) => "own bearer token (<redacted>)",
                        None => "the client's",
                    }
                ),
            )
            .field("options", &self.options)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fills_and_encodes() {
        let req = ApiRequest::new(Method::GET, "/a/{x}/b/{y}", "op")
            .path_param("y", "my project/ü?#%")
            .path_param("x", "A-z_0.9~");
        assert_eq!(
            req.path_and_query().unwrap(),
            "/a/A-z_0.9~/b/my%20project%2F%C3%BC%3F%23%25"
        );
    }

    #[test]
    fn missing_and_invalid_params() {
        let req = ApiRequest::new(Method::GET, "/a/{x}", "op");
        assert!(matches!(
            req.path_and_query(),
            Err(Error::MissingField { field: "x", .. })
        ));
        for bad in ["", ".", ".."] {
            let req = ApiRequest::new(Method::GET, "/a/{x}", "op").path_param("x", bad);
            assert!(matches!(
                req.path_and_query(),
                Err(Error::InvalidPathParam { .. })
            ));
        }
    }

    #[test]
    fn query_encoding() {
        let req = ApiRequest::new(Method::GET, "/a", "op")
            .query("env", Some("pre view&x=1"))
            .query("skip", None::<&str>)
            .query("n", Some(3));
        assert_eq!(
            req.path_and_query().unwrap(),
            "/a?env=pre%20view%26x%3D1&n=3"
        );
    }
}
