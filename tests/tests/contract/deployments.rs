//! The deployment operations, logs and tails.

use std::pin::pin;

use pages_api_client::types::{CommitDirty, Environment};
use pages_api_client::{Error, FilePart, StreamExt as _};
use serde_json::json;

use super::{ACCOUNT_ID, DEPLOYMENT_ID, PROJECT, contract};

#[tokio::test]
async fn deployments_list() {
    let c = contract();
    let list = || {
        c.client
            .deployments()
            .list(ACCOUNT_ID, PROJECT)
            .env(Environment::Preview)
            .page(1)
    };

    let result = list().per_page(25).send_envelope().await;
    let envelope = c.check("pages-deployment-get-deployments", result);
    let deployments = envelope.result.clone().expect("a result");
    assert!(!deployments.is_empty());
    // The id the other deployment tests send is one this operation hands out.
    assert!(
        deployments.iter().any(|d| d.id == DEPLOYMENT_ID),
        "{deployments:?}"
    );
    let info = envelope
        .result_info
        .expect("result_info: the operation is paged");
    println!("  result_info: {info:?}");

    // Prism answers every page with the same example: its `result_info` must end the walk.
    // Capped, so that a walk that does not end fails here instead of hanging.
    const CAP: usize = 50;
    let items: Vec<Result<_, Error>> = pin!(list().stream()).take(CAP).collect().await;
    let pages = c.peek().len();
    let streamed = c.check(
        "pages-deployment-get-deployments",
        items.into_iter().collect::<Result<Vec<_>, _>>(),
    );
    assert!(streamed.len() < CAP, "paging did not stop ({pages} pages)");
    assert_eq!(streamed, deployments, "one page, the example's");
    assert_eq!(pages, 1, "the example's result_info announces 1 page");

    let result = list().all().await;
    let pages = c.peek().len();
    let all = c.check("pages-deployment-get-deployments", result);
    assert_eq!(all, deployments);
    assert_eq!(pages, 1);
}

#[tokio::test]
async fn deployments_create() {
    let c = contract();
    // A git build of a branch: text fields only.
    let result = c
        .client
        .deployments()
        .create(ACCOUNT_ID, PROJECT)
        .branch("redesign")
        .send()
        .await;
    let deployment = c.check("pages-deployment-create-deployment", result);
    assert!(!deployment.id.is_empty());

    // Direct Upload: the manifest, the commit and the special files as file parts.
    let manifest = json!({"/index.html": "569c49c876d9d1d37936e494e70a80e8"});
    let result = c
        .client
        .deployments()
        .create(ACCOUNT_ID, PROJECT)
        .manifest(manifest.to_string())
        .branch("main")
        .commit_hash("5e0f1c2d3b4a59687a6b5c4d3e2f1a0b9c8d7e6f")
        .commit_message("Publish the July release notes")
        .commit_dirty(CommitDirty::False)
        .headers("/*\n  X-Frame-Options: DENY\n".to_owned())
        .redirects("/old /new 301\n".to_owned())
        .routes_json(FilePart::bytes(
            r#"{"version":1,"include":["/api/*"],"exclude":[]}"#,
        ))
        .worker_js(FilePart::bytes(
            "export default { fetch() { return new Response('ok') } }",
        ))
        .send()
        .await;
    let deployment = c.check("pages-deployment-create-deployment", result);
    assert!(!deployment.id.is_empty());

    // Without any field (the production branch): a multipart body without fields.
    let result = c
        .client
        .deployments()
        .create(ACCOUNT_ID, PROJECT)
        .send()
        .await;
    c.check("pages-deployment-create-deployment", result);
}

#[tokio::test]
async fn deployments_get() {
    let c = contract();
    let result = c
        .client
        .deployments()
        .get(ACCOUNT_ID, PROJECT, DEPLOYMENT_ID)
        .send()
        .await;
    let deployment = c.check("pages-deployment-get-deployment-info", result);
    assert_eq!(deployment.id, DEPLOYMENT_ID);
    assert!(
        deployment.branch().is_some(),
        "the generated shortcut reaches the branch"
    );
}

#[tokio::test]
async fn deployments_delete() {
    let c = contract();
    let result = c
        .client
        .deployments()
        .delete(ACCOUNT_ID, PROJECT, DEPLOYMENT_ID)
        .force(true)
        .send()
        .await;
    c.check("pages-deployment-delete-deployment", result);
}

#[tokio::test]
async fn deployments_retry() {
    let c = contract();
    let result = c
        .client
        .deployments()
        .retry(ACCOUNT_ID, PROJECT, DEPLOYMENT_ID)
        .send()
        .await;
    let deployment = c.check("pages-deployment-retry-deployment", result);
    assert!(!deployment.id.is_empty());
}

#[tokio::test]
async fn deployments_rollback() {
    let c = contract();
    let result = c
        .client
        .deployments()
        .rollback(ACCOUNT_ID, PROJECT, DEPLOYMENT_ID)
        .send()
        .await;
    let deployment = c.check("pages-deployment-rollback-deployment", result);
    assert!(!deployment.id.is_empty());
}

#[tokio::test]
async fn deployments_logs() {
    let c = contract();
    let result = c
        .client
        .deployments()
        .logs(ACCOUNT_ID, PROJECT, DEPLOYMENT_ID)
        .send()
        .await;
    let logs = c.check("pages-deployment-get-deployment-logs", result);
    assert!(!logs.data.is_empty());
}

#[tokio::test]
async fn tails_create() {
    let c = contract();
    let result = c
        .client
        .tails()
        .create(ACCOUNT_ID, PROJECT, DEPLOYMENT_ID)
        .filters(vec![json!({"method": ["GET"]})])
        .send()
        .await;
    let tail = c.check("pages-deployment-create-tail", result);
    assert!(!tail.id.is_empty());
}

#[tokio::test]
async fn tails_delete() {
    let c = contract();
    let result = c
        .client
        .tails()
        .delete(
            ACCOUNT_ID,
            PROJECT,
            DEPLOYMENT_ID,
            "3f0c9a1e27d44b6c8e5f1a2b3c4d5e6f",
        )
        .send()
        .await;
    c.check("pages-deployment-delete-tail", result);
}
