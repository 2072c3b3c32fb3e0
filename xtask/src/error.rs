//! The one error type of a broken input document: where it is and what was expected there.

use std::fmt;

/// A problem in the spec or overlay, located by a JSON pointer (`#/paths/~1accounts.../post`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SpecError {
    pub pointer: String,
    pub message: String,
}

impl SpecError {
    pub fn new(pointer: impl Into<String>, message: impl Into<String>) -> Self {
        SpecError {
            pointer: pointer.into(),
            message: message.into(),
        }
    }
}

impl fmt::Display for SpecError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.pointer, self.message)
    }
}

impl std::error::Error for SpecError {}

/// Escapes one JSON pointer segment (RFC 6901): `~` -> `~0`, `/` -> `~1`.
pub fn escape_segment(segment: &str) -> String {
    segment.replace('~', "~0").replace('/', "~1")
}

/// `c~1d` -> `c/d`: a pointer segment back to the key it spells.
pub fn unescape_segment(segment: &str) -> String {
    segment.replace("~1", "/").replace("~0", "~")
}

/// `#/a/b` + `c/d` -> `#/a/b/c~1d`.
pub fn child(pointer: &str, segment: &str) -> String {
    format!("{pointer}/{}", escape_segment(segment))
}
