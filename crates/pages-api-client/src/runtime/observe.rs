//! The response observer: a hook that sees the status and headers of every HTTP attempt.

use std::fmt;
use std::sync::Arc;

use reqwest::Method;
use reqwest::header::HeaderMap;

/// What [`ClientBuilder::on_response`](crate::ClientBuilder::on_response) is shown of one HTTP
/// attempt: the status line and the headers, as soon as they have arrived (the body has not been
/// read or decoded yet).
///
/// Every attempt is shown, so a retried call is seen once per response, with `attempt` counting
/// from 1; failures (4xx/5xx) are shown like successes. An attempt that gets no response (a
/// timeout before the headers, a transport error) is not shown.
#[derive(Debug, Clone, Copy)]
#[non_exhaustive]
pub struct ResponseInfo<'a> {
    /// The operation id, e.g. `pages-project-get-projects`.
    pub operation: &'static str,
    /// The HTTP method.
    pub method: &'a Method,
    /// The path template with its placeholders (`/accounts/{account_id}/pages/projects`), never
    /// the filled path.
    pub path_template: &'static str,
    /// The HTTP status code.
    pub status: u16,
    /// The response headers (`cf-ray`, rate-limit headers, ...).
    pub headers: &'a HeaderMap,
    /// Which attempt of the call this is, counting from 1.
    pub attempt: u32,
}

/// The stored observer; shared by every clone of the builder and the client.
#[derive(Clone)]
pub(crate) struct ResponseObserver(Arc<dyn Fn(&ResponseInfo<'_>) + Send + Sync + 'static>);

impl ResponseObserver {
    pub(crate) fn new(f: impl Fn(&ResponseInfo<'_>) + Send + Sync + 'static) -> Self {
        Self(Arc::new(f))
    }

    pub(crate) fn notify(&self, info: &ResponseInfo<'_>) {
        (self.0)(info);
    }
}

impl fmt::Debug for ResponseObserver {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ResponseObserver(..)")
    }
}
