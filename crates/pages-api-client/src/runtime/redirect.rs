//! Which redirects are followed: same-origin ones, a few at most. A redirect to another origin
//! would carry the credentials (`X-Auth-Key` is not one of the headers reqwest strips) and, for
//! 307/308, the body to a host that is not the API, so it is refused.

use std::error::Error as StdError;
use std::fmt;

use reqwest::redirect::Policy;

use super::error::Error;

/// Same-origin redirects followed in one attempt before giving up (a loop, most likely).
pub(crate) const MAX_REDIRECTS: usize = 5;

/// The redirect policy of the default HTTP client; see [`Client::redirect_policy`](crate::Client::redirect_policy).
pub(crate) fn policy() -> Policy {
    Policy::custom(|attempt| {
        let status = attempt.status().as_u16();
        let location = attempt.url().to_string();
        // `previous` starts with the URL the request was sent to: the API's origin.
        let previous = attempt.previous();
        let same_origin = previous
            .first()
            .is_some_and(|first| first.origin() == attempt.url().origin());
        if !same_origin {
            attempt.error(RefusedRedirect::CrossOrigin { status, location })
        } else if previous.len() > MAX_REDIRECTS {
            attempt.error(RefusedRedirect::TooMany { location })
        } else {
            attempt.follow()
        }
    })
}

/// Why the policy stopped a redirect; reqwest hands it back as the source of its error.
#[derive(Debug)]
pub(crate) enum RefusedRedirect {
    CrossOrigin { status: u16, location: String },
    TooMany { location: String },
}

impl RefusedRedirect {
    /// The refusal behind a reqwest error, if the policy caused it.
    pub(crate) fn find(error: &reqwest::Error) -> Option<&RefusedRedirect> {
        if !error.is_redirect() {
            return None;
        }
        let mut source = error.source();
        while let Some(current) = source {
            if let Some(refused) = current.downcast_ref::<RefusedRedirect>() {
                return Some(refused);
            }
            source = current.source();
        }
        None
    }

    pub(crate) fn to_error(&self, operation: &'static str) -> Error {
        match self {
            RefusedRedirect::CrossOrigin { status, location } => Error::CrossOriginRedirect {
                operation,
                status: *status,
                location: location.clone(),
            },
            RefusedRedirect::TooMany { location } => Error::TooManyRedirects {
                operation,
                location: location.clone(),
                limit: MAX_REDIRECTS,
            },
        }
    }
}

impl fmt::Display for RefusedRedirect {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RefusedRedirect::CrossOrigin { status, location } => {
                write!(
                    f,
                    "refused an HTTP {status} redirect to another origin: {location}"
                )
            }
            RefusedRedirect::TooMany { location } => {
                write!(
                    f,
                    "more than {MAX_REDIRECTS} redirects, the last to {location}"
                )
            }
        }
    }
}

impl StdError for RefusedRedirect {}
