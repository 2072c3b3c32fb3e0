//! What can go wrong deploying a directory outside of an API answer.

use std::path::PathBuf;

/// A failure of [`DeployDirectory::send`](super::DeployDirectory::send) that is not an API
/// error: the directory, one of its files, or the upload token. Carried by
/// [`Error::Upload`](crate::Error::Upload).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum UploadError {
    /// Reading the directory or a file failed.
    #[error("could not read {}", path.display())]
    Io {
        /// The file or directory.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The path given to [`DeployDirectory::dir`](super::DeployDirectory::dir) is not a
    /// directory.
    #[error("{} is not a directory: give the build output directory", path.display())]
    NotADirectory {
        /// The path.
        path: PathBuf,
    },
    /// A file or directory name is not valid UTF-8 (manifest paths are text).
    #[error("the name of {} is not UTF-8: rename it", path.display())]
    NonUtf8Name {
        /// The entry.
        path: PathBuf,
    },
    /// A file is larger than Pages accepts (25 MiB); nothing was uploaded.
    #[error(
        "Pages only supports files up to {} MiB in size: {name} is {size} bytes; nothing was \
         uploaded",
        max / (1024 * 1024)
    )]
    FileTooLarge {
        /// The file's name in the manifest, without the leading `/`.
        name: String,
        /// Its size in bytes.
        size: u64,
        /// The limit in bytes.
        max: u64,
    },
    /// The directory has more files than the project's plan allows (the upload token's
    /// `max_file_count_allowed`, 20,000 without one); nothing was uploaded.
    #[error(
        "Pages only supports up to {max} files in a deployment for this plan and the directory \
         has {count}: check that it is the build output directory; nothing was uploaded"
    )]
    TooManyFiles {
        /// The number of asset files found.
        count: usize,
        /// The limit.
        max: u64,
    },
    /// A file changed between hashing and uploading; nothing of the deployment was created.
    #[error("{} changed during the deployment: deploy again once the build is done", path.display())]
    FileChanged {
        /// The file.
        path: PathBuf,
    },
    /// `_worker.js` is a directory: it must be bundled (e.g. into `_worker.bundle`) first.
    #[error(
        "{} is a directory: bundle it first (wrangler does so on deploy), e.g. into a \
         _worker.bundle file",
        path.display()
    )]
    WorkerDirectory {
        /// The `_worker.js` directory.
        path: PathBuf,
    },
    /// The upload token from the API is not a JWT whose payload can be read.
    #[error("the upload token from the API is not a readable JWT: {0}")]
    InvalidToken(String),
    /// A file hashing or reading task panicked or was cancelled.
    #[error("a background task of the upload failed: {0}")]
    Task(String),
}
