//! Async client for the Cloudflare Pages API.
