//! Every HTTP call of Direct Upload, and nothing else: the rest of the module calls these
//! functions and does not know how they reach the API. Each is the generated operation's
//! builder, except the asset upload, which is the same operation's request (method, path,
//! operation id, JWT) built once per bucket as an [`ApiRequest`]: its JSON body (up to 40 MiB)
//! is serialized once, straight from the files, and every attempt shares it (`Bytes`), where
//! the builder would take (and each attempt copy) a `Vec<AssetUploadRequest>` of it:
//!
//! * [`Projects::upload_token`](crate::Projects::upload_token) (account credentials) → `{jwt}`
//! * [`Assets::check_missing`](crate::Assets::check_missing) → the hashes the API lacks (JWT)
//! * [`Assets::upload`](crate::Assets::upload): `[{key, value, metadata: {contentType},
//!   base64: true}]` (JWT)
//! * [`Assets::upsert_hashes`](crate::Assets::upsert_hashes) (JWT)
//! * [`Deployments::create`](crate::Deployments::create): the manifest, the commit fields and
//!   the special files as file parts (account credentials)
//!
//! The asset operations send the JWT they are given (`ApiRequest::bearer_auth`) in place of
//! the account's credentials. The four POSTs are made once per call (`max_attempts(1)`): the
//! orchestration (`transfer.rs`) owns their retry loops, as wrangler does, and the client must
//! not repeat them underneath it. The upload token (a GET, without a loop of its own) keeps
//! the client's retries.

use std::time::Duration;

use std::cell::RefCell;

use pages_api_types::{AssetUploadMetadataRequest, AssetUploadRequest, CommitDirty, Deployment};
use serde::ser::{Error as _, SerializeSeq as _};

use super::jwt::Jwt;
use super::walk::SpecialFile;
use crate::builders::DeploymentCreate;
use crate::runtime::body::FilePart;
use crate::runtime::client::Client;
use crate::runtime::error::Error;
use crate::runtime::options::RequestOptions;
use crate::Method;
use crate::runtime::request::ApiRequest;

/// The per-attempt timeout of the asset calls at least: an upload request carries up to
/// 40 MiB, more than the client's default 30 s allow on a slow uplink (wrangler sets none).
pub(crate) const MIN_ASSET_TIMEOUT: Duration = Duration::from_secs(300);

/// The operation id of create-deployment (for errors raised before sending).
const CREATE_DEPLOYMENT: &str = "pages-deployment-create-deployment";

/// The API calls of one deployment: the client and the project they are about.
pub(crate) struct Calls {
    client: Client,
    account_id: String,
    project_name: String,
}

/// One asset of an upload request.
pub(crate) struct AssetUpload<'a> {
    /// The asset hash.
    pub key: &'a str,
    /// The file's content, base64-encoded (as it is sent, and as its hash covers it).
    pub base64: String,
    /// The stored `Content-Type`.
    pub content_type: &'a str,
}

/// The asset upload request (`pages-assets-upload`) without its JWT: the body serialized
/// once; each attempt clones the request, which shares the body's bytes.
#[derive(Clone)]
pub(crate) struct UploadBody(ApiRequest);

/// The operation of [`UploadBody`], as the generated [`Assets::upload`](crate::Assets::upload).
const UPLOAD_PATH: &str = "/pages/assets/upload";
const UPLOAD_OPERATION: &str = "pages-assets-upload";

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
    // {"base64":true,"key":"K","metadata":{"contentType":"T"},"value":"V"},
    const FIXED: u64 = 66;
    FIXED + key_len as u64 + content_len.div_ceil(3) * 4 + content_type_len as u64
}

/// The length of an upload body's `[` and `]`.
pub(crate) const UPLOAD_BODY_OVERHEAD: u64 = 2;

/// One element of an upload body, as the generated operation sends it.
fn upload_entry(asset: AssetUpload<'_>) -> AssetUploadRequest {
    AssetUploadRequest::new(
        true,
        asset.key,
        AssetUploadMetadataRequest::new(asset.content_type),
        asset.base64,
    )
}

/// Hands the `index`th asset of a body to the sink it is given.
type NextAsset<'f, E> = dyn FnMut(usize, &mut dyn FnMut(AssetUpload<'_>)) -> Result<(), E> + 'f;

/// The assets of a body, produced one at a time while it is serialized; the first error
/// stops it and is kept for the caller.
struct LazyAssets<'f, E> {
    count: usize,
    next: RefCell<&'f mut NextAsset<'f, E>>,
    error: RefCell<Option<E>>,
}

impl<E> serde::Serialize for LazyAssets<'_, E> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut seq = serializer.serialize_seq(Some(self.count))?;
        let mut next = self.next.borrow_mut();
        for index in 0..self.count {
            let mut written = Ok(());
            let produced = (*next)(index, &mut |asset| {
                written = seq.serialize_element(&upload_entry(asset));
            });
            if let Err(err) = produced {
                *self.error.borrow_mut() = Some(err);
                return Err(S::Error::custom("an asset could not be read"));
            }
            written?;
        }
        seq.end()
    }
}

