//! Where credentials go: redirects are followed within the API's origin only, and a request
//! with its own bearer token sends that token instead of the client's credentials.

mod support;

use pages_api_client::{ApiRequest, AuthScheme, Client, ClientBuilder, Error, Method, NoResult};
use serde_json::json;
use support::*;

/// The same server reached with each credential kind.
fn both_auth_schemes(server: &Server) -> [(&'static str, ClientBuilder); 2] {
    [
        ("api token", client(server)),
        (
            "api key",
            Client::builder()
                .api_key(EMAIL, KEY)
                .base_url(&server.base)
                .retry_policy(fast_retries()),
        ),
    ]
}

fn patch(path: &'static str) -> ApiRequest {
    ApiRequest::new(Method::PATCH, path, "test-patch")
        .json_body(&json!({"secret_env": "value"}))
        .unwrap()
}

#[tokio::test]
async fn redirects_to_another_origin_are_refused() {
    for (status, request) in [(302, get("/x")), (307, patch("/x"))] {
        let elsewhere = serve(|_, _| Reply::ok(json!(null))).await;
        let location = format!("{}/collect", elsewhere.origin());
        let api = serve({
            let location = location.clone();
            move |_, _| Reply::raw(status, "").header("location", location.clone())
        })
        .await;
        for (scheme, builder) in both_auth_schemes(&api) {
            let before = api.count();
            let err = builder
                .build()
                .unwrap()
                .execute::<NoResult>(request.clone())
                .await
                .unwrap_err();
            match &err {
                Error::CrossOriginRedirect {
                    status: seen,
                    location: seen_location,
                    ..
                } => {
                    assert_eq!(*seen, status, "{scheme}");
                    assert_eq!(*seen_location, location, "{scheme}");
                }
                other => panic!("{scheme} {status}: expected CrossOriginRedirect, got {other:?}"),
            }
            let text = err.to_string();
            assert!(text.contains(&location), "{text}");
            assert!(!text.contains(TOKEN) && !text.contains(KEY), "{text}");
            assert!(!err.is_transient());
            // Refused, not retried; the other origin never heard of it.
            assert_eq!(api.count() - before, 1, "{scheme} {status}");
            assert_eq!(elsewhere.count(), 0, "{scheme} {status}");
        }
    }
}

#[tokio::test]
async fn same_origin_redirects_are_followed_with_credentials() {
    let api = serve(|req, _| match req.target.as_str() {
        "/client/v4/old" => Reply::raw(308, "").header("location", "/client/v4/new"),
        _ => Reply::ok(json!({"name": "moved"})),
    })
    .await;
    for (scheme, builder) in both_auth_schemes(&api) {
        let project: Project = builder
            .build()
            .unwrap()
            .execute_result(get("/old"))
            .await
            .unwrap();
        assert_eq!(project.name, "moved", "{scheme}");
    }
    let seen = api.requests();
    let targets: Vec<&str> = seen.iter().map(|r| r.target.as_str()).collect();
    assert_eq!(
        targets,
        [
            "/client/v4/old",
            "/client/v4/new",
            "/client/v4/old",
            "/client/v4/new"
        ]
    );
    assert_eq!(
        seen[1].header("authorization"),
        Some(format!("Bearer {TOKEN}").as_str())
    );
    assert_eq!(seen[3].header("x-auth-key"), Some(KEY));
}

#[tokio::test]
async fn a_redirect_loop_is_bounded_and_not_retried() {
    let api = serve(|_, _| Reply::raw(302, "").header("location", "/client/v4/loop")).await;
    for (scheme, builder) in both_auth_schemes(&api) {
        let before = api.count();
        let err = builder
            .build()
            .unwrap()
            .execute::<NoResult>(get("/loop"))
            .await
            .unwrap_err();
        assert!(
            matches!(&err, Error::TooManyRedirects { location, limit: 5, .. }
                if location.ends_with("/client/v4/loop")),
            "{scheme}: {err:?}"
        );
        assert!(err.to_string().contains("/client/v4/loop"), "{err}");
        // The first request and five redirects, once: a retry would repeat the loop.
        assert_eq!(api.count() - before, 6, "{scheme}");
    }
}

const JWT: &str = "eyJ-upload-JWT-SECRET";

fn check_missing() -> ApiRequest {
    ApiRequest::new(
        Method::POST,
        "/pages/assets/check-missing",
        "pages-assets-check-missing",
    )
    .json_body(&json!({"hashes": ["abc"]}))
    .unwrap()
}

#[tokio::test]
async fn a_request_bearer_token_replaces_the_client_credentials() {
    let server = serve(|_, _| Reply::ok(json!(["abc"]))).await;
    for (scheme, builder) in both_auth_schemes(&server) {
        let client = builder.build().unwrap();
        let req = check_missing().bearer_auth(JWT);
        for debug in [format!("{req:?}"), format!("{client:?}")] {
            assert!(!debug.contains(JWT), "{debug}");
        }
        let missing: Vec<String> = client.execute_result(req).await.unwrap();
        assert_eq!(missing, ["abc"], "{scheme}");
    }
    for seen in server.requests() {
        assert_eq!(
            seen.header("authorization"),
            Some(format!("Bearer {JWT}").as_str())
        );
        assert_eq!(seen.header("x-auth-email"), None);
        assert_eq!(seen.header("x-auth-key"), None);
        for (name, value) in &seen.headers {
            let value = value.to_str().unwrap_or_default();
            assert!(
                !value.contains(TOKEN) && !value.contains(KEY) && !value.contains(EMAIL),
                "{name}: {value}"
            );
        }
    }
}

#[tokio::test]
async fn a_rejected_request_token_is_reported_as_such() {
    let server = serve(|_, _| {
        Reply::json(
            401,
            json!({"success": false, "errors": [{"code": 8000000, "message": "jwt expired"}]}),
        )
    })
    .await;
    let err = client(&server)
        .build()
        .unwrap()
        .execute::<NoResult>(check_missing().bearer_auth(JWT))
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            Error::Api {
                auth: AuthScheme::RequestToken,
                status: 401,
                ..
            }
        ),
        "{err:?}"
    );
    let text = err.to_string();
    assert!(text.contains("upload token"), "{text}");
    assert!(!text.contains(JWT) && !text.contains(TOKEN), "{text}");
}

#[tokio::test]
async fn a_bad_request_token_fails_before_sending() {
    let server = serve(|_, _| Reply::ok(json!(null))).await;
    let client = client(&server).build().unwrap();
    for bad in ["", "  ", "jwt\nSECRETX"] {
        let err = client
            .execute::<NoResult>(check_missing().bearer_auth(bad))
            .await
            .unwrap_err();
        assert!(
            matches!(err, Error::InvalidRequest { .. }),
            "{bad:?}: {err:?}"
        );
        assert!(!err.to_string().contains("SECRETX"), "{err}");
    }
    assert_eq!(server.count(), 0);
}
