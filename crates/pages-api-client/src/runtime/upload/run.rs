//! One deployment of a directory, start to end: walk, token, limits, hash, check-missing,
//! upload, upsert-hashes, create the deployment.

use std::collections::{BTreeMap, HashSet};
use std::io::Read;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use bytes::Bytes;

use tokio::task::JoinSet;

use super::buckets::{self, BULK_UPLOAD_CONCURRENCY, Item, MAX_BUCKET_FILE_COUNT, MAX_BUCKET_SIZE};
use super::calls::{self, Calls, DeploymentForm};
use crate::runtime::upload_error::UploadError;
use super::hash::{self, Hasher};
use super::jwt::{MAX_ASSET_COUNT_DEFAULT, Tokens};
use super::progress::{Reporter, UploadPhase};
use super::transfer::{self, Transfer, UploadFile};
use super::walk::{self, WalkedFile};
use super::{DeployDirectory, DeployFile, DeployOutcome};
use crate::runtime::error::Error;

/// wrangler's `MAX_COMMIT_MESSAGE_BYTES` (`api/pages/deploy.ts`).
pub(crate) const MAX_COMMIT_MESSAGE_BYTES: usize = 384;

/// `text` cut to at most `max` bytes, at a character boundary.
pub(crate) fn truncate_utf8(text: &str, max: usize) -> &str {
    if text.len() <= max {
        return text;
    }
    let mut end = max;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

fn task_error(join: tokio::task::JoinError) -> Error {
    UploadError::Task(join.to_string()).into()
}

/// Files up to this size are kept in memory from the hashing pass to their upload (within
/// [`KEPT_CONTENT_BUDGET`]), so a site of many small files is read once, not twice.
const KEPT_FILE_MAX: u64 = 64 * 1024;
/// The most file content kept in memory between hashing and uploading, all files together.
const KEPT_CONTENT_BUDGET: u64 = 32 * 1024 * 1024;

/// The files' hashes, in order, and the contents kept for the upload (see
/// [`KEPT_FILE_MAX`]; none when `keep` is false).
struct Hashed {
    hashes: Vec<String>,
    contents: Vec<Option<Bytes>>,
}

/// Hashes one file; keeps its content when it is small and `budget` (bytes) still has room.
fn hash_one(
    hasher: &mut Hasher,
    file: &WalkedFile,
    budget: Option<&AtomicU64>,
) -> Result<(String, Option<Bytes>), UploadError> {
    let io = |source| UploadError::Io {
        path: file.path.clone(),
        source,
    };
    let reserved = file.size <= KEPT_FILE_MAX
        && budget.is_some_and(|budget| {
            budget
                .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |left| {
                    left.checked_sub(file.size)
                })
                .is_ok()
        });
    if !reserved {
        return Ok((hasher.hash_file(&file.path, &file.name).map_err(io)?, None));
    }
    // Read as far as one byte past the size the walk saw (and the budget reserved): any other
    // length means the file changed since. No `stat`, unlike `fs::read`.
    let mut content = Vec::with_capacity(file.size as usize + 1);
    std::fs::File::open(&file.path)
        .and_then(|opened| opened.take(file.size + 1).read_to_end(&mut content))
        .map_err(io)?;
    if content.len() as u64 != file.size {
        return Err(UploadError::FileChanged {
            path: file.path.clone(),
        });
    }
    let hash = hasher.hash_content(&content, hash::extension(&file.name));
    Ok((hash, Some(content.into())))
}

