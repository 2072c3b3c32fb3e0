//! `examples/status_page.rs` end to end against the fake API (`tests/fake_api`): the rendered
//! page, the server (a fresh fetch per request) and `--out`.

mod fake_api;
#[path = "../examples/status_page.rs"]
mod status_page;

use std::time::Duration;

use clap::Parser as _;
use fake_api::{ACCOUNT, FakeApi};
use pages_api_client::Client;
use status_page::Options;
use status_page::common::ApiArgs;

const DAY: Duration = Duration::from_secs(86_400);
const HOUR: Duration = Duration::from_secs(3_600);
/// A project name that tries to break out of the HTML. The schema allows no such name
/// (`^[a-z0-9][a-z0-9-]*$`), so only [`render_escapes_and_refuses_non_http_links`] uses it; the
/// fake's project is [`PROJECT`], its commit message and branch the markup.
const EVIL_PROJECT: &str = "<script>alert(\"pwned\")</script> & 'friends'";
const EVIL_COMMIT: &str = "Fix \"quotes\" & <script>document.cookie</script>\n\nsecond line";
const EVIL_BRANCH: &str = "feat/<b>bold</b>";
const PROJECT: &str = "pwned-blog";

fn options(fake: &FakeApi, project: &str) -> Options {
    Options {
        api: ApiArgs {
            account_id: ACCOUNT.to_owned(),
            project: project.to_owned(),
            base_url: fake.base_url(),
        },
        host: std::net::IpAddr::from([127, 0, 0, 1]),
        port: 0,
        out: None,
        limit: 25,
    }
}

/// The rows of the deployments table.
fn rows(html: &str) -> Vec<&str> {
    html.split("<tr class=\"deployment").skip(1).collect()
}

/// A plain HTTP client for the status server (this crate's TLS set-up, unused here).
fn http() -> pages_api_client::reqwest::Client {
    Client::http_client_builder().unwrap().build().unwrap()
}

fn assert_no_raw_markup(html: &str) {
    assert!(!html.contains("<script"), "raw <script> in\n{html}");
    assert!(!html.contains("\"pwned\""), "raw quotes in\n{html}");
    assert!(!html.contains("\"quotes\""), "raw quotes in\n{html}");
}

fn evil_fake_setup(fake: &FakeApi) -> (String, String) {
    fake.add_project(PROJECT, "main");
    fake.set_domains(PROJECT, &["example.com", "www.example.com"]);
    // An hour short of two days and of one, so the relative times cannot tip over into the
    // next unit while the page is made (the page's clock is whole seconds, the fake's is not).
    let production = fake.add_deployment(PROJECT, "main", 2 * DAY - HOUR, "Release 1.0");
    let preview = fake.add_deployment(PROJECT, EVIL_BRANCH, DAY - HOUR, EVIL_COMMIT);
    (production, preview)
}

