//! Where credentials go: redirects are followed within the API's origin only, and a request
//! with its own bearer token sends that token instead of the client's credentials.

mod support;

use pages_api_client::{ApiRequest, Client, ClientBuilder, Error, Method, NoResult};
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
