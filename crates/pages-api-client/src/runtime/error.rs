//! The one error type of the client.

use std::fmt;
use std::time::Duration;

use pages_api_types::ApiMessage;

use super::auth::AuthScheme;
use super::retry;

/// Cloudflare error codes that mean "these credentials may not do this".
const AUTH_CODES: [i64; 4] = [9106, 9107, 9109, 10000];

/// Everything that can go wrong calling the API. Messages never contain a token or key.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The API answered with an error: a non-2xx status, or a 2xx envelope with
    /// `success: false`.
    #[error(fmt = fmt_api)]
    Api {
        /// The HTTP status.
        status: u16,
        /// The envelope's `errors` (may be empty when the body had none).
        errors: Vec<ApiMessage>,
        /// The envelope's `messages`.
        messages: Vec<ApiMessage>,
        /// The `cf-ray` response header: quote it to Cloudflare support.
        ray_id: Option<String>,
        /// The operation id (for example `pages-project-get-project`).
        operation: &'static str,
        /// Which kind of credential the request carried.
        auth: AuthScheme,
    },
    /// The response body could not be decoded: an HTML error page from the edge, an error
    /// status without Cloudflare's error envelope, truncated or empty JSON, or a shape this
    /// client does not know. The JSON error is the [`source`](std::error::Error::source).
    #[error(fmt = fmt_decode)]
    Decode {
        /// The HTTP status.
        status: u16,
        /// The operation id.
        operation: &'static str,
        /// The first ~512 characters of the body.
        body_excerpt: String,
        /// The `cf-ray` response header.
        ray_id: Option<String>,
        /// The JSON error.
        source: serde_json::Error,
    },
    /// The request could not be sent or its response not read (DNS, connection, TLS, ...); the
    /// reason is the [`source`](std::error::Error::source).
    #[error(
        "{operation}: could not reach the Cloudflare API; check the network, any proxy, and the \
         base URL"
    )]
    Transport {
        /// The operation id.
        operation: &'static str,
        /// The underlying error.
        source: reqwest::Error,
    },
    /// The last attempt took longer than the per-attempt timeout (earlier ones were retried,
    /// if the policy allowed).
    #[error(
        "{operation}: no complete response within {after:?}; retry later or raise the limit \
         with ClientBuilder::timeout or RequestOptions::timeout"
    )]
    Timeout {
        /// The operation id.
        operation: &'static str,
        /// The per-attempt timeout that elapsed.
        after: Duration,
    },
    /// The API answered with a redirect to another origin (scheme, host and port of the base
    /// URL); it was not followed, so the credentials and the body never left the API's origin.
    /// Not retried.
    #[error(
        "{operation}: the API redirected (HTTP {status}) to another origin, {location}; not \
         followed, so the credentials were not sent there: check the base URL"
    )]
    CrossOriginRedirect {
        /// The operation id.
        operation: &'static str,
        /// The redirect's status (301, 302, 303, 307 or 308).
        status: u16,
        /// The `Location` it pointed to.
        location: String,
    },
    /// Same-origin redirects went on past the limit, most likely a loop. Not retried.
    #[error(
        "{operation}: more than {limit} redirects, the last to {location} (a redirect loop?); \
         check the base URL"
    )]
    TooManyRedirects {
        /// The operation id.
        operation: &'static str,
        /// The `Location` of the redirect that was not followed.
        location: String,
        /// How many redirects one attempt follows.
        limit: usize,
    },
    /// The call's deadline passed (every attempt, backoff and wait for capacity included).
    #[error(
        "{operation}: no response within the deadline of {deadline:?}: {attempts} {} in \
         {elapsed:?}; retry later, or raise the limit with ClientBuilder::deadline or \
         RequestOptions::deadline",
        if *attempts == 1 { "attempt" } else { "attempts" }
    )]
    DeadlineExceeded {
        /// The operation id.
        operation: &'static str,
        /// The deadline that passed.
        deadline: Duration,
        /// How many attempts were started.
        attempts: u32,
        /// How long the call took.
        elapsed: Duration,
    },
    /// The response body was larger than
    /// [`ClientBuilder::response_body_limit`](crate::ClientBuilder::response_body_limit); reading
    /// stopped at the limit. Not retried.
    #[error(
        "{operation}: the HTTP {status} response body is larger than the limit of {limit} \
         bytes; raise it with ClientBuilder::response_body_limit if such a body is expected"
    )]
    BodyTooLarge {
        /// The operation id.
        operation: &'static str,
        /// The HTTP status of the response.
        status: u16,
        /// The limit in bytes.
        limit: usize,
    },
    /// A required request field or parameter was not set; raised before any request is made.
    #[error("{operation}: the required field `{field}` was not set; set it before sending")]
    MissingField {
        /// The operation id.
        operation: &'static str,
        /// The field's name.
        field: &'static str,
    },
    /// A path parameter's value cannot name a resource (empty, `.` or `..`); raised before any
    /// request is made.
    #[error(
        "{operation}: the path parameter `{param}` cannot be {value:?}; pass the resource's \
         real name or id"
    )]
    InvalidPathParam {
        /// The operation id.
        operation: &'static str,
        /// The parameter's name.
        param: String,
        /// The rejected value.
        value: String,
    },
    /// The request cannot be sent as built (an empty or malformed bearer token, a
    /// [`RequestOptions`](crate::RequestOptions) header that only the credentials may set, a
    /// zero timeout, ...); raised before any request is made.
    #[error("{operation}: {reason}")]
    InvalidRequest {
        /// The operation id.
        operation: &'static str,
        /// What is wrong, and what to do about it.
        reason: String,
    },
    /// A file part named by path ([`FilePart::path`](crate::FilePart::path)) could not be
    /// read; raised before any request is made.
    #[error("{operation}: could not read {} for the multipart part `{part}`", path.display())]
    File {
        /// The operation id.
        operation: &'static str,
        /// The part's name.
        part: &'static str,
        /// The file that could not be read.
        path: std::path::PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// A successful response had `"result": null` where a value was expected.
    #[error(
        "{operation}: the API reported success but returned no result; use send_envelope() to \
         inspect the whole response"
    )]
    MissingResult {
        /// The operation id.
        operation: &'static str,
    },
    /// The client is misconfigured (builder or environment).
    #[error("client configuration: {0}")]
    Config(String),
    /// A request body could not be serialized to JSON; the reason is the
    /// [`source`](std::error::Error::source).
    #[error("could not encode the request body as JSON")]
    Encode(#[source] serde_json::Error),
    /// Deploying a directory ([`Client::deploy_directory`](crate::Client::deploy_directory))
    /// failed before or between API calls: the directory, a file, the upload token.
    #[cfg(feature = "deploy")]
    #[error(transparent)]
    Upload(#[from] super::upload_error::UploadError),
}

impl Error {
    /// The `errors` Cloudflare sent with an [`Error::Api`] (`[{code, message}]`; empty for
    /// other kinds).
    pub fn api_errors(&self) -> &[ApiMessage] {
        match self {
            Error::Api { errors, .. } => errors,
            _ => &[],
        }
    }

    /// Whether an [`Error::Api`] carries the Cloudflare error `code`.
    pub fn has_code(&self, code: i64) -> bool {
        self.api_errors().iter().any(|e| e.code == code)
    }

    /// The Cloudflare error codes of an [`Error::Api`] (empty for other kinds).
    pub fn codes(&self) -> Vec<i64> {
        match self {
            Error::Api { errors, .. } => errors.iter().map(|e| e.code).collect(),
            _ => Vec::new(),
        }
    }

    /// The HTTP status, when a response was received.
    pub fn status(&self) -> Option<u16> {
        match self {
            Error::Api { status, .. }
            | Error::Decode { status, .. }
            | Error::BodyTooLarge { status, .. } => Some(*status),
            _ => None,
        }
    }

    /// The `cf-ray` id of the response, when there was one.
    pub fn ray_id(&self) -> Option<&str> {
        match self {
            Error::Api { ray_id, .. } | Error::Decode { ray_id, .. } => ray_id.as_deref(),
            _ => None,
        }
    }

    /// The operation that failed, when the error belongs to one.
    pub fn operation(&self) -> Option<&'static str> {
        match self {
            Error::Api { operation, .. }
            | Error::Decode { operation, .. }
            | Error::Transport { operation, .. }
            | Error::Timeout { operation, .. }
            | Error::DeadlineExceeded { operation, .. }
            | Error::BodyTooLarge { operation, .. }
            | Error::CrossOriginRedirect { operation, .. }
            | Error::TooManyRedirects { operation, .. }
            | Error::MissingField { operation, .. }
            | Error::InvalidPathParam { operation, .. }
            | Error::InvalidRequest { operation, .. }
            | Error::File { operation, .. }
            | Error::MissingResult { operation } => Some(operation),
            Error::Config(_) | Error::Encode(_) => None,
            #[cfg(feature = "deploy")]
            Error::Upload(_) => None,
        }
    }

    /// `true` for an API error with HTTP 404 (the resource does not exist).
    pub fn is_not_found(&self) -> bool {
        matches!(self, Error::Api { status: 404, .. })
    }

    /// `true` for an API error about the credentials: HTTP 401/403 or Cloudflare codes
    /// 9106, 9107, 9109, 10000.
    pub fn is_auth(&self) -> bool {
        match self {
            Error::Api { status, errors, .. } => is_auth_failure(*status, errors),
            _ => false,
        }
    }

    /// `true` for errors that a later retry might not hit (rate limits, server errors,
    /// timeouts, transport failures).
    pub fn is_transient(&self) -> bool {
        match self {
            Error::Api { status, .. } | Error::Decode { status, .. } => {
                retry::retryable_status(*status)
            }
            Error::Timeout { .. } | Error::DeadlineExceeded { .. } | Error::Transport { .. } => {
                true
            }
            _ => false,
        }
    }
}

