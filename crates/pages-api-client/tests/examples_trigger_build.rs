//! `examples/trigger_build.rs` end to end against the fake API (`tests/fake_api`).

mod fake_api;
#[path = "../examples/trigger_build.rs"]
mod trigger_build;

use std::time::{Duration, Instant};

use clap::Parser as _;
use fake_api::{ACCOUNT, FakeApi, TOKEN};
use pages_api_client::types::{Environment, StageName};
use trigger_build::common::{self, ApiArgs, Failure};
use trigger_build::{Options, Runs};

fn options(fake: &FakeApi, project: &str, branch: Option<&str>) -> Options {
    Options {
        api: ApiArgs {
            account_id: ACCOUNT.to_owned(),
            project: project.to_owned(),
            base_url: fake.base_url(),
        },
        branch: branch.map(str::to_owned),
        every: None,
    }
}

/// `2024-05-01T12:00:00Z run ...`: a log line starts with an RFC 3339 UTC time.
fn assert_timestamped(line: &str) {
    let (time, _) = line.split_once(' ').expect("a space after the time");
    assert!(
        time.len() == 20 && time.ends_with('Z') && time.as_bytes()[10] == b'T',
        "not timestamped: {line}"
    );
    assert!(
        time.parse::<pages_api_client::Timestamp>().is_ok(),
        "{line}"
    );
}

#[tokio::test]
async fn one_run_starts_a_deployment_and_prints_it() {
    let fake = FakeApi::start().await;
    fake.add_project("blog", "main");
    let client = fake.client();

    let mut out = Vec::new();
    let opts = options(&fake, "blog", None);
    let deployment = trigger_build::run_once(&client, &opts, &mut out)
        .await
        .expect("deployment started");
    let text = String::from_utf8(out).unwrap();

    let (id, short_id, url) = (&deployment.id, &deployment.short_id, &deployment.url);
    assert_eq!(fake.ids("blog"), std::slice::from_ref(id));
    assert_eq!(id.len(), 36, "a UUID: {id}");
    assert_eq!(deployment.environment, Environment::Production);
    assert_eq!(deployment.latest_stage.name, StageName::Queued);
    assert_eq!(deployment.stage_name(), Some(&StageName::Queued));
    assert_eq!(
        text,
        format!(
            "Started a deployment of blog (branch main)\n  id:       {id}\n  short id: {short_id}\n  \
             url:      {url}\n  stage:    queued (active)\n"
        )
    );
    assert_eq!(fake.count("POST", "/pages/projects/blog/deployments"), 1);

    // --branch: a preview deployment of that branch.
    let mut out = Vec::new();
    let opts = options(&fake, "blog", Some("feature/search"));
    let deployment = trigger_build::run_once(&client, &opts, &mut out)
        .await
        .unwrap();
    assert_eq!(deployment.environment, Environment::Preview);
    let text = String::from_utf8(out).unwrap();
    assert!(
        text.starts_with("Started a deployment of blog (branch feature/search)\n"),
        "{text}"
    );
    assert_eq!(deployment.branch(), Some("feature/search"));
    assert_eq!(fake.branch_of("blog", &deployment.id), "feature/search");
    assert_eq!(fake.ids("blog").len(), 2);
}

#[tokio::test]
async fn api_errors_carry_the_code_and_message() {
    let fake = FakeApi::start().await;
    fake.add_project("blog", "main");
    let mut out = Vec::new();
    let err = trigger_build::run_once(&fake.client(), &options(&fake, "nope", None), &mut out)
        .await
        .unwrap_err();
    let Failure::Api(api) = &err else {
        panic!("expected an API error, got {err:?}");
    };
    assert!(api.is_not_found());
    let text = err.to_string();
    assert!(text.contains("HTTP 404"), "{text}");
    assert!(text.contains("Project not found"), "{text}");
    assert!(text.contains("(code 8000007)"), "{text}");
    assert!(!text.contains("Api {"), "a Debug dump: {text}");
    assert!(out.is_empty());

    // A wrong token: the credentials are named, never shown.
    let opts = options(&fake, "blog", None);
    let client = opts
        .api
        .client_with(|name| (name == "CLOUDFLARE_API_TOKEN").then(|| "wrong-token".to_owned()))
        .unwrap();
    let err = trigger_build::run_once(&client, &opts, &mut out)
        .await
        .unwrap_err()
        .to_string();
    assert!(err.contains("Authentication error (code 10000)"), "{err}");
    assert!(!err.contains("wrong-token"), "{err}");
    assert!(fake.ids("blog").is_empty());
}