#[tokio::test]
async fn the_page_escapes_everything_the_api_returns() {
    let fake = FakeApi::start().await;
    let (production, preview) = evil_fake_setup(&fake);
    let html = status_page::page(&fake.client(), &options(&fake, PROJECT))
        .await
        .unwrap();

    assert_no_raw_markup(&html);
    assert!(html.starts_with("<!DOCTYPE html>"), "{html}");
    assert!(
        html.contains(&format!("<title>{PROJECT} · Cloudflare Pages</title>")),
        "{html}"
    );
    assert!(html.contains(&format!("<h1>{PROJECT}</h1>")), "{html}");
    assert!(
        html.contains(&format!("<dt>Project name</dt><dd>{PROJECT}</dd>")),
        "{html}"
    );
    // The commit message: first line shown, all of it in the title attribute, both escaped.
    assert!(
        html.contains(
            "<td class=\"commit\" title=\"Fix &quot;quotes&quot; &amp; &lt;script&gt;document.cookie&lt;/script&gt;\n\n\
             second line\">"
        ),
        "{html}"
    );
    assert!(
        html.contains(
            "</code> Fix &quot;quotes&quot; &amp; &lt;script&gt;document.cookie&lt;/script&gt;</td>"
        ),
        "{html}"
    );
    assert!(
        html.contains("<td>feat/&lt;b&gt;bold&lt;/b&gt;</td>"),
        "{html}"
    );

    // Project facts.
    let deployments = fake.deployments(PROJECT);
    let project_id = {
        let client = fake.client();
        client
            .projects()
            .get(ACCOUNT, PROJECT)
            .send()
            .await
            .unwrap()
            .id
    };
    assert!(
        html.contains(&format!("<dt>Project ID</dt><dd>{project_id}</dd>")),
        "{html}"
    );
    assert!(
        html.contains(
            "<dt>Pages subdomain</dt><dd><a href=\"https://pwned-blog.pages.dev\">pwned-blog.pages.dev</a></dd>"
        ),
        "{html}"
    );
    assert!(
        html.contains(
            "<dt>Domains</dt><dd><a href=\"https://example.com\">example.com</a>, \
             <a href=\"https://www.example.com\">www.example.com</a></dd>"
        ),
        "{html}"
    );
    assert!(
        html.contains("<dt>Production branch</dt><dd>main</dd>"),
        "{html}"
    );
    let preview_url = &deployments[0].url;
    let production_url = &deployments[1].url;
    assert_eq!(deployments[0].id, preview);
    assert!(
        html.contains(&format!(
            "<dt>Latest preview</dt><dd><a href=\"{preview_url}\">{preview_url}</a></dd>"
        )),
        "{html}"
    );
    assert!(
        html.contains(&format!(
            "<dt>Live production deployment</dt><dd><a href=\"{production_url}\">{production_url}</a></dd>"
        )),
        "{html}"
    );

    // One row per deployment, newest first, each with its link, alias and stage.
    let rows = rows(&html);
    assert_eq!(rows.len(), 2, "{html}");
    for (row, deployment) in rows.iter().zip(&deployments) {
        let (url, short_id) = (&deployment.url, &deployment.short_id);
        assert!(
            row.contains(&format!("<a href=\"{url}\">{short_id}</a>")),
            "{row}"
        );
        assert!(
            row.contains("<td class=\"stage success\">deploy: success</td>"),
            "{row}"
        );
    }
    assert!(
        rows[0].contains(&format!("title=\"{preview}\"")),
        "{}",
        rows[0]
    );
    assert!(rows[0].contains("<td>preview</td>"), "{}", rows[0]);
    assert!(
        rows[0].contains("<br><a href=\"https://feat--b-bold--b-.pwned-blog.pages.dev\">"),
        "{}",
        rows[0]
    );
    assert!(
        rows[1].contains(&format!("title=\"{production}\"")),
        "{}",
        rows[1]
    );
    // The commit: short hash (the whole one in its title) and message.
    let hash = deployments[1].commit_hash().unwrap();
    assert!(
        rows[1].contains(&format!(
            "<td>production</td><td>main</td><td class=\"commit\" title=\"Release 1.0\">\
             <code title=\"{hash}\">{}</code> Release 1.0</td>",
            &hash[..7]
        )),
        "{}",
        rows[1]
    );
    // The live (canonical) deployment is marked, and only it.
    assert!(rows[1].starts_with(" live\""), "{}", rows[1]);
    assert!(rows[1].contains(">live</span>"), "{}", rows[1]);
    assert!(rows[0].starts_with("\""), "{}", rows[0]);
    assert!(!rows[0].contains(">live</span>"), "{}", rows[0]);
    // Relative times, the absolute one in the title.
    // (Made 23 and 47 hours before the fake's clock.)
    for (row, deployment) in rows.iter().zip(&deployments) {
        let datetime = format!("<time datetime=\"{}\">", deployment.created_on);
        assert!(row.contains(&datetime), "{row}");
    }
    assert!(rows[0].contains(" hours ago</time>"), "{}", rows[0]);
    assert!(rows[1].contains(">1 day ago</time>"), "{}", rows[1]);
    assert!(
        rows[1].contains("<td class=\"ago\" title=\""),
        "{}",
        rows[1]
    );
}

#[test]
fn the_page_fits_a_phone() {
    use fake_api::model;
    use pages_api_client::Timestamp;
    let project = model::project(model::uuid(1, 1), "blog", "main", Timestamp::now());
    let html = status_page::render_page(&project, &[], None);
    assert!(
        html.contains("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"),
        "{html}"
    );
    // Long words (URLs, ids, hashes) wrap rather than widen the page; the table scrolls in
    // a box of its own.
    assert!(html.contains("overflow-wrap:anywhere"), "{html}");
    assert!(html.contains(".scroll{overflow-x:auto"), "{html}");
    assert!(html.contains("*{box-sizing:border-box}"), "{html}");
}

