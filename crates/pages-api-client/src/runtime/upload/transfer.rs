//! The asset calls with wrangler's retries: check-missing, the bucket uploads (three at a
//! time, one at a time after a gateway error), upsert-hashes, and create-deployment.
//!
//! Waits, as wrangler's (`pages/upload.ts`, `api/pages/deploy.ts`), with `base` = 1 s unless
//! [`DeployDirectory::retry_base_delay`](super::DeployDirectory::retry_base_delay) says
//! otherwise: `base × 2^attempt` before a retry; after a gateway error (HTTP 502, 503, 504 or
//! 524) another `5 × base × 2^gateway_errors`, and the first [`MAX_UPLOAD_GATEWAY_ERRORS`]
//! gateway errors of a bucket are not counted as attempts. A rejected or expired upload token
//! (code 8000013) is replaced and the call repeated at once, without counting an attempt.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use base64_simd::STANDARD;
use pages_api_types::Deployment;
use tokio::task::JoinSet;

use super::buckets::{BULK_UPLOAD_CONCURRENCY, Bucket};
use super::calls::{AssetUpload, Calls, DeploymentForm, upload_body};
use crate::runtime::upload_error::UploadError;
use super::hash;
use super::jwt::{Jwt, Tokens};
use super::progress::Reporter;
use crate::runtime::error::Error;

/// wrangler's `MAX_UPLOAD_ATTEMPTS`: retries of one bucket.
pub(crate) const MAX_UPLOAD_ATTEMPTS: u32 = 5;
/// wrangler's `MAX_UPLOAD_GATEWAY_ERRORS`: gateway errors of a bucket not counted as attempts.
pub(crate) const MAX_UPLOAD_GATEWAY_ERRORS: u32 = 5;
/// wrangler's `MAX_CHECK_MISSING_ATTEMPTS`: retries of check-missing.
pub(crate) const MAX_CHECK_MISSING_ATTEMPTS: u32 = 5;
/// wrangler's `MAX_DEPLOYMENT_ATTEMPTS`: tries of create-deployment (on code 8000000 only).
pub(crate) const MAX_DEPLOYMENT_ATTEMPTS: u32 = 3;
/// Pages' "unknown error" code, the one create-deployment is retried on.
const CODE_UNKNOWN_ERROR: i64 = 8_000_000;
/// Token replacements per call before a rejection counts as a failed attempt (so a token the
/// API never accepts cannot loop forever).
const MAX_TOKEN_REFRESHES: u32 = 3;

/// A file to upload: where it is and what it becomes.
#[derive(Clone, Debug)]
pub(crate) struct UploadFile {
    /// The manifest name (for the extension the hash covers).
    pub name: String,
    pub path: std::path::PathBuf,
    pub hash: String,
    pub content_type: &'static str,
    pub size: u64,
    /// The content, when it was kept from hashing (small files); else it is read again.
    pub content: Option<bytes::Bytes>,
    /// Its modification time when the directory was walked.
    pub modified: Option<std::time::SystemTime>,
}

/// What the asset calls share.
pub(crate) struct Transfer {
    pub calls: Arc<Calls>,
    pub tokens: Arc<Tokens>,
    pub reporter: Arc<Reporter>,
    /// The first retry's wait.
    pub base: Duration,
}

/// Errors worth another try: anything the API or the network said. Errors raised before
/// sending (encoding, configuration, local files) would fail the same way again.
fn retryable(err: &Error) -> bool {
    matches!(
        err,
        Error::Api { .. } | Error::Decode { .. } | Error::Transport { .. } | Error::Timeout { .. }
    )
}

/// An HTTP status of an overloaded gateway.
fn is_gateway(err: &Error) -> bool {
    matches!(err.status(), Some(502 | 503 | 504 | 524))
}

fn doubling(base: Duration, times: u32) -> Duration {
    base.saturating_mul(1u32 << times.min(16))
}

