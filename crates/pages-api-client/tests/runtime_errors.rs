//! What errors say: the edge's HTML pages and bad responses by status, cf-ray and body; causes
//! through `source()` only, so a printed chain never repeats itself.

mod support;

#[path = "../examples/common/mod.rs"]
mod common;

use std::collections::BTreeMap;
use std::error::Error as _;

use pages_api_client::{ApiRequest, Client, Error, FilePart, Method, NoResult, RetryPolicy};
use serde_json::json;
use support::*;

async fn failing_with(reply: Reply) -> Error {
    let reply = std::sync::Mutex::new(Some(reply));
    let server = serve(move |_, _| reply.lock().unwrap().take().unwrap()).await;
    client(&server)
        .retry_policy(RetryPolicy::none())
        .build()
        .unwrap()
        .execute::<NoResult>(get("/x"))
        .await
        .unwrap_err()
}

#[tokio::test]
async fn an_html_page_is_blamed_on_the_edge() {
    let err = failing_with(
        Reply::raw(
            502,
            "<html><head><title>502 Bad Gateway</title></head><body>cloudflare</body></html>",
        )
        .header("content-type", "text/html")
        .header("cf-ray", "8f00aa-LHR"),
    )
    .await;
    assert!(matches!(err, Error::Decode { status: 502, .. }), "{err:?}");
    let text = err.to_string();
    assert!(
        text.contains("Cloudflare's edge returned HTTP 502"),
        "{text}"
    );
    assert!(text.contains("8f00aa-LHR"), "{text}");
    assert!(text.contains("502 Bad Gateway"), "{text}");
    assert!(text.contains("retry later"), "{text}");
    assert!(!text.contains("API may have changed"), "{text}");
}

#[tokio::test]
async fn a_bad_error_response_names_status_ray_and_body() {
    let err = failing_with(
        Reply::raw(
            503,
            "upstream connect error or disconnect/reset before headers",
        )
        .header("cf-ray", "8f00bb-AMS"),
    )
    .await;
    let text = err.to_string();
    for part in ["HTTP 503", "8f00bb-AMS", "upstream connect error"] {
        assert!(text.contains(part), "{part}: {text}");
    }
    assert!(!text.contains("API may have changed"), "{text}");
    assert_eq!(err.ray_id(), Some("8f00bb-AMS"));
}

/// Every error in the chain, outermost first.
fn chain(err: &Error) -> Vec<String> {
    let mut texts = vec![err.to_string()];
    let mut source = err.source();
    for _ in 0..32 {
        let Some(cause) = source else { break };
        texts.push(cause.to_string());
        source = cause.source();
    }
    texts
}

#[tokio::test]
async fn error_chains_do_not_repeat_themselves() {
    let refused = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        drop(listener);
        Client::builder()
            .api_token(TOKEN)
            .base_url(format!("http://{addr}"))
            .retry_policy(RetryPolicy::none())
            .build()
            .unwrap()
            .execute::<NoResult>(get("/x"))
            .await
            .unwrap_err()
    };
    assert!(matches!(refused, Error::Transport { .. }), "{refused:?}");
    let truncated = failing_with(Reply::raw(200, r#"{"success":true,"result":{"#)).await;
    assert!(matches!(truncated, Error::Decode { .. }), "{truncated:?}");
    let unencodable = ApiRequest::new(Method::POST, "/x", "op")
        .json_body(&BTreeMap::from([(vec![1u8], 1)]))
        .unwrap_err();
    let server = serve(|_, _| Reply::ok(json!(null))).await;
    let unreadable = client(&server)
        .build()
        .unwrap()
        .execute::<NoResult>(ApiRequest::new(Method::POST, "/x", "op").multipart_file(
            "f",
            Some(FilePart::path("/nonexistent/pages-api-client")),
            "text/plain",
        ))
        .await
        .unwrap_err();

    for err in [&refused, &truncated, &unencodable, &unreadable] {
        let texts = chain(err);
        assert!(texts.len() >= 2, "{err:?} has no source");
        for pair in texts.windows(2) {
            assert!(
                !pair[0].contains(&pair[1]),
                "{:?} repeats its source {:?}",
                pair[0],
                pair[1]
            );
        }
    }

    // The examples print the chain once: the error, then each cause on its own line.
    let report = common::report(&refused);
    let lines: Vec<&str> = report.lines().collect();
    assert!(
        lines[0].starts_with("error: test-get: could not reach the Cloudflare API"),
        "{report}"
    );
    assert_eq!(lines.len(), chain(&refused).len(), "{report}");
    assert!(
        lines[1..].iter().all(|l| l.starts_with("  caused by: ")),
        "{report}"
    );
    let failure = common::Failure::Output(std::io::Error::other("disk full"));
    assert_eq!(
        common::report(&failure),
        "error: could not write the output\n  caused by: disk full"
    );
}