/// Hashes `files` on up to `available_parallelism` (at most 8) blocking threads at once, each
/// hashing a run of files of about equal total size.
async fn hash_all(
    files: &Arc<Vec<WalkedFile>>,
    reporter: &Arc<Reporter>,
    keep: bool,
) -> Result<Hashed, Error> {
    let workers = std::thread::available_parallelism().map_or(2, |n| n.get().min(8));
    let total: u64 = files.iter().map(|f| f.size + 4096).sum();
    let per_batch = (total / (workers as u64 * 4)).max(1);
    // Contiguous ranges [start, end) of about `per_batch` bytes (a file counts 4 KiB at least).
    let mut ranges = Vec::new();
    let (mut start, mut acc) = (0, 0);
    for (i, file) in files.iter().enumerate() {
        acc += file.size + 4096;
        if acc >= per_batch {
            ranges.push(start..i + 1);
            (start, acc) = (i + 1, 0);
        }
    }
    if start < files.len() {
        ranges.push(start..files.len());
    }

    let budget = keep.then(|| Arc::new(AtomicU64::new(KEPT_CONTENT_BUDGET)));
    let mut hashed = Hashed {
        hashes: vec![String::new(); files.len()],
        contents: vec![None; files.len()],
    };
    let mut pending = ranges.into_iter();
    let mut running = JoinSet::new();
    loop {
        while running.len() < workers {
            let Some(range) = pending.next() else { break };
            let (files, reporter, budget) = (files.clone(), reporter.clone(), budget.clone());
            running.spawn_blocking(move || {
                let mut hasher = Hasher::default();
                let mut out = Vec::with_capacity(range.len());
                for file in &files[range.clone()] {
                    out.push(hash_one(&mut hasher, file, budget.as_deref())?);
                    reporter.hashed(1);
                }
                Ok::<_, UploadError>((range.start, out))
            });
        }
        match running.join_next().await {
            None => break,
            Some(joined) => {
                let (start, out) = joined.map_err(task_error)??;
                for (offset, (hash, content)) in out.into_iter().enumerate() {
                    hashed.hashes[start + offset] = hash;
                    hashed.contents[start + offset] = content;
                }
            }
        }
    }
    Ok(hashed)
}

/// Runs `op` on a blocking thread.
async fn blocking<T: Send + 'static>(
    op: impl FnOnce() -> Result<T, UploadError> + Send + 'static,
) -> Result<T, Error> {
    Ok(tokio::task::spawn_blocking(op)
        .await
        .map_err(task_error)??)
}

