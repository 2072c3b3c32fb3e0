//! `examples/prune_deployments.rs` end to end against the fake API (`tests/fake_api`).

mod fake_api;
#[path = "../examples/prune_deployments.rs"]
mod prune_deployments;

use std::collections::HashSet;
use std::process::ExitCode;
use std::time::Duration;

use clap::Parser as _;
use fake_api::{ACCOUNT, FakeApi};
use prune_deployments::common::{ApiArgs, Failure};
use prune_deployments::{Action, Env, Options, Summary};

const HOUR: Duration = Duration::from_secs(3600);
const DAY: Duration = Duration::from_secs(86_400);

fn options(fake: &FakeApi, project: &str) -> Options {
    Options {
        api: ApiArgs {
            account_id: ACCOUNT.to_owned(),
            project: project.to_owned(),
            base_url: fake.base_url(),
        },
        older_than: 7 * DAY,
        env: None,
        dry_run: false,
        progress: false,
    }
}

fn set(ids: &[&str]) -> HashSet<String> {
    ids.iter().map(|id| (*id).to_owned()).collect()
}

fn ids(summary: &Summary, action: Action) -> HashSet<String> {
    set(&summary.ids(action))
}

async fn run(fake: &FakeApi, opts: &Options) -> (Summary, String) {
    let mut out = Vec::new();
    let summary = prune_deployments::run(&fake.client(), opts, &mut out)
        .await
        .expect("prune ran");
    (summary, String::from_utf8(out).unwrap())
}

/// 127 deployments (six pages of 25), of which 122 are older than a week.
#[tokio::test]
async fn prunes_hundreds_keeping_the_newest_of_each_branch_and_the_live_one() {
    let fake = FakeApi::start().await;
    fake.add_project("site", "main");
    let mut old = HashSet::new();
    let mut add = |branch: &str, age: Duration| {
        let id = fake.add_deployment("site", branch, age, &format!("Change on {branch}"));
        if age > 7 * DAY {
            old.insert(id.clone());
        }
        id
    };
    let mut main_old = Vec::new();
    for day in 8..68 {
        main_old.push(add("main", day * DAY));
    }
    for day in 1..4 {
        add("main", day * DAY);
    }
    let mut feature_a = Vec::new();
    for day in 10..50 {
        feature_a.push(add("feature-a", day * DAY));
    }
    add("feature-a", 2 * HOUR);
    add("feature-a", 7 * DAY - HOUR); // just under the limit
    let mut feature_b = Vec::new();
    for day in 15..35 {
        feature_b.push(add("feature-b", day * DAY));
    }
    // Two branches whose only deployment the listing shows without branch metadata: the example
    // keeps the newer one and tries the older, which the API refuses (newest of its branch).
    let legacy_1 = add("legacy-1", 30 * DAY);
    let legacy_2 = add("legacy-2", 40 * DAY);
    fake.hide_branch("site", &legacy_1);
    fake.hide_branch("site", &legacy_2);
    // A rollback made a 20-day-old production deployment the live one.
    let canonical = main_old[12].clone(); // 20 days
    fake.set_canonical("site", &canonical);
    // One deletion keeps failing with HTTP 500.
    let failing = feature_a[15].clone(); // 25 days
    fake.fail_deletes_of(&failing);

    assert_eq!(fake.ids("site").len(), 127);
    assert_eq!(old.len(), 122);
    let newest_b = feature_b[0].clone();

    let (summary, table) = run(&fake, &options(&fake, "site")).await;

    let kept = set(&[&canonical, &newest_b, &legacy_1, &legacy_2]);
    let failed = set(&[&failing]);
    let deleted: HashSet<String> = old
        .iter()
        .filter(|id| !kept.contains(*id) && !failed.contains(*id))
        .cloned()
        .collect();
    assert_eq!(deleted.len(), 117);
    assert_eq!(ids(&summary, Action::Deleted), deleted);
    assert_eq!(ids(&summary, Action::Kept), kept);
    assert_eq!(ids(&summary, Action::Failed), failed);
    assert_eq!(summary.count(Action::WouldDelete), 0);
    assert_eq!((summary.listed, summary.recent), (127, 5));
    assert_eq!(summary.exit_code(), ExitCode::FAILURE);

    // What the fake holds now: everything but the deleted.
    let remaining: HashSet<String> = fake.ids("site").into_iter().collect();
    assert_eq!(remaining.len(), 127 - 117);
    assert!(remaining.is_disjoint(&deleted));
    assert!(kept.is_subset(&remaining) && failed.is_subset(&remaining));

    // The requests: the project once, six pages of 25 (no more), then the deletions: never one
    // of the protected deployments the listing shows, the refused one once, the failing one
    // three times (DELETE is retried on HTTP 500).
    let seen = fake.seen();
    assert_eq!(fake.count("GET", "/pages/projects/site"), 1);
    let pages: Vec<&str> = seen
        .iter()
        .filter(|s| s.method == "GET" && s.path.ends_with("/site/deployments"))
        .map(|s| s.query.as_str())
        .collect();
    assert_eq!(
        pages,
        ["page=1", "page=2", "page=3", "page=4", "page=5", "page=6"]
    );
    let deletes: Vec<&str> = seen
        .iter()
        .filter(|s| s.method == "DELETE")
        .map(|s| s.path.rsplit('/').next().unwrap())
        .collect();
    assert_eq!(deletes.len(), 117 + 1 + 3);
    for id in [&canonical, &newest_b, &legacy_1] {
        assert!(!deletes.contains(&id.as_str()), "{id} was sent a DELETE");
    }
    assert_eq!(deletes.iter().filter(|d| **d == legacy_2).count(), 1);
    assert_eq!(deletes.iter().filter(|d| **d == failing).count(), 3);

    // The table: deleted first, then kept and failed, with reasons; then the totals.
    let lines: Vec<&str> = table.lines().collect();
    assert_eq!(lines.len(), 1 + 122 + 2, "{table}");
    assert!(lines[0].starts_with("ACTION"), "{table}");
    assert!(lines[0].ends_with("REASON"), "{table}");
    assert!(
        lines[1..118].iter().all(|l| l.starts_with("deleted ")),
        "{table}"
    );
    let row = |id: &str| {
        let short = &id[..8];
        lines
            .iter()
            .find(|l| l.split_whitespace().nth(1) == Some(short))
            .copied()
            .unwrap_or_else(|| panic!("no row for {short} in\n{table}"))
    };
    assert!(row(&canonical).starts_with("kept "), "{table}");
    assert!(
        row(&canonical).ends_with("live production deployment (canonical)"),
        "{table}"
    );
    assert!(
        row(&newest_b).ends_with("newest deployment of branch feature-b"),
        "{table}"
    );
    assert!(
        row(&legacy_1).ends_with("newest deployment without branch metadata"),
        "{table}"
    );
    assert!(
        row(&legacy_2).ends_with(
            "the API refused: You cannot delete an aliased deployment without a `?force=true` \
             parameter in the API request URL. (code 8000035)"
        ),
        "{table}"
    );
    let failed_row = row(&failing);
    assert!(failed_row.starts_with("failed "), "{table}");
    assert!(failed_row.contains("HTTP 500"), "{table}");
    assert!(failed_row.contains("(code 8000000)"), "{table}");
    assert_eq!(lines[lines.len() - 2], "");
    assert_eq!(
        lines[lines.len() - 1],
        "deleted 117, kept 4, failed 1 (5 of 127 deployments listed are newer than 7days)"
    );
    assert!(row(&main_old[0]).contains(" production "), "{table}");
    assert!(row(&main_old[0]).contains(" main "), "{table}");
    assert!(row(&main_old[0]).contains(" UTC"), "{table}");
}