impl Transfer {
    /// After `err` from a call made with `jwt`: the token to use next, or `None` when the error
    /// was not about the token (or it was replaced too often already).
    async fn replaced_token(
        &self,
        err: &Error,
        jwt: &Arc<Jwt>,
        refreshes: &mut u32,
    ) -> Result<Option<Arc<Jwt>>, Error> {
        if *refreshes < MAX_TOKEN_REFRESHES && Tokens::needs_refresh(err, jwt) {
            *refreshes += 1;
            return Ok(Some(self.tokens.refresh(jwt).await?));
        }
        Ok(None)
    }

    /// The hashes the API lacks, of `hashes`.
    pub(crate) async fn check_missing(&self, hashes: &[String]) -> Result<Vec<String>, Error> {
        let (mut attempts, mut refreshes) = (0, 0);
        let mut jwt = self.tokens.get().await?;
        loop {
            let err = match self.calls.check_missing(&jwt, hashes).await {
                Ok(missing) => return Ok(missing),
                Err(err) => err,
            };
            if !retryable(&err) || attempts >= MAX_CHECK_MISSING_ATTEMPTS {
                return Err(err);
            }
            if let Some(new) = self.replaced_token(&err, &jwt, &mut refreshes).await? {
                jwt = new;
                continue;
            }
            tracing::debug!(attempt = attempts + 1, error = %err, "check-missing failed; retrying");
            tokio::time::sleep(doubling(self.base, attempts)).await;
            attempts += 1;
            jwt = self.tokens.get().await?;
        }
    }

    /// Uploads every bucket of `files`, [`BULK_UPLOAD_CONCURRENCY`] at a time (one at a time
    /// from the first gateway error on). The first bucket that fails for good ends the upload
    /// (the others are cancelled).
    pub(crate) async fn upload_all(
        self: &Arc<Self>,
        files: Arc<Vec<UploadFile>>,
        buckets: Vec<Bucket>,
    ) -> Result<(), Error> {
        let limit = Arc::new(AtomicUsize::new(BULK_UPLOAD_CONCURRENCY));
        let mut pending = buckets.into_iter();
        let mut running = JoinSet::new();
        loop {
            while running.len() < limit.load(Ordering::Relaxed) {
                let Some(bucket) = pending.next() else { break };
                let this = self.clone();
                let (files, limit) = (files.clone(), limit.clone());
                running.spawn(async move { this.upload_bucket(&files, bucket, &limit).await });
            }
            match running.join_next().await {
                None => return Ok(()),
                Some(Ok(Ok(()))) => {}
                Some(Ok(Err(err))) => return Err(err),
                Some(Err(join)) => return Err(UploadError::Task(join.to_string()).into()),
            }
        }
    }