pub(crate) async fn run(deploy: DeployDirectory) -> Result<DeployOutcome, Error> {
    let dir = deploy.dir.clone().ok_or(Error::MissingField {
        operation: "deploy-directory",
        field: "dir",
    })?;
    let reporter = Arc::new(Reporter::new(deploy.on_progress.clone()));

    // Local checks first: nothing is sent for a directory that cannot be deployed.
    let root = dir.clone();
    let (walked, special) = blocking(move || {
        let walked = walk::walk(&root)?;
        let special = walk::special_files(&root)?;
        Ok((walked, special))
    })
    .await?;

    let calls = Arc::new(Calls::new(
        deploy.client.clone(),
        deploy.account_id.clone(),
        deploy.project_name.clone(),
    ));
    // The upload token is fetched while the files are hashed (a round trip saved). The file
    // count it allows is checked as soon as it arrives, which ends the hashing early.
    let count = walked.len();
    let too_many = move |max: u64| {
        if count as u64 > max {
            return Err(Error::from(UploadError::TooManyFiles { count, max }));
        }
        Ok(())
    };
    let fetch_tokens = async {
        if deploy.dry_run {
            return too_many(MAX_ASSET_COUNT_DEFAULT).map(|()| None);
        }
        let tokens = Tokens::fetch(calls.clone()).await?;
        too_many(tokens.get().await?.max_file_count())?;
        Ok(Some(Arc::new(tokens)))
    };
    reporter.hashing(walked.len());
    let walked = Arc::new(walked);
    let (tokens, hashed) = futures_util::future::try_join(
        fetch_tokens,
        hash_all(&walked, &reporter, !deploy.dry_run),
    )
    .await?;
    let Hashed {
        hashes,
        mut contents,
    } = hashed;
    let mut files: Vec<DeployFile> = walked
        .iter()
        .zip(&hashes)
        .map(|(file, hash)| DeployFile {
            path: format!("/{}", file.name),
            hash: hash.clone(),
            size: file.size,
            content_type: hash::content_type(&file.name).to_owned(),
            uploaded: deploy.dry_run,
        })
        .collect();
    let special_files: Vec<String> = special.iter().map(|f| f.name.to_owned()).collect();

    let Some(tokens) = tokens else {
        reporter.phase(UploadPhase::Done);
        return Ok(DeployOutcome {
            deployment: None,
            files,
            special_files,
            hashes_recorded: false,
        });
    };

    // Each distinct hash once (identical files share an asset).
    let mut seen = HashSet::new();
    let unique: Vec<String> = hashes
        .iter()
        .filter(|h| seen.insert(h.as_str()))
        .cloned()
        .collect();
    let transfer = Arc::new(Transfer {
        calls: calls.clone(),
        tokens,
        reporter: reporter.clone(),
        base: deploy.retry_base_delay,
    });
    reporter.phase(UploadPhase::CheckingMissing);
    let missing: HashSet<String> = transfer.check_missing(&unique).await?.into_iter().collect();

    // One file per missing hash.
    let mut to_upload = Vec::new();
    let mut planned = HashSet::new();
    for (i, file) in files.iter_mut().enumerate() {
        if missing.contains(&file.hash) && planned.insert(file.hash.clone()) {
            file.uploaded = true;
            to_upload.push(UploadFile {
                name: walked[i].name.clone(),
                path: walked[i].path.clone(),
                hash: file.hash.clone(),
                content_type: hash::content_type(&walked[i].name),
                size: file.size,
                content: contents[i].take(),
                modified: walked[i].modified,
            });
        }
    }
    // The kept contents of files the API already has.
    drop(contents);
    let items = to_upload
        .iter()
        .enumerate()
        .map(|(index, f)| Item {
            index,
            cost: calls::upload_entry_len(f.hash.len(), f.size, f.content_type.len()),
        })
        .collect();
    let bucket_plan = buckets::plan(
        items,
        MAX_BUCKET_SIZE - calls::UPLOAD_BODY_OVERHEAD,
        MAX_BUCKET_FILE_COUNT,
        BULK_UPLOAD_CONCURRENCY,
    );
    reporter.uploading(to_upload.len(), to_upload.iter().map(|f| f.size).sum());
    transfer
        .upload_all(Arc::new(to_upload), bucket_plan)
        .await?;

    reporter.phase(UploadPhase::Finishing);
    let hashes_recorded = match transfer.upsert_hashes(&unique).await {
        Ok(()) => true,
        Err(err) => {
            tracing::warn!(
                error = %err,
                "could not record the file hashes: the deployment is complete, but the next \
                 one may upload files again"
            );
            false
        }
    };

    let manifest: BTreeMap<&str, &str> = files
        .iter()
        .map(|f| (f.path.as_str(), f.hash.as_str()))
        .collect();
    // As wrangler: empty values are left out of the form.
    let non_empty = |value: &Option<String>| value.clone().filter(|v| !v.is_empty());
    let form = DeploymentForm {
        manifest: serde_json::to_string(&manifest).map_err(Error::Encode)?,
        branch: non_empty(&deploy.branch),
        commit_hash: non_empty(&deploy.commit_hash),
        commit_message: non_empty(&deploy.commit_message)
            .map(|m| truncate_utf8(&m, MAX_COMMIT_MESSAGE_BYTES).to_owned()),
        commit_dirty: deploy.commit_dirty,
        files: special,
    };
    let deployment = transfer::create_deployment(&calls, &form, deploy.retry_base_delay).await?;
    reporter.phase(UploadPhase::Done);
    Ok(DeployOutcome {
        deployment: Some(deployment),
        files,
        special_files,
        hashes_recorded,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn small_files_are_kept_within_the_budget() {
        let dir = std::env::temp_dir().join(format!("pages-kept-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("small.txt"), b"0123456789").unwrap();
        let big = vec![7u8; KEPT_FILE_MAX as usize + 1];
        std::fs::write(dir.join("big.bin"), &big).unwrap();
        let walked = walk::walk(&dir).unwrap();
        let (big_file, small_file) = (&walked[0], &walked[1]);
        let mut hasher = Hasher::default();
        let budget = AtomicU64::new(15);

        let (hash, kept) = hash_one(&mut hasher, small_file, Some(&budget)).unwrap();
        assert_eq!(kept.as_deref(), Some(&b"0123456789"[..]));
        assert_eq!(hash, hash::hash_bytes(b"0123456789", "txt"));
        assert_eq!(budget.load(Ordering::Relaxed), 5);
        // Too large to keep, whatever the budget.
        let (hash, kept) = hash_one(&mut hasher, big_file, Some(&budget)).unwrap();
        assert_eq!((kept, hash), (None, hash::hash_bytes(&big, "bin")));
        // The budget has no room left for it; without one nothing is kept.
        let (again, kept) = hash_one(&mut hasher, small_file, Some(&budget)).unwrap();
        assert_eq!((kept, &again), (None, &hash::hash_bytes(b"0123456789", "txt")));
        assert_eq!(hash_one(&mut hasher, small_file, None).unwrap().1, None);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn commit_messages_are_cut_at_a_char_boundary() {
        assert_eq!(truncate_utf8("short", 384), "short");
        let long = "é".repeat(300); // 600 bytes
        let cut = truncate_utf8(&long, 384);
        assert_eq!(cut.len(), 384);
        let odd = format!("a{long}"); // 'é' straddles byte 384
        let cut = truncate_utf8(&odd, 384);
        assert_eq!(cut.len(), 383);
        assert!(odd.starts_with(cut));
    }
}
