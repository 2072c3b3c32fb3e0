//! Configuring a client: credentials, base URL, limits, the HTTP client and its TLS set-up.

use std::fmt;
use std::sync::Arc;
#[cfg(feature = "rustls")]
use std::sync::Once;
use std::time::Duration;

use reqwest::Url;
use reqwest::header::HeaderValue;

use super::auth::{Auth, ENV_BASE_URL};
use super::client::{Client, Inner};
use super::error::Error;
use super::limits::{Admission, RateLimiter};
use super::observe::{ResponseInfo, ResponseObserver};
use super::retry::RetryPolicy;

/// The production API root.
pub const DEFAULT_BASE_URL: &str = "https://api.cloudflare.com/client/v4";
/// The per-attempt timeout unless [`ClientBuilder::timeout`] says otherwise.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);
/// The limit for a whole call, every attempt and wait included, unless
/// [`ClientBuilder::deadline`] says otherwise.
pub const DEFAULT_DEADLINE: Duration = Duration::from_secs(60);
/// How many requests one client has in flight at most unless
/// [`ClientBuilder::max_concurrent_requests`] says otherwise.
pub const DEFAULT_MAX_CONCURRENT_REQUESTS: usize = 16;
/// The largest response body read unless [`ClientBuilder::response_body_limit`] says otherwise:
/// 16 MiB.
pub const DEFAULT_RESPONSE_BODY_LIMIT: usize = 16 * 1024 * 1024;
const DEFAULT_USER_AGENT: &str = concat!("pages-api-client/", env!("CARGO_PKG_VERSION"));

/// Configures a [`Client`]. Credentials are required; everything else has a default.
///
/// ```no_run
/// use std::time::Duration;
/// use pages_api_client::{Client, RetryPolicy};
///
/// let client = Client::builder()
///     .api_token(std::env::var("CLOUDFLARE_API_TOKEN").unwrap())
///     .timeout(Duration::from_secs(10))
///     .retry_policy(RetryPolicy::default().with_max_attempts(5))
///     .build()?;
/// # Ok::<(), pages_api_client::Error>(())
/// ```
#[derive(Clone)]
#[must_use]
pub struct ClientBuilder {
    auth: Option<Auth>,
    base_url: String,
    timeout: Duration,
    deadline: Duration,
    max_concurrent_requests: usize,
    /// `(requests, per)`.
    rate_limit: Option<(u32, Duration)>,
    response_body_limit: usize,
    user_agent: String,
    retry: RetryPolicy,
    http: Option<reqwest::Client>,
    on_response: Option<ResponseObserver>,
}

impl fmt::Debug for ClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("auth", &self.auth)
            .field("base_url", &self.base_url)
            .field("timeout", &self.timeout)
            .field("deadline", &self.deadline)
            .field("max_concurrent_requests", &self.max_concurrent_requests)
            .field("rate_limit", &self.rate_limit)
            .field("response_body_limit", &self.response_body_limit)
            .field("user_agent", &self.user_agent)
            .field("retry", &self.retry)
            .field("custom_http_client", &self.http.is_some())
            .field("on_response", &self.on_response.is_some())
            .finish()
    }
}

impl Default for ClientBuilder {
    fn default() -> Self {
        #[cfg(feature = "rustls")]
        install_crypto_provider();
        Self {
            auth: None,
            base_url: DEFAULT_BASE_URL.to_owned(),
            timeout: DEFAULT_TIMEOUT,
            deadline: DEFAULT_DEADLINE,
            max_concurrent_requests: DEFAULT_MAX_CONCURRENT_REQUESTS,
            rate_limit: None,
            response_body_limit: DEFAULT_RESPONSE_BODY_LIMIT,
            user_agent: DEFAULT_USER_AGENT.to_owned(),
            retry: RetryPolicy::default(),
            http: None,
            on_response: None,
        }
    }
}

impl ClientBuilder {
    /// Credentials and base URL from the process environment; see [`Client::from_env`].
    pub fn from_env() -> Result<Self, Error> {
        Self::from_env_with(|name| std::env::var(name).ok())
    }

    /// Like [`from_env`](Self::from_env), reading variables through `lookup` (for tests, or
    /// configuration that lives elsewhere).
    pub fn from_env_with(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, Error> {
        let auth = Auth::from_lookup(&lookup)?;
        let mut builder = Self::default().auth(auth);
        if let Some(url) = lookup(ENV_BASE_URL).filter(|v| !v.trim().is_empty()) {
            builder = builder.base_url(url.trim());
        }
        Ok(builder)
    }

    /// Authenticate with an API token (`Authorization: Bearer`).
    pub fn api_token(self, token: impl Into<String>) -> Self {
        self.auth(Auth::api_token(token))
    }

    /// Authenticate with a global API key and the account's e-mail address.
    pub fn api_key(self, email: impl Into<String>, key: impl Into<String>) -> Self {
        self.auth(Auth::api_key(email, key))
    }

    /// Authenticate with `auth`.
    pub fn auth(mut self, auth: Auth) -> Self {
        self.auth = Some(auth);
        self
    }

    /// The API root (default `https://api.cloudflare.com/client/v4`; a trailing slash is
    /// fine). Operation paths are appended to it.
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = url.into();
        self
    }

