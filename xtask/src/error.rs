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
    let mut out = String::with_capacity(segment.len());
    push_escaped(&mut out, segment);
    out
}

fn push_escaped(out: &mut String, segment: &str) {
    for c in segment.chars() {
        match c {
            '~' => out.push_str("~0"),
            '/' => out.push_str("~1"),
            c => out.push(c),
        }
    }
}

/// `c~1d` -> `c/d`: a pointer segment back to the key it spells.
pub fn unescape_segment(segment: &str) -> String {
    segment.replace("~1", "/").replace("~0", "~")
}

/// `#/a/b` + `c/d` -> `#/a/b/c~1d`. One allocation: normalizing builds a pointer for every
/// schema it visits, before knowing whether it will need one for an error.
pub fn child(pointer: &str, segment: &str) -> String {
    let mut out = String::with_capacity(pointer.len() + 1 + segment.len());
    out.push_str(pointer);
    out.push('/');
    push_escaped(&mut out, segment);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pointer_segments_are_escaped_and_back() {
        assert_eq!(child("#/paths", "/a~b/{c}"), "#/paths/~1a~0b~1{c}");
        assert_eq!(escape_segment("~/"), "~0~1");
        assert_eq!(unescape_segment("~0~1~01"), "~/~1");
        assert_eq!(child("#", ""), "#/");
    }
}
