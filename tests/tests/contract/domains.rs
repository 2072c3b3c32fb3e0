//! The custom-domain operations.

use super::{ACCOUNT_ID, DOMAIN, PROJECT, contract};

#[tokio::test]
async fn domains_list() {
    let c = contract();
    let result = c.client.domains().list(ACCOUNT_ID, PROJECT).send().await;
    let domains = c.check("pages-domains-get-domains", result);
    assert!(!domains.is_empty());
}

#[tokio::test]
async fn domains_create() {
    let c = contract();
    let result = c
        .client
        .domains()
        .create(ACCOUNT_ID, PROJECT, "shop.example.com")
        .send()
        .await;
    let domain = c.check("pages-domains-add-domain", result);
    assert!(!domain.name.is_empty());
}

#[tokio::test]
async fn domains_get() {
    let c = contract();
    let result = c
        .client
        .domains()
        .get(ACCOUNT_ID, PROJECT, DOMAIN)
        .send()
        .await;
    let domain = c.check("pages-domains-get-domain", result);
    assert!(!domain.name.is_empty());
}

#[tokio::test]
async fn domains_update() {
    let c = contract();
    let result = c
        .client
        .domains()
        .update(ACCOUNT_ID, PROJECT, DOMAIN)
        .send()
        .await;
    let domain = c.check("pages-domains-patch-domain", result);
    assert!(!domain.name.is_empty());
}

#[tokio::test]
async fn domains_delete() {
    let c = contract();
    let result = c
        .client
        .domains()
        .delete(ACCOUNT_ID, PROJECT, DOMAIN)
        .send()
        .await;
    c.check("pages-domains-delete-domain", result);
}
