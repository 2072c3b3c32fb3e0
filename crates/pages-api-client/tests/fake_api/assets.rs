//! Direct Upload in the fake API: the upload token and the `/pages/assets/*` calls.
//!
//! * `GET .../projects/{p}/upload-token` (account token): a JWT (`header.payload.sig`, the
//!   payload base64url JSON with `exp`, `sub` = project and, if set,
//!   `max_file_count_allowed`), valid for [`FakeApi::set_jwt_lifetime`] (default 5 min).
//! * `POST /pages/assets/check-missing`, `upload`, `upsert-hashes`: only a JWT the fake issued
//!   and that has not expired is accepted; anything else (none, the account's token, an
//!   `X-Auth-Key`, an expired or unknown JWT) is HTTP 401 with code 8000013, as Cloudflare
//!   answers. Account credentials seen there are counted ([`FakeApi::credential_leaks`]).
//! * Every answer keeps to the 2026 schema (the middleware checks it as any other): `{jwt}`,
//!   the missing hashes as an array, `result: null` for upload and upsert-hashes.
//! * Uploads are stored per project; each request's file count and body size are recorded.
//!   A key must be 32 hex digits and the value base64; the hash is checked against the content
//!   when a deployment's manifest names the file (only then is the extension known).

use std::collections::{BTreeMap, HashMap, HashSet, VecDeque};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use serde::Deserialize;
use serde_json::{Value, json};

use super::handlers::{Shared, envelope, failure, find};
use super::{ACCOUNT, FakeApi, TOKEN};

/// One upload request the fake accepted or refused.
#[derive(Clone, Debug)]
pub struct UploadRecord {
    /// Files in the body.
    pub files: usize,
    /// The body's size in bytes.
    pub body_bytes: usize,
    /// Whether it was accepted.
    pub accepted: bool,
}

struct Issued {
    project: String,
    /// Seconds since the epoch.
    exp: f64,
}

#[derive(Default)]
pub(super) struct AssetState {
    tokens: HashMap<String, Issued>,
    issued: usize,
    lifetime: Option<Duration>,
    max_file_count: Option<u64>,
    /// Project → hash → (content, content type).
    stored: HashMap<String, HashMap<String, (Vec<u8>, String)>>,
    upserted: HashMap<String, HashSet<String>>,
    upload_failures: VecDeque<(u16, i64)>,
    upsert_failures: usize,
    reject_next_jwts: usize,
    uploads: Vec<UploadRecord>,
    credential_leaks: usize,
    jwt_rejections: usize,
    in_flight: usize,
    max_in_flight: usize,
    upload_delay: Duration,
    /// Upload requests that arrived.
    arrived: usize,
    expire_at_upload: Option<usize>,
    /// Project → the fields of each create-deployment form, oldest first.
    pub(super) forms: HashMap<String, Vec<BTreeMap<String, String>>>,
}

fn now_secs() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0.0, |d| d.as_secs_f64())
}

/// The asset hash Pages uses, computed the plain way (one base64 string).
pub fn asset_hash(content: &[u8], extension: &str) -> String {
    let text = format!("{}{extension}", STANDARD.encode(content));
    blake3::hash(text.as_bytes()).to_hex()[..32].to_owned()
}

/// Cloudflare's answer to a missing, invalid or expired upload token.
struct Unauthorized;

impl IntoResponse for Unauthorized {
    fn into_response(self) -> Response {
        failure(StatusCode::UNAUTHORIZED, 8000013, "Authorization failed")
    }
}

impl AssetState {
    /// The project of a valid JWT in `headers`, or the 401 to answer.
    fn authorize(&mut self, headers: &HeaderMap) -> Result<String, Unauthorized> {
        let bearer = headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "));
        if bearer == Some(TOKEN) || headers.contains_key("x-auth-key") {
            self.credential_leaks += 1;
            return Err(Unauthorized);
        }
        let Some(issued) = bearer.and_then(|t| self.tokens.get(t)) else {
            self.jwt_rejections += 1;
            return Err(Unauthorized);
        };
        if issued.exp <= now_secs() || self.reject_next_jwts > 0 {
            self.reject_next_jwts = self.reject_next_jwts.saturating_sub(1);
            self.jwt_rejections += 1;
            return Err(Unauthorized);
        }
        Ok(issued.project.clone())
    }

