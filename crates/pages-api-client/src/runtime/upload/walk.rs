//! Finding the files of a directory that become assets, as `wrangler pages deploy` does.
//!
//! Skipped, as wrangler's `validate` skips them (its ignore list, `pages/validate.ts`):
//! at the root only `_worker.js`, `_redirects`, `_headers`, `_routes.json`, `functions` and
//! `.wrangler`; at any depth `.DS_Store`, `node_modules` and `.git`. Also skipped: symbolic
//! links, and `_worker.bundle` at the root (it is sent in the deployment form, like
//! `_worker.js`). Names are `/`-separated and relative to the root (`css/site.css`).

use std::fs;
use std::path::{Path, PathBuf};

use crate::runtime::upload_error::UploadError;

/// The largest file Pages accepts (wrangler's `MAX_ASSET_SIZE`): 25 MiB.
pub(crate) const MAX_ASSET_SIZE: u64 = 25 * 1024 * 1024;

/// Skipped at the root of the directory only.
const IGNORED_AT_ROOT: [&str; 7] = [
    "_worker.js",
    "_worker.bundle",
    "_redirects",
    "_headers",
    "_routes.json",
    "functions",
    ".wrangler",
];

/// Skipped at any depth.
const IGNORED_ANYWHERE: [&str; 3] = [".DS_Store", "node_modules", ".git"];

/// The root files sent as parts of the deployment form instead of as assets, in the order
/// they are sent: `(name, content type)`.
pub(crate) const SPECIAL_FILES: [(&str, &str); 5] = [
    ("_headers", "text/plain"),
    ("_redirects", "text/plain"),
    ("_routes.json", "application/json"),
    ("_worker.js", "application/javascript+module"),
    ("_worker.bundle", "application/octet-stream"),
];

/// One file that becomes an asset.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct WalkedFile {
    /// Relative to the root, `/`-separated, without a leading `/`.
    pub name: String,
    /// Where it is on disk.
    pub path: PathBuf,
    /// Its size in bytes.
    pub size: u64,
    /// When it was last modified, where the platform tells.
    pub modified: Option<std::time::SystemTime>,
}

fn ignored(name: &str, at_root: bool) -> bool {
    IGNORED_ANYWHERE.contains(&name) || (at_root && IGNORED_AT_ROOT.contains(&name))
}

/// Every asset file under `root`, sorted by name. Fails on the first file over
/// [`MAX_ASSET_SIZE`], on names that are not UTF-8, and when `root` is not a directory.
pub(crate) fn walk(root: &Path) -> Result<Vec<WalkedFile>, UploadError> {
    let meta = fs::metadata(root).map_err(|source| UploadError::Io {
        path: root.to_owned(),
        source,
    })?;
    if !meta.is_dir() {
        return Err(UploadError::NotADirectory {
            path: root.to_owned(),
        });
    }
    let mut files = Vec::new();
    // Depth-first with an explicit stack: (directory, its name prefix).
    let mut stack = vec![(root.to_owned(), String::new())];
    while let Some((dir, prefix)) = stack.pop() {
        let io = |source| UploadError::Io {
            path: dir.clone(),
            source,
        };
        for entry in fs::read_dir(&dir).map_err(io)? {
            let entry = entry.map_err(io)?;
            let file_name = entry.file_name();
            let Some(file_name) = file_name.to_str() else {
                return Err(UploadError::NonUtf8Name { path: entry.path() });
            };
            if ignored(file_name, prefix.is_empty()) {
                continue;
            }
            // `file_type` does not follow symbolic links: links are skipped.
            let file_type = entry.file_type().map_err(|source| UploadError::Io {
                path: entry.path(),
                source,
            })?;
            let name = format!("{prefix}{file_name}");
            if file_type.is_dir() {
                stack.push((entry.path(), format!("{name}/")));
            } else if file_type.is_file() {
                let path = entry.path();
                let meta = entry.metadata().map_err(|source| UploadError::Io {
                    path: path.clone(),
                    source,
                })?;
                let size = meta.len();
                if size > MAX_ASSET_SIZE {
                    return Err(UploadError::FileTooLarge {
                        name,
                        size,
                        max: MAX_ASSET_SIZE,
                    });
                }
                files.push(WalkedFile {
                    name,
                    path,
                    size,
                    modified: meta.modified().ok(),
                });
            }
        }
    }
    files.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(files)
}

/// A special file of the root, sent as a part of the deployment form.
#[derive(Clone, Debug)]
pub(crate) struct SpecialFile {
    /// Its name, which is also the form part's name (`_headers`, ...).
    pub name: &'static str,
    /// The part's content type.
    pub content_type: &'static str,
    /// Its content (shared, not copied, by every attempt's file part).
    pub content: bytes::Bytes,
}

/// The special files of the root that exist, in [`SPECIAL_FILES`] order.
pub(crate) fn special_files(root: &Path) -> Result<Vec<SpecialFile>, UploadError> {
    let mut found = Vec::new();
    for (name, content_type) in SPECIAL_FILES {
        let path = root.join(name);
        match fs::symlink_metadata(&path) {
            Ok(meta) if meta.is_dir() && name == "_worker.js" => {
                return Err(UploadError::WorkerDirectory { path });
            }
            Ok(meta) if meta.is_file() => {
                let content = fs::read(&path).map_err(|source| UploadError::Io { path, source })?;
                found.push(SpecialFile {
                    name,
                    content_type,
                    content: content.into(),
                });
            }
            Ok(_) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(source) => return Err(UploadError::Io { path, source }),
        }
    }
    Ok(found)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn skips_what_wrangler_skips() {
        let root = std::env::temp_dir().join(format!("pages-walk-{}", std::process::id()));
        let _ = fs::remove_dir_all(&root);
        for dir in [
            "css",
            "functions",
            "docs/functions",
            "node_modules/x",
            "a/node_modules",
            ".git",
            "a/.git",
            ".wrangler",
            "a/.wrangler",
        ] {
            fs::create_dir_all(root.join(dir)).unwrap();
        }
        for file in [
            "index.html",
            "css/site.css",
            "_headers",
            "_redirects",
            "_routes.json",
            "_worker.js",
            "docs/_headers",
            "docs/functions/f.js",
            "functions/api.js",
            "node_modules/x/i.js",
            "a/node_modules/m.js",
            ".DS_Store",
            "css/.DS_Store",
            ".git/HEAD",
            "a/.git/HEAD",
            ".wrangler/state",
            "a/.wrangler/kept",
        ] {
            fs::write(root.join(file), file).unwrap();
        }
        #[cfg(unix)]
        std::os::unix::fs::symlink(root.join("index.html"), root.join("link.html")).unwrap();
        let names: Vec<String> = walk(&root).unwrap().into_iter().map(|f| f.name).collect();
        assert_eq!(
            names,
            [
                "a/.wrangler/kept",
                "css/site.css",
                "docs/_headers",
                "docs/functions/f.js",
                "index.html"
            ]
        );
        let special: Vec<&str> = special_files(&root)
            .unwrap()
            .into_iter()
            .map(|f| f.name)
            .collect();
        assert_eq!(
            special,
            ["_headers", "_redirects", "_routes.json", "_worker.js"]
        );
        fs::remove_dir_all(&root).unwrap();
    }
}
