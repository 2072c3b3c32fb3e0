//! The client: configuration, sending, retries, decoding.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use pages_api_types::{ApiFailure, Envelope};
use reqwest::header::{ACCEPT, HeaderMap, HeaderName, HeaderValue, USER_AGENT};
use reqwest::{StatusCode, Url};
use serde::de::DeserializeOwned;
use tokio::time::Instant;
use tracing::Instrument as _;
use tracing::field::Empty;

use super::auth::{Auth, AuthScheme};
use super::builder::{ClientBuilder, configure_tls};
use super::call::{Call, RequestUrl};
use super::error::{Error, excerpt};
use super::limits::{Admission, read_body};
use super::observe::{ResponseInfo, ResponseObserver};
use super::redirect::{self, RefusedRedirect};
use super::request::ApiRequest;
use super::retry::{RetryPolicy, retry_after, retryable_status};

/// Cloudflare's request id, quoted in errors.
const CF_RAY: HeaderName = HeaderName::from_static("cf-ray");

/// A Cloudflare Pages API client. Cheap to clone (the state is shared behind an `Arc`).
///
/// Build one with [`Client::builder`] or [`Client::from_env`]. `Debug` never shows the
/// credentials.
#[derive(Clone)]
pub struct Client {
    pub(super) inner: Arc<Inner>,
}

/// The configuration [`ClientBuilder::build`] checked.
pub(super) struct Inner {
    pub(super) http: reqwest::Client,
    /// Without a trailing slash.
    pub(super) base_url: String,
    /// `base_url` parsed once: a request's URL is a clone with the path and query set, so the
    /// scheme and host (IDNA processing included) are not parsed again on every call.
    pub(super) base: Url,
    pub(super) auth: Auth,
    /// Added header by header: cloning `HeaderValue`s is a reference count, a `HeaderMap` an
    /// allocation per request.
    pub(super) auth_headers: Vec<(HeaderName, HeaderValue)>,
    pub(super) user_agent: HeaderValue,
    /// Per attempt.
    pub(super) timeout: Duration,
    /// Per call.
    pub(super) deadline: Duration,
    /// Requests in flight and the rate limit, shared by every clone.
    pub(super) admission: Admission,
    /// The most bytes of a response body read.
    pub(super) body_limit: usize,
    pub(super) retry: RetryPolicy,
    pub(super) on_response: Option<ResponseObserver>,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("base_url", &self.inner.base_url)
            .field("auth", &self.inner.auth)
            .field("timeout", &self.inner.timeout)
            .field("deadline", &self.inner.deadline)
            .field("admission", &self.inner.admission)
            .field("body_limit", &self.inner.body_limit)
            .field("retry", &self.inner.retry)
            .field("on_response", &self.inner.on_response.is_some())
            .finish_non_exhaustive()
    }
}

/// What one attempt produced.
enum Attempt {
    Response {
        status: StatusCode,
        /// Kept whole (a move, no copy): `cf-ray` is read only if an error needs it.
        headers: HeaderMap,
        /// Read only for statuses that are retried.
        retry_after: Option<Duration>,
        body: Bytes,
    },
    Timeout,
    Transport(reqwest::Error),
    /// A failure that another attempt would repeat (a refused redirect, a body over the limit);
    /// never retried.
    Refused(Error),
}

/// Why an attempt is retried, for the log.
impl fmt::Display for Attempt {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Attempt::Response { status, .. } => write!(f, "HTTP {}", status.as_u16()),
            Attempt::Timeout => f.write_str("timeout"),
            Attempt::Transport(e) => write!(f, "transport error: {e}"),
            Attempt::Refused(e) => write!(f, "{e}"),
        }
    }
}

/// The last attempt's response, not yet decoded: what [`Client::send_raw`] hands to the
/// generic decoding.
struct RawResponse {
    operation: &'static str,
    status: StatusCode,
    headers: HeaderMap,
    body: Bytes,
    /// The credentials the request carried.
    auth: AuthScheme,
    /// The call's span, entered again for decoding (as when decoding was part of sending).
    span: tracing::Span,
}