fn is_auth_failure(status: u16, errors: &[ApiMessage]) -> bool {
    matches!(status, 401 | 403) || errors.iter().any(|e| AUTH_CODES.contains(&e.code))
}

fn ray_suffix(ray_id: Option<&str>) -> String {
    ray_id.map(|r| format!(" (cf-ray {r})")).unwrap_or_default()
}

fn excerpt_display(excerpt: &str) -> String {
    if excerpt.trim().is_empty() {
        "<empty body>".to_owned()
    } else {
        format!("{excerpt:?}")
    }
}

/// Whether a body is markup (an error page of the edge or a proxy) rather than JSON.
fn is_html(body: &str) -> bool {
    body.trim_start().starts_with('<')
}

fn fmt_decode(
    status: &u16,
    operation: &&'static str,
    body_excerpt: &str,
    ray_id: &Option<String>,
    _source: &serde_json::Error,
    f: &mut fmt::Formatter<'_>,
) -> fmt::Result {
    let status = *status;
    let ray = ray_suffix(ray_id.as_deref());
    let body = excerpt_display(body_excerpt);
    if is_html(body_excerpt) {
        write!(
            f,
            "{operation}: Cloudflare's edge returned HTTP {status}{ray} with an HTML page, not \
             the API's JSON; it starts: {body}"
        )?;
        f.write_str(if retry::retryable_status(status) {
            "; a Cloudflare-side or network problem: retry later"
        } else {
            "; check the base URL and any proxy in between"
        })
    } else if !(200..300).contains(&status) {
        write!(
            f,
            "{operation}: the API answered HTTP {status}{ray} without Cloudflare's error \
             envelope; body starts: {body}"
        )?;
        f.write_str(status_hint(status))
    } else {
        write!(
            f,
            "{operation}: could not decode the HTTP {status} response{ray}; body starts: \
             {body}; if this persists, the API may have changed: report it with the body"
        )
    }
}

