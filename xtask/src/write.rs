//! The write / check stage: files are written only when their bytes change, and `--check`
//! reports every stale file with a short diff instead of writing.

use std::fs;
use std::path::{Path, PathBuf};

/// One generated file, its path relative to the output root.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OutputFile {
    pub path: PathBuf,
    pub contents: String,
}

/// Writes the files whose contents differ from disk; returns the paths written. Each file is
/// first written beside its target and renamed over it only once all of them are staged, so a
/// failure (a full disk, a read-only file) leaves every file as it was.
pub fn write(root: &Path, files: &[OutputFile]) -> Result<Vec<PathBuf>, String> {
    let changed: Vec<&OutputFile> = files
        .iter()
        .filter(|file| {
            !fs::read(root.join(&file.path)).is_ok_and(|b| b == file.contents.as_bytes())
        })
        .collect();
    let mut staged: Vec<(PathBuf, PathBuf)> = Vec::new();
    let mut stage_all = || -> Result<(), String> {
        for file in &changed {
            let path = root.join(&file.path);
            if let Some(parent) = path.parent() {
                fs::create_dir_all(parent)
                    .map_err(|e| format!("cannot create {}: {e}", parent.display()))?;
            }
            let mut temporary = path.clone().into_os_string();
            temporary.push(".xtask-new");
            let temporary = PathBuf::from(temporary);
            fs::write(&temporary, &file.contents)
                .map_err(|e| format!("cannot write {}: {e}", temporary.display()))?;
            staged.push((temporary, path));
        }
        Ok(())
    };
    let mut result = stage_all();
    if result.is_ok() {
        for (temporary, path) in &staged {
            if let Err(e) = fs::rename(temporary, path) {
                result = Err(format!("cannot write {}: {e}", path.display()));
                break;
            }
        }
    }
    if result.is_err() {
        for (temporary, _) in &staged {
            let _ = fs::remove_file(temporary);
        }
    }
    result.map(|()| changed.iter().map(|f| f.path.clone()).collect())
}

/// Compares the files with disk; returns one report per stale file (path and a short diff).
pub fn stale(root: &Path, files: &[OutputFile]) -> Vec<String> {
    files
        .iter()
        .filter_map(|file| {
            let on_disk = fs::read_to_string(root.join(&file.path)).unwrap_or_default();
            (on_disk != file.contents).then(|| {
                format!(
                    "{} is stale:\n{}",
                    file.path.display(),
                    short_diff(&on_disk, &file.contents, 40)
                )
            })
        })
        .collect()
}

/// A unified diff of at most `max_lines` lines (`-` on disk, `+` regenerated).
pub fn short_diff(old: &str, new: &str, max_lines: usize) -> String {
    let diff = similar::TextDiff::from_lines(old, new);
    let text = diff
        .unified_diff()
        .context_radius(2)
        .header("on disk", "regenerated")
        .to_string();
    let lines: Vec<&str> = text.lines().collect();
    if lines.len() <= max_lines {
        return text;
    }
    format!(
        "{}\n... ({} more diff lines)\n",
        lines[..max_lines].join("\n"),
        lines.len() - max_lines
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_only_changed_files_and_reports_stale_ones() {
        let root = std::env::temp_dir().join(format!("xtask-write-{}", std::process::id()));
        let _ = fs::remove_dir_all(&root);
        let files = vec![OutputFile {
            path: "a/b.rs".into(),
            contents: "one\ntwo\n".into(),
        }];
        assert_eq!(stale(&root, &files).len(), 1);
        assert_eq!(write(&root, &files).unwrap(), vec![PathBuf::from("a/b.rs")]);
        assert!(
            write(&root, &files).unwrap().is_empty(),
            "unchanged bytes are not rewritten"
        );
        assert!(stale(&root, &files).is_empty());
        fs::write(root.join("a/b.rs"), "one\nTWO\n").unwrap();
        let report = stale(&root, &files);
        assert!(report[0].starts_with("a/b.rs is stale"), "{report:?}");
        assert!(
            report[0].contains("-TWO") && report[0].contains("+two"),
            "{report:?}"
        );
        fs::remove_dir_all(&root).unwrap();
    }
}