#[tokio::test]
async fn every_keeps_going_after_a_failed_run() {
    let fake = FakeApi::start().await;
    fake.add_project("blog", "main");
    let client = fake.client();
    let opts = options(&fake, "blog", Some("staging"));

    // Run 1 succeeds, run 2 fails (POST is not retried), runs 3 and 4 succeed.
    let mut out = Vec::new();
    let fail_second = async {
        // Only armed once the first deployment exists.
        while fake.ids("blog").is_empty() {
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
        fake.fail_next_create(503, 8000000, "An unknown error has occurred.");
        std::future::pending::<()>().await;
    };
    let started = Instant::now();
    let runs = trigger_build::run_every(
        &client,
        &opts,
        Duration::from_millis(40),
        &mut out,
        fail_second,
        Some(4),
    )
    .await
    .unwrap();
    assert_eq!(
        runs,
        Runs {
            started: 3,
            failed: 1
        }
    );
    // Four runs at a 40 ms interval: the first at once, so at least 3 intervals.
    assert!(
        started.elapsed() >= Duration::from_millis(120),
        "{:?}",
        started.elapsed()
    );

    let text = String::from_utf8(out).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 6, "{text}");
    for line in &lines {
        assert_timestamped(line);
    }
    assert!(
        lines[0].ends_with(" starting a deployment of blog every 40ms; Ctrl-C stops"),
        "{text}"
    );
    let ids = fake.ids("blog"); // newest first
    assert_eq!(ids.len(), 3);
    assert!(lines[1].contains(" run 1: started deployment "), "{text}");
    assert!(lines[1].contains(&ids[2]), "{text}");
    assert!(lines[1].ends_with("stage queued (active)"), "{text}");
    assert!(lines[2].contains(" run 2: failed: "), "{text}");
    assert!(lines[2].contains("HTTP 503"), "{text}");
    assert!(
        lines[2].contains("An unknown error has occurred. (code 8000000)"),
        "{text}"
    );
    assert!(lines[3].contains(" run 3: started deployment "), "{text}");
    assert!(lines[3].contains(&ids[1]), "{text}");
    assert!(lines[4].contains(" run 4: started deployment "), "{text}");
    assert!(lines[4].contains(&ids[0]), "{text}");
    assert!(
        lines[5].ends_with("stopped after 4 runs: 3 started, 1 failed"),
        "{text}"
    );
    assert_eq!(fake.count("POST", "/pages/projects/blog/deployments"), 4);
    for id in &ids {
        assert_eq!(fake.branch_of("blog", id), "staging");
    }
}