    /// Reads one bucket's files (only now, so that only the buckets in flight are in memory,
    /// besides the small files kept from hashing),
    /// encodes the request once, one file at a time (the body and one file in memory, never
    /// a second copy of the body), and sends it until it succeeds or the attempts run out;
    /// each attempt shares the encoded body.
    async fn upload_bucket(
        &self,
        files: &Arc<Vec<UploadFile>>,
        bucket: Bucket,
        limit: &AtomicUsize,
    ) -> Result<(), Error> {
        let bytes: u64 = bucket.files.iter().map(|&i| files[i].size).sum();
        let count = bucket.files.len();
        let body = {
            let files = files.clone();
            tokio::task::spawn_blocking(move || {
                // One file at a time: read, check, encode into the body, drop.
                upload_body(bucket.files.len(), |n, emit| {
                    let file = &files[bucket.files[n]];
                    let io = |source| UploadError::Io {
                        path: file.path.clone(),
                        source,
                    };
                    let changed = || UploadError::FileChanged {
                        path: file.path.clone(),
                    };
                    let base64 = match &file.content {
                        // Kept from hashing: rewritten since if its size or time differ from
                        // the walk's (a stat, not a second read). A same-size rewrite within
                        // one tick of the file system's clock goes unseen; what is sent is
                        // then what was hashed, so the manifest still names its content.
                        Some(kept) => {
                            let meta = std::fs::metadata(&file.path).map_err(io)?;
                            if meta.len() != file.size || meta.modified().ok() != file.modified {
                                return Err(changed());
                            }
                            STANDARD.encode_to_string(kept)
                        }
                        // Read again: changed since it was hashed if the hash of its base64
                        // (encoded once, for the check and the body) differs.
                        None => {
                            let read = std::fs::read(&file.path).map_err(io)?;
                            let base64 = STANDARD.encode_to_string(&read);
                            if hash::hash_base64(&base64, hash::extension(&file.name)) != file.hash
                            {
                                return Err(changed());
                            }
                            base64
                        }
                    };
                    emit(AssetUpload {
                        key: &file.hash,
                        base64,
                        content_type: file.content_type,
                    });
                    Ok(())
                })
            })
            .await
            .map_err(|join| UploadError::Task(join.to_string()))??
        };

        let (mut attempts, mut gateway_errors, mut refreshes) = (0, 0, 0);
        let mut jwt = self.tokens.get().await?;
        loop {
            let err = match self.calls.upload_bucket(&jwt, &body).await {
                Ok(()) => {
                    self.reporter.uploaded(count, bytes);
                    return Ok(());
                }
                Err(err) => err,
            };
            if !retryable(&err) || attempts >= MAX_UPLOAD_ATTEMPTS {
                return Err(err);
            }
            tracing::debug!(attempt = attempts + 1, error = %err, "asset upload failed; retrying");
            if is_gateway(&err) {
                // As wrangler: one request at a time from now on, and a longer wait.
                limit.store(1, Ordering::Relaxed);
                let wait = doubling(self.base, attempts)
                    + doubling(self.base.saturating_mul(5), gateway_errors);
                tokio::time::sleep(wait).await;
                gateway_errors += 1;
                if gateway_errors >= MAX_UPLOAD_GATEWAY_ERRORS {
                    attempts += 1;
                }
            } else if let Some(new) = self.replaced_token(&err, &jwt, &mut refreshes).await? {
                jwt = new;
                continue;
            } else {
                tokio::time::sleep(doubling(self.base, attempts)).await;
                attempts += 1;
            }
            jwt = self.tokens.get().await?;
        }
    }

    /// Records every hash as used by the project. As wrangler, one retry after `base`; a
    /// failure then is returned for the caller to report, not to fail the deployment on.
    pub(crate) async fn upsert_hashes(&self, hashes: &[String]) -> Result<(), Error> {
        let jwt = self.tokens.get().await?;
        let Err(err) = self.calls.upsert_hashes(&jwt, hashes).await else {
            return Ok(());
        };
        tokio::time::sleep(self.base).await;
        let jwt = if Tokens::needs_refresh(&err, &jwt) {
            self.tokens.refresh(&jwt).await?
        } else {
            self.tokens.get().await?
        };
        self.calls.upsert_hashes(&jwt, hashes).await
    }
}

/// Creates the deployment: up to [`MAX_DEPLOYMENT_ATTEMPTS`] tries while the API answers with
/// its unknown-error code 8000000, waiting `base × 2^attempt` in between.
pub(crate) async fn create_deployment(
    calls: &Calls,
    form: &DeploymentForm,
    base: Duration,
) -> Result<Deployment, Error> {
    let mut attempts = 0;
    loop {
        match calls.create_deployment(form).await {
            Ok(deployment) => return Ok(deployment),
            Err(err)
                if err.has_code(CODE_UNKNOWN_ERROR) && attempts + 1 < MAX_DEPLOYMENT_ATTEMPTS =>
            {
                tracing::debug!(error = %err, "create-deployment failed; retrying");
                tokio::time::sleep(doubling(base, attempts)).await;
                attempts += 1;
            }
            Err(err) => return Err(err),
        }
    }
}
