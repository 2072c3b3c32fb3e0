//! Bounds on the load a client puts on the API (requests in flight, an opt-in rate limit) and
//! on what it takes in (the size of a response body).

use std::collections::VecDeque;
use std::fmt;
use std::sync::Mutex;
use std::time::Duration;

use bytes::{Bytes, BytesMut};
use tokio::sync::{Semaphore, SemaphorePermit};
use tokio::time::Instant;

/// How many requests a client sends at once and, optionally, how many per period.
pub(crate) struct Admission {
    in_flight: Semaphore,
    max_in_flight: usize,
    rate: Option<RateLimiter>,
}

impl Admission {
    pub(crate) fn new(max_in_flight: usize, rate: Option<RateLimiter>) -> Self {
        Self {
            in_flight: Semaphore::new(max_in_flight),
            max_in_flight,
            rate,
        }
    }

    /// Waits for a slot in flight and, with a rate limit, for the next send time; `None` if
    /// that would be later than `deadline`. The slot is held while the permit lives.
    pub(crate) async fn admit(&self, deadline: Instant) -> Option<SemaphorePermit<'_>> {
        let permit = match self.in_flight.try_acquire() {
            Ok(permit) => permit,
            Err(_) => tokio::time::timeout_at(deadline, self.in_flight.acquire())
                .await
                .ok()?
                .expect("the semaphore is never closed"),
        };
        if let Some(rate) = &self.rate {
            // Reserved while holding the slot, so the request goes out at the reserved time.
            let at = rate.reserve(deadline)?;
            tokio::time::sleep_until(at).await;
        }
        Some(permit)
    }
}

impl fmt::Debug for Admission {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Admission")
            .field("max_in_flight", &self.max_in_flight)
            .field("rate", &self.rate)
            .finish()
    }
}

/// At most `requests` sends in any window of `per`: each send is given the earliest time that
/// keeps the window's count, in the order they ask (first come, first served, no polling).
pub(crate) struct RateLimiter {
    requests: usize,
    per: Duration,
    /// The send times handed out within the last `per`, some possibly still ahead; ascending.
    granted: Mutex<VecDeque<Instant>>,
}

impl RateLimiter {
    pub(crate) fn new(requests: usize, per: Duration) -> Self {
        Self {
            requests,
            per,
            granted: Mutex::new(VecDeque::with_capacity(requests.min(4096))),
        }
    }

    /// Reserves the next send time, or `None` (reserving nothing) if it is after `deadline`.
    fn reserve(&self, deadline: Instant) -> Option<Instant> {
        let now = Instant::now();
        let mut granted = self.granted.lock().unwrap_or_else(|e| e.into_inner());
        while granted.front().is_some_and(|t| *t + self.per <= now) {
            granted.pop_front();
        }
        // The send `requests` places back must have left the window first.
        let at = match granted.len().checked_sub(self.requests) {
            Some(index) => (granted[index] + self.per).max(now),
            None => now,
        };
        if at > deadline {
            return None;
        }
        granted.push_back(at);
        Some(at)
    }
}

impl fmt::Debug for RateLimiter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} per {:?}", self.requests, self.per)
    }
}

/// Reads a response body chunk by chunk, stopping (`None`) as soon as it would exceed `limit`
/// bytes: an oversized body is never held whole.
pub(crate) async fn read_body(
    response: &mut reqwest::Response,
    limit: usize,
) -> Result<Option<Bytes>, reqwest::Error> {
    let declared = response.content_length();
    if declared.is_some_and(|length| length > u64::try_from(limit).unwrap_or(u64::MAX)) {
        return Ok(None);
    }
    let Some(first) = response.chunk().await? else {
        return Ok(Some(Bytes::new()));
    };
    if first.len() > limit {
        return Ok(None);
    }
    // Most API responses arrive in one chunk: that one is kept as it is, without a copy.
    let Some(second) = response.chunk().await? else {
        return Ok(Some(first));
    };
    let capacity = declared.and_then(|length| usize::try_from(length).ok());
    let mut body = BytesMut::with_capacity(capacity.unwrap_or(first.len() + second.len()));
    body.extend_from_slice(&first);
    let mut next = Some(second);
    while let Some(chunk) = next {
        if body.len() + chunk.len() > limit {
            return Ok(None);
        }
        body.extend_from_slice(&chunk);
        next = response.chunk().await?;
    }
    Ok(Some(body.freeze()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_window_holds_more_than_the_limit() {
        let limiter = RateLimiter::new(3, Duration::from_secs(10));
        let far = Instant::now() + Duration::from_secs(3600);
        let times: Vec<Instant> = (0..9).map(|_| limiter.reserve(far).unwrap()).collect();
        let start = times[0];
        let offsets: Vec<u64> = times
            .iter()
            .map(|t| t.duration_since(start).as_secs())
            .collect();
        assert_eq!(offsets, [0, 0, 0, 10, 10, 10, 20, 20, 20]);
        // Past the deadline nothing is reserved.
        assert_eq!(limiter.reserve(start + Duration::from_secs(25)), None);
        assert_eq!(limiter.granted.lock().unwrap().len(), 9);
    }
}
