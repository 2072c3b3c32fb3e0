//! Request bodies: JSON, or a `multipart/form-data` form of text fields and file parts, kept in
//! a form that every attempt can send again.

use std::fmt;
use std::path::PathBuf;

use bytes::Bytes;
use reqwest::header::{CONTENT_TYPE, HeaderMap, HeaderValue};
use reqwest::multipart::{Form, Part};

use super::error::Error;

/// The boundary of a `multipart/form-data` body without fields (nothing in it can collide).
macro_rules! empty_form_boundary {
    () => {
        "pages-api-client-empty-form"
    };
}

/// The body of a request as built.
#[derive(Clone, Default)]
pub(crate) enum Body {
    #[default]
    None,
    /// Serialized once; `Bytes` makes each attempt's copy free.
    Json(Bytes),
    Multipart(Vec<FormField>),
}

/// One part of a `multipart/form-data` body.
#[derive(Clone)]
pub(crate) enum FormField {
    Text {
        name: &'static str,
        value: Bytes,
    },
    File {
        name: &'static str,
        file: FilePart,
        /// Sent when the part names no content type of its own.
        default_content_type: &'static str,
    },
}

impl Body {
    /// What [`ApiRequest`](crate::ApiRequest)'s `Debug` shows: the kind and size, never the
    /// content (bodies may hold secrets such as environment variables).
    pub(crate) fn summary(&self) -> String {
        match self {
            Body::None => "none".to_owned(),
            Body::Json(b) => format!("json ({} bytes)", b.len()),
            Body::Multipart(f) => format!("multipart ({} fields)", f.len()),
        }
    }

    /// The body as sent, once per call: files named by path are read now, so that every
    /// attempt sends the same bytes.
    pub(crate) async fn prepare(&self, operation: &'static str) -> Result<PreparedBody, Error> {
        let fields = match self {
            Body::None => return Ok(PreparedBody::None),
            Body::Json(bytes) => return Ok(PreparedBody::Json(bytes.clone())),
            Body::Multipart(fields) => fields,
        };
        let mut parts = Vec::with_capacity(fields.len());
        for field in fields {
            parts.push(match field {
                FormField::Text { name, value } => PreparedPart {
                    name,
                    data: value.clone(),
                    file: None,
                },
                FormField::File {
                    name,
                    file,
                    default_content_type,
                } => file.prepare(operation, name, default_content_type).await?,
            });
        }
        Ok(PreparedBody::Form(parts))
    }
}

/// A body ready to be attached to each attempt.
pub(crate) enum PreparedBody {
    None,
    Json(Bytes),
    Form(Vec<PreparedPart>),
}

pub(crate) struct PreparedPart {
    name: &'static str,
    data: Bytes,
    /// The file name and content type of a file part.
    file: Option<(String, HeaderValue)>,
}

impl PreparedBody {
    /// Attaches the body to one attempt's request.
    pub(crate) fn attach(&self, builder: reqwest::RequestBuilder) -> reqwest::RequestBuilder {
        match self {
            PreparedBody::None => builder,
            PreparedBody::Json(bytes) => builder
                .header(CONTENT_TYPE, "application/json")
                .body(bytes.clone()),
            // reqwest sends a form without parts as zero bytes, which is no multipart body at all
            // (Prism: "Body parameter is required"); the close delimiter alone is an empty form.
            PreparedBody::Form(parts) if parts.is_empty() => builder
                .header(
                    CONTENT_TYPE,
                    concat!("multipart/form-data; boundary=", empty_form_boundary!()),
                )
                .body(Bytes::from_static(
                    concat!("--", empty_form_boundary!(), "--\r\n").as_bytes(),
                )),
            PreparedBody::Form(parts) => {
                builder.multipart(parts.iter().fold(Form::new(), |form, part| {
                    // A stream of known length: the `Bytes` are shared, not copied, and the form
                    // still has a Content-Length.
                    let length = u64::try_from(part.data.len()).unwrap_or(u64::MAX);
                    let mut sent =
                        Part::stream_with_length(reqwest::Body::from(part.data.clone()), length);
                    if let Some((file_name, content_type)) = &part.file {
                        let mut headers = HeaderMap::new();
                        headers.insert(CONTENT_TYPE, content_type.clone());
                        sent = sent.file_name(file_name.clone()).headers(headers);
                    }
                    form.part(part.name, sent)
                }))
            }
        }
    }
}

/// The content of a file part of a `multipart/form-data` body, from memory or from a file, with
/// an optional file name and content type.
///
/// A file named by [`path`](Self::path) is read when the request is sent (once per call: a
/// retry sends the same bytes); if it cannot be read, the call fails with [`Error::File`]
/// naming the path.
///
/// ```
/// use pages_api_client::FilePart;
///
/// let inline = FilePart::bytes(b"/* ... */ export default {}".to_vec())
///     .file_name("_worker.js")
///     .content_type("application/javascript+module");
/// let from_disk = FilePart::path("dist/_headers");
/// let from_string: FilePart = String::from("/api/* /api/:splat 200").into();
/// # let _ = (inline, from_disk, from_string);
/// ```
#[derive(Clone)]
#[must_use]
pub struct FilePart {
    source: FileSource,
    file_name: Option<String>,
    content_type: Option<String>,
}

