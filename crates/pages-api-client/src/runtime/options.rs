//! Per-request options: what one call does differently from the client's defaults.

use std::fmt;
use std::time::Duration;

use reqwest::header::{HeaderMap, HeaderName, HeaderValue};

use super::retry::RetryPolicy;

/// Settings for one call that override the [`Client`](crate::Client)'s, as the request options
/// of Cloudflare's SDKs do; attach them with [`ApiRequest::options`](crate::ApiRequest::options).
///
/// ```
/// use std::time::Duration;
/// use pages_api_client::{ApiRequest, Method, RequestOptions};
/// use pages_api_client::reqwest::header::{HeaderName, HeaderValue};
///
/// let options = RequestOptions::new()
///     .timeout(Duration::from_secs(120))
///     .max_attempts(1)
///     .header(HeaderName::from_static("x-trace"), HeaderValue::from_static("abc"));
/// let req = ApiRequest::new(Method::GET, "/accounts/{id}/pages/projects", "op").options(options);
/// # let _ = req;
/// ```
#[derive(Clone, Default, PartialEq, Eq)]
#[must_use]
pub struct RequestOptions {
    pub(crate) timeout: Option<Duration>,
    pub(crate) deadline: Option<Duration>,
    pub(crate) retry: Option<RetryPolicy>,
    pub(crate) max_attempts: Option<u32>,
    pub(crate) headers: HeaderMap,
}

impl RequestOptions {
    /// No overrides: the client's settings.
    pub fn new() -> Self {
        Self::default()
    }

    /// The limit for each attempt of this call, instead of
    /// [`ClientBuilder::timeout`](crate::ClientBuilder::timeout).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// The limit for the whole call, every attempt and wait included, instead of
    /// [`ClientBuilder::deadline`](crate::ClientBuilder::deadline).
    pub fn deadline(mut self, deadline: Duration) -> Self {
        self.deadline = Some(deadline);
        self
    }

    /// Retries this call by `policy` instead of the client's
    /// [`RetryPolicy`](crate::ClientBuilder::retry_policy).
    pub fn retry_policy(mut self, policy: RetryPolicy) -> Self {
        self.retry = Some(policy);
        self
    }

    /// At most `attempts` attempts (the first included) for this call, with the rest of the
    /// retry policy unchanged; `1` disables retries.
    pub fn max_attempts(mut self, attempts: u32) -> Self {
        self.max_attempts = Some(attempts);
        self
    }

    /// Sends the header `name: value` as well, replacing a default of the same name
    /// (`Accept`, `User-Agent`). Credentials cannot be set this way: a call with
    /// `Authorization`, `X-Auth-Email` or `X-Auth-Key` here fails with
    /// [`Error::InvalidRequest`](crate::Error::InvalidRequest) (use
    /// [`ApiRequest::bearer_auth`](crate::ApiRequest::bearer_auth) for a token of its own).
    pub fn header(mut self, name: HeaderName, value: HeaderValue) -> Self {
        self.headers.append(name, value);
        self
    }

    /// The retry policy of a call whose client retries by `client_policy`.
    pub(crate) fn retry_policy_over(&self, client_policy: &RetryPolicy) -> RetryPolicy {
        let mut policy = self.retry.as_ref().unwrap_or(client_policy).clone();
        if let Some(attempts) = self.max_attempts {
            policy.max_attempts = attempts;
        }
        policy
    }
}

impl fmt::Debug for RequestOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Header values may be secrets of the caller's; only their names are shown.
        let names: Vec<&str> = self.headers.keys().map(HeaderName::as_str).collect();
        f.debug_struct("RequestOptions")
            .field("timeout", &self.timeout)
            .field("deadline", &self.deadline)
            .field("retry", &self.retry)
            .field("max_attempts", &self.max_attempts)
            .field("headers", &names)
            .finish()
    }
}