#[tokio::test]
async fn every_stops_when_interrupted() {
    let fake = FakeApi::start().await;
    fake.add_project("blog", "main");
    let client = fake.client();
    let opts = options(&fake, "blog", None);

    // An hourly schedule, interrupted after the first run: returns promptly.
    let mut out = Vec::new();
    let interrupt = async {
        while fake.ids("blog").is_empty() {
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
    };
    let runs = tokio::time::timeout(
        Duration::from_secs(10),
        trigger_build::run_every(
            &client,
            &opts,
            Duration::from_secs(3600),
            &mut out,
            interrupt,
            None,
        ),
    )
    .await
    .expect("stopped by the interrupt, not by the schedule")
    .unwrap();
    let text = String::from_utf8(out).unwrap();
    assert!(runs.total() <= 1, "{text}");
    assert!(
        text.lines().last().unwrap().contains("stopped after"),
        "{text}"
    );
    assert!(
        text.lines()
            .next()
            .unwrap()
            .ends_with("every 1h; Ctrl-C stops"),
        "{text}"
    );
    assert_eq!(fake.ids("blog").len(), 1);
}

#[test]
fn command_line() {
    let opts = Options::try_parse_from([
        "trigger_build",
        "--account-id",
        ACCOUNT,
        "--project",
        "blog",
        "--branch",
        "main",
        "--every",
        "1h30m",
        "--base-url",
        "http://127.0.0.1:9/client/v4",
    ])
    .unwrap();
    assert_eq!(opts.every, Some(Duration::from_secs(5400)));
    assert_eq!(opts.branch.as_deref(), Some("main"));
    assert_eq!(opts.api.project, "blog");

    // wrangler's spelling of the project flag works too.
    let opts =
        Options::try_parse_from(["t", "--account-id", "a", "--project-name", "blog"]).unwrap();
    assert_eq!(opts.api.project, "blog");
    assert_eq!(opts.every, None);

    let err =
        Options::try_parse_from(["t", "--account-id", "a", "--project", "b", "--every", "5x"])
            .unwrap_err()
            .to_string();
    assert!(err.contains("unknown time unit \"x\""), "{err}");
    let err = Options::try_parse_from(["t", "--account-id", "", "--project", "b"])
        .unwrap_err()
        .to_string();
    assert!(err.contains("--account-id"), "{err}");
}

#[test]
fn durations() {
    let ok = [
        ("90s", 90),
        ("30m", 1800),
        ("1h", 3600),
        ("12h", 43_200),
        ("7d", 604_800),
        ("2w", 1_209_600),
        ("1h30m", 5400),
        (" 45s ", 45),
        // humantime's spellings too.
        ("1h 30m", 5400),
        ("2days", 172_800),
    ];
    for (text, seconds) in ok {
        assert_eq!(
            common::parse_duration(text),
            Ok(Duration::from_secs(seconds)),
            "{text}"
        );
        assert_eq!(
            common::parse_duration(&common::format_duration(Duration::from_secs(seconds))),
            Ok(Duration::from_secs(seconds))
        );
    }
    assert_eq!(common::format_duration(Duration::from_secs(90)), "1m 30s");
    assert_eq!(
        common::format_duration(Duration::from_secs(7 * 86_400)),
        "7days"
    );
    assert_eq!(common::format_duration(Duration::from_millis(40)), "40ms");
    for bad in ["", "7", "d", "7x", "0s", "-1h", "99999999999999999999w"] {
        assert!(common::parse_duration(bad).is_err(), "{bad:?}");
    }
}

#[test]
fn credentials_come_from_the_environment_like_wrangler() {
    let args = ApiArgs {
        account_id: ACCOUNT.to_owned(),
        project: "blog".to_owned(),
        base_url: String::new(), // an empty CLOUDFLARE_API_BASE_URL counts as unset
    };
    let err = args.client_with(|_| None).unwrap_err().to_string();
    assert!(err.contains("CLOUDFLARE_API_TOKEN"), "{err}");
    assert!(err.contains("CLOUDFLARE_EMAIL"), "{err}");
    let client = args
        .client_with(|name| match name {
            "CLOUDFLARE_EMAIL" => Some("dev@example.com".to_owned()),
            "CLOUDFLARE_API_KEY" => Some("global-key".to_owned()),
            _ => None,
        })
        .unwrap();
    assert_eq!(client.base_url(), pages_api_client::DEFAULT_BASE_URL);
    assert_eq!(client.auth_scheme(), pages_api_client::AuthScheme::ApiKey);
    let client = args
        .client_with(|name| (name == "CLOUDFLARE_API_TOKEN").then(|| TOKEN.to_owned()))
        .unwrap();
    assert_eq!(client.auth_scheme(), pages_api_client::AuthScheme::ApiToken);
}