    /// The limit for one attempt, from sending to the last byte of the body (default 30 s).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// The limit for a whole call, every attempt, backoff and wait for capacity included
    /// (default 60 s): when it passes, the call ends with [`Error::DeadlineExceeded`], and a
    /// retry that could not start before it is not made. [`timeout`](Self::timeout) still
    /// bounds each attempt.
    pub fn deadline(mut self, deadline: Duration) -> Self {
        self.deadline = deadline;
        self
    }

    /// How many requests the client (all its clones together) has in flight at most (default
    /// 16); further calls wait their turn, within their deadline.
    ///
    /// The client's own HTTP client also keeps at most this many idle connections per host,
    /// so connections stay below twice the bound: those in use and those kept for reuse.
    /// (hyper opens a connection when none is idle at the moment a request starts, even if
    /// one is about to be returned, so the two counts do not coincide.) A client given through
    /// [`http_client`](Self::http_client) keeps its own pool settings.
    pub fn max_concurrent_requests(mut self, requests: usize) -> Self {
        self.max_concurrent_requests = requests;
        self
    }

    /// Sends at most `requests` requests (attempts, retries included) in any period of `per`,
    /// waiting as needed (off by default). Cloudflare's API allows 1,200 requests per five
    /// minutes per user: `.rate_limit(1200, Duration::from_secs(300))` stays within it as long
    /// as this client is the only one using the credentials.
    pub fn rate_limit(mut self, requests: u32, per: Duration) -> Self {
        self.rate_limit = Some((requests, per));
        self
    }

    /// The largest response body the client reads, in bytes (default 16 MiB). The body is read
    /// incrementally and reading stops at the limit: the call fails with
    /// [`Error::BodyTooLarge`] (not retried).
    pub fn response_body_limit(mut self, bytes: usize) -> Self {
        self.response_body_limit = bytes;
        self
    }

    /// The `User-Agent` header (default `pages-api-client/VERSION`).
    pub fn user_agent(mut self, user_agent: impl Into<String>) -> Self {
        self.user_agent = user_agent.into();
        self
    }

    /// How failed attempts are retried (default [`RetryPolicy::default`]).
    pub fn retry_policy(mut self, policy: RetryPolicy) -> Self {
        self.retry = policy;
        self
    }

    /// Send through this `reqwest` client (proxies, custom roots, ...). Start from
    /// [`Client::http_client_builder`] to keep the platform's roots and the
    /// [redirect policy](Client::redirect_policy): a client of your own follows redirects as
    /// it is configured to, credentials included.
    ///
    /// With the `rustls` feature this crate builds `reqwest` without a default crypto
    /// provider; [`Client::builder`] installs *ring* as the process default when none is set,
    /// so `Client::builder().http_client(reqwest::Client::new())` works (a `reqwest::Client`
    /// built before any of this crate's builders needs a provider installed first).
    pub fn http_client(mut self, client: reqwest::Client) -> Self {
        self.http = Some(client);
        self
    }

