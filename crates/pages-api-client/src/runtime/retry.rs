//! When and how long to wait before trying a request again.

use std::hash::{BuildHasher, Hasher, RandomState};
use std::time::{Duration, SystemTime};

use reqwest::Method;
use reqwest::header::{HeaderMap, RETRY_AFTER};

/// How failed attempts are retried.
///
/// Retried: HTTP 408, 429 and 5xx responses, timeouts and transport failures, for idempotent
/// methods only (GET, HEAD, PUT, DELETE, OPTIONS and PATCH: Cloudflare's PATCH is a JSON merge
/// patch, so sending it twice has the same effect as once). POST is retried only with
/// [`retry_non_idempotent`](Self::retry_non_idempotent). A failure to *connect* is retried for
/// every method, since the request never left the machine.
///
/// The wait before attempt *n + 1* is the response's `Retry-After` (delta-seconds or an HTTP
/// date), else a random duration between zero and `initial_backoff · 2ⁿ⁻¹` ("full jitter");
/// both are capped at `max_backoff`.
///
/// ```
/// use std::time::Duration;
/// use pages_api_client::RetryPolicy;
///
/// let patient = RetryPolicy::default()
///     .with_max_attempts(5)
///     .with_initial_backoff(Duration::from_secs(1));
/// assert_eq!(patient.max_attempts, 5);
/// assert_eq!(RetryPolicy::none().max_attempts, 1);
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct RetryPolicy {
    /// Total attempts, the first included (default 3; 0 is treated as 1).
    pub max_attempts: u32,
    /// The backoff ceiling before the second attempt (default 500 ms), doubling per attempt.
    pub initial_backoff: Duration,
    /// The longest wait between attempts, `Retry-After` included (default 30 s).
    pub max_backoff: Duration,
    /// Also retry non-idempotent requests (POST) after a response or timeout (default false).
    pub retry_non_idempotent: bool,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_attempts: 3,
            initial_backoff: Duration::from_millis(500),
            max_backoff: Duration::from_secs(30),
            retry_non_idempotent: false,
        }
    }
}

impl RetryPolicy {
    /// A single attempt, no retries.
    pub fn none() -> Self {
        Self {
            max_attempts: 1,
            ..Self::default()
        }
    }

    /// Sets [`max_attempts`](Self::max_attempts).
    pub fn with_max_attempts(mut self, attempts: u32) -> Self {
        self.max_attempts = attempts;
        self
    }

    /// Sets [`initial_backoff`](Self::initial_backoff).
    pub fn with_initial_backoff(mut self, backoff: Duration) -> Self {
        self.initial_backoff = backoff;
        self
    }

    /// Sets [`max_backoff`](Self::max_backoff).
    pub fn with_max_backoff(mut self, backoff: Duration) -> Self {
        self.max_backoff = backoff;
        self
    }

    /// Sets [`retry_non_idempotent`](Self::retry_non_idempotent).
    pub fn with_retry_non_idempotent(mut self, retry: bool) -> Self {
        self.retry_non_idempotent = retry;
        self
    }

    pub(crate) fn attempts(&self) -> u32 {
        self.max_attempts.max(1)
    }

    /// Whether a request with this method may be sent again after it may have been processed.
    pub(crate) fn may_repeat(&self, method: &Method) -> bool {
        self.retry_non_idempotent
            || matches!(
                *method,
                Method::GET
                    | Method::HEAD
                    | Method::PUT
                    | Method::DELETE
                    | Method::OPTIONS
                    | Method::PATCH
            )
    }

    /// The wait after failed attempt number `attempt` (1-based).
    pub(crate) fn backoff(&self, attempt: u32, retry_after: Option<Duration>) -> Duration {
        if let Some(wait) = retry_after {
            return wait.min(self.max_backoff);
        }
        let ceiling = self
            .initial_backoff
            .saturating_mul(2u32.saturating_pow(attempt.saturating_sub(1)))
            .min(self.max_backoff);
        let nanos = u64::try_from(ceiling.as_nanos()).unwrap_or(u64::MAX);
        // Scaled by a widening multiply (no modulo bias).
        let scaled = (u128::from(random_u64()) * (u128::from(nanos) + 1)) >> 64;
        Duration::from_nanos(u64::try_from(scaled).unwrap_or(nanos))
    }
}

