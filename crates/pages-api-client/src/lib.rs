//! Async client for the Cloudflare Pages API.
//!
//! The operations are generated from Cloudflare's OpenAPI document (module [`builders`]); the
//! runtime they stand on is hand-written: [`Client`] (configuration, authentication, retries,
//! timeouts, tracing), [`ApiRequest`], [`Error`] and [`paginate`]. The request and response
//! types live in [`types`] (the `pages-api-types` crate).
//!
//! # Quickstart
//!
//! ```no_run
//! use pages_api_client::Client;
//!
//! # async fn run() -> Result<(), pages_api_client::Error> {
//! // CLOUDFLARE_API_TOKEN, or CLOUDFLARE_EMAIL + CLOUDFLARE_API_KEY, as wrangler reads them.
//! let client = Client::from_env()?;
//! println!("talking to {} with {}", client.base_url(), client.auth_scheme());
//! # Ok(())
//! # }
//! ```
//!
//! Builders own a handle on the client (`'static + Send`), so a request can be sent from a
//! task; paged lists stream page by page with [`TryStreamExt`], re-exported here, so no other
//! crate is needed:
//!
//! ```no_run
//! use pages_api_client::{Client, TryStreamExt};
//!
//! # async fn run(client: Client) -> Result<(), pages_api_client::Error> {
//! let account = "023e105f4ecef8ad9ca31a8372d0c353";
//! let project = tokio::spawn(client.projects().get(account, "blog").send()).await.unwrap()?;
//! let mut deployments = std::pin::pin!(client.deployments().list(account, &project.name).stream());
//! while let Some(deployment) = deployments.try_next().await? {
//!     println!("{} {}", deployment.short_id, deployment.url);
//! }
//! # Ok(())
//! # }
//! ```
//!
//! # Behaviour
//!
//! * **Authentication**: an API token (`Authorization: Bearer`) or a global API key
//!   (`X-Auth-Email` + `X-Auth-Key`); a request may carry a token of its own instead
//!   ([`ApiRequest::bearer_auth`], e.g. the upload JWT of the asset endpoints). Credentials
//!   never appear in `Debug` output or errors.
//! * **Redirects**: followed within the API's origin only, five at most; a redirect elsewhere
//!   is an [`Error::CrossOriginRedirect`], so credentials never leave the origin (see
//!   [`Client::redirect_policy`]).
//! * **Retries**: HTTP 408, 429, 5xx, timeouts and transport failures are retried with
//!   exponential backoff and full jitter, honouring `Retry-After`; see [`RetryPolicy`] for which
//!   methods qualify.
//! * **Time**: 30 s per attempt ([`ClientBuilder::timeout`]) and 60 s per call, every attempt
//!   and wait included ([`ClientBuilder::deadline`]); [`RequestOptions`] change either, the
//!   retry policy and the headers for one call.
//! * **Load**: at most 16 requests in flight per client
//!   ([`ClientBuilder::max_concurrent_requests`]), an optional client-side rate limit
//!   ([`ClientBuilder::rate_limit`]), and response bodies read up to 16 MiB
//!   ([`ClientBuilder::response_body_limit`]).
//! * **Bodies**: JSON, or `multipart/form-data` of text fields and [`FilePart`]s (bytes, or a
//!   file read when sent); either is sent whole again on a retry.
//! * **Tracing**: every call runs in an `info` span `pages_api.request` with the fields
//!   `operation`, `method`, `path` (the template, never the filled path), `attempt` and
//!   `status`; each retry logs a `debug` event with the wait.
//! * **Observing responses**: [`ClientBuilder::on_response`] is shown the status and headers
//!   ([`ResponseInfo`]) of every attempt, e.g. for rate-limit headers or metrics.
//! * **Decoding**: a 2xx body decodes as is when it fits (plain `serde_json`); when one does not,
//!   the nodes that do not fit (a field of another type, a list element, an object lacking a
//!   required field) are dropped one by one, each logged as a `warn` event naming its JSON path
//!   and listed in [`Envelope::dropped`], so one odd field never fails a call or a whole list.
//!   Only what cannot be dropped (the `result` itself) is an [`Error::Decode`], whose source
//!   names the path. [`decode_envelope`] decodes a recorded body the same way.
//! * **Errors**: one [`Error`]; its `Display` never repeats its cause, which is its
//!   [`source`](std::error::Error::source).
//! * **TLS**: rustls with the *ring* provider and the platform's root certificates (by
//!   default; see [Features](#features)).
//!
//! # Features
//!
//! The transport is reqwest's; these features choose what it is built with:
//!
//! * `rustls` (default): TLS through rustls with the *ring* crypto provider and the
//!   platform's certificate verifier; no aws-lc, no OpenSSL.
//! * `native-tls`: the platform's TLS (OpenSSL on Linux, which needs its headers and
//!   `pkg-config` to build; Secure Transport on macOS, SChannel on Windows) through reqwest's
//!   `native-tls`. When both TLS features are on, `native-tls` is used, as reqwest does; turn
//!   the default features off (`default-features = false`) to leave rustls out of the build.
//!   With neither, the client speaks plain `http://` only.
//! * `http2`: HTTP/2, negotiated over ALPN.
//! * `gzip`, `brotli`: response bodies decompressed transparently.
//! * `system-proxy`: the Windows and macOS system proxy settings (`HTTP_PROXY`, `HTTPS_PROXY`,
//!   `NO_PROXY` and `ALL_PROXY` are honoured without it).
//!
//! One more adds a feature of the client itself:
//!
//! * `deploy`: Direct Upload, `Client::deploy_directory` (what `wrangler pages deploy DIR`
//!   does), with `asset_hash` and the upload errors. Off by default: it is about a quarter of
//!   this crate's compile time and brings the hashing crates (BLAKE3, base64), which a program
//!   that only calls the API does not need. The asset operations themselves (`client.assets()`)
//!   are there without it.
#![warn(missing_docs)]

mod runtime;

/// The generated operations: one resource accessor per API resource on [`Client`], and one
/// builder per operation. (The module itself, not a re-export of it: semver tooling sees its
/// items where users name them.)
#[rustfmt::skip]
#[path = "generated.rs"]
pub mod builders;

/// What the paged `stream()`s need to be iterated (`try_next`, `try_collect`), so no other
/// crate has to be added for them.
pub use futures_util::{StreamExt, TryStreamExt};
pub use pages_api_types as types;
pub use pages_api_types::{
    ApiFailure, ApiMessage, DroppedField, Envelope, NoResult, Patch, ResultInfo, Timestamp,
};
pub use reqwest;
pub use reqwest::Method;
#[cfg(feature = "deploy")]
pub use runtime::UploadError;
pub use runtime::{
    ApiRequest, Auth, AuthScheme, Client, ClientBuilder, DEFAULT_BASE_URL, DEFAULT_DEADLINE,
    DEFAULT_MAX_CONCURRENT_REQUESTS, DEFAULT_RESPONSE_BODY_LIMIT, DEFAULT_TIMEOUT, Error, FilePart,
    RequestOptions, ResponseInfo, RetryPolicy, decode_envelope, paginate,
};
builders::with_direct_upload! {
    pub use runtime::{
        DeployDirectory, DeployFile, DeployOutcome, UploadPhase, UploadProgress, asset_hash,
        asset_hash_file,
    };
}

// The crate's README is compiled as a doctest, so it cannot drift from the API (the
// workspace's README, outside the package, is compiled by the workspace tests).
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
