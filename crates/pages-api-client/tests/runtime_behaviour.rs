//! Behaviour of the hand-written runtime against a real HTTP server (axum on 127.0.0.1:0,
//! started inside each test): headers, URL building, decoding, errors, retries, paging.

mod support;

use std::collections::HashMap;
use std::pin::pin;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime};

use futures_util::StreamExt as _;
use pages_api_client::{
    ApiRequest, Auth, AuthScheme, Client, Envelope, Error, Method, NoResult, ResponseInfo,
    RetryPolicy, paginate,
};
use serde_json::json;
use support::*;

// ---------------------------------------------------------------------------------------------
// Headers and URL building.

#[tokio::test]
async fn api_token_sends_bearer_and_defaults() {
    let server = serve(|_, _| Reply::ok(json!({"name": "p"}))).await;
    let client = client(&server).build().unwrap();
    let env: Envelope<Project> = client.execute(get("/ping")).await.unwrap();
    assert_eq!(env.result, Some(Project { name: "p".into() }));

    let req = &server.requests()[0];
    assert_eq!(req.method, "GET");
    assert_eq!(req.target, "/client/v4/ping");
    assert_eq!(
        req.header("authorization"),
        Some(format!("Bearer {TOKEN}").as_str())
    );
    assert_eq!(req.header("x-auth-key"), None);
    assert_eq!(req.header("accept"), Some("application/json"));
    assert!(
        req.header("user-agent")
            .unwrap()
            .starts_with("pages-api-client/")
    );
    assert!(req.body.is_empty());
}

#[tokio::test]
async fn api_key_sends_email_and_key() {
    let server = serve(|_, _| Reply::ok(json!(null))).await;
    let client = Client::builder()
        .api_key(EMAIL, KEY)
        .base_url(&server.base)
        .user_agent("custom-agent/1")
        .build()
        .unwrap();
    assert_eq!(client.auth_scheme(), AuthScheme::ApiKey);
    let env: Envelope<NoResult> = client.execute(get("/ping")).await.unwrap();
    assert!(env.success);

    let req = &server.requests()[0];
    assert_eq!(req.header("x-auth-email"), Some(EMAIL));
    assert_eq!(req.header("x-auth-key"), Some(KEY));
    assert_eq!(req.header("authorization"), None);
    assert_eq!(req.header("user-agent"), Some("custom-agent/1"));
}

#[tokio::test]
async fn path_params_are_encoded_as_one_segment() {
    let server = serve(|_, _| Reply::ok(json!({"name": "x"}))).await;
    // A trailing slash on the base URL is tolerated.
    let client = client(&server)
        .base_url(format!("{}/", server.base))
        .build()
        .unwrap();
    let req = ApiRequest::new(
        Method::GET,
        "/accounts/{account_id}/pages/projects/{project_name}",
        "pages-project-get-project",
    )
    .path_param("account_id", "acc-1")
    .path_param("project_name", "my project/ü?#");
    let _: Envelope<Project> = client.execute(req).await.unwrap();
    assert_eq!(
        server.requests()[0].target,
        "/client/v4/accounts/acc-1/pages/projects/my%20project%2F%C3%BC%3F%23"
    );
}

#[tokio::test]
async fn query_is_built_and_none_is_omitted() {
    let server = serve(|_, _| Reply::ok(json!([]))).await;
    let client = client(&server).build().unwrap();
    let req = get("/list")
        .query("page", Some(2))
        .query("env", Some("pre view&x"))
        .query("per_page", None::<u32>);
    let _: Envelope<Vec<Project>> = client.execute(req).await.unwrap();
    assert_eq!(
        server.requests()[0].target,
        "/client/v4/list?page=2&env=pre%20view%26x"
    );
}

