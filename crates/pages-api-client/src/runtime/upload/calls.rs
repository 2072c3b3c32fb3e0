//! Every HTTP call of Direct Upload, and nothing else: the rest of the module calls these
//! functions and does not know how they reach the API.
//!
//! * `GET /accounts/{a}/pages/projects/{p}/upload-token` (account credentials) → `{jwt}`
//! * `POST /pages/assets/check-missing` `{hashes}` → the hashes the API lacks (JWT)
//! * `POST /pages/assets/upload` `[{key, value, metadata: {contentType}, base64: true}]` (JWT)
//! * `POST /pages/assets/upsert-hashes` `{hashes}` (JWT)
//! * `POST /accounts/{a}/pages/projects/{p}/deployments` multipart (account credentials)
//!
//! None of these is retried here (the client's policy does not repeat POSTs, and the JWT
//! stand-in below disables it): the orchestration owns the retry loops, as wrangler does.

use std::sync::Mutex;

use base64::display::Base64Display;
use base64::engine::general_purpose::STANDARD;
use pages_api_types::Deployment;
use reqwest::Method;
use serde::{Deserialize, Serialize, Serializer};

use super::jwt::Jwt;
use super::walk::SpecialFile;
use crate::runtime::client::Client;
use crate::runtime::error::Error;
use crate::runtime::request::ApiRequest;
use crate::runtime::retry::RetryPolicy;

/// The per-attempt timeout of the asset calls at least: an upload request carries up to
/// 40 MiB, more than the client's default 30 s allow on a slow uplink (wrangler sets none).
pub(crate) const MIN_ASSET_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(300);

/// The API calls of one deployment: the client and the project they are about.
pub(crate) struct Calls {
    client: Client,
    account_id: String,
    project_name: String,
    /// STAND-IN for `ApiRequest::bearer_auth` (not in this tree yet): a client of the same
    /// base URL that sends the upload JWT as its only credential, cached per token. To be
    /// replaced by `request.bearer_auth(jwt.token())` on `self.client` when merging.
    jwt_client: Mutex<Option<(String, Client)>>,
}

/// One asset of an upload request.
pub(crate) struct AssetUpload<'a> {
    /// The asset hash.
    pub key: &'a str,
    /// The file's content (sent base64-encoded).
    pub content: &'a [u8],
    /// The stored `Content-Type`.
    pub content_type: &'a str,
}

/// An upload request body, encoded once and re-sent as is on retries.
#[derive(Clone)]
pub(crate) struct UploadBody(ApiRequest);

/// The create-deployment form.
pub(crate) struct DeploymentForm {
    /// `{"/path": hash}` as JSON.
    pub manifest: String,
    pub branch: Option<String>,
    pub commit_hash: Option<String>,
    pub commit_message: Option<String>,
    pub commit_dirty: Option<bool>,
    /// Root files sent as form parts.
    pub files: Vec<SpecialFile>,
}

/// The length of one asset's JSON in an upload body (and of the `,` after it): what the
/// buckets are measured in, so that a request body never exceeds the bucket size.
pub(crate) fn upload_entry_len(key_len: usize, content_len: u64, content_type_len: usize) -> u64 {
    // {"key":"K","value":"V","metadata":{"contentType":"T"},"base64":true},
    const FIXED: u64 = 66;
    FIXED + key_len as u64 + content_len.div_ceil(3) * 4 + content_type_len as u64
}

/// The length of an upload body's `[` and `]`.
pub(crate) const UPLOAD_BODY_OVERHEAD: u64 = 2;

#[derive(Serialize)]
struct Entry<'a> {
    key: &'a str,
    #[serde(serialize_with = "base64_value")]
    value: &'a [u8],
    metadata: Metadata<'a>,
    base64: bool,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Metadata<'a> {
    content_type: &'a str,
}

/// Writes the base64 text straight into the JSON output (no intermediate `String`).
fn base64_value<S: Serializer>(content: &&[u8], serializer: S) -> Result<S::Ok, S::Error> {
    serializer.collect_str(&Base64Display::new(content, &STANDARD))
}

#[derive(Serialize)]
struct Hashes<'a> {
    hashes: &'a [String],
}

#[derive(Deserialize)]
struct UploadToken {
    jwt: String,
}

