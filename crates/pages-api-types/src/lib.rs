//! Serde types for the Cloudflare Pages API.
