//! Helpers shared by the workspace-level tests.

pub mod prism;

pub use prism::{
    PRISM_URL_ENV, Prism, PrismNotConfigured, SL_VIOLATIONS, Violation, format_violations,
    parse_violations, problem_violations, request_violations,
};
