//! Helpers shared by the workspace-level tests.

pub mod prism;

// The workspace README's quickstart is compiled as a doctest, so it cannot drift from the API.
// Here rather than in `pages-api-client`: the README is outside that crate's package.
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
struct ReadmeDoctests;

pub use prism::{
    PRISM_URL_ENV, Prism, PrismNotConfigured, SL_VIOLATIONS, Violation, format_violations,
    parse_violations, problem_violations, request_violations,
};
