//! `Client::deploy_directory` (Direct Upload) end to end against the fake API.

mod fake_api;

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use fake_api::assets::asset_hash;
use fake_api::{ACCOUNT, FakeApi};
use pages_api_client::{
    ApiRequest, DeployOutcome, Error, Method, UploadError, UploadPhase, UploadProgress,
};

/// A directory under the system's temp dir, removed on drop.
struct TempDir(PathBuf);

impl TempDir {
    fn new(name: &str) -> TempDir {
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        let path =
            std::env::temp_dir().join(format!("pages-deploy-{name}-{}-{n}", std::process::id()));
        let _ = fs::remove_dir_all(&path);
        fs::create_dir_all(&path).unwrap();
        TempDir(path)
    }

    fn write(&self, name: &str, content: impl AsRef<[u8]>) -> &Self {
        let path = self.0.join(name);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, content).unwrap();
        self
    }

    fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.0);
    }
}

fn manifest_of(fake: &FakeApi, project: &str, form: usize) -> BTreeMap<String, String> {
    let forms = fake.deployment_forms(project);
    serde_json::from_str(&forms[form]["manifest"]).unwrap()
}

fn site() -> TempDir {
    let dir = TempDir::new("site");
    dir.write("index.html", "<h1>Hello</h1>\n")
        .write("css/site.css", "body{color:red}")
        .write("css/copy.css", "body{color:red}")
        .write(
            "img/logo.bin",
            (0..4).flat_map(|_| 0..=255u8).collect::<Vec<u8>>(),
        )
        .write("empty", "");
    dir
}

#[tokio::test]
async fn first_deploy_uploads_everything_and_the_second_nothing() {
    let fake = FakeApi::start().await;
    fake.add_project("blog", "main");
    let dir = site();
    let progress: Arc<Mutex<Vec<UploadProgress>>> = Arc::default();
    let long_message = "é".repeat(300);

    let builder = fake
        .client()
        .deploy_directory(ACCOUNT, "blog")
        .dir(dir.path())
        .branch("main")
        .commit_hash("0123456789abcdef0123456789abcdef01234567")
        .commit_message(&long_message)
        .commit_dirty(true)
        .on_progress({
            let progress = progress.clone();
            move |p: &UploadProgress| progress.lock().unwrap().push(*p)
        });
    // The builder owns its client: the deployment can run on a task of its own.
    let outcome: DeployOutcome = tokio::spawn(builder.send()).await.unwrap().unwrap();

    let deployment = outcome.deployment.as_ref().expect("a deployment");
    assert_eq!(fake.ids("blog"), std::slice::from_ref(&deployment.id));
    let paths: Vec<&str> = outcome.files.iter().map(|f| f.path.as_str()).collect();
    assert_eq!(
        paths,
        [
            "/css/copy.css",
            "/css/site.css",
            "/empty",
            "/img/logo.bin",
            "/index.html"
        ]
    );
    // The hashes are Pages' (the fake recomputes them at create-deployment, too).
    let by_path: BTreeMap<&str, &str> = outcome
        .files
        .iter()
        .map(|f| (f.path.as_str(), f.hash.as_str()))
        .collect();
    assert_eq!(by_path["/index.html"], "569c49c876d9d1d37936e494e70a80e8");
    assert_eq!(by_path["/css/site.css"], "a1e60d295449511896a3679447c6cae3");
    assert_eq!(by_path["/img/logo.bin"], "eb3eaa2cd42d9c1d7d37fb10f2ed1ad0");
    assert_eq!(by_path["/empty"], "af1349b9f5f9a1a6a0404dea36dcc949");
    assert_eq!(by_path["/empty"], asset_hash(b"", ""));
    // Identical files share one upload.
    assert_eq!(outcome.uploaded().count(), 4);
    assert_eq!(fake.stored_hashes("blog").len(), 4);
    assert_eq!(
        fake.stored_content_type("blog", by_path["/index.html"])
            .as_deref(),
        Some("text/html")
    );
    assert_eq!(
        fake.stored_content_type("blog", by_path["/empty"])
            .as_deref(),
        Some("application/octet-stream")
    );
    assert_eq!(fake.upserted("blog").len(), 4);
    assert!(outcome.hashes_recorded);

    // The form: the manifest and the commit fields, the message cut to 384 bytes.
    let forms = fake.deployment_forms("blog");
    assert_eq!(forms.len(), 1);
    let manifest = manifest_of(&fake, "blog", 0);
    let expected: BTreeMap<String, String> = by_path
        .iter()
        .map(|(p, h)| ((*p).to_owned(), (*h).to_owned()))
        .collect();
    assert_eq!(manifest, expected);
    assert_eq!(forms[0]["branch"], "main");
    assert_eq!(
        forms[0]["commit_hash"],
        "0123456789abcdef0123456789abcdef01234567"
    );
    assert_eq!(forms[0]["commit_message"], "é".repeat(192));
    assert_eq!(forms[0]["commit_dirty"], "true");

    // Progress: everything hashed, every byte uploaded, and done.
    let last = *progress.lock().unwrap().last().unwrap();
    assert_eq!(last.phase, UploadPhase::Done);
    assert_eq!((last.files_hashed, last.files_total), (5, 5));
    assert_eq!(last.files_uploaded, 4);
    assert_eq!(last.bytes_uploaded, last.bytes_to_upload);
    assert_eq!(last.bytes_uploaded, 15 + 15 + 1024);

    // Again: the API has every file, nothing is uploaded, a deployment is still created.
    let uploads_before = fake.uploads().len();
    let again = fake
        .client()
        .deploy_directory(ACCOUNT, "blog")
        .dir(dir.path())
        .send()
        .await
        .unwrap();
    assert_eq!(again.uploaded().count(), 0);
    assert_eq!(fake.uploads().len(), uploads_before);
    assert_eq!(fake.ids("blog").len(), 2);
    assert_eq!(manifest_of(&fake, "blog", 1), expected);
    assert_eq!(fake.credential_leaks(), 0);
    assert_eq!(fake.jwt_rejections(), 0);
}