/// What [`Client::send_raw`] returns: boxed, so that every operation's future holds a pointer
/// to the sending state rather than the state itself (one allocation per call instead of
/// copying ~2 KB of future through every `async` layer of the generated builders).
type SendRaw<'a> = Pin<Box<dyn Future<Output = Result<RawResponse, Error>> + Send + 'a>>;

impl Client {
    /// Starts configuring a client.
    pub fn builder() -> ClientBuilder {
        ClientBuilder::default()
    }

    /// A client configured from the environment, as wrangler reads it: `CLOUDFLARE_API_TOKEN`,
    /// else `CLOUDFLARE_EMAIL` together with `CLOUDFLARE_API_KEY`; `CLOUDFLARE_API_BASE_URL`
    /// overrides the base URL when set. The error names every variable it looked for.
    pub fn from_env() -> Result<Client, Error> {
        ClientBuilder::from_env()?.build()
    }

    /// Like [`from_env`](Self::from_env), reading variables through `lookup`.
    ///
    /// ```
    /// use pages_api_client::Client;
    ///
    /// let err = Client::from_env_with(|_| None).unwrap_err();
    /// assert!(err.to_string().contains("CLOUDFLARE_API_TOKEN"));
    /// ```
    pub fn from_env_with(lookup: impl Fn(&str) -> Option<String>) -> Result<Client, Error> {
        ClientBuilder::from_env_with(lookup)?.build()
    }

    /// A `reqwest` client builder with this crate's TLS set-up (by default rustls with the
    /// *ring* provider and the platform's roots; see the crate's features) and
    /// [redirect policy](Self::redirect_policy), to customise and hand to
    /// [`ClientBuilder::http_client`].
    pub fn http_client_builder() -> Result<reqwest::ClientBuilder, Error> {
        Ok(configure_tls(reqwest::Client::builder())?.redirect(Self::redirect_policy()))
    }

    /// The redirect policy of the HTTP client this crate builds: a redirect to another origin
    /// (scheme, host and port) than the request's is refused ([`Error::CrossOriginRedirect`]),
    /// so the credentials and the body never leave the API's origin; same-origin redirects are
    /// followed, five at most ([`Error::TooManyRedirects`]). Set it on a `reqwest` client you
    /// build yourself: reqwest's default follows redirects anywhere with `X-Auth-Key` attached.
    pub fn redirect_policy() -> reqwest::redirect::Policy {
        redirect::policy()
    }

    /// The API root requests go to (without a trailing slash).
    pub fn base_url(&self) -> &str {
        &self.inner.base_url
    }

    /// Which kind of credential the client sends.
    pub fn auth_scheme(&self) -> AuthScheme {
        self.inner.auth.scheme()
    }

    /// The retry policy.
    pub fn retry_policy(&self) -> &RetryPolicy {
        &self.inner.retry
    }

    /// The per-attempt timeout.
    pub fn timeout(&self) -> Duration {
        self.inner.timeout
    }

    /// The limit for a whole call.
    pub fn deadline(&self) -> Duration {
        self.inner.deadline
    }

    /// Sends `req` (retrying per the [`RetryPolicy`]) and decodes the envelope.
    ///
    /// A 2xx response decodes as `Envelope<T>`; `success: false` in it is an [`Error::Api`].
    /// Any other status decodes leniently as [`ApiFailure`] into an [`Error::Api`]. A body that
    /// does not decode is an [`Error::Decode`]. A `204 No Content` yields an empty envelope.
    pub async fn execute<T: DeserializeOwned>(
        &self,
        req: ApiRequest,
    ) -> Result<Envelope<T>, Error> {
        // Only the decoding is generic: sending, retrying and tracing are compiled once.
        let raw = self.send_raw(req).await?;
        let _entered = raw.span.enter();
        Self::decode(raw.operation, raw.status, &raw.headers, &raw.body, raw.auth)
    }

    /// Like [`execute`](Self::execute), returning the `result` itself; `"result": null` is an
    /// [`Error::MissingResult`].
    pub async fn execute_result<T: DeserializeOwned>(&self, req: ApiRequest) -> Result<T, Error> {
        let operation = req.operation_id();
        self.execute::<T>(req)
            .await?
            .result
            .ok_or(Error::MissingResult { operation })
    }