#[tokio::test]
async fn bodies_json_empty_and_multipart() {
    let server = serve(|_, _| Reply::ok(json!({"name": "created"}))).await;
    let client = client(&server).build().unwrap();

    let req = ApiRequest::new(Method::POST, "/projects", "create")
        .json_body(&json!({"name": "p", "production_branch": "main"}))
        .unwrap();
    let _: Envelope<Project> = client.execute(req).await.unwrap();
    let req = ApiRequest::new(Method::POST, "/retry", "retry").empty_json_body();
    let _: Envelope<Project> = client.execute(req).await.unwrap();
    let req = ApiRequest::new(Method::POST, "/deploy", "deploy")
        .multipart_text("branch", Some("main"))
        .multipart_text("commit_hash", None::<&str>);
    let _: Envelope<Project> = client.execute(req).await.unwrap();

    let seen = server.requests();
    assert_eq!(seen[0].header("content-type"), Some("application/json"));
    let sent: serde_json::Value = serde_json::from_slice(&seen[0].body).unwrap();
    assert_eq!(sent, json!({"name": "p", "production_branch": "main"}));
    assert_eq!(seen[1].header("content-type"), Some("application/json"));
    assert_eq!(&seen[1].body[..], b"{}");
    assert!(
        seen[2]
            .header("content-type")
            .unwrap()
            .starts_with("multipart/form-data; boundary=")
    );
    let form = String::from_utf8_lossy(&seen[2].body);
    assert!(form.contains("name=\"branch\"\r\n\r\nmain\r\n"), "{form}");
    assert!(!form.contains("commit_hash"), "{form}");
}

// ---------------------------------------------------------------------------------------------
// Decoding and errors.

#[tokio::test]
async fn envelope_is_unwrapped() {
    let server = serve(|req, _| match req.target.as_str() {
        "/client/v4/one" => Reply::json(
            200,
            json!({"success": true, "errors": [], "messages": [{"code": 1, "message": "note"}],
                   "result": {"name": "p", "unknown": 1},
                   "result_info": {"page": 1, "per_page": 20, "count": 1, "total_count": 1}}),
        ),
        _ => Reply::ok(json!(null)),
    })
    .await;
    let client = client(&server).build().unwrap();

    let env: Envelope<Project> = client.execute(get("/one")).await.unwrap();
    assert_eq!(env.messages[0].message, "note");
    assert_eq!(env.result_info.unwrap().total_count, Some(1));
    let project: Project = client.execute_result(get("/one")).await.unwrap();
    assert_eq!(project.name, "p");

    // `result: null` where a value is expected.
    let err = client
        .execute_result::<Project>(ApiRequest::new(Method::GET, "/null", "op-null"))
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            Error::MissingResult {
                operation: "op-null"
            }
        ),
        "{err:?}"
    );
    assert!(err.to_string().contains("send_envelope"), "{err}");
}

#[tokio::test]
async fn error_envelope_becomes_api_error() {
    let server = serve(|_, _| {
        Reply::json(
            404,
            json!({"success": false,
                   "errors": [{"code": 8000007, "message": "Project not found"}],
                   "messages": [], "result": null}),
        )
        .header("cf-ray", "8a1b2c3d4e5f-LHR")
    })
    .await;
    let client = client(&server).build().unwrap();
    let err = client
        .execute::<Project>(
            ApiRequest::new(Method::GET, "/projects/{name}", "pages-project-get-project")
                .path_param("name", "nope"),
        )
        .await
        .unwrap_err();
    match &err {
        Error::Api {
            status,
            errors,
            ray_id,
            operation,
            auth,
            ..
        } => {
            assert_eq!(*status, 404);
            assert_eq!(errors[0].message, "Project not found");
            assert_eq!(ray_id.as_deref(), Some("8a1b2c3d4e5f-LHR"));
            assert_eq!(*operation, "pages-project-get-project");
            assert_eq!(*auth, AuthScheme::ApiToken);
        }
        other => panic!("expected Api, got {other:?}"),
    }
    assert_eq!(err.codes(), vec![8000007]);
    assert!(err.is_not_found());
    assert!(!err.is_auth());
    let text = err.to_string();
    assert!(text.contains("Project not found (code 8000007)"), "{text}");
    assert!(text.contains("8a1b2c3d4e5f-LHR"), "{text}");
    // 404 is not retried.
    assert_eq!(server.count(), 1);
}

#[tokio::test]
async fn auth_errors_name_the_credential_kind_but_not_its_value() {
    let server = serve(|_, _| {
        Reply::json(
            403,
            json!({"success": false, "errors": [{"code": 10000, "message": "Authentication error"}]}),
        )
    })
    .await;

    let token_client = client(&server).build().unwrap();
    let err = token_client
        .execute::<Project>(get("/x"))
        .await
        .unwrap_err();
    assert!(err.is_auth());
    let text = err.to_string();
    assert!(text.contains("API token"), "{text}");
    assert!(!text.contains(TOKEN), "{text}");

    let key_client = Client::builder()
        .api_key(EMAIL, KEY)
        .base_url(&server.base)
        .build()
        .unwrap();
    let text = key_client
        .execute::<Project>(get("/x"))
        .await
        .unwrap_err()
        .to_string();
    assert!(text.contains("global API key"), "{text}");
    assert!(text.contains("CLOUDFLARE_API_KEY"), "{text}");
    assert!(!text.contains(KEY), "{text}");
}