#[derive(Clone)]
enum FileSource {
    Bytes(Bytes),
    Path(PathBuf),
}

impl FilePart {
    /// A part with these bytes.
    pub fn bytes(data: impl Into<Bytes>) -> Self {
        Self::from_source(FileSource::Bytes(data.into()))
    }

    /// A part with the content of the file at `path`, read when the request is sent.
    pub fn path(path: impl Into<PathBuf>) -> Self {
        Self::from_source(FileSource::Path(path.into()))
    }

    fn from_source(source: FileSource) -> Self {
        Self {
            source,
            file_name: None,
            content_type: None,
        }
    }

    /// The `filename` the part is sent with (default: the part's name).
    pub fn file_name(mut self, file_name: impl Into<String>) -> Self {
        self.file_name = Some(file_name.into());
        self
    }

    /// The part's `Content-Type` (default: the one the operation declares).
    pub fn content_type(mut self, content_type: impl Into<String>) -> Self {
        self.content_type = Some(content_type.into());
        self
    }

    async fn prepare(
        &self,
        operation: &'static str,
        name: &'static str,
        default_content_type: &'static str,
    ) -> Result<PreparedPart, Error> {
        let content_type = self.content_type.as_deref().unwrap_or(default_content_type);
        let content_type =
            HeaderValue::from_str(content_type).map_err(|_| Error::InvalidRequest {
                operation,
                reason: format!(
                    "the content type {content_type:?} of the multipart part `{name}` is not a \
                     valid header value"
                ),
            })?;
        let data = match &self.source {
            FileSource::Bytes(bytes) => bytes.clone(),
            // What `tokio::fs::read` does, without the `fs` feature's module to compile.
            FileSource::Path(path) => tokio::task::spawn_blocking({
                let path = path.clone();
                move || std::fs::read(path)
            })
            .await
            .unwrap_or_else(|join| Err(std::io::Error::other(join)))
            .map_err(|source| Error::File {
                operation,
                part: name,
                path: path.clone(),
                source,
            })?
            .into(),
        };
        let file_name = self.file_name.as_deref().unwrap_or(name).to_owned();
        Ok(PreparedPart {
            name,
            data,
            file: Some((file_name, content_type)),
        })
    }
}

impl fmt::Debug for FilePart {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The content may be secret; its size or path says enough.
        let mut out = f.debug_struct("FilePart");
        match &self.source {
            FileSource::Bytes(bytes) => out.field("bytes", &bytes.len()),
            FileSource::Path(path) => out.field("path", path),
        };
        out.field("file_name", &self.file_name)
            .field("content_type", &self.content_type)
            .finish()
    }
}

impl From<Bytes> for FilePart {
    fn from(data: Bytes) -> Self {
        Self::bytes(data)
    }
}

impl From<Vec<u8>> for FilePart {
    fn from(data: Vec<u8>) -> Self {
        Self::bytes(data)
    }
}

impl From<&'static [u8]> for FilePart {
    fn from(data: &'static [u8]) -> Self {
        Self::bytes(data)
    }
}

impl From<String> for FilePart {
    fn from(text: String) -> Self {
        Self::bytes(text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sent(body: &Body) -> reqwest::Request {
        let prepared = futures_util::FutureExt::now_or_never(body.prepare("op"))
            .expect("no file to read")
            .unwrap();
        let http = crate::Client::http_client_builder()
            .unwrap()
            .build()
            .unwrap();
        prepared
            .attach(http.post("http://127.0.0.1:9/deploy"))
            .build()
            .unwrap()
    }

    #[test]
    fn multipart_without_fields_is_an_empty_form() {
        let sent = sent(&Body::Multipart(Vec::new()));
        assert_eq!(
            sent.headers()[CONTENT_TYPE],
            "multipart/form-data; boundary=pages-api-client-empty-form"
        );
        assert_eq!(
            sent.body().and_then(reqwest::Body::as_bytes),
            Some(&b"--pages-api-client-empty-form--\r\n"[..])
        );
    }

    #[test]
    fn a_bad_content_type_is_an_invalid_request() {
        let body = Body::Multipart(vec![FormField::File {
            name: "manifest",
            file: FilePart::bytes(&b"{}"[..]).content_type("text/plain\n"),
            default_content_type: "application/json",
        }]);
        let err = futures_util::FutureExt::now_or_never(body.prepare("op"))
            .unwrap()
            .err()
            .unwrap();
        assert!(
            matches!(&err, Error::InvalidRequest { reason, .. } if reason.contains("manifest")),
            "{err:?}"
        );
    }
}
