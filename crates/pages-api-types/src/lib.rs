//! Serde types for the Cloudflare Pages API.
//!
//! The crate has two halves:
//!
//! * a small hand-written core ([`Envelope`], [`ApiMessage`], [`ResultInfo`], [`ApiFailure`],
//!   [`Patch`], [`Timestamp`], [`NoResult`]) that every API type stands on, and
//! * the request and response types generated from the Cloudflare OpenAPI document by
//!   `cargo xtask codegen` (module `generated`, re-exported at the crate root).
//!
//! Every type decodes leniently: unknown fields are ignored, so a newer API that adds a
//! field does not break an older client.
//!
//! ```
//! use pages_api_types::{Envelope, Timestamp};
//!
//! let body = r#"{"success":true,"errors":[],"messages":[],"result":"2021-03-09T00:55:03.923456Z"}"#;
//! let envelope: Envelope<Timestamp> = serde_json::from_str(body).unwrap();
//! assert_eq!(envelope.result.unwrap().unix_timestamp(), 1_615_251_303);
//! ```
#![warn(missing_docs)]

mod core;
// `open_enum_serde!`, the serde/Display impls of the generated open enums (exported at the root).
mod open_enum;
// `untagged_serde!`, the serde impls of the generated unions (exported at the root).
mod untagged;

pub use crate::core::*;

/// What [`object_serde!`] and [`untagged_serde!`] expand to, for the generated types; not an API.
#[doc(hidden)]
pub mod __private {
    pub use crate::core::object::{
        FieldKey, optional, patch, refuse_items, required, skip_field, take_field,
    };
    pub use serde_json::Value;
}

/// The `time` crate, so [`Timestamp::as_offset_date_time`] can be named without a direct dependency.
/// It is built with its `std` feature alone; a program that formats or parses with `time`
/// depends on it with `formatting` or `parsing` itself (cargo then builds one `time` with all).
pub use time;

#[rustfmt::skip]
mod generated;

// `allow`: the placeholder `generated.rs` is empty until `cargo xtask codegen` runs.
#[allow(unused_imports)]
pub use generated::*;