#[tokio::test]
async fn success_false_on_2xx_is_an_api_error() {
    let server = serve(|_, _| {
        Reply::json(
            200,
            json!({"success": false, "errors": [{"code": 8000000, "message": "bad"}], "result": null}),
        )
    })
    .await;
    let err = client(&server)
        .build()
        .unwrap()
        .execute::<Project>(get("/x"))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Api { status: 200, .. }), "{err:?}");
    assert_eq!(err.codes(), vec![8000000]);
}

#[tokio::test]
async fn html_502_is_a_decode_error_with_excerpt() {
    let html = "<html><head><title>502 Bad Gateway</title></head><body>cloudflare</body></html>";
    let server = serve(move |_, _| {
        Reply::raw(502, html)
            .header("content-type", "text/html")
            .header("cf-ray", "ray-502")
    })
    .await;
    let err = client(&server)
        .build()
        .unwrap()
        .execute::<Project>(get("/x"))
        .await
        .unwrap_err();
    match &err {
        Error::Decode {
            status,
            body_excerpt,
            ray_id,
            ..
        } => {
            assert_eq!(*status, 502);
            assert!(body_excerpt.starts_with("<html>"), "{body_excerpt}");
            assert_eq!(ray_id.as_deref(), Some("ray-502"));
        }
        other => panic!("expected Decode, got {other:?}"),
    }
    assert!(err.to_string().contains("502 Bad Gateway"), "{err}");
    // 502 is retried (GET, default 3 attempts).
    assert_eq!(server.count(), 3);
}

#[tokio::test]
async fn truncated_json_is_a_decode_error() {
    let server = serve(|_, _| Reply::raw(200, r#"{"success":true,"result":{"name":"#)).await;
    let err = client(&server)
        .build()
        .unwrap()
        .execute::<Project>(get("/x"))
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::Decode { status: 200, body_excerpt, .. } if body_excerpt.contains("\"name\":")),
        "{err:?}"
    );
}

#[tokio::test]
async fn empty_body_is_a_decode_error() {
    let server = serve(|_, _| Reply::raw(200, "")).await;
    let err = client(&server)
        .build()
        .unwrap()
        .execute::<Project>(get("/x"))
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::Decode { status: 200, body_excerpt, .. } if body_excerpt.is_empty()),
        "{err:?}"
    );
    assert!(err.to_string().contains("<empty body>"), "{err}");
}

#[tokio::test]
async fn slow_response_is_a_timeout() {
    let server =
        serve(|_, _| Reply::ok(json!({"name": "late"})).delay(Duration::from_secs(3))).await;
    let client = client(&server)
        .timeout(Duration::from_millis(200))
        .retry_policy(RetryPolicy::none())
        .build()
        .unwrap();
    let started = Instant::now();
    let err = client.execute::<Project>(get("/slow")).await.unwrap_err();
    assert!(
        matches!(err, Error::Timeout { after, operation: "test-get" } if after == Duration::from_millis(200)),
        "{err:?}"
    );
    assert!(started.elapsed() < Duration::from_secs(2));
    assert!(err.is_transient());
}

#[tokio::test]
async fn connection_refused_is_a_transport_error() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    let client = Client::builder()
        .api_token(TOKEN)
        .base_url(format!("http://{addr}"))
        .retry_policy(fast_retries().with_max_attempts(2))
        .build()
        .unwrap();
    let err = client.execute::<Project>(get("/x")).await.unwrap_err();
    assert!(matches!(err, Error::Transport { .. }), "{err:?}");
    assert!(!err.to_string().contains(TOKEN));
}

#[tokio::test]
async fn missing_and_invalid_path_params_fail_before_sending() {
    let server = serve(|_, _| Reply::ok(json!(null))).await;
    let client = client(&server).build().unwrap();
    let err = client
        .execute::<NoResult>(get("/projects/{project_name}"))
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            Error::MissingField {
                field: "project_name",
                ..
            }
        ),
        "{err:?}"
    );
    let err = client
        .execute::<NoResult>(get("/projects/{project_name}").path_param("project_name", ".."))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::InvalidPathParam { .. }), "{err:?}");
    assert_eq!(server.count(), 0);
}