#[tokio::test]
async fn five_thousand_files_respect_the_bucket_limits() {
    let fake = FakeApi::start().await;
    fake.add_project("big", "main");
    let dir = TempDir::new("big");
    for i in 0..4996 {
        dir.write(
            &format!("p{}/f{i}.txt", i % 50),
            format!("file {i} ").repeat(i % 40 + 1),
        );
    }
    // Four files whose base64 is over 20 MiB: no two fit one 40 MiB request.
    for i in 0..4 {
        let file = fs::File::create(dir.path().join(format!("big{i}.bin"))).unwrap();
        file.set_len(15 * 1024 * 1024 + 512 * 1024 + i).unwrap();
    }
    let outcome = fake
        .client()
        .deploy_directory(ACCOUNT, "big")
        .dir(dir.path())
        .send()
        .await
        .unwrap();
    assert_eq!(outcome.files.len(), 5000);
    let uploads = fake.uploads();
    assert!(uploads.len() >= 4, "{uploads:?}");
    for upload in &uploads {
        assert!(upload.accepted);
        assert!(upload.files <= 2000, "{upload:?}");
        assert!(upload.body_bytes <= 40 * 1024 * 1024, "{upload:?}");
    }
    assert_eq!(uploads.iter().map(|u| u.files).sum::<usize>(), 5000);
    assert!(fake.max_concurrent_uploads() <= 3);
    let manifest = manifest_of(&fake, "big", 0);
    assert_eq!(manifest.len(), 5000);
    assert!(manifest.contains_key("/p7/f7.txt") && manifest.contains_key("/big3.bin"));
    assert_eq!(fake.credential_leaks(), 0);
}

#[tokio::test]
async fn a_token_rejected_mid_upload_is_replaced_without_a_retry_wait() {
    let fake = FakeApi::start().await;
    fake.add_project("blog", "main");
    let dir = site();
    // The second upload request finds every token expired (code 8000013).
    fake.expire_jwts_at_upload(2);
    let started = Instant::now();
    let outcome = fake
        .client()
        .deploy_directory(ACCOUNT, "blog")
        .dir(dir.path())
        // A retry that counted as an attempt would wait this long.
        .retry_base_delay(Duration::from_secs(20))
        .send()
        .await
        .unwrap();
    assert!(started.elapsed() < Duration::from_secs(10));
    assert!(outcome.deployment.is_some());
    assert!(fake.jwt_rejections() >= 1);
    assert!(fake.tokens_issued() >= 2);
    assert_eq!(fake.stored_hashes("blog").len(), 4);
    assert_eq!(fake.credential_leaks(), 0);
}