/// 64 random bits, for the retry jitter and multipart boundaries. Neither needs cryptographic
/// quality: std's randomly keyed hasher is enough, and saves every user a random-number crate.
pub(crate) fn random_u64() -> u64 {
    RandomState::new().build_hasher().finish()
}

/// Whether a response status is worth another attempt.
pub(crate) fn retryable_status(status: u16) -> bool {
    matches!(status, 408 | 429) || (500..=599).contains(&status)
}

/// Reads `Retry-After` as delta-seconds or an HTTP date.
pub(crate) fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let value = headers.get(RETRY_AFTER)?.to_str().ok()?.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    if let Ok(seconds) = value.parse::<f64>() {
        return (seconds.is_finite() && seconds >= 0.0).then(|| Duration::from_secs_f64(seconds));
    }
    let at = httpdate::parse_http_date(value).ok()?;
    Some(
        at.duration_since(SystemTime::now())
            .unwrap_or(Duration::ZERO),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

    #[test]
    fn backoff_is_bounded() {
        let p = RetryPolicy::default()
            .with_initial_backoff(Duration::from_millis(100))
            .with_max_backoff(Duration::from_millis(250));
        for attempt in 1..10 {
            let ceiling = Duration::from_millis(100 * (1 << (attempt - 1))).min(p.max_backoff);
            assert!(p.backoff(attempt, None) <= ceiling);
        }
        assert_eq!(
            p.backoff(1, Some(Duration::from_secs(60))),
            Duration::from_millis(250)
        );
        assert_eq!(
            p.backoff(1, Some(Duration::from_millis(5))),
            Duration::from_millis(5)
        );
    }

    #[test]
    fn jitter_spreads_over_the_whole_window() {
        // Full jitter: waits scattered from zero to the ceiling, not bunched or repeated.
        let p = RetryPolicy::default().with_initial_backoff(Duration::from_secs(1));
        let waits: Vec<Duration> = (0..1000).map(|_| p.backoff(1, None)).collect();
        let distinct: std::collections::HashSet<_> = waits.iter().collect();
        assert!(distinct.len() > 990, "{} distinct waits", distinct.len());
        let quarter = |q: u64| {
            let (low, high) = (
                Duration::from_millis(250 * q),
                Duration::from_millis(250 * (q + 1)),
            );
            waits.iter().filter(|w| **w >= low && **w < high).count()
        };
        for q in 0..4 {
            let count = quarter(q);
            assert!((150..350).contains(&count), "quarter {q}: {count}");
        }
    }

    #[test]
    fn parses_retry_after() {
        let mut h = HeaderMap::new();
        assert_eq!(retry_after(&h), None);
        h.insert(RETRY_AFTER, HeaderValue::from_static("7"));
        assert_eq!(retry_after(&h), Some(Duration::from_secs(7)));
        let soon = SystemTime::now() + Duration::from_secs(20);
        h.insert(
            RETRY_AFTER,
            HeaderValue::from_str(&httpdate::fmt_http_date(soon)).unwrap(),
        );
        let d = retry_after(&h).unwrap();
        assert!(
            d > Duration::from_secs(17) && d <= Duration::from_secs(20),
            "{d:?}"
        );
        h.insert(
            RETRY_AFTER,
            HeaderValue::from_static("Wed, 21 Oct 2015 07:28:00 GMT"),
        );
        assert_eq!(retry_after(&h), Some(Duration::ZERO));
        h.insert(RETRY_AFTER, HeaderValue::from_static("soon"));
        assert_eq!(retry_after(&h), None);
    }

    #[test]
    fn idempotency() {
        let p = RetryPolicy::default();
        assert!(p.may_repeat(&Method::PATCH));
        assert!(!p.may_repeat(&Method::POST));
        assert!(p.with_retry_non_idempotent(true).may_repeat(&Method::POST));
    }
}
