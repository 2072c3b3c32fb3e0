//! Asset hashes and content types, as Pages computes them.
//!
//! The key of an asset is the first 32 hex digits of BLAKE3 over the file's content in
//! standard base64 (with padding) followed by its extension without the dot (`html`, `css`, ""
//! for none). The base64 text is never built whole: the file is read in blocks whose size is a
//! multiple of 3, so each block encodes (SIMD base64) to whole base64 quanta that are fed to
//! the hasher as they come. Encoding on a helper thread while hashing was measured slower on a
//! busy machine, so it is not done; files are hashed in parallel instead (`run.rs`).

use std::fs::File;
use std::io::Read;
use std::path::Path;

use base64_simd::{Out, STANDARD};

/// Raw bytes read per block: a multiple of 3 (whole base64 quanta) and large enough for
/// BLAKE3's SIMD code to hash many 1 KiB chunks at once.
const BLOCK: usize = 3 * 256 * 1024;

/// The content type Pages stores with an asset: from the extension, as wrangler's `mime`
/// lookup, else `application/octet-stream`.
pub(crate) fn content_type(path: &str) -> &'static str {
    mime_guess::from_path(path)
        .first_raw()
        .unwrap_or("application/octet-stream")
}

/// The extension the hash covers: what follows the last `.` of the file name, unless that dot
/// starts the name (`.env` has none), as Node's `path.extname` without its dot.
pub(crate) fn extension(name: &str) -> &str {
    let base = name.rsplit('/').next().unwrap_or(name);
    match base.rfind('.') {
        Some(0) | None => "",
        Some(dot) => &base[dot + 1..],
    }
}

/// The size of a block for `len` bytes: a multiple of 3, at most [`BLOCK`] (so that small
/// files do not pay for large buffers).
fn block_for(len: u64) -> usize {
    usize::try_from(len / 3 + 1).map_or(BLOCK, |n| n.saturating_mul(3).min(BLOCK))
}

/// Reusable buffers for hashing many files on one thread; they grow to [`BLOCK`] at most.
#[derive(Default)]
pub(crate) struct Hasher {
    raw: Vec<u8>,
    encoded: Vec<u8>,
}

impl Hasher {
    /// The asset hash of the file at `path`, whose manifest name is `name` (for the extension).
    pub(crate) fn hash_file(&mut self, path: &Path, name: &str) -> std::io::Result<String> {
        let mut file = File::open(path)?;
        let block = block_for(file.metadata()?.len());
        if self.raw.len() < block {
            self.raw.resize(block, 0);
            self.encoded.resize(block / 3 * 4, 0);
        }
        // A multiple of 3 (every size it was grown to is), so each block encodes to whole
        // base64 quanta.
        let block = self.raw.len();
        let mut hasher = blake3::Hasher::new();
        loop {
            // Fill the block completely (short reads would break the 3-byte alignment).
            let mut filled = 0;
            while filled < block {
                match file.read(&mut self.raw[filled..block]) {
                    Ok(0) => break,
                    Ok(n) => filled += n,
                    Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                    Err(e) => return Err(e),
                }
            }
            if filled > 0 {
                let out = Out::from_slice(&mut self.encoded[..block / 3 * 4]);
                hasher.update(STANDARD.encode(&self.raw[..filled], out));
            }
            if filled < block {
                break;
            }
        }
        hasher.update(extension(name).as_bytes());
        Ok(finish(&hasher))
    }

    /// The asset hash of `content` with `extension`, from memory.
    pub(crate) fn hash_content(&mut self, content: &[u8], extension: &str) -> String {
        let block = block_for(content.len() as u64);
        if self.encoded.len() < block / 3 * 4 {
            self.encoded.resize(block / 3 * 4, 0);
        }
        let mut hasher = blake3::Hasher::new();
        for chunk in content.chunks(block) {
            let out = Out::from_slice(&mut self.encoded[..block / 3 * 4]);
            hasher.update(STANDARD.encode(chunk, out));
        }
        hasher.update(extension.as_bytes());
        finish(&hasher)
    }
}

/// The asset hash of `content` with `extension`, from memory.
pub(crate) fn hash_bytes(content: &[u8], extension: &str) -> String {
    Hasher::default().hash_content(content, extension)
}

