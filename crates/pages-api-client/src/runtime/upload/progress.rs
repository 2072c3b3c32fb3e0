//! Progress reports of a directory deployment.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};

/// What a deployment is doing, in order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum UploadPhase {
    /// Reading and hashing the files.
    Hashing,
    /// Asking the API which files it lacks.
    CheckingMissing,
    /// Uploading the files the API lacks.
    Uploading,
    /// Recording the hashes and creating the deployment.
    Finishing,
    /// Finished (deployed, or the dry run is complete).
    Done,
}

/// A snapshot of a deployment's progress, passed to
/// [`DeployDirectory::on_progress`](super::DeployDirectory::on_progress).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct UploadProgress {
    /// The current phase.
    pub phase: UploadPhase,
    /// Files hashed so far.
    pub files_hashed: usize,
    /// Asset files in the directory (special files such as `_headers` not counted).
    pub files_total: usize,
    /// Files uploaded so far (counted when their request succeeded).
    pub files_uploaded: usize,
    /// Files that need uploading (known after [`UploadPhase::CheckingMissing`]; 0 before).
    pub files_to_upload: usize,
    /// Bytes of file content uploaded so far.
    pub bytes_uploaded: u64,
    /// Bytes of file content that need uploading.
    pub bytes_to_upload: u64,
}

/// The callback type.
pub(crate) type ProgressFn = Arc<dyn Fn(&UploadProgress) + Send + Sync>;

/// Counters shared by the tasks of one deployment; every change is reported.
pub(crate) struct Reporter {
    callback: Option<ProgressFn>,
    phase: std::sync::Mutex<UploadPhase>,
    files_hashed: AtomicUsize,
    files_total: AtomicUsize,
    files_uploaded: AtomicUsize,
    files_to_upload: AtomicUsize,
    bytes_uploaded: AtomicU64,
    bytes_to_upload: AtomicU64,
}

impl Reporter {
    pub(crate) fn new(callback: Option<ProgressFn>) -> Reporter {
        Reporter {
            callback,
            phase: std::sync::Mutex::new(UploadPhase::Hashing),
            files_hashed: AtomicUsize::new(0),
            files_total: AtomicUsize::new(0),
            files_uploaded: AtomicUsize::new(0),
            files_to_upload: AtomicUsize::new(0),
            bytes_uploaded: AtomicU64::new(0),
            bytes_to_upload: AtomicU64::new(0),
        }
    }

    fn snapshot(&self) -> UploadProgress {
        UploadProgress {
            phase: *self.phase.lock().expect("progress phase"),
            files_hashed: self.files_hashed.load(Ordering::Relaxed),
            files_total: self.files_total.load(Ordering::Relaxed),
            files_uploaded: self.files_uploaded.load(Ordering::Relaxed),
            files_to_upload: self.files_to_upload.load(Ordering::Relaxed),
            bytes_uploaded: self.bytes_uploaded.load(Ordering::Relaxed),
            bytes_to_upload: self.bytes_to_upload.load(Ordering::Relaxed),
        }
    }

    fn report(&self) {
        if let Some(callback) = &self.callback {
            callback(&self.snapshot());
        }
    }

    pub(crate) fn phase(&self, phase: UploadPhase) {
        *self.phase.lock().expect("progress phase") = phase;
        self.report();
    }

    pub(crate) fn hashing(&self, total: usize) {
        self.files_total.store(total, Ordering::Relaxed);
        self.phase(UploadPhase::Hashing);
    }

    pub(crate) fn hashed(&self, files: usize) {
        self.files_hashed.fetch_add(files, Ordering::Relaxed);
        self.report();
    }

    pub(crate) fn uploading(&self, files: usize, bytes: u64) {
        self.files_to_upload.store(files, Ordering::Relaxed);
        self.bytes_to_upload.store(bytes, Ordering::Relaxed);
        self.phase(UploadPhase::Uploading);
    }

    pub(crate) fn uploaded(&self, files: usize, bytes: u64) {
        self.files_uploaded.fetch_add(files, Ordering::Relaxed);
        self.bytes_uploaded.fetch_add(bytes, Ordering::Relaxed);
        self.report();
    }
}