#[tokio::test]
async fn a_token_about_to_expire_is_renewed_before_use() {
    let fake = FakeApi::start().await;
    fake.add_project("blog", "main");
    let dir = site();
    // Tokens live 1 s; the uploads take 0.85 s, so the token is near its end afterwards.
    fake.set_jwt_lifetime(Duration::from_secs(1));
    fake.set_upload_delay(Duration::from_millis(850));
    let outcome = fake
        .client()
        .deploy_directory(ACCOUNT, "blog")
        .dir(dir.path())
        .retry_base_delay(Duration::from_millis(1))
        .send()
        .await
        .unwrap();
    assert!(outcome.hashes_recorded);
    assert!(fake.tokens_issued() >= 2, "{}", fake.tokens_issued());
    assert_eq!(fake.upserted("blog").len(), 4);
}

#[tokio::test]
async fn rate_limits_and_gateway_errors_are_survived() {
    let fake = FakeApi::start().await;
    fake.add_project("blog", "main");
    let dir = site();
    // The status is what counts; the code keeps to the 2026 schema (at least 1000), which
    // the rate limiter's own 971 would not.
    fake.fail_next_upload(429, 8000000);
    fake.fail_next_upload(502, 8000000);
    fake.fail_next_create(500, 8000000, "An unknown error has occurred.");
    let outcome = fake
        .client()
        .deploy_directory(ACCOUNT, "blog")
        .dir(dir.path())
        .retry_base_delay(Duration::from_millis(1))
        .send()
        .await
        .unwrap();
    assert!(outcome.deployment.is_some());
    let uploads = fake.uploads();
    assert_eq!(uploads.iter().filter(|u| !u.accepted).count(), 2);
    assert_eq!(fake.stored_hashes("blog").len(), 4);
    assert_eq!(fake.ids("blog").len(), 1);
}

#[tokio::test]
async fn ignored_files_stay_out_and_special_files_go_in_the_form() {
    let fake = FakeApi::start().await;
    fake.add_project("app", "main");
    let dir = TempDir::new("special");
    dir.write("index.html", "<p>app</p>")
        .write("_headers", "/*\n  X-Frame-Options: DENY\n")
        .write("_redirects", "/old /new 301\n")
        .write(
            "_routes.json",
            r#"{"version":1,"include":["/api/*"],"exclude":[]}"#,
        )
        .write(
            "_worker.js",
            "export default { fetch() { return new Response('hi') } }",
        )
        .write("functions/api.js", "export function onRequest() {}")
        .write("node_modules/x/index.js", "x")
        .write("docs/node_modules/y.js", "y")
        .write(".git/HEAD", "ref: refs/heads/main")
        .write(".DS_Store", "junk")
        .write("docs/.DS_Store", "junk")
        .write(".wrangler/state.json", "{}")
        .write("docs/_headers", "kept: not at the root")
        .write("docs/functions/f.txt", "kept too");
    #[cfg(unix)]
    std::os::unix::fs::symlink(dir.path().join("index.html"), dir.path().join("link.html"))
        .unwrap();
    let outcome = fake
        .client()
        .deploy_directory(ACCOUNT, "app")
        .dir(dir.path())
        .send()
        .await
        .unwrap();
    let manifest = manifest_of(&fake, "app", 0);
    let paths: Vec<&str> = manifest.keys().map(String::as_str).collect();
    assert_eq!(
        paths,
        ["/docs/_headers", "/docs/functions/f.txt", "/index.html"]
    );
    assert_eq!(fake.stored_hashes("app").len(), 3);
    assert_eq!(
        outcome.special_files,
        ["_headers", "_redirects", "_routes.json", "_worker.js"]
    );
    let form = &fake.deployment_forms("app")[0];
    assert_eq!(form["_headers"], "/*\n  X-Frame-Options: DENY\n");
    assert_eq!(form["_redirects"], "/old /new 301\n");
    assert!(form["_routes.json"].contains("/api/*"));
    assert!(form["_worker.js"].contains("export default"));
    assert!(!form.contains_key("commit_dirty") && !form.contains_key("commit_message"));
}