#[tokio::test]
async fn a_second_run_deletes_nothing_more_and_succeeds() {
    let fake = FakeApi::start().await;
    fake.add_project("site", "main");
    for day in 8..20 {
        fake.add_deployment("site", "main", day * DAY, "m");
        fake.add_deployment("site", "preview-x", day * DAY, "p");
    }
    let (first, _) = run(&fake, &options(&fake, "site")).await;
    assert_eq!(
        (first.count(Action::Deleted), first.count(Action::Kept)),
        (22, 2)
    );
    assert_eq!(first.exit_code(), ExitCode::SUCCESS);
    let (second, table) = run(&fake, &options(&fake, "site")).await;
    assert_eq!(second.count(Action::Deleted), 0);
    assert_eq!(second.count(Action::Kept), 2);
    assert!(
        table.ends_with(
            "deleted 0, kept 2, failed 0 (0 of 2 deployments listed are newer than 7days)\n"
        ),
        "{table}"
    );
    assert_eq!(fake.ids("site").len(), 2);
}

#[tokio::test]
async fn dry_run_lists_what_would_go_and_deletes_nothing() {
    let fake = FakeApi::start().await;
    fake.add_project("docs", "main");
    let mut old = Vec::new();
    for day in 8..38 {
        old.push(fake.add_deployment("docs", "main", day * DAY, "m"));
    }
    fake.add_deployment("docs", "main", HOUR, "fresh");
    let opts = Options {
        dry_run: true,
        ..options(&fake, "docs")
    };
    let (summary, table) = run(&fake, &opts).await;
    // The newest (an hour old) is canonical and recent; all 30 old ones would go.
    assert_eq!(summary.count(Action::WouldDelete), 30);
    assert_eq!(summary.count(Action::Deleted), 0);
    assert_eq!(
        ids(&summary, Action::WouldDelete),
        set(&old.iter().map(String::as_str).collect::<Vec<_>>())
    );
    assert_eq!(summary.exit_code(), ExitCode::SUCCESS);
    assert_eq!(fake.count("DELETE", ""), 0);
    assert_eq!(fake.ids("docs").len(), 31);
    assert_eq!(
        table
            .lines()
            .filter(|l| l.starts_with("would delete "))
            .count(),
        30
    );
    assert!(
        table.ends_with(
            "dry run: would delete 30, keep 0 (1 of 31 deployments listed are newer than 7days)\n"
        ),
        "{table}"
    );
    // Two pages of 25.
    assert_eq!(fake.count("GET", "/docs/deployments"), 2);
}