/// The asset hash of a content already in base64 (`base64`), with `extension`.
pub(crate) fn hash_base64(base64: &str, extension: &str) -> String {
    let mut hasher = blake3::Hasher::new();
    hasher.update(base64.as_bytes());
    hasher.update(extension.as_bytes());
    finish(&hasher)
}

fn finish(hasher: &blake3::Hasher) -> String {
    let mut hex = hasher.finalize().to_hex().to_string();
    hex.truncate(32);
    hex
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vectors() -> Vec<(Vec<u8>, &'static str, &'static str)> {
        let bytes: Vec<u8> = (0..4).flat_map(|_| 0..=255u8).collect();
        vec![
            (Vec::new(), "", "af1349b9f5f9a1a6a0404dea36dcc949"),
            (
                b"<h1>Hello</h1>\n".to_vec(),
                "html",
                "569c49c876d9d1d37936e494e70a80e8",
            ),
            (
                b"body{color:red}".to_vec(),
                "css",
                "a1e60d295449511896a3679447c6cae3",
            ),
            (bytes, "bin", "eb3eaa2cd42d9c1d7d37fb10f2ed1ad0"),
        ]
    }

    #[test]
    fn hash_vectors() {
        let dir = std::env::temp_dir().join(format!("pages-hash-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let mut hasher = Hasher::default();
        for (content, ext, expected) in vectors() {
            assert_eq!(hash_bytes(&content, ext), expected, "{ext}");
            let base64 = STANDARD.encode_to_string(&content);
            assert_eq!(hash_base64(&base64, ext), expected, "{ext}");
            let name = if ext.is_empty() {
                "file".to_owned()
            } else {
                format!("file.{ext}")
            };
            let path = dir.join(&name);
            std::fs::write(&path, &content).unwrap();
            assert_eq!(hasher.hash_file(&path, &name).unwrap(), expected, "{name}");
        }
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn blocks_do_not_change_the_hash() {
        use base64::Engine as _;
        assert_eq!(block_for(0), 3);
        assert_eq!(block_for(4), 6);
        assert_eq!(block_for(u64::MAX), BLOCK);
        let dir = std::env::temp_dir();
        let small = dir.join(format!("pages-hash-small-{}.js", std::process::id()));
        std::fs::write(&small, b"tiny").unwrap();
        let tiny = hash_bytes(b"tiny", "js");
        // One hasher for all: several blocks, an exact multiple of a block, small again.
        let mut hasher = Hasher::default();
        assert_eq!(hasher.hash_file(&small, "small.js").unwrap(), tiny);
        for len in [BLOCK * 2 + 7, BLOCK * 3, BLOCK - 1] {
            let content: Vec<u8> = (0..len).map(|i| (i * 31 % 251) as u8).collect();
            let mut expected = blake3::Hasher::new();
            let text = base64::engine::general_purpose::STANDARD.encode(&content);
            expected.update(text.as_bytes());
            expected.update(b"js");
            let expected = finish(&expected);
            assert_eq!(hash_bytes(&content, "js"), expected, "{len}");
            let path = dir.join(format!("pages-hash-big-{}-{len}.js", std::process::id()));
            std::fs::write(&path, &content).unwrap();
            assert_eq!(
                hasher.hash_file(&path, "big.js").unwrap(),
                expected,
                "{len}"
            );
            std::fs::remove_file(&path).unwrap();
            assert_eq!(hasher.hash_file(&small, "small.js").unwrap(), tiny);
        }
        std::fs::remove_file(&small).unwrap();
    }

    #[test]
    fn extensions_and_types() {
        assert_eq!(extension("a/b/index.html"), "html");
        assert_eq!(extension("archive.tar.gz"), "gz");
        assert_eq!(extension(".env"), "");
        assert_eq!(extension("dir.d/README"), "");
        assert_eq!(extension("trailing."), "");
        assert_eq!(content_type("index.html"), "text/html");
        assert_eq!(content_type("STYLE.CSS"), "text/css");
        assert_eq!(content_type("LICENSE"), "application/octet-stream");
        assert_eq!(content_type("x.unknownext"), "application/octet-stream");
    }
}
