//! Per-request options: timeout, retries and extra headers of one call.

mod support;

use std::time::{Duration, Instant};

use pages_api_client::reqwest::header::{HeaderName, HeaderValue};
use pages_api_client::{Error, NoResult, RequestOptions, RetryPolicy};
use serde_json::json;
use support::*;

#[tokio::test]
async fn options_override_the_timeout() {
    let server = serve(|_, _| Reply::ok(json!(null)).delay(Duration::from_secs(3))).await;
    let client = client(&server).build().unwrap();
    let started = Instant::now();
    let options = RequestOptions::new()
        .timeout(Duration::from_millis(150))
        .max_attempts(1);
    let err = client
        .execute::<NoResult>(get("/slow").options(options))
        .await
        .unwrap_err();
    assert!(
        matches!(err, Error::Timeout { after, .. } if after == Duration::from_millis(150)),
        "{err:?}"
    );
    assert!(started.elapsed() < Duration::from_secs(2));
    assert_eq!(server.count(), 1);
}

#[tokio::test]
async fn options_override_the_retry_policy() {
    let server = serve(|_, _| Reply::json(503, json!({"success": false}))).await;
    let client = client(&server).build().unwrap();
    let cases = [
        (RequestOptions::new(), 3),
        (RequestOptions::new().max_attempts(5), 5),
        (RequestOptions::new().retry_policy(RetryPolicy::none()), 1),
        // `max_attempts` applies on top of a policy of the request's own.
        (
            RequestOptions::new()
                .retry_policy(fast_retries().with_max_attempts(4))
                .max_attempts(2),
            2,
        ),
    ];
    for (options, attempts) in cases {
        let before = server.count();
        let err = client
            .execute::<NoResult>(get("/x").options(options.clone()))
            .await
            .unwrap_err();
        assert_eq!(err.status(), Some(503));
        assert_eq!(server.count() - before, attempts, "{options:?}");
    }
    // The client's own policy is unchanged.
    assert_eq!(client.retry_policy().max_attempts, 3);
}

#[tokio::test]
async fn options_add_headers_but_never_credentials() {
    let server = serve(|_, _| Reply::ok(json!(null))).await;
    let client = client(&server).build().unwrap();
    let options = RequestOptions::new()
        .header(
            HeaderName::from_static("x-trace"),
            HeaderValue::from_static("trace-VALUE"),
        )
        .header(
            HeaderName::from_static("user-agent"),
            HeaderValue::from_static("mine/1"),
        );
    assert!(!format!("{options:?}").contains("trace-VALUE"));
    client
        .execute::<NoResult>(get("/x").options(options))
        .await
        .unwrap();
    let seen = &server.requests()[0];
    assert_eq!(seen.header("x-trace"), Some("trace-VALUE"));
    assert_eq!(seen.header("user-agent"), Some("mine/1"));
    assert_eq!(seen.headers.get_all("user-agent").iter().count(), 1);
    assert_eq!(
        seen.header("authorization"),
        Some(format!("Bearer {TOKEN}").as_str())
    );

    for name in ["authorization", "x-auth-email", "x-auth-key"] {
        let options = RequestOptions::new().header(
            HeaderName::from_static(name),
            HeaderValue::from_static("Bearer stolen"),
        );
        let err = client
            .execute::<NoResult>(get("/x").options(options))
            .await
            .unwrap_err();
        assert!(
            matches!(err, Error::InvalidRequest { .. }),
            "{name}: {err:?}"
        );
        assert!(err.to_string().contains(name), "{err}");
    }
    let err = client
        .execute::<NoResult>(get("/x").options(RequestOptions::new().timeout(Duration::ZERO)))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::InvalidRequest { .. }), "{err:?}");
    assert_eq!(server.count(), 1);
}