fn fmt_api(
    status: &u16,
    errors: &[ApiMessage],
    messages: &[ApiMessage],
    ray_id: &Option<String>,
    operation: &&'static str,
    auth: &AuthScheme,
    f: &mut fmt::Formatter<'_>,
) -> fmt::Result {
    let status = *status;
    if is_auth_failure(status, errors) {
        write!(
            f,
            "{operation}: Cloudflare rejected the credentials (HTTP {status}"
        )?;
    } else {
        write!(f, "{operation}: the API answered HTTP {status}")?;
    }
    let list = if errors.is_empty() { messages } else { errors };
    for (i, m) in list.iter().enumerate() {
        f.write_str(if i == 0 { ": " } else { "; " })?;
        write!(f, "{m}")?;
    }
    if is_auth_failure(status, errors) {
        f.write_str(")")?;
    }
    if let Some(ray) = ray_id {
        write!(f, " [cf-ray {ray}]")?;
    }
    if is_auth_failure(status, errors) {
        match auth {
            AuthScheme::ApiKey => write!(
                f,
                "; the request used {auth}: check that CLOUDFLARE_EMAIL is the account's \
                 e-mail address and CLOUDFLARE_API_KEY its current global API key, or switch \
                 to an API token"
            ),
            AuthScheme::RequestToken => write!(
                f,
                "; the request used {auth}: check that it is current (an upload token from \
                 `upload-token` expires after a few minutes: fetch a new one)"
            ),
            AuthScheme::ApiToken => write!(
                f,
                "; the request used {auth}: check that the token is active, not expired or \
                 IP-restricted, and has the \"Cloudflare Pages\" permission (Read, or Edit for \
                 changes) on this account"
            ),
        }
    } else {
        f.write_str(status_hint(status))
    }
}

