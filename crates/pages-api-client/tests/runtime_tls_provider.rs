//! A `reqwest::Client` of the caller's own works although this crate builds reqwest without a
//! crypto provider. Alone in its file: the provider is process-wide, and this test must start
//! without one. Only with the `rustls` feature, whose set-up this is.
#![cfg(feature = "rustls")]

mod support;

use pages_api_client::{Client, reqwest};
use rustls::crypto::CryptoProvider;
use serde_json::json;
use support::*;

#[tokio::test]
async fn a_plain_reqwest_client_does_not_panic() {
    assert!(
        CryptoProvider::get_default().is_none(),
        "nothing may install a provider before this test"
    );
    let server = serve(|_, _| Reply::ok(json!({"name": "p"}))).await;
    // `Client::builder()` runs before `reqwest::Client::new()` builds its TLS set-up.
    let client = Client::builder()
        .api_token(TOKEN)
        .base_url(&server.base)
        .http_client(reqwest::Client::new())
        .build()
        .unwrap();
    let project: Project = client.execute_result(get("/x")).await.unwrap();
    assert_eq!(project.name, "p");
    assert!(CryptoProvider::get_default().is_some());
}
