//! `examples/deploy.rs` end to end against the fake API (`tests/fake_api`).

#[path = "../examples/deploy.rs"]
mod deploy;
mod fake_api;

use std::fs;
use std::path::PathBuf;

use clap::Parser as _;
use deploy::Options;
use deploy::common::{ApiArgs, Failure};
use fake_api::{ACCOUNT, FakeApi};

struct TempDir(PathBuf);

impl TempDir {
    fn new(name: &str) -> TempDir {
        let path =
            std::env::temp_dir().join(format!("pages-example-{name}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&path);
        fs::create_dir_all(path.join("css")).unwrap();
        fs::write(path.join("index.html"), "<h1>Hello</h1>\n").unwrap();
        fs::write(path.join("css/site.css"), "body{color:red}").unwrap();
        fs::write(path.join("_redirects"), "/old /new 301\n").unwrap();
        TempDir(path)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.0);
    }
}

fn options(fake: &FakeApi, dir: &TempDir, dry_run: bool) -> Options {
    Options {
        dir: dir.0.clone(),
        api: ApiArgs {
            account_id: ACCOUNT.to_owned(),
            project: "blog".to_owned(),
            base_url: fake.base_url(),
        },
        branch: Some("staging".to_owned()),
        commit_hash: Some("abc123".to_owned()),
        commit_message: Some("Release 1.2".to_owned()),
        dry_run,
        progress: false,
    }
}

#[tokio::test]
async fn deploys_and_prints_the_id_and_url() {
    let fake = FakeApi::start().await;
    fake.add_project("blog", "main");
    let dir = TempDir::new("deploy");
    let mut out = Vec::new();
    let outcome = deploy::run(&fake.client(), &options(&fake, &dir, false), &mut out)
        .await
        .unwrap();
    let deployment = outcome.deployment.unwrap();
    let (id, url) = (deployment.id, deployment.url);
    let text = String::from_utf8(out).unwrap();
    assert_eq!(
        text,
        format!(
            "Uploaded 2 files (0 already uploaded)\nDeployed blog to Cloudflare Pages\n  id:  \
             {id}\n  url: {url}\n"
        )
    );
    assert_eq!(fake.branch_of("blog", &id), "staging");
    let form = &fake.deployment_forms("blog")[0];
    assert_eq!(form["commit_hash"], "abc123");
    assert_eq!(form["commit_message"], "Release 1.2");
    assert_eq!(form["_redirects"], "/old /new 301\n");
    assert_eq!(fake.credential_leaks(), 0);
}

#[tokio::test]
async fn a_dry_run_lists_the_files_and_sends_nothing() {
    let fake = FakeApi::start().await;
    fake.add_project("blog", "main");
    let dir = TempDir::new("dry");
    let mut out = Vec::new();
    deploy::run(&fake.client(), &options(&fake, &dir, true), &mut out)
        .await
        .unwrap();
    let text = String::from_utf8(out).unwrap();
    assert!(
        text.starts_with("Dry run: 2 files, 30 bytes would be uploaded to blog:\n"),
        "{text}"
    );
    assert!(
        text.contains("  569c49c876d9d1d37936e494e70a80e8  /index.html  15 bytes\n"),
        "{text}"
    );
    assert!(
        text.contains("  (sent with the deployment)  /_redirects\n"),
        "{text}"
    );
    assert!(fake.seen().is_empty());
}

#[tokio::test]
async fn errors_are_reported_with_the_file() {
    let fake = FakeApi::start().await;
    fake.add_project("blog", "main");
    let dir = TempDir::new("big");
    let file = fs::File::create(dir.0.join("huge.bin")).unwrap();
    file.set_len(30 * 1024 * 1024).unwrap();
    let mut out = Vec::new();
    let err = deploy::run(&fake.client(), &options(&fake, &dir, false), &mut out)
        .await
        .unwrap_err();
    assert!(matches!(err, Failure::Api(_)));
    let text = err.to_string();
    assert!(
        text.contains("huge.bin") && text.contains("25 MiB"),
        "{text}"
    );
    assert!(out.is_empty());
    assert!(fake.seen().is_empty());
}

#[test]
fn the_command_line_parses() {
    let opts = Options::try_parse_from([
        "deploy",
        "dist",
        "--project",
        "blog",
        "--account-id",
        ACCOUNT,
        "--branch",
        "main",
        "--commit-hash",
        "h",
        "--commit-message",
        "m",
        "--dry-run",
        "--base-url",
        "http://127.0.0.1:9/client/v4",
    ])
    .unwrap();
    assert_eq!(opts.dir, PathBuf::from("dist"));
    assert_eq!(opts.api.project, "blog");
    assert_eq!(opts.branch.as_deref(), Some("main"));
    assert_eq!(opts.commit_hash.as_deref(), Some("h"));
    assert_eq!(opts.commit_message.as_deref(), Some("m"));
    assert!(opts.dry_run);
    // The directory is required.
    assert!(
        Options::try_parse_from(["deploy", "--project", "blog", "--account-id", ACCOUNT]).is_err()
    );
}