    /// Sends `req` with retries inside its tracing span and returns the last attempt's
    /// response undecoded (or the transport error or timeout that ended the call).
    fn send_raw(&self, req: ApiRequest) -> SendRaw<'_> {
        Box::pin(async move {
            let span = tracing::info_span!(
                "pages_api.request",
                operation = req.operation_id(),
                method = %req.method(),
                path = req.path_template(),
                attempt = Empty,
                status = Empty,
            );
            // Without a subscriber the span is disabled; polling through `Instrumented` would
            // only add a layer to every request.
            if span.is_disabled() {
                self.send_in_span(req, span).await
            } else {
                self.send_in_span(req, span.clone()).instrument(span).await
            }
        })
    }

    /// The request's URL, built once per call (every attempt sends a clone).
    fn url(&self, req: &ApiRequest) -> Result<RequestUrl, Error> {
        let base = &self.inner.base;
        let template = req.path_template();
        if template.contains(['?', '#']) {
            let mut text = String::with_capacity(self.inner.base_url.len() + template.len() + 64);
            text.push_str(&self.inner.base_url);
            req.write_path_and_query(&mut text)?;
            return Ok(RequestUrl::Text(text));
        }
        // The base's own path ("" for none), then the request's: one buffer.
        let base_path = base.path().trim_end_matches('/');
        let mut path = String::with_capacity(base_path.len() + template.len() + 64);
        path.push_str(base_path);
        req.write_path_and_query(&mut path)?;
        let mut url = base.clone();
        match path.split_once('?') {
            Some((path, query)) => {
                url.set_path(path);
                url.set_query(Some(query));
            }
            None => url.set_path(&path),
        }
        Ok(RequestUrl::Parsed(url))
    }

    async fn send_in_span(
        &self,
        req: ApiRequest,
        span: tracing::Span,
    ) -> Result<RawResponse, Error> {
        // The cheap checks first: files are read only for a request that can be sent.
        let url = self.url(&req)?;
        let mut call = Call::new(&self.inner, &req, url)?;
        call.body = req.body().prepare(req.operation_id()).await?;
        let operation = call.operation;
        let policy = &*call.policy;
        let may_repeat = policy.may_repeat(req.method());
        let max_attempts = policy.attempts();

        let started = Instant::now();
        // A deadline too far to represent is no deadline: a century is as good.
        let deadline_at = started
            .checked_add(call.deadline)
            .unwrap_or_else(|| started + Duration::from_secs(100 * 365 * 24 * 3600));
        let deadline_exceeded = |attempts| Error::DeadlineExceeded {
            operation,
            deadline: call.deadline,
            attempts,
            elapsed: started.elapsed(),
        };

        let mut attempt: u32 = 0;
        loop {
            let Some(permit) = self.inner.admission.admit(deadline_at).await else {
                return Err(deadline_exceeded(attempt));
            };
            attempt += 1;
            span.record("attempt", attempt);
            // The last attempt before the deadline gets only the time that is left.
            let left = deadline_at.saturating_duration_since(Instant::now());
            let cut_short = left < call.timeout;
            let outcome = self
                .attempt(&req, &call, attempt, call.timeout.min(left))
                .await;
            drop(permit);
            if cut_short && matches!(outcome, Attempt::Timeout) {
                return Err(deadline_exceeded(attempt));
            }
            let last = attempt >= max_attempts;

            // Decide whether to go again.
            let (retry, hint) = match &outcome {
                Attempt::Response {
                    status,
                    retry_after,
                    ..
                } => {
                    span.record("status", status.as_u16());
                    (
                        may_repeat && retryable_status(status.as_u16()),
                        *retry_after,
                    )
                }
                Attempt::Timeout => (may_repeat, None),
                Attempt::Transport(e) => ((may_repeat || e.is_connect()) && !e.is_builder(), None),
                Attempt::Refused(_) => (false, None),
            };
            if retry && !last {
                let wait = policy.backoff(attempt, hint);
                // A retry that could not start before the deadline is not waited for: the last
                // outcome says more than "deadline exceeded" would.
                if Instant::now() + wait < deadline_at {
                    tracing::debug!(
                        attempt,
                        wait_ms = u64::try_from(wait.as_millis()).unwrap_or(u64::MAX),
                        reason = %outcome,
                        "pages API request failed; retrying"
                    );
                    tokio::time::sleep(wait).await;
                    continue;
                }
            }

            return match outcome {
                Attempt::Timeout => Err(Error::Timeout {
                    operation,
                    after: call.timeout,
                }),
                Attempt::Transport(source) => Err(Error::Transport { operation, source }),
                Attempt::Refused(error) => Err(error),
                Attempt::Response {
                    status,
                    headers,
                    body,
                    ..
                } => Ok(RawResponse {
                    operation,
                    status,
                    headers,
                    body,
                    auth: call.auth,
                    span,
                }),
            };
        }
    }

    /// One attempt: send, show the head to the observer, read the whole body, all within the
    /// per-attempt timeout.
    async fn attempt(
        &self,
        req: &ApiRequest,
        call: &Call<'_>,
        attempt: u32,
        timeout: Duration,
    ) -> Attempt {
        let inner = &*self.inner;
        let builder = match &call.url {
            RequestUrl::Parsed(url) => inner.http.request(req.method().clone(), url.clone()),
            RequestUrl::Text(text) => inner.http.request(req.method().clone(), text.as_str()),
        };
        let mut builder = builder
            // reqwest's own timeout covers connecting, sending and reading the whole body.
            .timeout(timeout)
            .header(ACCEPT, HeaderValue::from_static("application/json"))
            .header(USER_AGENT, inner.user_agent.clone());
        if let Some(headers) = call.headers {
            // Replaces the defaults above; credential headers were refused by `Call::new`.
            builder = builder.headers(headers.clone());
        }
        for (name, value) in call.credentials.iter() {
            builder = builder.header(name, value.clone());
        }
        let builder = call.body.attach(builder);

        let exchange = async move {
            let mut response = builder.send().await?;
            let status = response.status();
            let headers = response.headers();
            if let Some(observer) = &inner.on_response {
                observer.notify(&ResponseInfo {
                    operation: req.operation_id(),
                    method: req.method(),
                    path_template: req.path_template(),
                    status: status.as_u16(),
                    headers,
                    attempt,
                });
            }
            let retry_after = if retryable_status(status.as_u16()) {
                retry_after(headers)
            } else {
                None
            };
            let headers = std::mem::take(response.headers_mut());
            let Some(body) = read_body(&mut response, inner.body_limit).await? else {
                return Ok(Attempt::Refused(Error::BodyTooLarge {
                    operation: req.operation_id(),
                    status: status.as_u16(),
                    limit: inner.body_limit,
                }));
            };
            Ok::<_, reqwest::Error>(Attempt::Response {
                status,
                headers,
                retry_after,
                body,
            })
        };
        match exchange.await {
            Err(e) if e.is_timeout() => Attempt::Timeout,
            Err(e) => match RefusedRedirect::find(&e) {
                Some(refused) => Attempt::Refused(refused.to_error(req.operation_id())),
                None => Attempt::Transport(e),
            },
            Ok(response) => response,
        }
    }

    fn decode<T: DeserializeOwned>(
        operation: &'static str,
        status: StatusCode,
        headers: &HeaderMap,
        body: &[u8],
        auth: AuthScheme,
    ) -> Result<Envelope<T>, Error> {
        let ray_id = || {
            headers
                .get(CF_RAY)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned)
        };
        let decode_error = |source, ray_id| Error::Decode {
            status: status.as_u16(),
            operation,
            body_excerpt: excerpt(body),
            ray_id,
            source,
        };
        let api_error = |errors, messages, ray_id| Error::Api {
            status: status.as_u16(),
            errors,
            messages,
            ray_id,
            operation,
            auth,
        };

        if status.is_success() {
            if status == StatusCode::NO_CONTENT && body.is_empty() {
                return Ok(Envelope::default());
            }
            // The fast path is `serde_json::from_slice`; only a body that does not decode
            // as is goes the lenient way (see `lenient.rs`).
            match super::lenient::decode_success::<T>(body) {
                Ok(envelope) if envelope.success => Ok(envelope),
                Ok(envelope) => Err(api_error(envelope.errors, envelope.messages, ray_id())),
                Err(source) => Err(decode_error(source, ray_id())),
            }
        } else {
            match serde_json::from_slice::<ApiFailure>(body) {
                Ok(failure) => Err(api_error(failure.errors, failure.messages, ray_id())),
                Err(source) => Err(decode_error(source, ray_id())),
            }
        }
    }
}