/// Encodes the upload request of `count` assets (CPU and file work: run it off the async
/// threads). `asset(index, emit)` reads asset `index` and hands it to `emit`; only one asset's
/// content (and its base64) is held at a time besides the body itself.
pub(crate) fn upload_body<E: Into<Error>>(
    count: usize,
    mut asset: impl FnMut(usize, &mut dyn FnMut(AssetUpload<'_>)) -> Result<(), E>,
) -> Result<UploadBody, Error> {
    let assets = LazyAssets {
        count,
        next: RefCell::new(&mut asset),
        error: RefCell::new(None),
    };
    let request = ApiRequest::new(Method::POST, UPLOAD_PATH, UPLOAD_OPERATION).json_body(&assets);
    match (request, assets.error.into_inner()) {
        (_, Some(err)) => Err(err.into()),
        (Ok(request), None) => Ok(UploadBody(request)),
        (Err(err), None) => Err(err),
    }
}

/// Adds a special file of the root to the form, as the file part of its name.
fn with_special_file(
    request: DeploymentCreate,
    file: &SpecialFile,
) -> Result<DeploymentCreate, Error> {
    // The file name defaults to the part's name, which is the file's.
    let part = FilePart::bytes(file.content.clone()).content_type(file.content_type);
    Ok(match file.name {
        "_headers" => request.headers(part),
        "_redirects" => request.redirects(part),
        "_routes.json" => request.routes_json(part),
        "_worker.js" => request.worker_js(part),
        "_worker.bundle" => request.worker_bundle(part),
        other => {
            return Err(Error::InvalidRequest {
                operation: CREATE_DEPLOYMENT,
                reason: format!("{other} is not a special file of a deployment form"),
            });
        }
    })
}

impl Calls {
    pub(crate) fn new(client: Client, account_id: String, project_name: String) -> Calls {
        Calls {
            client,
            account_id,
            project_name,
        }
    }

    /// One attempt only: the caller retries.
    fn once() -> RequestOptions {
        RequestOptions::new().max_attempts(1)
    }

    /// The options of an asset call: one attempt, allowed [`MIN_ASSET_TIMEOUT`] at least (and
    /// a deadline no shorter, which would cut the attempt short).
    fn asset_options(&self) -> RequestOptions {
        let timeout = self.client.timeout().max(MIN_ASSET_TIMEOUT);
        Self::once()
            .timeout(timeout)
            .deadline(self.client.deadline().max(timeout))
    }

    /// A new upload token (account credentials).
    pub(crate) async fn upload_token(&self) -> Result<String, Error> {
        let token = self
            .client
            .projects()
            .upload_token(&self.account_id, &self.project_name)
            .send()
            .await?;
        Ok(token.jwt)
    }

    /// The hashes of `hashes` that the API does not have yet.
    pub(crate) async fn check_missing(
        &self,
        jwt: &Jwt,
        hashes: &[String],
    ) -> Result<Vec<String>, Error> {
        self.client
            .assets()
            .check_missing(jwt.token(), hashes.to_vec())
            .options(self.asset_options())
            .send()
            .await
    }

    /// Sends one bucket of assets.
    pub(crate) async fn upload_bucket(&self, jwt: &Jwt, body: &UploadBody) -> Result<(), Error> {
        let request = body
            .0
            .clone()
            .bearer_auth(jwt.token())
            .options(self.asset_options());
        self.client
            .execute::<serde_json::Value>(request)
            .await
            .map(drop)
    }

    /// Marks `hashes` as in use by the project (so later deployments skip them).
    pub(crate) async fn upsert_hashes(&self, jwt: &Jwt, hashes: &[String]) -> Result<(), Error> {
        self.client
            .assets()
            .upsert_hashes(jwt.token(), hashes.to_vec())
            .options(self.asset_options())
            .send()
            .await
    }

    /// Creates the deployment from the manifest and the special files (account credentials).
    pub(crate) async fn create_deployment(
        &self,
        form: &DeploymentForm,
    ) -> Result<Deployment, Error> {
        let mut request = self
            .client
            .deployments()
            .create(&self.account_id, &self.project_name)
            .manifest(form.manifest.as_str())
            .options(Self::once());
        if let Some(branch) = &form.branch {
            request = request.branch(branch);
        }
        if let Some(hash) = &form.commit_hash {
            request = request.commit_hash(hash);
        }
        if let Some(message) = &form.commit_message {
            request = request.commit_message(message);
        }
        if let Some(dirty) = form.commit_dirty {
            request = request.commit_dirty(if dirty {
                CommitDirty::True
            } else {
                CommitDirty::False
            });
        }
        for file in &form.files {
            request = with_special_file(request, file)?;
        }
        request.send().await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64_simd::STANDARD;

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
            let asset = || AssetUpload {
                key,
                base64: STANDARD.encode_to_string(content),
                content_type,
            };
            // What the generated operation sends.
            let json = serde_json::to_string(&[upload_entry(asset())]).unwrap();
            let body = upload_body(1, |_, emit| {
                emit(asset());
                Ok::<_, Error>(())
            })
            .unwrap();
            match body.0.body() {
                crate::runtime::body::Body::Json(bytes) => assert_eq!(bytes, json.as_bytes()),
                _ => panic!("a JSON body"),
            }
            assert_eq!(body.0.operation_id(), UPLOAD_OPERATION);
            assert_eq!(body.0.path_template(), UPLOAD_PATH);
            let expected = upload_entry_len(key.len(), content.len() as u64, content_type.len())
                - 1
                + UPLOAD_BODY_OVERHEAD;
            assert_eq!(json.len() as u64, expected, "{json}");
        }
    }

    #[test]
    fn special_files_become_their_file_parts() {
        let client = Client::builder()
            .api_token("t")
            .base_url("http://127.0.0.1:9")
            .build()
            .unwrap();
        let create = || client.deployments().create("a", "p");
        for (name, content_type) in super::super::walk::SPECIAL_FILES {
            let file = SpecialFile {
                name,
                content_type,
                content: bytes::Bytes::from_static(b"x"),
            };
            assert!(with_special_file(create(), &file).is_ok(), "{name}");
        }
        let other = SpecialFile {
            name: "_other",
            content_type: "text/plain",
            content: bytes::Bytes::from_static(b"x"),
        };
        assert!(matches!(
            with_special_file(create(), &other),
            Err(Error::InvalidRequest { .. })
        ));
    }
}
