//! The asset operations of Direct Upload, which take the upload JWT instead of the account's
//! credentials (Prism checks that a bearer token is sent).

use pages_api_client::types::{AssetUploadMetadataRequest, AssetUploadRequest};

use super::contract;

/// What `upload-token` hands out: a JWT (header.payload.signature).
const JWT: &str = "eyJhbGciOiJIUzI1NiJ9.eyJleHAiOjQxMDI0NDQ4MDB9.c2lnbmF0dXJl";
const HASH: &str = "569c49c876d9d1d37936e494e70a80e8";

#[tokio::test]
async fn assets_check_missing() {
    let c = contract();
    let result = c
        .client
        .assets()
        .check_missing(JWT, vec![HASH.to_owned()])
        .send()
        .await;
    c.check("pages-assets-check-missing", result);
}

#[tokio::test]
async fn assets_upload() {
    let c = contract();
    let file = AssetUploadRequest::new(
        true,
        HASH,
        AssetUploadMetadataRequest::new("text/html"),
        "PGgxPkhlbGxvPC9oMT4K",
    );
    let result = c.client.assets().upload(JWT, vec![file]).send().await;
    c.check("pages-assets-upload", result);
}

#[tokio::test]
async fn assets_upsert_hashes() {
    let c = contract();
    let result = c
        .client
        .assets()
        .upsert_hashes(JWT, vec![HASH.to_owned()])
        .send()
        .await;
    c.check("pages-assets-upsert-hashes", result);
}