/// The page of a busy project (long ids, URLs, branch names and commit messages), for the
/// phone check: with `STATUS_PAGE_HTML=FILE` set, it is also written to FILE, to be loaded by a
/// browser 390 px wide (see docs/benchmarks.md, "Status page on a phone").
#[tokio::test]
async fn a_busy_page_for_the_phone_check() {
    let fake = FakeApi::start().await;
    evil_fake_setup(&fake);
    let long_branch =
        "feature/a-very-long-branch-name-without-any-break-opportunity-at-all-0123456789";
    fake.add_deployment(
        PROJECT,
        long_branch,
        DAY / 2,
        &"a-commit-message-without-spaces".repeat(8),
    );
    let html = status_page::page(&fake.client(), &options(&fake, PROJECT))
        .await
        .unwrap();
    assert!(html.contains("name=\"viewport\""), "{html}");
    assert_eq!(rows(&html).len(), 3, "{html}");
    if let Some(path) = std::env::var_os("STATUS_PAGE_HTML") {
        std::fs::write(path, &html).unwrap();
    }
}

#[test]
fn relative_times() {
    use pages_api_client::Timestamp;
    let now = Timestamp::from_unix_timestamp(1_700_000_000).unwrap();
    let ago = |seconds: i64| {
        status_page::time_ago(
            &Timestamp::from_unix_timestamp(1_700_000_000 - seconds).unwrap(),
            &now,
        )
    };
    assert_eq!(ago(3 * 3600 + 120), "3 hours ago");
    assert_eq!(ago(90), "1 minute ago");
    assert_eq!(ago(2 * 86_400), "2 days ago");
    assert_eq!(ago(0), "now");
    assert_eq!(ago(-60), "now");
}

#[test]
fn render_escapes_and_refuses_non_http_links() {
    use fake_api::model::{self, NewDeployment};
    use pages_api_client::Timestamp;
    use pages_api_client::types::DeploymentTriggerType;
    // Built directly: a name the API would never send, so not through the fake.
    let project = model::project(model::uuid(1, 1), EVIL_PROJECT, "main", Timestamp::now());
    let id = model::uuid(2, 2);
    let mut deployment = model::deployment(
        &project,
        NewDeployment {
            id: id.clone(),
            branch: "main",
            commit_hash: "0".repeat(40),
            commit_message: "m",
            created: Timestamp::now(),
            trigger: DeploymentTriggerType::AdHoc,
            queued: false,
        },
    );
    deployment.url = "javascript:alert(1)".into();
    deployment.short_id = String::new(); // shown as the id instead
    deployment.aliases = Some(vec!["https://ok.example\" onmouseover=\"x".into()]);
    let deployments = [deployment];
    let html = status_page::render_page(&project, &deployments, None);
    assert_no_raw_markup(&html);
    let escaped_name = "&lt;script&gt;alert(&quot;pwned&quot;)&lt;/script&gt; &amp; 'friends'";
    assert!(
        html.contains(&format!("<title>{escaped_name} · Cloudflare Pages</title>")),
        "{html}"
    );
    assert!(html.contains(&format!("<h1>{escaped_name}</h1>")), "{html}");
    assert!(
        html.contains(&format!("<dt>Project name</dt><dd>{escaped_name}</dd>")),
        "{html}"
    );
    assert!(!html.contains("javascript:alert(1)\""), "{html}");
    assert!(!html.contains("href=\"javascript"), "{html}");
    assert!(
        html.contains(&format!(
            "<td title=\"{id}\">{id}<br><a href=\"https://ok.example&quot; onmouseover=&quot;x\">"
        )),
        "{html}"
    );
    assert!(html.contains("<dt>Latest preview</dt><dd>-</dd>"), "{html}");
    assert!(html.contains("<dt>Domains</dt><dd>-</dd>"), "{html}");

    let empty = status_page::render_page(&project, &[], None);
    assert!(empty.contains("<p>No deployments.</p>"), "{empty}");
}