// ---------------------------------------------------------------------------------------------
// Retries.

#[tokio::test]
async fn retry_after_seconds_is_honoured() {
    let server = serve(|_, i| match i {
        0 => Reply::json(
            429,
            json!({"success": false, "errors": [{"code": 971, "message": "slow down"}]}),
        )
        .header("retry-after", "1"),
        _ => Reply::ok(json!({"name": "ok"})),
    })
    .await;
    let client = client(&server).build().unwrap();
    let started = Instant::now();
    let project: Project = client.execute_result(get("/x")).await.unwrap();
    let elapsed = started.elapsed();
    assert_eq!(project.name, "ok");
    assert_eq!(server.count(), 2);
    assert!(elapsed >= Duration::from_millis(950), "{elapsed:?}");
    assert!(elapsed < Duration::from_secs(4), "{elapsed:?}");
}

#[tokio::test]
async fn retry_after_http_date_is_honoured() {
    let server = serve(|_, i| match i {
        0 => Reply::raw(503, "unavailable").header(
            "retry-after",
            httpdate::fmt_http_date(SystemTime::now() + Duration::from_secs(2)),
        ),
        _ => Reply::ok(json!({"name": "ok"})),
    })
    .await;
    let client = client(&server).build().unwrap();
    let started = Instant::now();
    let project: Project = client.execute_result(get("/x")).await.unwrap();
    let elapsed = started.elapsed();
    assert_eq!(project.name, "ok");
    assert_eq!(server.count(), 2);
    // The date has one-second resolution: the wait is between 1 and 2 s.
    assert!(elapsed >= Duration::from_millis(900), "{elapsed:?}");
    assert!(elapsed < Duration::from_secs(4), "{elapsed:?}");
}

#[tokio::test]
async fn get_503_then_200_succeeds() {
    let server = serve(|_, i| match i {
        0 => Reply::json(503, json!({"success": false, "errors": []})),
        _ => Reply::ok(json!({"name": "ok"})),
    })
    .await;
    let project: Project = client(&server)
        .build()
        .unwrap()
        .execute_result(get("/x"))
        .await
        .unwrap();
    assert_eq!(project.name, "ok");
    assert_eq!(server.count(), 2);
}

#[tokio::test]
async fn retries_stop_at_max_attempts() {
    let server = serve(|_, _| Reply::json(500, json!({"success": false}))).await;
    let err = client(&server)
        .retry_policy(fast_retries().with_max_attempts(4))
        .build()
        .unwrap()
        .execute::<Project>(get("/x"))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Api { status: 500, .. }), "{err:?}");
    assert!(err.is_transient());
    assert_eq!(server.count(), 4);
}

#[tokio::test]
async fn post_is_not_retried_unless_opted_in() {
    let reply = |_: &Recorded, i: usize| match i {
        0 => Reply::json(503, json!({"success": false})),
        _ => Reply::ok(json!({"name": "created"})),
    };
    let post = || ApiRequest::new(Method::POST, "/projects", "create").empty_json_body();

    let server = serve(reply).await;
    let err = client(&server)
        .build()
        .unwrap()
        .execute::<Project>(post())
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Api { status: 503, .. }), "{err:?}");
    assert_eq!(server.count(), 1);

    let server = serve(reply).await;
    let project: Project = client(&server)
        .retry_policy(fast_retries().with_retry_non_idempotent(true))
        .build()
        .unwrap()
        .execute_result(post())
        .await
        .unwrap();
    assert_eq!(project.name, "created");
    assert_eq!(server.count(), 2);
    // The body is sent again, whole, on the retry.
    assert_eq!(&server.requests()[1].body[..], b"{}");
}

