//! Request bodies: JSON, or a `multipart/form-data` form of text fields and file parts, kept in
//! a form that every attempt can send again.

use std::fmt;
use std::path::PathBuf;

use bytes::{BufMut, Bytes, BytesMut};
use reqwest::header::{CONTENT_TYPE, HeaderValue};

use super::error::Error;
use super::retry::random_u64;

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
        Ok(multipart_form(&parts))
    }
}

/// A body ready to be attached to each attempt.
pub(crate) enum PreparedBody {
    None,
    Json(Bytes),
    /// A whole `multipart/form-data` body and its `Content-Type` (which names the boundary).
    Form {
        content_type: HeaderValue,
        body: Bytes,
    },
}

struct PreparedPart {
    name: &'static str,
    data: Bytes,
    /// The file name and content type of a file part.
    file: Option<(String, HeaderValue)>,
}

/// The `multipart/form-data` body of these parts (RFC 7578), written once per call so that every
/// attempt sends the same bytes with a `Content-Length`. Written here rather than by reqwest's
/// `multipart` module, which with `mime_guess`, `mime` and `unicase` was about 1.8 s of a user's
/// clean build (docs/benchmarks.md). The parts are copied into one buffer, so a call holds its
/// form twice while it runs: the parts and the body.
fn multipart_form(parts: &[PreparedPart]) -> PreparedBody {
    // 128 random bits: no part can contain the boundary but by chance.
    let boundary = format!("{:016x}{:016x}", random_u64(), random_u64());
    // An upper bound of the body's length (a quoted name can triple; the close delimiter is the
    // boundary and 6 bytes), so the buffer never grows: growing would copy the whole body.
    let framed = |part: &PreparedPart| {
        let (file_name, content_type) = part
            .file
            .as_ref()
            .map_or((0, 0), |(name, ty)| (name.len(), ty.len()));
        PART_FRAMING + boundary.len() + 3 * (part.name.len() + file_name) + content_type
    };
    let capacity = parts
        .iter()
        .map(|p| framed(p) + p.data.len())
        .sum::<usize>()
        + boundary.len()
        + 6;
    let mut body = BytesMut::with_capacity(capacity);
    for part in parts {
        body.put_slice(b"--");
        body.put_slice(boundary.as_bytes());
        body.put_slice(b"\r\nContent-Disposition: form-data; name=\"");
        put_quoted(&mut body, part.name);
        body.put_slice(b"\"");
        if let Some((file_name, content_type)) = &part.file {
            body.put_slice(b"; filename=\"");
            put_quoted(&mut body, file_name);
            body.put_slice(b"\"\r\nContent-Type: ");
            body.put_slice(content_type.as_bytes());
        }
        body.put_slice(b"\r\n\r\n");
        body.put_slice(&part.data);
        body.put_slice(b"\r\n");
    }
    // A form without parts is the close delimiter alone, as browsers send an empty `FormData`
    // (no body at all would not be a form: Prism answers "Body parameter is required").
    body.put_slice(b"--");
    body.put_slice(boundary.as_bytes());
    body.put_slice(b"--\r\n");
    debug_assert!(body.len() <= capacity, "the length bound is short");
    let content_type = HeaderValue::from_str(&format!("multipart/form-data; boundary={boundary}"))
        .expect("a hex boundary is a valid header value");
    PreparedBody::Form {
        content_type,
        body: body.freeze(),
    }
}

/// The fixed bytes around a part: delimiter line, `Content-Disposition` with `name` and
/// `filename`, `Content-Type`, the blank line and the CRLF after the data.
const PART_FRAMING: usize =
    "--\r\nContent-Disposition: form-data; name=\"\"; filename=\"\"\r\nContent-Type: \r\n\r\n\r\n"
        .len();

/// A name inside a quoted `Content-Disposition` parameter: `"`, CR and LF percent-encoded, as
/// browsers encode them (the HTML standard's form-data encoding); everything else as is.
fn put_quoted(body: &mut BytesMut, text: &str) {
    for byte in text.bytes() {
        match byte {
            b'"' => body.put_slice(b"%22"),
            b'\r' => body.put_slice(b"%0D"),
            b'\n' => body.put_slice(b"%0A"),
            other => body.put_u8(other),
        }
    }
}

impl PreparedBody {
    /// Attaches the body to one attempt's request.
    pub(crate) fn attach(&self, builder: reqwest::RequestBuilder) -> reqwest::RequestBuilder {
        match self {
            PreparedBody::None => builder,
            PreparedBody::Json(bytes) => builder
                .header(CONTENT_TYPE, "application/json")
                .body(bytes.clone()),
            PreparedBody::Form { content_type, body } => builder
                .header(CONTENT_TYPE, content_type.clone())
                .body(body.clone()),
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

    /// The boundary a sent form's `Content-Type` names, and the body as text.
    fn form(body: &Body) -> (String, String) {
        let sent = sent(body);
        let content_type = sent.headers()[CONTENT_TYPE].to_str().unwrap();
        let boundary = content_type
            .strip_prefix("multipart/form-data; boundary=")
            .unwrap_or_else(|| panic!("not a form: {content_type}"))
            .to_owned();
        let bytes = sent.body().and_then(reqwest::Body::as_bytes).unwrap();
        (boundary, String::from_utf8(bytes.to_vec()).unwrap())
    }

    #[test]
    fn multipart_without_fields_is_an_empty_form() {
        let (boundary, body) = form(&Body::Multipart(Vec::new()));
        assert_eq!(body, format!("--{boundary}--\r\n"));
    }

    #[test]
    fn a_form_is_written_part_by_part_with_a_fresh_boundary() {
        let fields = vec![
            FormField::Text {
                name: "branch",
                value: Bytes::from_static(b"main"),
            },
            FormField::File {
                name: "_worker.js",
                file: FilePart::bytes(&b"export default {}"[..]).file_name("a \"b\"\r\n.js"),
                default_content_type: "application/javascript+module",
            },
            FormField::File {
                name: "manifest",
                file: FilePart::bytes(&b"{}"[..]).content_type("application/json"),
                default_content_type: "text/plain",
            },
        ];
        let (boundary, body) = form(&Body::Multipart(fields.clone()));
        assert_eq!(boundary.len(), 32, "{boundary}");
        assert_eq!(
            body,
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"branch\"\r\n\r\nmain\r\n\
                 --{boundary}\r\nContent-Disposition: form-data; name=\"_worker.js\"; \
                 filename=\"a %22b%22%0D%0A.js\"\r\nContent-Type: application/javascript+module\r\n\r\n\
                 export default {{}}\r\n\
                 --{boundary}\r\nContent-Disposition: form-data; name=\"manifest\"; \
                 filename=\"manifest\"\r\nContent-Type: application/json\r\n\r\n{{}}\r\n\
                 --{boundary}--\r\n"
            )
        );
        let (another, _) = form(&Body::Multipart(fields));
        assert_ne!(boundary, another, "each call draws its own boundary");
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