    /// Calls `observer` once per HTTP attempt, as soon as the status and headers have arrived
    /// and before the body is read or decoded: for rate-limit headers, metrics, logging `cf-ray`.
    /// Every attempt of a retried call is shown (see [`ResponseInfo::attempt`]), failures as well
    /// as successes; an attempt that gets no response (timeout, transport error) is not. A later
    /// call replaces an earlier observer.
    ///
    /// The observer runs inline on the task that sends the request, inside the per-attempt
    /// timeout: keep it quick and non-blocking (record, don't wait). A panic in it propagates to
    /// the caller of the operation.
    ///
    /// ```no_run
    /// use std::sync::{Arc, Once};
    /// use std::sync::atomic::{AtomicU64, Ordering};
    /// use pages_api_client::{Client, ResponseInfo};
    ///
    /// let throttled = Arc::new(AtomicU64::new(0));
    /// let client = Client::builder()
    ///     .api_token(std::env::var("CLOUDFLARE_API_TOKEN").unwrap())
    ///     .on_response({
    ///         let throttled = throttled.clone();
    ///         move |info: &ResponseInfo<'_>| {
    ///             if info.status == 429 {
    ///                 throttled.fetch_add(1, Ordering::Relaxed);
    ///             }
    ///             if let Some(left) = info.headers.get("ratelimit-remaining") {
    ///                 eprintln!("{} (attempt {}): {left:?} requests left", info.operation, info.attempt);
    ///             }
    ///         }
    ///     })
    ///     .build()?;
    /// # Ok::<(), pages_api_client::Error>(())
    /// ```
    pub fn on_response(
        mut self,
        observer: impl Fn(&ResponseInfo<'_>) + Send + Sync + 'static,
    ) -> Self {
        self.on_response = Some(ResponseObserver::new(observer));
        self
    }

    /// Checks the configuration and builds the client.
    pub fn build(self) -> Result<Client, Error> {
        let auth = self.auth.ok_or_else(|| {
            Error::Config(
                "no credentials: call ClientBuilder::api_token (recommended) or \
                 ClientBuilder::api_key, or use Client::from_env"
                    .into(),
            )
        })?;
        let auth_headers = auth
            .headers()?
            .into_iter()
            .filter_map(|(name, value)| Some((name?, value)))
            .collect();
        let (base_url, base) = validate_base_url(&self.base_url)?;
        if self.timeout.is_zero() || self.deadline.is_zero() {
            return Err(Error::Config(
                "the timeout and the deadline must be greater than zero".into(),
            ));
        }
        if self.max_concurrent_requests == 0 {
            return Err(Error::Config(
                "max_concurrent_requests must be at least 1".into(),
            ));
        }
        let rate = match self.rate_limit {
            None => None,
            Some((requests, per)) if requests == 0 || per.is_zero() => {
                return Err(Error::Config(
                    "a rate limit needs at least one request per non-zero period".into(),
                ));
            }
            Some((requests, per)) => Some(RateLimiter::new(
                usize::try_from(requests).unwrap_or(usize::MAX),
                per,
            )),
        };
        let user_agent = HeaderValue::from_str(&self.user_agent).map_err(|_| {
            Error::Config(format!(
                "the user agent {:?} is not a valid header value",
                self.user_agent
            ))
        })?;
        let http = match self.http {
            Some(http) => http,
            // Keeping no more idle connections than may be in use stops hyper's pool from
            // growing past the bound: a connection started while another was being returned
            // would otherwise stay pooled.
            None => Client::http_client_builder()?
                .pool_max_idle_per_host(self.max_concurrent_requests)
                .build()
                .map_err(|e| Error::Config(format!("could not build the HTTP client: {e}")))?,
        };
        Ok(Client {
            inner: Arc::new(Inner {
                http,
                base_url,
                base,
                auth,
                auth_headers,
                user_agent,
                timeout: self.timeout,
                deadline: self.deadline,
                admission: Admission::new(self.max_concurrent_requests, rate),
                body_limit: self.response_body_limit,
                retry: self.retry,
                on_response: self.on_response,
            }),
        })
    }
}

fn validate_base_url(raw: &str) -> Result<(String, Url), Error> {
    let trimmed = raw.trim().trim_end_matches('/');
    let invalid = |why: &str| {
        Error::Config(format!(
            "invalid base URL {raw:?}: {why}; expected something like {DEFAULT_BASE_URL}"
        ))
    };
    let url = reqwest::Url::parse(trimmed).map_err(|e| invalid(&e.to_string()))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(invalid("the scheme must be http or https"));
    }
    if url.cannot_be_a_base() || url.host_str().is_none() {
        return Err(invalid("it has no host"));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(invalid("it must not have a query or fragment"));
    }
    Ok((trimmed.to_owned(), url))
}

/// Installs *ring* as rustls' process-wide default provider, unless one is set: `reqwest`
/// (built without a provider of its own) panics when a client is built without one.
#[cfg(feature = "rustls")]
fn install_crypto_provider() {
    static INSTALL: Once = Once::new();
    INSTALL.call_once(|| {
        if rustls::crypto::CryptoProvider::get_default().is_none() {
            // Another thread may have installed one meanwhile: that one is as good.
            let _ = rustls::crypto::ring::default_provider().install_default();
        }
    });
}

/// Sets the TLS backend of the HTTP client this crate builds, as its features say: with
/// `native-tls`, reqwest's native-tls (preferred over rustls when both are on, as reqwest
/// does); with `rustls` alone, the configuration below; with neither, no TLS (plain `http://`
/// only).
pub(super) fn configure_tls(
    builder: reqwest::ClientBuilder,
) -> Result<reqwest::ClientBuilder, Error> {
    #[cfg(feature = "native-tls")]
    let builder = builder.tls_backend_native();
    #[cfg(all(feature = "rustls", not(feature = "native-tls")))]
    let builder = builder.tls_backend_preconfigured(tls_config()?);
    Ok(builder)
}

/// The rustls configuration of the default HTTP client: the *ring* crypto provider, the
/// platform's certificate verifier (system roots), HTTP/1.1 (and HTTP/2 with the `http2`
/// feature) over ALPN.
#[cfg(all(feature = "rustls", not(feature = "native-tls")))]
fn tls_config() -> Result<rustls::ClientConfig, Error> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let verifier = rustls_platform_verifier::Verifier::new(provider.clone()).map_err(|e| {
        Error::Config(format!(
            "could not load the system's TLS root certificates ({e}); install the CA \
             certificates (e.g. the ca-certificates package) or pass your own client with \
             ClientBuilder::http_client"
        ))
    })?;
    let mut config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| Error::Config(format!("TLS set-up failed: {e}")))?
        .dangerous() // a custom verifier, not "dangerous" verification: it is the platform's.
        .with_custom_certificate_verifier(Arc::new(verifier))
        .with_no_client_auth();
    config.alpn_protocols = vec![
        #[cfg(feature = "http2")]
        b"h2".to_vec(),
        b"http/1.1".to_vec(),
    ];
    Ok(config)
}