/// Decodes a response as [`Client::execute`] does, without sending anything: for tests, mocks
/// and recorded responses. `operation` in errors is `"decode_envelope"`.
///
/// A 2xx body decodes as `Envelope<T>` (`success: false` is an [`Error::Api`]); a field that
/// does not fit `T` is dropped and listed in [`Envelope::dropped`] rather than failing the call
/// (a body that fits decodes as is, `dropped` empty). Other statuses are [`Error::Api`] (or
/// [`Error::Decode`] without Cloudflare's failure envelope).
///
/// ```
/// use pages_api_client::{Envelope, decode_envelope};
///
/// #[derive(Debug, serde::Deserialize)]
/// struct Item { name: String }
///
/// let body = br#"{"success":true,"result":[{"name":"a"},{"name":7},{"name":"c"}]}"#;
/// let envelope: Envelope<Vec<Item>> = decode_envelope(200, body).unwrap();
/// assert_eq!(envelope.result.unwrap().len(), 2);
/// assert_eq!(envelope.dropped[0].path, "result[1]");
/// ```
pub fn decode_envelope<T: DeserializeOwned>(
    status: u16,
    body: &[u8],
) -> Result<Envelope<T>, Error> {
    let status = StatusCode::from_u16(status)
        .map_err(|_| Error::Config(format!("{status} is not an HTTP status")))?;
    Client::decode(
        "decode_envelope",
        status,
        &HeaderMap::new(),
        body,
        AuthScheme::ApiToken,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::Method;

    /// The URL built from the parsed base is the URL of the written-out text.
    #[test]
    fn urls_match_the_text_form() {
        let bases = [
            "https://api.cloudflare.com/client/v4",
            "https://api.cloudflare.com/client/v4/",
            "http://127.0.0.1:8080",
            "http://[::1]:9/",
            "https://xn--bcher-kva.example/api",
            "https://bücher.example/api",
        ];
        let values = [
            "plain",
            "my project/ü?#%",
            "%2e%2e",
            "a b\\c",
            "..x",
            "Ω~._-",
        ];
        for base in bases {
            let client = Client::builder()
                .api_token("t")
                .base_url(base)
                .build()
                .unwrap();
            for (template, value) in ["/accounts/{a}/pages/{b}//x", "//evil.example/{a}/{b}"]
                .into_iter()
                .flat_map(|t| values.map(|v| (t, v)))
            {
                for query in [None, Some("pre view&x=1/é")] {
                    let req = ApiRequest::new(Method::GET, template, "op")
                        .path_param("a", value)
                        .path_param("b", "b")
                        .query("env", query)
                        .query("n", Some(3));
                    let text = format!("{}{}", client.base_url(), req.path_and_query().unwrap());
                    let expected = Url::parse(&text).unwrap();
                    match client.url(&req).unwrap() {
                        RequestUrl::Parsed(url) => assert_eq!(url, expected, "{text}"),
                        RequestUrl::Text(_) => panic!("{text} should be built from the base"),
                    }
                }
            }
            // A template with `?` or `#` is left to reqwest, as written.
            let req = ApiRequest::new(Method::GET, "/x?y=1#z", "op");
            assert!(
                matches!(client.url(&req).unwrap(), RequestUrl::Text(t) if t.ends_with("/x?y=1#z"))
            );
            // Errors of the request come first.
            let req = ApiRequest::new(Method::GET, "/x/{missing}", "op");
            assert!(matches!(client.url(&req), Err(Error::MissingField { .. })));
        }
    }
}
