//! Facts about `spec/pages.json` and `spec/overlay.json` that must hold whatever else changes.
//! The document describes Cloudflare's current (2026) Pages API in Cloudflare's own shape; these
//! tests pin it:
//!
//! - `files`: both files are in the form the generator and reviewers expect (pretty-printed,
//!   sorted keys, the published components, no dangling `$ref`), in our own words;
//! - `operations`: the 26 operations with their methods, paths, parameters, security,
//!   responses, examples and the multipart create-deployment form;
//! - `upstream`: the operations and every schema property of Cloudflare's `pages-2026-07.json`;
//! - `seed`: the create-project operation a user gave us, where its facts still hold;
//! - `overlay`: the overlay's actions are well formed, and the real pipeline applies every one
//!   that is for this document.
//!
//! Cloudflare's documents and the seed are read from `../shared/` beside the checkout (see its
//! `upstream/README.md`); without them the tests that need them fail with that path, none is
//! skipped.

mod common;
mod files;
mod operations;
mod overlay;
mod seed;
mod upstream;
