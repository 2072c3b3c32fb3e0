//! What one call sends on every attempt, worked out (and checked) once before the first.

use std::borrow::Cow;
use std::time::Duration;

use reqwest::Url;
use reqwest::header::{AUTHORIZATION, HeaderMap, HeaderName, HeaderValue};

use super::auth::{AuthScheme, bearer_header, is_credential_header};
use super::body::PreparedBody;
use super::client::Inner;
use super::error::Error;
use super::request::ApiRequest;
use super::retry::RetryPolicy;

/// The URL of one request.
pub(super) enum RequestUrl {
    /// The client's parsed base URL with this request's path and query set.
    Parsed(Url),
    /// Text for `reqwest` to parse (a hand-made request whose path template holds `?` or `#`),
    /// exactly as it would be written out.
    Text(String),
}

/// One call's settings: the client's, with the request's own token and options applied.
pub(super) struct Call<'c> {
    pub(super) operation: &'static str,
    pub(super) url: RequestUrl,
    /// The request's own bearer token, else the client's credentials.
    pub(super) credentials: Cow<'c, [(HeaderName, HeaderValue)]>,
    /// Which of the two, for authentication errors.
    pub(super) auth: AuthScheme,
    /// Extra headers of the request's options.
    pub(super) headers: Option<&'c HeaderMap>,
    /// Per attempt.
    pub(super) timeout: Duration,
    /// For the whole call.
    pub(super) deadline: Duration,
    pub(super) policy: Cow<'c, RetryPolicy>,
    pub(super) body: PreparedBody,
}

impl<'c> Call<'c> {
    pub(super) fn new(
        inner: &'c Inner,
        req: &'c ApiRequest,
        url: RequestUrl,
    ) -> Result<Self, Error> {
        let operation = req.operation_id();
        let invalid = |reason: String| Error::InvalidRequest { operation, reason };
        let (credentials, auth) = match req.bearer_token() {
            None => (Cow::Borrowed(&inner.auth_headers[..]), inner.auth.scheme()),
            Some(token) => {
                let value = bearer_header(token)
                    .map_err(|why| invalid(format!("the request's bearer token {why}")))?;
                (
                    Cow::Owned(vec![(AUTHORIZATION, value)]),
                    AuthScheme::RequestToken,
                )
            }
        };
        let mut call = Call {
            operation,
            url,
            credentials,
            auth,
            headers: None,
            timeout: inner.timeout,
            deadline: inner.deadline,
            policy: Cow::Borrowed(&inner.retry),
            // Prepared (files read) once the request has passed the checks here.
            body: PreparedBody::None,
        };
        let Some(options) = req.request_options() else {
            return Ok(call);
        };
        if let Some(name) = options
            .headers
            .keys()
            .find(|name| is_credential_header(name))
        {
            return Err(invalid(format!(
                "RequestOptions::header cannot set `{name}`: credentials come from the client, \
                 or from ApiRequest::bearer_auth for a token of this request's own"
            )));
        }
        if [options.timeout, options.deadline]
            .iter()
            .flatten()
            .any(Duration::is_zero)
        {
            return Err(invalid(
                "the RequestOptions timeout and deadline must be greater than zero".into(),
            ));
        }
        if !options.headers.is_empty() {
            call.headers = Some(&options.headers);
        }
        call.timeout = options.timeout.unwrap_or(inner.timeout);
        call.deadline = options.deadline.unwrap_or(inner.deadline);
        if options.retry.is_some() || options.max_attempts.is_some() {
            call.policy = Cow::Owned(options.retry_policy_over(&inner.retry));
        }
        Ok(call)
    }
}
