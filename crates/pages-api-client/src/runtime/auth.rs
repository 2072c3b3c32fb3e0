//! Credentials and how they are sent.

use std::fmt;

use reqwest::header::{AUTHORIZATION, HeaderMap, HeaderName, HeaderValue};

use super::error::Error;

/// The global API key's headers (the key and its account's e-mail address).
const X_AUTH_EMAIL: HeaderName = HeaderName::from_static("x-auth-email");
const X_AUTH_KEY: HeaderName = HeaderName::from_static("x-auth-key");

/// The environment variable holding an API token.
pub const ENV_API_TOKEN: &str = "CLOUDFLARE_API_TOKEN";
/// The environment variable holding the account e-mail of a global API key.
pub const ENV_EMAIL: &str = "CLOUDFLARE_EMAIL";
/// The environment variable holding a global API key.
pub const ENV_API_KEY: &str = "CLOUDFLARE_API_KEY";
/// The environment variable that overrides the API base URL.
pub const ENV_BASE_URL: &str = "CLOUDFLARE_API_BASE_URL";

/// How requests authenticate. `Debug` never shows the secret.
///
/// ```
/// use pages_api_client::Auth;
///
/// let auth = Auth::api_token("s3cr3t");
/// assert_eq!(format!("{auth:?}"), "ApiToken(<redacted>)");
/// ```
#[derive(Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Auth {
    /// An API token, sent as `Authorization: Bearer <token>` (recommended).
    ApiToken(String),
    /// The legacy global API key, sent as `X-Auth-Email` and `X-Auth-Key`.
    ApiKey {
        /// The e-mail address of the Cloudflare account.
        email: String,
        /// The global API key.
        key: String,
    },
}

impl Auth {
    /// An API token.
    pub fn api_token(token: impl Into<String>) -> Self {
        Auth::ApiToken(token.into())
    }

    /// A global API key and the account's e-mail address.
    pub fn api_key(email: impl Into<String>, key: impl Into<String>) -> Self {
        Auth::ApiKey {
            email: email.into(),
            key: key.into(),
        }
    }

    /// Which kind of credential this is (safe to show).
    pub fn scheme(&self) -> AuthScheme {
        match self {
            Auth::ApiToken(_) => AuthScheme::ApiToken,
            Auth::ApiKey { .. } => AuthScheme::ApiKey,
        }
    }

    /// The headers that carry this credential, marked sensitive.
    pub(crate) fn headers(&self) -> Result<HeaderMap, Error> {
        let mut headers = HeaderMap::new();
        match self {
            Auth::ApiToken(token) => {
                let value = bearer_header(token)
                    .map_err(|why| Error::Config(format!("the API token {why}")))?;
                headers.insert(AUTHORIZATION, value);
            }
            Auth::ApiKey { email, key } => {
                if email.trim().is_empty() || key.trim().is_empty() {
                    return Err(Error::Config(
                        "the global API key and its e-mail address must both be non-empty".into(),
                    ));
                }
                let value = |name: &str, v: &str| {
                    sensitive_header(v).map_err(|why| Error::Config(format!("the {name} {why}")))
                };
                headers.insert(X_AUTH_EMAIL, value("e-mail address", email)?);
                headers.insert(X_AUTH_KEY, value("global API key", key)?);
            }
        }
        Ok(headers)
    }

    /// Reads credentials the way wrangler does: `CLOUDFLARE_API_TOKEN`, else
    /// `CLOUDFLARE_EMAIL` + `CLOUDFLARE_API_KEY`. Empty variables count as unset.
    pub(crate) fn from_lookup(lookup: &dyn Fn(&str) -> Option<String>) -> Result<Self, Error> {
        let get = |name: &str| lookup(name).filter(|v| !v.trim().is_empty());
        if let Some(token) = get(ENV_API_TOKEN) {
            return Ok(Auth::ApiToken(token));
        }
        match (get(ENV_EMAIL), get(ENV_API_KEY)) {
            (Some(email), Some(key)) => Ok(Auth::ApiKey { email, key }),
            (Some(_), None) => Err(Error::Config(format!(
                "{ENV_EMAIL} is set but {ENV_API_KEY} is not (looked for {ENV_API_TOKEN}, or \
                 {ENV_EMAIL} together with {ENV_API_KEY}): set {ENV_API_KEY} to the global API \
                 key, or set {ENV_API_TOKEN} instead"
            ))),
            (None, Some(_)) => Err(Error::Config(format!(
                "{ENV_API_KEY} is set but {ENV_EMAIL} is not (looked for {ENV_API_TOKEN}, or \
                 {ENV_EMAIL} together with {ENV_API_KEY}): set {ENV_EMAIL} to the account's \
                 e-mail address, or set {ENV_API_TOKEN} instead"
            ))),
            (None, None) => Err(Error::Config(format!(
                "no Cloudflare credentials in the environment: looked for {ENV_API_TOKEN}, or \
                 {ENV_EMAIL} together with {ENV_API_KEY}; create an API token with the \
                 \"Cloudflare Pages\" permission and export it as {ENV_API_TOKEN}"
            ))),
        }
    }
}

impl fmt::Debug for Auth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Auth::ApiToken(_) => f.write_str("ApiToken(<redacted>)"),
            Auth::ApiKey { email, .. } => f
                .debug_struct("ApiKey")
                .field("email", email)
                .field("key", &format_args!("<redacted>"))
                .finish(),
        }
    }
}

/// `Authorization: Bearer <token>`, marked sensitive; the error completes "the token ...".
pub(crate) fn bearer_header(token: &str) -> Result<HeaderValue, String> {
    if token.trim().is_empty() {
        return Err("is empty".into());
    }
    sensitive_header(&format!("Bearer {}", token.trim()))
}

/// A header value that `Debug` and HTTP/2 header compression treat as secret.
fn sensitive_header(value: &str) -> Result<HeaderValue, String> {
    let mut value = HeaderValue::from_str(value.trim()).map_err(|_| {
        "contains characters that cannot be sent in an HTTP header (a line break or other \
         control character?): copy it again"
            .to_owned()
    })?;
    value.set_sensitive(true);
    Ok(value)
}

/// Whether a header carries credentials: only the client (or
/// [`ApiRequest::bearer_auth`](crate::ApiRequest::bearer_auth)) sets those.
pub(crate) fn is_credential_header(name: &HeaderName) -> bool {
    [AUTHORIZATION, X_AUTH_EMAIL, X_AUTH_KEY].contains(name)
}

/// Which kind of credential a client uses; reported in authentication errors.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum AuthScheme {
    /// An API token (`Authorization: Bearer`).
    ApiToken,
    /// A global API key with its e-mail address (`X-Auth-Email` / `X-Auth-Key`).
    ApiKey,
    /// A bearer token of the request itself, not the client's
    /// ([`ApiRequest::bearer_auth`](crate::ApiRequest::bearer_auth), e.g. an upload JWT).
    RequestToken,
}

impl fmt::Display for AuthScheme {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            AuthScheme::ApiToken => "an API token (Authorization: Bearer)",
            AuthScheme::ApiKey => "a global API key with e-mail (X-Auth-Email / X-Auth-Key)",
            AuthScheme::RequestToken => "the request's own bearer token (Authorization: Bearer)",
        })
    }
}