#[tokio::test]
async fn response_observer_sees_every_attempt() {
    let server = serve(|_, i| match i {
        0 => Reply::json(503, json!({"success": false, "errors": []}))
            .header("x-ratelimit-remaining", "9"),
        _ => Reply::ok(json!({"name": "ok"})).header("x-ratelimit-remaining", "8"),
    })
    .await;
    type Seen = (&'static str, String, &'static str, u16, Option<String>, u32);
    let seen: Arc<Mutex<Vec<Seen>>> = Arc::default();
    let client = client(&server)
        .on_response({
            let seen = seen.clone();
            move |info: &ResponseInfo<'_>| {
                let remaining = info
                    .headers
                    .get("x-ratelimit-remaining")
                    .and_then(|v| v.to_str().ok())
                    .map(str::to_owned);
                seen.lock().unwrap().push((
                    info.operation,
                    info.method.to_string(),
                    info.path_template,
                    info.status,
                    remaining,
                    info.attempt,
                ));
            }
        })
        .build()
        .unwrap();
    assert!(
        format!("{client:?}").contains("on_response: true"),
        "{client:?}"
    );
    assert!(format!("{:?}", Client::builder()).contains("on_response: false"));

    let req = ApiRequest::new(
        Method::GET,
        "/projects/{project_name}",
        "pages-project-get-project",
    )
    .path_param("project_name", "p");
    // Clones share the observer.
    let project: Project = client.clone().execute_result(req).await.unwrap();
    assert_eq!(project.name, "ok");

    let template = "/projects/{project_name}";
    let op = "pages-project-get-project";
    assert_eq!(
        *seen.lock().unwrap(),
        [
            (op, "GET".to_owned(), template, 503, Some("9".to_owned()), 1),
            (op, "GET".to_owned(), template, 200, Some("8".to_owned()), 2),
        ]
    );
}

// ---------------------------------------------------------------------------------------------
// Paging.

fn page_query(target: &str) -> HashMap<String, String> {
    target
        .split_once('?')
        .map(|(_, q)| q)
        .unwrap_or("")
        .split('&')
        .filter_map(|kv| kv.split_once('='))
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect()
}

fn list_page(
    client: &Client,
    page: u32,
) -> impl Future<Output = Result<Envelope<Vec<Project>>, Error>> {
    let client = client.clone();
    async move {
        client
            .execute(
                ApiRequest::new(Method::GET, "/deployments", "list")
                    .query("page", Some(page))
                    .query("per_page", Some(2)),
            )
            .await
    }
}

#[tokio::test]
async fn paging_walks_three_pages() {
    let server = serve(|req, _| {
        let q = page_query(&req.target);
        let page: u32 = q["page"].parse().unwrap();
        let items: Vec<_> = (0..2)
            .map(|i| json!({"name": format!("p{page}-{i}")}))
            .collect();
        Reply::json(
            200,
            json!({"success": true, "errors": [], "messages": [], "result": items,
                   "result_info": {"page": page, "per_page": 2, "count": 2,
                                   "total_count": 6, "total_pages": 3}}),
        )
    })
    .await;
    let client = client(&server).build().unwrap();
    let names: Vec<String> = paginate(1, |page| list_page(&client, page))
        .map(|r| r.unwrap().name)
        .collect()
        .await;
    assert_eq!(names, ["p1-0", "p1-1", "p2-0", "p2-1", "p3-0", "p3-1"]);
    let pages: Vec<String> = server
        .requests()
        .iter()
        .map(|r| page_query(&r.target)["page"].clone())
        .collect();
    assert_eq!(pages, ["1", "2", "3"]);
}

#[tokio::test]
async fn paging_stops_on_an_empty_page() {
    // No totals: only full pages, then an empty one.
    let server = serve(|req, _| {
        let page: u32 = page_query(&req.target)["page"].parse().unwrap();
        let items: Vec<_> = if page <= 2 {
            (0..2)
                .map(|i| json!({"name": format!("p{page}-{i}")}))
                .collect()
        } else {
            Vec::new()
        };
        Reply::json(
            200,
            json!({"success": true, "result": items,
                   "result_info": {"page": page, "per_page": 2, "count": items.len()}}),
        )
    })
    .await;
    let client = client(&server).build().unwrap();
    let names: Vec<String> = paginate(1, |page| list_page(&client, page))
        .map(|r| r.unwrap().name)
        .collect()
        .await;
    assert_eq!(names, ["p1-0", "p1-1", "p2-0", "p2-1"]);
    assert_eq!(server.count(), 3);
}

