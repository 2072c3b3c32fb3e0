//! The upload token: a JWT from `GET .../upload-token` that authorizes the asset calls.
//!
//! Its payload (not verified here: the API does that) gives `exp` and, on some plans,
//! `max_file_count_allowed`. [`Tokens`] hands the current token to every asset call and
//! replaces it, once for all callers, when it is about to expire or the API rejected it (code
//! 8000013).

use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD_NO_PAD_INDIFFERENT, URL_SAFE_NO_PAD_INDIFFERENT};

use super::calls::Calls;
use crate::runtime::upload_error::UploadError;
use crate::runtime::error::Error;

/// wrangler's `MAX_ASSET_COUNT_DEFAULT`: the file limit when the token names none.
pub(crate) const MAX_ASSET_COUNT_DEFAULT: u64 = 20_000;

/// The Pages error code for a missing, invalid or expired upload token
/// (wrangler's `ApiErrorCodes.UNAUTHORIZED`).
pub(crate) const CODE_UNAUTHORIZED: i64 = 8_000_013;

/// A token is renewed this long before its `exp` at most (a fifth of its lifetime at least).
const MAX_REFRESH_MARGIN: Duration = Duration::from_secs(30);

struct Claims {
    exp: Option<f64>,
    max_file_count_allowed: Option<f64>,
}

pages_api_types::object_serde! { Claims; optional exp; optional max_file_count_allowed; }

/// One upload token and what its payload says.
#[derive(Clone)]
pub(crate) struct Jwt {
    token: String,
    /// Seconds since the Unix epoch.
    exp: Option<f64>,
    max_file_count: Option<u64>,
    /// Seconds since the Unix epoch.
    fetched_at: f64,
}

impl std::fmt::Debug for Jwt {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Jwt")
            .field("token", &"<redacted>")
            .field("exp", &self.exp)
            .field("max_file_count", &self.max_file_count)
            .finish()
    }
}

fn now_secs() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0.0, |d| d.as_secs_f64())
}

impl Jwt {
    /// Reads the payload of `token` (`header.payload.signature`, base64url JSON).
    pub(crate) fn parse(token: String) -> Result<Jwt, UploadError> {
        let invalid = |why: &str| UploadError::InvalidToken(why.to_owned());
        let payload = token
            .split('.')
            .nth(1)
            .ok_or_else(|| invalid("it has no payload segment"))?;
        // Node's base64 decoder, which wrangler uses, takes either alphabet, padded or not.
        let payload = payload.trim_end_matches('=');
        let bytes = URL_SAFE_NO_PAD_INDIFFERENT
            .decode(payload)
            .or_else(|_| STANDARD_NO_PAD_INDIFFERENT.decode(payload))
            .map_err(|_| invalid("its payload is not base64"))?;
        let claims: Claims = serde_json::from_slice(&bytes)
            .map_err(|e| invalid(&format!("its payload is not a JSON object ({e})")))?;
        let max_file_count = claims
            .max_file_count_allowed
            .filter(|n| n.is_finite() && *n >= 0.0)
            .map(|n| n as u64);
        Ok(Jwt {
            token,
            exp: claims.exp,
            max_file_count,
            fetched_at: now_secs(),
        })
    }

    /// The token, for `Authorization: Bearer`.
    pub(crate) fn token(&self) -> &str {
        &self.token
    }

    /// The most files a deployment may have.
    pub(crate) fn max_file_count(&self) -> u64 {
        self.max_file_count.unwrap_or(MAX_ASSET_COUNT_DEFAULT)
    }

    /// `exp` has passed (wrangler's `isJwtExpired`).
    pub(crate) fn is_expired(&self) -> bool {
        self.exp.is_some_and(|exp| exp <= now_secs())
    }

    /// `exp` is near: within 30 s, or within a fifth of the token's lifetime if that is less.
    pub(crate) fn expires_soon(&self) -> bool {
        let Some(exp) = self.exp else {
            return false;
        };
        let lifetime = (exp - self.fetched_at).max(0.0);
        let margin = (lifetime / 5.0).min(MAX_REFRESH_MARGIN.as_secs_f64());
        exp - margin <= now_secs()
    }
}

/// The upload token shared by every asset call of one deployment.
pub(crate) struct Tokens {
    calls: Arc<Calls>,
    current: tokio::sync::Mutex<Arc<Jwt>>,
}

impl Tokens {
    /// Fetches the first token.
    pub(crate) async fn fetch(calls: Arc<Calls>) -> Result<Tokens, Error> {
        let jwt = Arc::new(Jwt::parse(calls.upload_token().await?)?);
        Ok(Tokens {
            calls,
            current: tokio::sync::Mutex::new(jwt),
        })
    }

    /// The token to send now: the current one, or a new one if it expires soon.
    pub(crate) async fn get(&self) -> Result<Arc<Jwt>, Error> {
        let mut current = self.current.lock().await;
        if current.expires_soon() {
            *current = Arc::new(Jwt::parse(self.calls.upload_token().await?)?);
        }
        Ok(current.clone())
    }

    /// A new token in place of `stale`, which the API rejected; when another call already
    /// replaced it, that replacement.
    pub(crate) async fn refresh(&self, stale: &Arc<Jwt>) -> Result<Arc<Jwt>, Error> {
        let mut current = self.current.lock().await;
        if Arc::ptr_eq(&current, stale) {
            tracing::debug!("pages upload token rejected or expired; fetching a new one");
            *current = Arc::new(Jwt::parse(self.calls.upload_token().await?)?);
        }
        Ok(current.clone())
    }

    /// Whether `err`, from a call made with `jwt`, means the token should be replaced.
    pub(crate) fn needs_refresh(err: &Error, jwt: &Jwt) -> bool {
        err.has_code(CODE_UNAUTHORIZED) || jwt.is_expired()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn token(payload: &str) -> String {
        format!(
            "eyJhbGciOiJIUzI1NiJ9.{}.c2ln",
            URL_SAFE_NO_PAD_INDIFFERENT.encode(payload)
        )
    }

    #[test]
    fn reads_the_claims() {
        let exp = now_secs() + 3600.0;
        let jwt = Jwt::parse(token(&format!(
            r#"{{"exp":{exp},"max_file_count_allowed":100000,"sub":"x"}}"#
        )))
        .unwrap();
        assert_eq!(jwt.max_file_count(), 100_000);
        assert!(!jwt.is_expired());
        assert!(!jwt.expires_soon());
        assert!(!format!("{jwt:?}").contains("eyJ"));

        let jwt = Jwt::parse(token(r#"{"exp":1}"#)).unwrap();
        assert_eq!(jwt.max_file_count(), MAX_ASSET_COUNT_DEFAULT);
        assert!(jwt.is_expired() && jwt.expires_soon());

        // Short-lived: renewed within the last fifth of its life, not at once.
        let jwt = Jwt::parse(token(&format!(r#"{{"exp":{}}}"#, now_secs() + 10.0))).unwrap();
        assert!(!jwt.expires_soon());

        assert!(Jwt::parse("not-a-jwt".into()).is_err());
        assert!(Jwt::parse("a.!!!.c".into()).is_err());
        assert!(Jwt::parse(token("[1]")).is_err());
    }
}
