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
//! # Behaviour
//!
//! * **Authentication**: an API token (`Authorization: Bearer`) or a global API key
//!   (`X-Auth-Email` + `X-Auth-Key`). Credentials never appear in `Debug` output or errors.
//! * **Retries**: HTTP 408, 429, 5xx, timeouts and transport failures are retried with
//!   exponential backoff and full jitter, honouring `Retry-After`; see [`RetryPolicy`] for which
//!   methods qualify.
//! * **Timeouts**: per attempt, 30 s unless [`ClientBuilder::timeout`] says otherwise.
//! * **Tracing**: every call runs in an `info` span `pages_api.request` with the fields
//!   `operation`, `method`, `path` (the template, never the filled path), `attempt` and
//!   `status`; each retry logs a `debug` event with the wait.
//! * **Observing responses**: [`ClientBuilder::on_response`] is shown the status and headers
//!   ([`ResponseInfo`]) of every attempt, e.g. for rate-limit headers or metrics.
//! * **TLS**: rustls with the *ring* provider and the platform's root certificates.
#![warn(missing_docs)]

mod runtime;

#[rustfmt::skip]
mod generated;

/// The generated operations: one resource accessor per API resource on [`Client`], and one
/// builder per operation.
pub mod builders {
    // `allow`: the placeholder `generated.rs` is empty until `cargo xtask codegen` runs.
    #[allow(unused_imports)]
    pub use crate::generated::*;
}

pub use pages_api_types as types;
pub use pages_api_types::{
    ApiFailure, ApiMessage, Envelope, NoResult, Patch, ResultInfo, Timestamp,
};
pub use reqwest;
pub use reqwest::Method;
pub use runtime::{
    ApiRequest, Auth, AuthScheme, Client, ClientBuilder, DEFAULT_BASE_URL, DEFAULT_TIMEOUT, Error,
    ResponseInfo, RetryPolicy, paginate,
};
pub use runtime::{
    DeployDirectory, DeployFile, DeployOutcome, UploadError, UploadPhase, UploadProgress,
    asset_hash, asset_hash_file,
};

// The README's quickstart is compiled as a doctest, so it cannot drift from the API.
#[cfg(doctest)]
#[doc = include_str!("../../../README.md")]
struct ReadmeDoctests;