    /// The manifest's files that were not uploaded, or whose content does not hash to the
    /// manifest's hash: `Err(message)`.
    pub(super) fn check_manifest(
        &self,
        project: &str,
        manifest: &BTreeMap<String, String>,
    ) -> Result<(), String> {
        let empty = HashMap::new();
        let stored = self.stored.get(project).unwrap_or(&empty);
        for (path, hash) in manifest {
            if !path.starts_with('/') || path.contains('\\') {
                return Err(format!("invalid manifest path {path:?}"));
            }
            let Some((content, _)) = stored.get(hash) else {
                return Err(format!("{path}: hash {hash} was never uploaded"));
            };
            let name = path.rsplit('/').next().unwrap_or_default();
            let extension = match name.rfind('.') {
                Some(0) | None => "",
                Some(dot) => &name[dot + 1..],
            };
            let actual = asset_hash(content, extension);
            if &actual != hash {
                return Err(format!("{path}: content hashes to {actual}, not {hash}"));
            }
        }
        Ok(())
    }
}

#[derive(Deserialize)]
struct Hashes {
    hashes: Vec<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Metadata {
    content_type: String,
}

#[derive(Deserialize)]
struct Payload {
    key: String,
    value: String,
    metadata: Metadata,
    base64: bool,
}

fn bad_request(message: &str) -> Response {
    failure(StatusCode::BAD_REQUEST, 8000000, message)
}

pub(super) async fn upload_token(
    State(state): Shared,
    Path((account, project)): Path<(String, String)>,
) -> Response {
    let mut state = state.lock().expect("fake API state");
    if let Err(error) = find(&mut state, &account, &project) {
        return error.into_response();
    }
    let assets = &mut state.assets;
    assets.issued += 1;
    let exp = now_secs()
        + assets
            .lifetime
            .unwrap_or(Duration::from_secs(300))
            .as_secs_f64();
    let mut payload = json!({"exp": exp, "sub": project, "jti": assets.issued});
    if let Some(max) = assets.max_file_count {
        payload["max_file_count_allowed"] = json!(max);
    }
    let token = format!(
        "{}.{}.{}",
        URL_SAFE_NO_PAD.encode(br#"{"alg":"HS256","typ":"JWT"}"#),
        URL_SAFE_NO_PAD.encode(payload.to_string()),
        URL_SAFE_NO_PAD.encode(format!("fake-signature-{}", assets.issued)),
    );
    assets.tokens.insert(
        token.clone(),
        Issued {
            project: project.clone(),
            exp,
        },
    );
    envelope(json!({ "jwt": token }), None)
}

pub(super) async fn check_missing(
    State(state): Shared,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let mut state = state.lock().expect("fake API state");
    let assets = &mut state.assets;
    let project = match assets.authorize(&headers) {
        Ok(project) => project,
        Err(response) => return response.into_response(),
    };
    let Ok(Hashes { hashes }) = serde_json::from_slice(&body) else {
        return bad_request("expected {\"hashes\": [...]}");
    };
    let stored = assets.stored.entry(project).or_default();
    let missing: Vec<Value> = hashes
        .into_iter()
        .filter(|h| !stored.contains_key(h))
        .map(Value::String)
        .collect();
    envelope(Value::Array(missing), None)
}

pub(super) async fn upload(State(shared): Shared, headers: HeaderMap, body: Bytes) -> Response {
    let parsed: Result<Vec<Payload>, _> = serde_json::from_slice(&body);
    let mut record = UploadRecord {
        files: parsed.as_ref().map_or(0, Vec::len),
        body_bytes: body.len(),
        accepted: false,
    };
    // The token is checked on arrival, then the answer waits for the configured delay.
    let (authorized, delay) = {
        let mut state = shared.lock().expect("fake API state");
        let assets = &mut state.assets;
        assets.arrived += 1;
        if assets.expire_at_upload == Some(assets.arrived) {
            for issued in assets.tokens.values_mut() {
                issued.exp = 0.0;
            }
        }
        let authorized = assets.authorize(&headers);
        assets.in_flight += 1;
        assets.max_in_flight = assets.max_in_flight.max(assets.in_flight);
        (authorized, assets.upload_delay)
    };
    if !delay.is_zero() {
        tokio::time::sleep(delay).await;
    }
    let mut state = shared.lock().expect("fake API state");
    let assets = &mut state.assets;
    assets.in_flight -= 1;
    let project = match authorized {
        Ok(project) => project,
        Err(response) => {
            assets.uploads.push(record);
            return response.into_response();
        }
    };
    if let Some((status, code)) = assets.upload_failures.pop_front() {
        assets.uploads.push(record);
        let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        return failure(status, code, "Injected failure");
    }
    let Ok(files) = parsed else {
        assets.uploads.push(record);
        return bad_request("expected [{key, value, metadata: {contentType}, base64}]");
    };
    let mut decoded = Vec::with_capacity(files.len());
    for file in files {
        let key_ok = file.key.len() == 32 && file.key.bytes().all(|b| b.is_ascii_hexdigit());
        let content = STANDARD.decode(&file.value);
        match (key_ok, file.base64, content) {
            (true, true, Ok(content)) => {
                decoded.push((file.key, content, file.metadata.content_type));
            }
            _ => {
                assets.uploads.push(record);
                return bad_request("invalid key, base64 flag or value");
            }
        }
    }
    let stored = assets.stored.entry(project).or_default();
    for (key, content, content_type) in decoded {
        stored.insert(key, (content, content_type));
    }
    record.accepted = true;
    assets.uploads.push(record);
    envelope(Value::Null, None)
}

pub(super) async fn upsert_hashes(
    State(state): Shared,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let mut state = state.lock().expect("fake API state");
    let assets = &mut state.assets;
    let project = match assets.authorize(&headers) {
        Ok(project) => project,
        Err(response) => return response.into_response(),
    };
    if assets.upsert_failures > 0 {
        assets.upsert_failures -= 1;
        return failure(
            StatusCode::INTERNAL_SERVER_ERROR,
            8000000,
            "Injected failure",
        );
    }
    let Ok(Hashes { hashes }) = serde_json::from_slice(&body) else {
        return bad_request("expected {\"hashes\": [...]}");
    };
    assets.upserted.entry(project).or_default().extend(hashes);
    envelope(Value::Null, None)
}

impl FakeApi {
    /// Upload tokens issued from now on are valid this long.
    pub fn set_jwt_lifetime(&self, lifetime: Duration) {
        self.state().assets.lifetime = Some(lifetime);
    }

    /// Upload tokens issued from now on carry `max_file_count_allowed: max`.
    pub fn set_max_file_count(&self, max: u64) {
        self.state().assets.max_file_count = Some(max);
    }

    /// The next `n` asset calls with a valid token are refused with code 8000013.
    pub fn reject_next_jwts(&self, n: usize) {
        self.state().assets.reject_next_jwts = n;
    }

    /// When the `n`-th upload request (from 1) arrives, every token issued so far expires:
    /// that request and any later one with an old token get code 8000013.
    pub fn expire_jwts_at_upload(&self, n: usize) {
        self.state().assets.expire_at_upload = Some(n);
    }

    /// The next upload request (with a valid token) fails with this status and code.
    pub fn fail_next_upload(&self, status: u16, code: i64) {
        self.state()
            .assets
            .upload_failures
            .push_back((status, code));
    }

    /// The next `n` upsert-hashes requests (with a valid token) fail with HTTP 500.
    pub fn fail_upserts(&self, n: usize) {
        self.state().assets.upsert_failures = n;
    }

    /// Every upload request waits this long before it is answered.
    pub fn set_upload_delay(&self, delay: Duration) {
        self.state().assets.upload_delay = delay;
    }

    /// Every upload request so far.
    pub fn uploads(&self) -> Vec<UploadRecord> {
        self.state().assets.uploads.clone()
    }

    /// The most upload requests that were being answered at once.
    pub fn max_concurrent_uploads(&self) -> usize {
        self.state().assets.max_in_flight
    }

    /// How many asset calls carried the account's credentials (should be none).
    pub fn credential_leaks(&self) -> usize {
        self.state().assets.credential_leaks
    }

    /// How many asset calls were refused for their token (missing, unknown or expired).
    pub fn jwt_rejections(&self) -> usize {
        self.state().assets.jwt_rejections
    }

    /// How many upload tokens were issued.
    pub fn tokens_issued(&self) -> usize {
        self.state().assets.issued
    }

    /// The hashes stored for `project`.
    pub fn stored_hashes(&self, project: &str) -> HashSet<String> {
        let state = self.state();
        state
            .assets
            .stored
            .get(project)
            .map(|s| s.keys().cloned().collect())
            .unwrap_or_default()
    }

    /// The content type stored with `hash`.
    pub fn stored_content_type(&self, project: &str, hash: &str) -> Option<String> {
        let state = self.state();
        Some(state.assets.stored.get(project)?.get(hash)?.1.clone())
    }

    /// The hashes `upsert-hashes` recorded for `project`.
    pub fn upserted(&self, project: &str) -> HashSet<String> {
        let state = self.state();
        state
            .assets
            .upserted
            .get(project)
            .cloned()
            .unwrap_or_default()
    }

    /// The fields of every create-deployment form of `project` (file parts included by
    /// name), oldest first.
    pub fn deployment_forms(&self, project: &str) -> Vec<BTreeMap<String, String>> {
        let state = self.state();
        state.assets.forms.get(project).cloned().unwrap_or_default()
    }

    /// The account id the fake knows (for tests that build their own requests).
    pub fn account(&self) -> &'static str {
        ACCOUNT
    }
}