/// Encodes an upload body (CPU work: run it off the async threads).
pub(crate) fn upload_body(files: &[AssetUpload<'_>]) -> Result<UploadBody, Error> {
    let entries: Vec<Entry<'_>> = files
        .iter()
        .map(|f| Entry {
            key: f.key,
            value: f.content,
            metadata: Metadata {
                content_type: f.content_type,
            },
            base64: true,
        })
        .collect();
    let request = ApiRequest::new(Method::POST, "/pages/assets/upload", "pages-assets-upload")
        .json_body(&entries)?;
    Ok(UploadBody(request))
}

impl Calls {
    pub(crate) fn new(client: Client, account_id: String, project_name: String) -> Calls {
        Calls {
            client,
            account_id,
            project_name,
            jwt_client: Mutex::new(None),
        }
    }

    /// STAND-IN for `bearer_auth`: a client sending `jwt` instead of the account's credentials.
    fn with_jwt(&self, jwt: &Jwt) -> Result<Client, Error> {
        let mut cached = self.jwt_client.lock().expect("jwt client cache");
        if let Some((token, client)) = cached.as_ref()
            && token == jwt.token()
        {
            return Ok(client.clone());
        }
        let client = Client::builder()
            .api_token(jwt.token())
            .base_url(self.client.base_url())
            .timeout(self.client.timeout().max(MIN_ASSET_TIMEOUT))
            .retry_policy(RetryPolicy::none())
            .build()?;
        *cached = Some((jwt.token().to_owned(), client.clone()));
        Ok(client)
    }

    /// A new upload token (account credentials).
    pub(crate) async fn upload_token(&self) -> Result<String, Error> {
        let request = ApiRequest::new(
            Method::GET,
            "/accounts/{account_id}/pages/projects/{project_name}/upload-token",
            "pages-project-get-upload-token",
        )
        .path_param("account_id", &self.account_id)
        .path_param("project_name", &self.project_name);
        let token: UploadToken = self.client.execute_result(request).await?;
        Ok(token.jwt)
    }

    /// The hashes of `hashes` that the API does not have yet.
    pub(crate) async fn check_missing(
        &self,
        jwt: &Jwt,
        hashes: &[String],
    ) -> Result<Vec<String>, Error> {
        let request = ApiRequest::new(
            Method::POST,
            "/pages/assets/check-missing",
            "pages-assets-check-missing",
        )
        .json_body(&Hashes { hashes })?;
        self.with_jwt(jwt)?.execute_result(request).await
    }

    /// Sends one bucket of assets.
    pub(crate) async fn upload_bucket(&self, jwt: &Jwt, body: &UploadBody) -> Result<(), Error> {
        self.with_jwt(jwt)?
            .execute::<serde_json::Value>(body.0.clone())
            .await
            .map(drop)
    }

    /// Marks `hashes` as in use by the project (so later deployments skip them).
    pub(crate) async fn upsert_hashes(&self, jwt: &Jwt, hashes: &[String]) -> Result<(), Error> {
        let request = ApiRequest::new(
            Method::POST,
            "/pages/assets/upsert-hashes",
            "pages-assets-upsert-hashes",
        )
        .json_body(&Hashes { hashes })?;
        self.with_jwt(jwt)?
            .execute::<serde_json::Value>(request)
            .await
            .map(drop)
    }

    /// Creates the deployment from the manifest and the special files (account credentials).
    pub(crate) async fn create_deployment(
        &self,
        form: &DeploymentForm,
    ) -> Result<Deployment, Error> {
        let mut request = ApiRequest::new(
            Method::POST,
            "/accounts/{account_id}/pages/projects/{project_name}/deployments",
            "pages-deployment-create-deployment",
        )
        .path_param("account_id", &self.account_id)
        .path_param("project_name", &self.project_name)
        .multipart_text("manifest", Some(&form.manifest))
        .multipart_text("branch", form.branch.as_ref())
        .multipart_text("commit_hash", form.commit_hash.as_ref())
        .multipart_text("commit_message", form.commit_message.as_ref())
        .multipart_text("commit_dirty", form.commit_dirty);
        for SpecialFile {
            name,
            content_type,
            content,
        } in &form.files
        {
            // STAND-IN for `multipart_file(name, Some(FilePart), content_type)`: until the
            // runtime sends file parts, a special file goes as a text part of the same name.
            let _default_content_type: &str = content_type;
            let text = std::str::from_utf8(content).map_err(|_| super::UploadError::Io {
                path: (*name).into(),
                source: std::io::Error::new(
                    std::io::ErrorKind::InvalidData,
                    "not UTF-8 text, which this version can only send",
                ),
            })?;
            request = request.multipart_text(name, Some(text));
        }
        self.client.execute_result(request).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entry_len_is_exact() {
        for (content, content_type) in [
            (&b""[..], "application/octet-stream"),
            (b"a", "text/html"),
            (b"ab", "image/svg+xml"),
            (b"abc", "text/css"),
            (&[0xff; 1000][..], "application/javascript"),
        ] {
            let key = "0123456789abcdef0123456789abcdef";
            let files = [AssetUpload {
                key,
                content,
                content_type,
            }];
            let entries: Vec<Entry<'_>> = files
                .iter()
                .map(|f| Entry {
                    key: f.key,
                    value: f.content,
                    metadata: Metadata {
                        content_type: f.content_type,
                    },
                    base64: true,
                })
                .collect();
            let json = serde_json::to_string(&entries).unwrap();
            let expected = upload_entry_len(key.len(), content.len() as u64, content_type.len())
                - 1
                + UPLOAD_BODY_OVERHEAD;
            assert_eq!(json.len() as u64, expected, "{json}");
        }
    }
}