/// What an error status (beyond authentication) suggests doing, as a `; ...` suffix.
fn status_hint(status: u16) -> &'static str {
    match status {
        404 => "; check the account id and the project/deployment names",
        429 => "; rate limited: wait a while before retrying",
        400 | 409 | 422 => "; fix the request as the errors describe",
        s if s >= 500 => "; a Cloudflare-side problem: retry later",
        _ => "",
    }
}

/// The first ~512 characters of a body, cut at a character boundary.
pub(crate) fn excerpt(body: &[u8]) -> String {
    const MAX: usize = 512;
    let text = String::from_utf8_lossy(&body[..body.len().min(MAX * 4)]);
    match text.char_indices().nth(MAX) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text.into_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn excerpt_is_char_boundary_safe() {
        let body = "ü".repeat(600);
        let e = excerpt(body.as_bytes());
        assert_eq!(e.chars().count(), 513);
        assert!(e.ends_with('…'));
        assert_eq!(excerpt(b""), "");
        // A multi-byte char split by the byte cap becomes a replacement char, never a panic.
        let body = "€".repeat(2000);
        assert!(excerpt(body.as_bytes()).chars().count() <= 513);
    }

    #[test]
    fn api_display_mentions_credential_kind() {
        let e = Error::Api {
            status: 403,
            errors: vec![ApiMessage::new(10000, "Authentication error")],
            messages: vec![],
            ray_id: Some("abc-LHR".into()),
            operation: "op",
            auth: AuthScheme::ApiToken,
        };
        let s = e.to_string();
        assert!(s.contains("API token"), "{s}");
        assert!(s.contains("abc-LHR"), "{s}");
        assert!(s.contains("Authentication error (code 10000)"), "{s}");
        assert!(e.is_auth());
        assert_eq!(e.codes(), vec![10000]);
    }
}