#[tokio::test]
async fn an_oversized_file_fails_before_any_request() {
    let fake = FakeApi::start().await;
    fake.add_project("blog", "main");
    let dir = site();
    let file = fs::File::create(dir.path().join("video.mp4")).unwrap();
    file.set_len(26 * 1024 * 1024).unwrap();
    let err = fake
        .client()
        .deploy_directory(ACCOUNT, "blog")
        .dir(dir.path())
        .send()
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::Upload(UploadError::FileTooLarge { name, size, .. })
            if name == "video.mp4" && *size == 26 * 1024 * 1024),
        "{err:?}"
    );
    assert!(err.to_string().contains("25 MiB"), "{err}");
    assert!(fake.seen().is_empty(), "{:?}", fake.seen());
}

#[tokio::test]
async fn more_files_than_the_plan_allows_fail_before_any_upload() {
    let fake = FakeApi::start().await;
    fake.add_project("blog", "main");
    fake.set_max_file_count(3);
    let dir = site();
    let err = fake
        .client()
        .deploy_directory(ACCOUNT, "blog")
        .dir(dir.path())
        .send()
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            Error::Upload(UploadError::TooManyFiles { count: 5, max: 3 })
        ),
        "{err:?}"
    );
    assert_eq!(
        fake.seen().len(),
        1,
        "only the upload token: {:?}",
        fake.seen()
    );
    assert!(fake.uploads().is_empty());
}

#[tokio::test]
async fn a_dry_run_sends_nothing() {
    let fake = FakeApi::start().await;
    fake.add_project("blog", "main");
    let dir = site();
    let outcome = fake
        .client()
        .deploy_directory(ACCOUNT, "blog")
        .dir(dir.path())
        .dry_run(true)
        .send()
        .await
        .unwrap();
    assert!(outcome.deployment.is_none());
    assert_eq!(outcome.uploaded().count(), 5);
    assert!(fake.seen().is_empty());
}

#[tokio::test]
async fn account_credentials_never_reach_the_asset_calls() {
    let fake = FakeApi::start().await;
    fake.add_project("blog", "main");
    let dir = site();
    fake.client()
        .deploy_directory(ACCOUNT, "blog")
        .dir(dir.path())
        .send()
        .await
        .unwrap();
    assert!(fake.count("POST", "/pages/assets/upload") >= 1);
    assert_eq!(fake.credential_leaks(), 0);

    // The fake does notice them: the account token on an asset call is refused (8000013).
    let request = ApiRequest::new(
        Method::POST,
        "/pages/assets/check-missing",
        "pages-assets-check-missing",
    )
    .json_body(&serde_json::json!({"hashes": []}))
    .unwrap();
    let err = fake
        .client()
        .execute::<serde_json::Value>(request)
        .await
        .unwrap_err();
    assert!(err.has_code(8000013), "{err}");
    assert_eq!(fake.credential_leaks(), 1);
}

#[tokio::test]
async fn a_missing_directory_is_a_clear_error() {
    let fake = FakeApi::start().await;
    let err = fake
        .client()
        .deploy_directory(ACCOUNT, "blog")
        .dir("/nonexistent/pages-deploy-dir")
        .send()
        .await
        .unwrap_err();
    assert!(
        matches!(err, Error::Upload(UploadError::Io { .. })),
        "{err:?}"
    );
    let err = fake
        .client()
        .deploy_directory(ACCOUNT, "blog")
        .send()
        .await
        .unwrap_err();
    assert!(
        matches!(err, Error::MissingField { field: "dir", .. }),
        "{err:?}"
    );
}

/// Deploys `dir` while the build rewrites `name` between hashing and uploading.
async fn deploy_while_rewriting(dir: &TempDir, name: &str, content: Vec<u8>) -> Error {
    let fake = FakeApi::start().await;
    fake.add_project("blog", "main");
    let path = dir.path().join(name);
    // File times tick coarsely (a few ms on Linux): the rewrite must come a tick after the
    // first write for its time to differ, as a build's rewrite does.
    tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    let err = fake
        .client()
        .deploy_directory(ACCOUNT, "blog")
        .dir(dir.path())
        .on_progress(move |p: &UploadProgress| {
            if p.phase == UploadPhase::Uploading {
                fs::write(&path, &content).unwrap();
            }
        })
        .send()
        .await
        .unwrap_err();
    assert!(fake.ids("blog").is_empty());
    err
}

