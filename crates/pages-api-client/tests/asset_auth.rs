//! The generated asset operations of Direct Upload authenticate with the upload JWT they are
//! given, never with the account's token or key; the account's own operations (upload-token
//! included) keep the account's credentials. Both credential kinds are tried.

mod support;

use pages_api_client::Client;
use pages_api_client::types::{AssetUploadMetadataRequest, AssetUploadRequest};
use serde_json::json;
use support::*;

const JWT: &str = "eyJhbGciOiJIUzI1NiJ9.eyJleHAiOjQxMDI0NDQ4MDB9.c2lnbmF0dXJl";

#[tokio::test]
async fn asset_operations_send_the_jwt_and_never_the_account_credentials() {
    let server = serve(|request, _| {
        let path = request.target.as_str();
        if path.ends_with("/upload-token") {
            Reply::ok(json!({"jwt": JWT}))
        } else if path.ends_with("/check-missing") {
            Reply::ok(json!(["569c49c876d9d1d37936e494e70a80e8"]))
        } else {
            Reply::ok(json!(null))
        }
    })
    .await;
    let clients = [
        client(&server).build().unwrap(),
        Client::builder()
            .api_key(EMAIL, KEY)
            .base_url(&server.base)
            .build()
            .unwrap(),
    ];
    for client in &clients {
        let token = client
            .projects()
            .upload_token("023e105f4ecef8ad9ca31a8372d0c353", "my-blog")
            .send()
            .await
            .unwrap();
        let hash = "569c49c876d9d1d37936e494e70a80e8".to_owned();
        let missing = client
            .assets()
            .check_missing(&token.jwt, vec![hash.clone()])
            .send()
            .await
            .unwrap();
        assert_eq!(missing, std::slice::from_ref(&hash));
        let file = AssetUploadRequest::new(
            true,
            hash.clone(),
            AssetUploadMetadataRequest::new("text/html"),
            "PGgxPkhlbGxvPC9oMT4K",
        );
        client
            .assets()
            .upload(&token.jwt, vec![file])
            .send()
            .await
            .unwrap();
        client
            .assets()
            .upsert_hashes(&token.jwt, vec![hash])
            .send()
            .await
            .unwrap();
    }
    let requests = server.requests();
    assert_eq!(requests.len(), 8, "4 calls with each client");
    for seen in &requests {
        let values: Vec<&str> = seen
            .headers
            .values()
            .map(|v| v.to_str().unwrap_or_default())
            .collect();
        // The target is the whole path, the API root (`/client/v4`) included.
        let path = seen
            .target
            .strip_prefix("/client/v4")
            .unwrap_or(&seen.target);
        if path.starts_with("/pages/assets/") {
            assert_eq!(
                seen.header("authorization"),
                Some(format!("Bearer {JWT}").as_str())
            );
            for secret in [TOKEN, KEY, EMAIL] {
                assert!(
                    !values.iter().any(|v| v.contains(secret)),
                    "{} carried an account credential: {values:?}",
                    seen.target
                );
            }
        } else {
            assert!(seen.target.ends_with("/upload-token"), "{}", seen.target);
            let account = values.iter().any(|v| v.contains(TOKEN) || v.contains(KEY));
            assert!(account, "upload-token takes the account's credentials");
        }
    }
}