#[tokio::test]
async fn paging_is_lazy_and_ends_after_an_error() {
    let server = serve(|req, _| {
        let page: u32 = page_query(&req.target)["page"].parse().unwrap();
        if page == 2 {
            return Reply::json(
                400,
                json!({"success": false, "errors": [{"code": 8000024, "message": "bad page"}]}),
            );
        }
        Reply::json(
            200,
            json!({"success": true, "result": [{"name": "a"}, {"name": "b"}],
                   "result_info": {"page": page, "per_page": 2, "count": 2, "total_pages": 5}}),
        )
    })
    .await;
    let client = client(&server).build().unwrap();
    let mut stream = pin!(paginate(1, |page| list_page(&client, page)));
    assert_eq!(server.count(), 0, "nothing is fetched before polling");
    assert_eq!(stream.next().await.unwrap().unwrap().name, "a");
    assert_eq!(server.count(), 1);
    assert_eq!(stream.next().await.unwrap().unwrap().name, "b");
    let err = stream.next().await.unwrap().unwrap_err();
    assert_eq!(err.codes(), vec![8000024]);
    assert!(stream.next().await.is_none());
    assert_eq!(server.count(), 2);
}

// ---------------------------------------------------------------------------------------------
// Configuration.

#[test]
fn debug_output_never_shows_secrets() {
    let token_builder = Client::builder().api_token(TOKEN);
    let key_builder = Client::builder().api_key(EMAIL, KEY);
    let outputs = [
        format!("{:?}", Auth::api_token(TOKEN)),
        format!("{:?}", Auth::api_key(EMAIL, KEY)),
        format!("{token_builder:?}"),
        format!("{key_builder:?}"),
        format!("{:?}", token_builder.build().unwrap()),
        format!("{:?}", key_builder.build().unwrap()),
    ];
    for out in &outputs {
        assert!(!out.contains(TOKEN) && !out.contains(KEY), "{out}");
    }
    assert_eq!(outputs[0], "ApiToken(<redacted>)");
    assert!(outputs[1].contains("<redacted>"));
    assert!(outputs[4].contains("<redacted>"));
}

fn env(vars: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
    let vars: HashMap<String, String> = vars
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    move |name| vars.get(name).cloned()
}

#[test]
fn from_env_reads_wrangler_variables() {
    let client = Client::from_env_with(env(&[("CLOUDFLARE_API_TOKEN", TOKEN)])).unwrap();
    assert_eq!(client.auth_scheme(), AuthScheme::ApiToken);
    assert_eq!(client.base_url(), "https://api.cloudflare.com/client/v4");

    let client = Client::from_env_with(env(&[
        ("CLOUDFLARE_EMAIL", EMAIL),
        ("CLOUDFLARE_API_KEY", KEY),
        ("CLOUDFLARE_API_BASE_URL", "http://127.0.0.1:9/v4/"),
    ]))
    .unwrap();
    assert_eq!(client.auth_scheme(), AuthScheme::ApiKey);
    assert_eq!(client.base_url(), "http://127.0.0.1:9/v4");

    // The token wins over the key pair.
    let client = Client::from_env_with(env(&[
        ("CLOUDFLARE_API_TOKEN", TOKEN),
        ("CLOUDFLARE_EMAIL", EMAIL),
        ("CLOUDFLARE_API_KEY", KEY),
    ]))
    .unwrap();
    assert_eq!(client.auth_scheme(), AuthScheme::ApiToken);
}

#[test]
fn from_env_errors_list_the_variables() {
    let err = Client::from_env_with(env(&[])).unwrap_err();
    assert!(matches!(err, Error::Config(_)), "{err:?}");
    let text = err.to_string();
    for var in [
        "CLOUDFLARE_API_TOKEN",
        "CLOUDFLARE_EMAIL",
        "CLOUDFLARE_API_KEY",
    ] {
        assert!(text.contains(var), "{text}");
    }

    // An empty variable counts as unset.
    let text = Client::from_env_with(env(&[
        ("CLOUDFLARE_API_TOKEN", ""),
        ("CLOUDFLARE_EMAIL", EMAIL),
    ]))
    .unwrap_err()
    .to_string();
    assert!(text.contains("CLOUDFLARE_API_KEY is not"), "{text}");
    assert!(!text.contains(EMAIL), "{text}");
}

