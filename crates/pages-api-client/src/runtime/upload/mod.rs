//! Direct Upload: deploying a directory of static files, as `wrangler pages deploy DIR` does.
//!
//! [`Client::deploy_directory`] walks the directory (skipping what wrangler skips), hashes
//! every file, asks the API which hashes it lacks, uploads only those in buckets of at most
//! 40 MiB and 2,000 files (three requests at a time), records the hashes, and creates the
//! deployment from the manifest (`{"/path": hash}`) with `_headers`, `_redirects`,
//! `_routes.json` and `_worker.js` / `_worker.bundle` of the root as form parts.
//!
//! The asset calls (`/pages/assets/*`) carry the project's short-lived upload token (a JWT,
//! renewed when it is about to expire or is rejected), never the account's credentials.
//! Not done here, unlike wrangler: building a `functions/` directory or bundling `_worker.js`
//! (bundle it yourself into `_worker.bundle`).

mod buckets;
mod calls;
mod hash;
mod jwt;
mod progress;
mod run;
mod transfer;
mod walk;

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use pages_api_types::Deployment;

pub use self::progress::{UploadPhase, UploadProgress};
use crate::runtime::client::Client;
use crate::runtime::error::Error;

impl Client {
    /// Starts a deployment of a local directory to the Pages project `project_name` of
    /// account `account_id` (Direct Upload). Set the directory with
    /// [`DeployDirectory::dir`], then [`send`](DeployDirectory::send) it.
    ///
    /// ```no_run
    /// use pages_api_client::{Client, UploadProgress};
    ///
    /// # async fn run() -> Result<(), pages_api_client::Error> {
    /// let client = Client::from_env()?;
    /// let outcome = client
    ///     .deploy_directory("023e105f4ecef8ad9ca31a8372d0c353", "blog")
    ///     .dir("dist")
    ///     .branch("main")
    ///     .commit_message("Release 1.2")
    ///     .on_progress(|p: &UploadProgress| eprintln!("{}/{} hashed", p.files_hashed, p.files_total))
    ///     .send()
    ///     .await?;
    /// if let Some(deployment) = &outcome.deployment {
    ///     println!("{} at {}", deployment.id, deployment.url);
    /// }
    /// # Ok(())
    /// # }
    /// ```
    pub fn deploy_directory(
        &self,
        account_id: impl Into<String>,
        project_name: impl Into<String>,
    ) -> DeployDirectory {
        DeployDirectory {
            client: self.clone(),
            account_id: account_id.into(),
            project_name: project_name.into(),
            dir: None,
            branch: None,
            commit_hash: None,
            commit_message: None,
            commit_dirty: None,
            dry_run: false,
            on_progress: None,
            retry_base_delay: Duration::from_secs(1),
        }
    }
}

/// A directory deployment being configured; [`send`](Self::send) runs it. Owns a clone of
/// the client, so it (and its future) is `'static + Send`: it can be `tokio::spawn`ed.
#[derive(Clone)]
#[must_use = "a deployment does nothing until it is sent"]
pub struct DeployDirectory {
    client: Client,
    account_id: String,
    project_name: String,
    dir: Option<PathBuf>,
    branch: Option<String>,
    commit_hash: Option<String>,
    commit_message: Option<String>,
    commit_dirty: Option<bool>,
    dry_run: bool,
    on_progress: Option<progress::ProgressFn>,
    retry_base_delay: Duration,
}

impl fmt::Debug for DeployDirectory {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DeployDirectory")
            .field("account_id", &self.account_id)
            .field("project_name", &self.project_name)
            .field("dir", &self.dir)
            .field("branch", &self.branch)
            .field("commit_hash", &self.commit_hash)
            .field("commit_message", &self.commit_message)
            .field("commit_dirty", &self.commit_dirty)
            .field("dry_run", &self.dry_run)
            .field("on_progress", &self.on_progress.is_some())
            .field("retry_base_delay", &self.retry_base_delay)
            .finish_non_exhaustive()
    }
}

