//! The hand-written runtime the generated builders stand on: configuration and auth,
//! requests, retries, errors and paging.

pub mod auth;
pub mod client;
pub mod error;
pub mod observe;
pub mod paging;
pub mod request;
pub mod retry;
pub mod upload;

pub use self::auth::{Auth, AuthScheme};
pub use self::client::{Client, ClientBuilder, DEFAULT_BASE_URL, DEFAULT_TIMEOUT};
pub use self::error::Error;
pub use self::observe::ResponseInfo;
pub use self::paging::paginate;
pub use self::request::ApiRequest;
pub use self::retry::RetryPolicy;
pub use self::upload::{
    DeployDirectory, DeployFile, DeployOutcome, UploadError, UploadPhase, UploadProgress,
    asset_hash, asset_hash_file,
};