#[test]
fn builder_rejects_bad_configuration() {
    let err = Client::builder().build().unwrap_err();
    assert!(err.to_string().contains("api_token"), "{err}");
    for bad in [
        "not a url",
        "ftp://example.com",
        "https://example.com/v4?x=1",
    ] {
        let err = Client::builder()
            .api_token(TOKEN)
            .base_url(bad)
            .build()
            .unwrap_err();
        assert!(matches!(err, Error::Config(_)), "{bad}: {err:?}");
    }
    let err = Client::builder()
        .api_token("tok\nSECRETX")
        .build()
        .unwrap_err();
    assert!(!err.to_string().contains("SECRETX"), "{err}");
    let err = Client::builder()
        .api_token(TOKEN)
        .timeout(Duration::ZERO)
        .build()
        .unwrap_err();
    assert!(matches!(err, Error::Config(_)));
}

// ---------------------------------------------------------------------------------------------
// Tracing.

mod capture {
    //! A minimal subscriber recording the fields of `pages_api.request` spans and of events.

    use std::fmt::Debug;
    use std::sync::{Arc, Mutex};

    use tracing::field::{Field, Visit};
    use tracing::span::{Attributes, Id, Record};
    use tracing::{Event, Metadata, Subscriber};

    /// `(field name, Debug of the value)`.
    pub type FieldList = Vec<(String, String)>;

    #[derive(Default)]
    pub struct Captured {
        /// `(span name, fields)`; a span's id is its index + 1.
        pub spans: Mutex<Vec<(String, FieldList)>>,
        pub events: Mutex<Vec<FieldList>>,
    }

    pub struct Capture {
        captured: Arc<Captured>,
    }

    impl Capture {
        pub fn new() -> (Self, Arc<Captured>) {
            let captured = Arc::new(Captured::default());
            (
                Capture {
                    captured: captured.clone(),
                },
                captured,
            )
        }
    }

    struct Fields<'a>(&'a mut Vec<(String, String)>);

    impl Visit for Fields<'_> {
        fn record_debug(&mut self, field: &Field, value: &dyn Debug) {
            self.0.retain(|(name, _)| name != field.name());
            self.0.push((field.name().to_owned(), format!("{value:?}")));
        }
    }

    impl Subscriber for Capture {
        fn enabled(&self, _: &Metadata<'_>) -> bool {
            true
        }

        fn new_span(&self, span: &Attributes<'_>) -> Id {
            let mut fields = Vec::new();
            span.record(&mut Fields(&mut fields));
            let mut spans = self.captured.spans.lock().unwrap();
            spans.push((span.metadata().name().to_owned(), fields));
            Id::from_u64(spans.len() as u64)
        }

        fn record(&self, span: &Id, values: &Record<'_>) {
            let mut spans = self.captured.spans.lock().unwrap();
            let entry = &mut spans[span.into_u64() as usize - 1];
            values.record(&mut Fields(&mut entry.1));
        }

        fn record_follows_from(&self, _: &Id, _: &Id) {}

        fn event(&self, event: &Event<'_>) {
            let mut fields = Vec::new();
            event.record(&mut Fields(&mut fields));
            self.captured.events.lock().unwrap().push(fields);
        }

        fn enter(&self, _: &Id) {}

        fn exit(&self, _: &Id) {}
    }
}

#[tokio::test(flavor = "current_thread")]
async fn tracing_span_records_template_attempt_and_status() {
    let server = serve(|_, i| match i {
        0 => Reply::json(503, json!({"success": false})),
        _ => Reply::ok(json!({"name": "ok"})),
    })
    .await;
    let client = client(&server).build().unwrap();
    let (subscriber, captured) = capture::Capture::new();
    let guard = tracing::subscriber::set_default(subscriber);
    let req = ApiRequest::new(
        Method::GET,
        "/projects/{project_name}",
        "pages-project-get-project",
    )
    .path_param("project_name", "secret-project");
    let _: Project = client.execute_result(req).await.unwrap();
    drop(guard);

    let spans = captured.spans.lock().unwrap();
    let (_, fields) = spans
        .iter()
        .find(|(name, _)| name == "pages_api.request")
        .expect("a pages_api.request span");
    let field = |name: &str| {
        fields
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
            .unwrap_or_else(|| panic!("field {name} missing in {fields:?}"))
    };
    assert_eq!(field("operation"), "\"pages-project-get-project\"");
    assert_eq!(field("method"), "GET");
    assert_eq!(field("path"), "\"/projects/{project_name}\"");
    assert_eq!(field("attempt"), "2");
    assert_eq!(field("status"), "200");
    let events = captured.events.lock().unwrap();
    assert!(
        events.iter().any(|e| e.iter().any(|(n, _)| n == "wait_ms")),
        "a retry event with the wait: {events:?}"
    );
}
