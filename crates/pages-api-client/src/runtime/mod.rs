//! The hand-written runtime the generated builders stand on: configuration and auth,
//! requests, retries, errors and paging.

pub mod auth;
mod body;
pub mod builder;
mod call;
pub mod client;
pub mod error;
mod lenient;
mod limits;
pub mod observe;
pub mod options;
pub mod paging;
mod redirect;
pub mod request;
pub mod retry;
#[cfg(feature = "deploy")]
pub mod upload_error;

// Direct Upload stands on generated operations: it is compiled when the document has them all,
// and the `deploy` feature asks for it.
crate::builders::with_direct_upload! {
    pub mod upload;
    pub use self::upload::{
        DeployDirectory, DeployFile, DeployOutcome, UploadPhase, UploadProgress, asset_hash,
        asset_hash_file,
    };
}

pub use self::auth::{Auth, AuthScheme};
pub use self::body::FilePart;
pub use self::builder::{
    ClientBuilder, DEFAULT_BASE_URL, DEFAULT_DEADLINE, DEFAULT_MAX_CONCURRENT_REQUESTS,
    DEFAULT_RESPONSE_BODY_LIMIT, DEFAULT_TIMEOUT,
};
pub use self::client::{Client, decode_envelope};
pub use self::error::Error;
pub use self::observe::ResponseInfo;
pub use self::options::RequestOptions;
pub use self::paging::paginate;
pub use self::request::ApiRequest;
pub use self::retry::RetryPolicy;
#[cfg(feature = "deploy")]
pub use self::upload_error::UploadError;