#[tokio::test]
async fn the_server_fetches_anew_for_every_request() {
    let fake = FakeApi::start().await;
    let (_, preview) = evil_fake_setup(&fake);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(status_page::serve(
        listener,
        fake.client(),
        options(&fake, PROJECT),
        async {
            let _ = stopped.await;
        },
    ));
    let http = http();
    let url = format!("http://{address}/");

    let response = http.get(&url).send().await.unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(
        response.headers()["content-type"],
        "text/html; charset=utf-8"
    );
    assert_eq!(response.headers()["cache-control"], "no-store");
    let first = response.text().await.unwrap();
    assert_no_raw_markup(&first);
    assert!(first.contains(&preview[..8]), "{first}");
    // The project, one page of deployments, the newest preview.
    assert_eq!(fake.seen().len(), 3, "{:?}", fake.seen());

    // A new deployment shows up on the next request: nothing is cached.
    let newer = fake.add_deployment(PROJECT, "hotfix", Duration::from_secs(60), "Hotfix");
    let second = http.get(&url).send().await.unwrap().text().await.unwrap();
    assert!(second.contains(&newer[..8]), "{second}");
    assert!(!first.contains(&newer[..8]));
    let project_fetches = fake
        .seen()
        .iter()
        .filter(|s| s.method == "GET" && !s.path.ends_with("/deployments"))
        .count();
    assert_eq!(project_fetches, 2);
    assert_eq!(fake.count("GET", "/deployments"), 4);

    // Other paths are 404 and do not reach the API.
    let response = http
        .get(format!("http://{address}/favicon.ico"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 404);
    assert_eq!(fake.seen().len(), 6);

    stop.send(()).unwrap();
    tokio::time::timeout(Duration::from_secs(5), server)
        .await
        .expect("the server stops on shutdown")
        .unwrap()
        .unwrap();
}

#[tokio::test]
async fn api_failures_become_an_escaped_error_page() {
    let fake = FakeApi::start().await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    let server = tokio::spawn(status_page::serve(
        listener,
        fake.client(),
        options(&fake, "<missing>"),
        std::future::pending(),
    ));
    let response = http()
        .get(format!("http://{address}/"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 502);
    let html = response.text().await.unwrap();
    assert!(html.contains("Project not found"), "{html}");
    assert!(html.contains("(code 8000007)"), "{html}");
    assert!(!html.contains("<missing>"), "{html}");
    server.abort();
}

#[tokio::test]
async fn out_writes_the_page_once_and_limit_pages_through_the_list() {
    let fake = FakeApi::start().await;
    fake.add_project("blog", "main");
    for day in 1..=60 {
        fake.add_deployment("blog", "main", day * DAY, &format!("Post {day}"));
    }
    // The newest preview is older than every deployment listed.
    let preview = fake.add_deployment("blog", "old-preview", 90 * DAY, "Old preview");
    let path = std::env::temp_dir().join(format!("status-page-test-{}.html", std::process::id()));
    let opts = Options {
        out: Some(path.clone()),
        limit: 30,
        ..options(&fake, "blog")
    };
    let mut log = Vec::new();
    status_page::write_once(&fake.client(), &opts, &path, &mut log)
        .await
        .unwrap();
    let html = std::fs::read_to_string(&path).unwrap();
    std::fs::remove_file(&path).unwrap();
    assert_eq!(
        String::from_utf8(log).unwrap(),
        format!("wrote {}\n", path.display())
    );
    // 30 of 61: two pages of 25, the second only partly used; and the newest preview.
    assert_eq!(rows(&html).len(), 30);
    assert!(html.contains(" Post 30</td>"), "{html}");
    assert!(!html.contains(" Post 31</td>"), "{html}");
    assert!(!html.contains(" Old preview</td>"), "{html}");
    let queries: std::collections::BTreeSet<String> = fake
        .seen()
        .into_iter()
        .filter(|s| s.path.ends_with("/blog/deployments"))
        .map(|s| s.query)
        .collect();
    assert_eq!(
        queries,
        ["env=preview&per_page=1", "page=1", "page=2"]
            .map(String::from)
            .into()
    );
    let preview_url = format!("https://{}.blog.pages.dev", &preview[..8]);
    assert!(
        html.contains(&format!(
            "<dt>Latest preview</dt><dd><a href=\"{preview_url}\">{preview_url}</a></dd>"
        )),
        "{html}"
    );
}

#[test]
fn command_line() {
    let opts =
        Options::try_parse_from(["status_page", "--account-id", "a", "--project", "blog"]).unwrap();
    assert_eq!((opts.port, opts.limit, opts.out), (8080, 25, None));
    assert_eq!(opts.host, std::net::IpAddr::from([127, 0, 0, 1]));
    let opts = Options::try_parse_from([
        "status_page",
        "--account-id",
        "a",
        "--project",
        "blog",
        "--port",
        "9000",
        "--host",
        "::",
        "--out",
        "status.html",
    ])
    .unwrap();
    assert_eq!(opts.port, 9000);
    assert_eq!(opts.host, std::net::IpAddr::from([0u16; 8]));
    assert_eq!(
        opts.out.as_deref(),
        Some(std::path::Path::new("status.html"))
    );
    assert!(
        Options::try_parse_from(["s", "--account-id", "a", "--project", "b", "--limit", "0"])
            .is_err()
    );
}