#[tokio::test]
async fn env_and_age_select_what_is_considered() {
    let fake = FakeApi::start().await;
    fake.add_project("app", "main");
    let prod_old = fake.add_deployment("app", "main", 3 * DAY, "prod old");
    let prod_new = fake.add_deployment("app", "main", 2 * DAY, "prod new");
    let mut preview = Vec::new();
    for hours in [11, 13, 20, 30] {
        preview.push(fake.add_deployment("app", "feature", hours * HOUR, "preview"));
    }
    let other = fake.add_deployment("app", "other", 40 * HOUR, "only one");
    let opts = Options {
        env: Some(Env::Preview),
        older_than: 12 * HOUR,
        ..options(&fake, "app")
    };
    let (summary, table) = run(&fake, &opts).await;
    // Previews older than 12 hours, except the only (so newest) deployment of `other`;
    // production deployments are not even listed.
    assert_eq!(
        ids(&summary, Action::Deleted),
        set(&[&preview[1], &preview[2], &preview[3]])
    );
    assert_eq!(ids(&summary, Action::Kept), set(&[&other]));
    assert_eq!((summary.listed, summary.recent), (5, 1));
    let remaining: HashSet<String> = fake.ids("app").into_iter().collect();
    assert_eq!(remaining, set(&[&prod_old, &prod_new, &preview[0], &other]));
    assert!(
        fake.seen()
            .iter()
            .filter(|s| s.method == "GET" && s.path.ends_with("/deployments"))
            .all(|s| s.query == "env=preview&page=1"),
        "{:?}",
        fake.seen()
    );
    assert!(
        table.ends_with(
            "deleted 3, kept 1, failed 0 (1 of 5 preview deployments listed are newer than 12h)\n"
        ),
        "{table}"
    );
}

#[tokio::test]
async fn an_unknown_project_is_an_error_with_the_api_code() {
    let fake = FakeApi::start().await;
    let mut out = Vec::new();
    let err = prune_deployments::run(&fake.client(), &options(&fake, "ghost"), &mut out)
        .await
        .unwrap_err();
    assert!(matches!(err, Failure::Api(_)), "{err:?}");
    let text = err.to_string();
    assert!(text.contains("(code 8000007)"), "{text}");
    assert!(out.is_empty());
    assert_eq!(fake.count("GET", "/deployments"), 0);
}

#[test]
fn command_line() {
    let base = [
        "prune_deployments",
        "--account-id",
        ACCOUNT,
        "--project",
        "site",
    ];
    let opts = Options::try_parse_from(base).unwrap();
    assert_eq!(opts.older_than, 7 * DAY);
    assert_eq!(opts.env, None);
    assert!(!opts.dry_run);
    let opts = Options::try_parse_from(base.iter().copied().chain([
        "--older-than",
        "12h",
        "--env",
        "production",
        "--dry-run",
    ]))
    .unwrap();
    assert_eq!(opts.older_than, 12 * HOUR);
    assert_eq!(opts.env, Some(Env::Production));
    assert!(opts.dry_run);
    let err = Options::try_parse_from(base.iter().copied().chain(["--env", "staging"]))
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("preview") && err.contains("production"),
        "{err}"
    );
    let err = Options::try_parse_from(base.iter().copied().chain(["--older-than", "7"]))
        .unwrap_err()
        .to_string();
    assert!(err.contains("--older-than"), "{err}");
}

#[test]
fn refusals_are_recognised_by_code_or_message() {
    use pages_api_client::{ApiMessage, AuthScheme, Error};
    let api = |status: u16, code: i64, message: &str| Error::Api {
        status,
        errors: vec![ApiMessage::new(code, message)],
        messages: vec![],
        ray_id: None,
        operation: "pages-deployment-delete-deployment",
        auth: AuthScheme::ApiToken,
    };
    assert!(prune_deployments::is_protected_refusal(&api(
        400, 8000035, "aliased"
    )));
    assert!(prune_deployments::is_protected_refusal(&api(
        400,
        8000034,
        "active production"
    )));
    assert!(prune_deployments::is_protected_refusal(&api(
        400,
        8000099,
        "You cannot delete the latest deployment of a branch"
    )));
    assert!(!prune_deployments::is_protected_refusal(&api(
        400,
        8000000,
        "Something else"
    )));
    assert!(!prune_deployments::is_protected_refusal(&api(
        500, 8000035, "aliased"
    )));
    assert!(!prune_deployments::is_protected_refusal(&api(
        403,
        10000,
        "Authentication error"
    )));
}