#[tokio::test]
async fn a_file_changed_after_hashing_is_not_deployed() {
    // A small file (kept in memory from hashing, checked by size and time) and a large one
    // (read again and hashed again).
    for rewritten in ["<h1>Changed</h1>\n", "<h1>Hellp</h1>\n"] {
        let dir = site();
        let err = deploy_while_rewriting(&dir, "index.html", rewritten.into()).await;
        assert!(
            matches!(&err, Error::Upload(UploadError::FileChanged { path }) if path.ends_with("index.html")),
            "{rewritten:?}: {err:?}"
        );
    }
    let dir = site();
    dir.write("big.bin", vec![1u8; 200_000]);
    let err = deploy_while_rewriting(&dir, "big.bin", vec![2u8; 200_000]).await;
    assert!(
        matches!(&err, Error::Upload(UploadError::FileChanged { path }) if path.ends_with("big.bin")),
        "{err:?}"
    );
}

fn one_file() -> TempDir {
    let dir = TempDir::new("one");
    dir.write("index.html", "<h1>Hello</h1>\n");
    dir
}

#[tokio::test]
async fn upload_attempts_are_counted_as_wrangler_counts_them() {
    let fake = FakeApi::start().await;
    fake.add_project("blog", "main");
    let dir = one_file();
    let deploy = || {
        fake.client()
            .deploy_directory(ACCOUNT, "blog")
            .dir(dir.path())
            .retry_base_delay(Duration::from_micros(100))
            .send()
    };
    // A first try and five retries, then the error.
    for _ in 0..7 {
        fake.fail_next_upload(500, 8000000);
    }
    let err = deploy().await.unwrap_err();
    assert_eq!(err.status(), Some(500), "{err}");
    assert_eq!(fake.uploads().len(), 6);
    assert!(fake.ids("blog").is_empty());

    // The first four gateway errors are not counted: nine of them are survived.
    let fake = FakeApi::start().await;
    fake.add_project("blog", "main");
    for _ in 0..9 {
        fake.fail_next_upload(502, 8000000);
    }
    let deploy = fake
        .client()
        .deploy_directory(ACCOUNT, "blog")
        .dir(dir.path())
        .retry_base_delay(Duration::from_micros(100));
    deploy.send().await.unwrap();
    assert_eq!(fake.uploads().len(), 10);
    assert_eq!(fake.ids("blog").len(), 1);
}

#[tokio::test]
async fn a_rejected_token_on_check_missing_is_replaced_and_upsert_failures_are_reported() {
    let fake = FakeApi::start().await;
    fake.add_project("blog", "main");
    let dir = one_file();
    fake.reject_next_jwts(1);
    fake.fail_upserts(2);
    let outcome = fake
        .client()
        .deploy_directory(ACCOUNT, "blog")
        .dir(dir.path())
        .retry_base_delay(Duration::from_millis(1))
        .send()
        .await
        .unwrap();
    assert_eq!(fake.tokens_issued(), 2);
    assert_eq!(fake.jwt_rejections(), 1);
    // upsert-hashes failed twice (a try and wrangler's one retry): reported, not fatal.
    assert!(!outcome.hashes_recorded);
    assert!(outcome.deployment.is_some());
    assert!(fake.upserted("blog").is_empty());
}

#[tokio::test]
async fn a_worker_bundle_goes_in_the_form_and_a_worker_directory_is_refused() {
    let fake = FakeApi::start().await;
    fake.add_project("app", "main");
    let dir = one_file();
    // Not UTF-8: file parts carry bytes.
    dir.write("_worker.bundle", b"------formdata-bundle\r\n\xff\xfe\r\n");
    let outcome = fake
        .client()
        .deploy_directory(ACCOUNT, "app")
        .dir(dir.path())
        .branch("")
        .send()
        .await
        .unwrap();
    assert_eq!(outcome.special_files, ["_worker.bundle"]);
    assert_eq!(outcome.files.len(), 1);
    let form = &fake.deployment_forms("app")[0];
    assert!(form["_worker.bundle"].starts_with("------formdata-bundle\r\n\u{fffd}"));
    // An empty branch is left out, as wrangler leaves it out.
    assert!(!form.contains_key("branch"));

    let dir = one_file();
    dir.write("_worker.js/index.js", "export default {}");
    let err = fake
        .client()
        .deploy_directory(ACCOUNT, "app")
        .dir(dir.path())
        .send()
        .await
        .unwrap_err();
    assert!(
        matches!(err, Error::Upload(UploadError::WorkerDirectory { .. })),
        "{err:?}"
    );
}