impl DeployDirectory {
    /// The directory to deploy (the build output, e.g. `dist`); required.
    pub fn dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.dir = Some(dir.into());
        self
    }

    /// The branch the deployment belongs to; the project's production branch makes a
    /// production deployment, any other a preview (default: the production branch).
    pub fn branch(mut self, branch: impl Into<String>) -> Self {
        self.branch = Some(branch.into());
        self
    }

    /// The commit the files were built from, shown in the dashboard.
    pub fn commit_hash(mut self, hash: impl Into<String>) -> Self {
        self.commit_hash = Some(hash.into());
        self
    }

    /// The commit message, shown in the dashboard; cut to 384 bytes (at a character
    /// boundary) as wrangler does.
    pub fn commit_message(mut self, message: impl Into<String>) -> Self {
        self.commit_message = Some(message.into());
        self
    }

    /// Whether the work tree had uncommitted changes.
    pub fn commit_dirty(mut self, dirty: bool) -> Self {
        self.commit_dirty = Some(dirty);
        self
    }

    /// Only walk and hash the directory and report what would be deployed: no request is
    /// made at all (so every file is listed as one to upload, and the file limit is the
    /// default 20,000).
    pub fn dry_run(mut self, dry_run: bool) -> Self {
        self.dry_run = dry_run;
        self
    }

    /// Calls `callback` whenever progress is made: files hashed, the phase, files and bytes
    /// uploaded. It may be called from several threads (one at a time is not guaranteed);
    /// keep it quick.
    pub fn on_progress(
        mut self,
        callback: impl Fn(&UploadProgress) + Send + Sync + 'static,
    ) -> Self {
        self.on_progress = Some(Arc::new(callback));
        self
    }

    /// The wait before the first retry of an asset call, doubling with each further one
    /// (default 1 s, as wrangler; gateway errors add five times as much, doubling too).
    pub fn retry_base_delay(mut self, delay: Duration) -> Self {
        self.retry_base_delay = delay;
        self
    }

    /// Runs the deployment. Fails before uploading anything when the directory has a file
    /// over 25 MiB ([`UploadError::FileTooLarge`](crate::UploadError::FileTooLarge)) or more files than the plan allows
    /// ([`UploadError::TooManyFiles`](crate::UploadError::TooManyFiles)). Must run inside a Tokio runtime.
    ///
    /// Memory: the upload requests in flight (three of at most 40 MiB) and the content of
    /// small files (64 KiB at most, 32 MiB together) kept from hashing to uploading, so that
    /// they are read once; larger files are read again for their upload and checked against
    /// their hash. A file rewritten during the deployment fails it with
    /// [`UploadError::FileChanged`](crate::UploadError::FileChanged).
    pub async fn send(self) -> Result<DeployOutcome, Error> {
        run::run(self).await
    }
}

/// The asset hash Pages gives `content` when its name has `extension` (without the dot; ""
/// for none): the first 32 hex digits of BLAKE3 over the content's base64 followed by the
/// extension. The base64 text is streamed into the hasher, never built whole.
///
/// ```
/// assert_eq!(
///     pages_api_client::asset_hash(b"<h1>Hello</h1>\n", "html"),
///     "569c49c876d9d1d37936e494e70a80e8"
/// );
/// ```
pub fn asset_hash(content: &[u8], extension: &str) -> String {
    hash::hash_bytes(content, extension)
}

/// The asset hash of the file at `path` (see [`asset_hash`]), its extension taken from the
/// file name; the file is read in blocks, never whole.
pub fn asset_hash_file(path: impl AsRef<Path>) -> std::io::Result<String> {
    let path = path.as_ref();
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    hash::Hasher::default().hash_file(path, &name)
}

/// One file of the deployment's manifest.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct DeployFile {
    /// The path it is served at: `/`-separated, starting with `/` (`/css/site.css`).
    pub path: String,
    /// Its asset hash (32 hex digits).
    pub hash: String,
    /// Its size in bytes.
    pub size: u64,
    /// The content type stored with it.
    pub content_type: String,
    /// Whether its content was uploaded by this deployment (on a dry run: would be). A file
    /// whose content the API already had, or that is identical to another uploaded file, was
    /// not.
    pub uploaded: bool,
}

/// What [`DeployDirectory::send`] did.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct DeployOutcome {
    /// The new deployment; `None` for a dry run.
    pub deployment: Option<Deployment>,
    /// Every file of the manifest, sorted by path.
    pub files: Vec<DeployFile>,
    /// The root's special files sent with the deployment (`_headers`, `_redirects`, ...).
    pub special_files: Vec<String>,
    /// Whether the hashes were recorded for the project (`upsert-hashes`). When not, the
    /// deployment is complete, but the next one may upload the same files again.
    pub hashes_recorded: bool,
}

impl DeployOutcome {
    /// The files that were uploaded (on a dry run: that would be).
    pub fn uploaded(&self) -> impl Iterator<Item = &DeployFile> {
        self.files.iter().filter(|f| f.uploaded)
    }
}
