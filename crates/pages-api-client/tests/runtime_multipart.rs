//! `multipart/form-data` bodies: text fields and file parts (bytes or a file read when sent),
//! their names, file names and content types, sent whole again on a retry.

mod support;

use std::error::Error as _;

use pages_api_client::{ApiRequest, Error, FilePart, Method, NoResult};
use serde_json::json;
use support::*;

/// One part of a received form.
#[derive(Debug, PartialEq)]
struct ReceivedPart {
    disposition: String,
    content_type: Option<String>,
    data: Vec<u8>,
}

/// Splits a `multipart/form-data` body at its boundary (header names in any case, as a server
/// reads them).
fn parse_form(request: &Recorded) -> Vec<ReceivedPart> {
    let content_type = request.header("content-type").unwrap();
    let boundary = content_type
        .strip_prefix("multipart/form-data; boundary=")
        .unwrap_or_else(|| panic!("not a form: {content_type}"));
    let delimiter = format!("--{boundary}").into_bytes();
    let body = &request.body[..];
    let mut starts = Vec::new();
    let mut at = 0;
    while let Some(found) = body[at..]
        .windows(delimiter.len())
        .position(|w| w == delimiter)
    {
        starts.push(at + found);
        at += found + delimiter.len();
    }
    assert!(body[at..].starts_with(b"--"), "no closing delimiter");
    starts
        .windows(2)
        .map(|pair| {
            // `--boundary\r\n` headers `\r\n\r\n` data `\r\n` (before the next delimiter).
            let part = &body[pair[0] + delimiter.len() + 2..pair[1] - 2];
            let split = part.windows(4).position(|w| w == b"\r\n\r\n").unwrap();
            let head = String::from_utf8(part[..split].to_vec()).unwrap();
            let header = |name: &str| {
                head.split("\r\n").find_map(|line| {
                    let (key, value) = line.split_once(": ")?;
                    key.eq_ignore_ascii_case(name).then(|| value.to_owned())
                })
            };
            ReceivedPart {
                disposition: header("Content-Disposition").unwrap(),
                content_type: header("Content-Type"),
                data: part[split + 4..].to_vec(),
            }
        })
        .collect()
}

#[tokio::test]
async fn text_fields_and_file_parts_arrive_whole_after_a_retry() {
    let server = serve(|_, i| match i {
        0 => Reply::json(503, json!({"success": false})),
        _ => Reply::ok(json!(null)),
    })
    .await;
    let worker_path = std::env::temp_dir().join(format!(
        "pages-api-client-multipart-{}.mjs",
        std::process::id()
    ));
    std::fs::write(&worker_path, b"export default { fetch() {} }").unwrap();
    let binary: Vec<u8> = (0..=255).collect();

    let req = ApiRequest::new(Method::POST, "/deployments", "deploy")
        .multipart_text("branch", Some("main"))
        .multipart_file(
            "manifest",
            Some(FilePart::bytes(&br#"{"/index.html":"abc"}"#[..])),
            "application/json",
        )
        .multipart_file("_headers", None, "text/plain")
        .multipart_file(
            "_worker.bundle",
            Some(
                FilePart::path(&worker_path)
                    .file_name("worker.mjs")
                    .content_type("application/javascript+module"),
            ),
            "application/octet-stream",
        )
        .multipart_file(
            "blob",
            Some(binary.clone().into()),
            "application/octet-stream",
        )
        .multipart_text("commit_message", Some("ünïcode"));
    let result = client(&server)
        .retry_policy(fast_retries().with_retry_non_idempotent(true))
        .build()
        .unwrap()
        .execute::<NoResult>(req)
        .await;
    std::fs::remove_file(&worker_path).unwrap();
    result.unwrap();

    let expected = vec![
        ReceivedPart {
            disposition: r#"form-data; name="branch""#.into(),
            content_type: None,
            data: b"main".to_vec(),
        },
        ReceivedPart {
            disposition: r#"form-data; name="manifest"; filename="manifest""#.into(),
            content_type: Some("application/json".into()),
            data: br#"{"/index.html":"abc"}"#.to_vec(),
        },
        ReceivedPart {
            disposition: r#"form-data; name="_worker.bundle"; filename="worker.mjs""#.into(),
            content_type: Some("application/javascript+module".into()),
            data: b"export default { fetch() {} }".to_vec(),
        },
        ReceivedPart {
            disposition: r#"form-data; name="blob"; filename="blob""#.into(),
            content_type: Some("application/octet-stream".into()),
            data: binary,
        },
        ReceivedPart {
            disposition: r#"form-data; name="commit_message""#.into(),
            content_type: None,
            data: "ünïcode".as_bytes().to_vec(),
        },
    ];
    let seen = server.requests();
    assert_eq!(seen.len(), 2, "a 503 and its retry");
    for request in &seen {
        assert_eq!(parse_form(request), expected);
        assert_eq!(
            request.header("content-length"),
            Some(request.body.len().to_string().as_str())
        );
    }
}

#[tokio::test]
async fn an_unreadable_file_is_an_error_naming_the_path() {
    let server = serve(|_, _| Reply::ok(json!(null))).await;
    let missing = std::env::temp_dir().join("pages-api-client-no-such-dir/index.html");
    let err = client(&server)
        .build()
        .unwrap()
        .execute::<NoResult>(
            ApiRequest::new(Method::POST, "/deployments", "deploy").multipart_file(
                "index",
                Some(FilePart::path(&missing)),
                "text/html",
            ),
        )
        .await
        .unwrap_err();
    match &err {
        Error::File { part, path, .. } => {
            assert_eq!(*part, "index");
            assert_eq!(path, &missing);
        }
        other => panic!("expected File, got {other:?}"),
    }
    assert!(
        err.to_string().contains(&missing.display().to_string()),
        "{err}"
    );
    let io = err
        .source()
        .unwrap()
        .downcast_ref::<std::io::Error>()
        .unwrap();
    assert_eq!(io.kind(), std::io::ErrorKind::NotFound);
    assert_eq!(server.count(), 0);
}

#[test]
fn file_parts_convert_from_bytes_and_text() {
    let parts: [FilePart; 4] = [
        b"static".as_slice().into(),
        b"vec".to_vec().into(),
        String::from("text").into(),
        bytes::Bytes::from_static(b"bytes").into(),
    ];
    for part in &parts {
        assert!(format!("{part:?}").contains("bytes"), "{part:?}");
    }
    let debug = format!("{:?}", FilePart::bytes(&b"SECRET-CONTENT"[..]));
    assert!(!debug.contains("SECRET"), "{debug}");
}
