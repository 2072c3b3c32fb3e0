//! Asset hashing against BLAKE3 alone over the same base64 bytes:
//! `cargo bench -p pages-api-client --bench hash`.
//!
//! `asset_hash` encodes the content to base64 block by block and feeds the hasher; the
//! baseline hashes the base64 text (and the extension) made beforehand, i.e. the least any
//! implementation has to do. Compare the throughputs (the target is at least 0.8x).
//! A whole tree (200 MB in 1,600 files, walked, hashed and put in a manifest, as a deployment
//! does) is priced the same way by `benches/deploy.rs` (`tree`).

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use divan::Bencher;
use divan::counter::BytesCount;

const SIZES: [usize; 3] = [16 * 1024, 1024 * 1024, 24 * 1024 * 1024];

fn content(len: usize) -> Vec<u8> {
    (0..len as u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect()
}

#[divan::bench(args = SIZES)]
fn asset_hash(bencher: Bencher, len: usize) {
    let content = content(len);
    bencher
        .counter(BytesCount::new(len))
        .bench(|| pages_api_client::asset_hash(divan::black_box(&content), "bin"));
}

#[divan::bench(args = SIZES)]
fn blake3_of_ready_base64(bencher: Bencher, len: usize) {
    let text = format!("{}bin", STANDARD.encode(content(len)));
    bencher
        .counter(BytesCount::new(len))
        .bench(|| blake3::hash(divan::black_box(text.as_bytes())));
}

fn main() {
    divan::main();
}
