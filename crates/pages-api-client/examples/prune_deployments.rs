//! Deletes the deployments of a Cloudflare Pages project that are older than a given age: the
//! "delete old deployments after a week" automation of the Pages REST API documentation, as a
//! command. The newest deployment of each branch and the project's live (canonical) deployment
//! are always kept; the API refuses to delete them anyway, and such a refusal counts as kept.
//!
//! ```sh
//! export CLOUDFLARE_API_TOKEN=... CLOUDFLARE_ACCOUNT_ID=...
//! cargo run -p pages-api-client --example prune_deployments -- --project blog --dry-run
//! cargo run -p pages-api-client --example prune_deployments -- --project blog --older-than 30d --env preview
//! ```

#[path = "common/mod.rs"]
pub mod common;

use std::collections::HashMap;
use std::io::{self, IsTerminal as _, Write};
use std::process::ExitCode;
use std::time::Duration;

use clap::Parser;
use indicatif::{ProgressBar, ProgressStyle};
use pages_api_client::types::{Deployment, Environment, Project};
use pages_api_client::{Client, Error, Timestamp, TryStreamExt as _};

use common::Failure;

/// Delete the deployments of a Cloudflare Pages project that are older than a given age.
#[derive(Clone, Debug, Parser)]
#[command(
    name = "prune_deployments",
    after_help = common::CREDENTIALS_HELP,
    long_about = "Delete the deployments of a Cloudflare Pages project that are older than a \
                  given age.\n\nThe newest deployment of each branch and the project's live \
                  (canonical) deployment are never deleted; when the API refuses to delete a \
                  deployment for being the latest or live one, it is counted as kept. Ends with \
                  a table of what was deleted, kept and failed; the exit status is 1 if any \
                  deletion failed."
)]
pub struct Options {
    #[command(flatten)]
    pub api: common::ApiArgs,

    /// Delete deployments created longer ago than this (e.g. 12h, 7d, 2w)
    #[arg(
        long,
        value_name = "DURATION",
        default_value = "7d",
        value_parser = common::parse_duration
    )]
    pub older_than: Duration,

    /// Only consider deployments of this environment [default: both]
    #[arg(long, value_enum, value_name = "ENV")]
    pub env: Option<Env>,

    /// Only list what would be deleted; delete nothing
    #[arg(long)]
    pub dry_run: bool,

    /// Progress bars on standard error, shown when it is a terminal.
    #[arg(skip = io::stderr().is_terminal())]
    pub progress: bool,
}

/// `--env`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Env {
    /// Preview deployments (branches other than the production branch)
    Preview,
    /// Production deployments
    Production,
}

impl From<Env> for Environment {
    fn from(env: Env) -> Self {
        match env {
            Env::Preview => Environment::Preview,
            Env::Production => Environment::Production,
        }
    }
}

/// What happened to one deployment old enough to go.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Action {
    Deleted,
    WouldDelete,
    Kept,
    Failed,
}

impl Action {
    fn label(self) -> &'static str {
        match self {
            Action::Deleted => "deleted",
            Action::WouldDelete => "would delete",
            Action::Kept => "kept",
            Action::Failed => "failed",
        }
    }
}

/// One row of the summary.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Row {
    pub id: String,
    pub short_id: String,
    pub environment: String,
    pub branch: String,
    pub created_on: Timestamp,
    pub action: Action,
    /// Why it was kept or failed (empty for deleted).
    pub reason: String,
}

/// What a run did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Summary {
    /// Deployments the listing returned.
    pub listed: usize,
    /// Of those, how many were too new to be considered.
    pub recent: usize,
    /// The deployments old enough to go, in the order of the table.
    pub rows: Vec<Row>,
}

impl Summary {
    /// How many rows have `action`.
    pub fn count(&self, action: Action) -> usize {
        self.rows.iter().filter(|row| row.action == action).count()
    }

    /// The ids of the rows with `action`.
    pub fn ids(&self, action: Action) -> Vec<&str> {
        self.rows
            .iter()
            .filter(|row| row.action == action)
            .map(|row| row.id.as_str())
            .collect()
    }

    /// Failure when any deletion failed.
    pub fn exit_code(&self) -> ExitCode {
        if self.count(Action::Failed) > 0 {
            ExitCode::FAILURE
        } else {
            ExitCode::SUCCESS
        }
    }
}

/// Cloudflare's codes for "you cannot delete the active production deployment" and "you
/// cannot delete an aliased deployment" (the latest deployment of a branch).
const REFUSAL_CODES: [i64; 2] = [8_000_034, 8_000_035];

/// Whether `err` is the API refusing to delete a deployment because it is the latest of its
/// branch or the live one: a 4xx whose code or message says so.
pub fn is_protected_refusal(err: &Error) -> bool {
    err.status()
        .is_some_and(|status| (400..500).contains(&status))
        && err.api_errors().iter().any(|m| {
            let message = m.message.to_ascii_lowercase();
            REFUSAL_CODES.contains(&m.code)
                || message.contains("aliased deployment")
                || message.contains("latest deployment")
                || message.contains("active production deployment")
                || message.contains("active deployment")
        })
}

/// What to do with one deployment.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Decision {
    /// Not older than `--older-than`: left alone, not in the table.
    Recent,
    /// Old enough and not protected.
    Delete,
    /// Old enough but protected, for this reason.
    Keep(String),
}

/// The branch a deployment was built from; `None` when its trigger metadata names none (the
/// schema requires the field, so a deployment without one carries an empty string).
pub fn branch_of(deployment: &Deployment) -> Option<&str> {
    deployment
        .branch()
        .filter(|branch| !branch.trim().is_empty())
}

/// What to do with each deployment (same order as `deployments`).
pub fn plan(
    project: &Project,
    deployments: &[Deployment],
    older_than: Duration,
    now: Timestamp,
) -> Vec<Decision> {
    let canonical = project
        .canonical_deployment
        .as_ref()
        .map(|d| d.id.as_str())
        .filter(|id| !id.is_empty());
    // The newest deployment of each branch (deployments without branch metadata form one group).
    let mut newest: HashMap<Option<&str>, (usize, Timestamp)> = HashMap::new();
    for (index, deployment) in deployments.iter().enumerate() {
        let created = deployment.created_on;
        newest
            .entry(branch_of(deployment))
            .and_modify(|best| {
                // The listing is newest first: an equal time keeps the earlier entry.
                if created > best.1 {
                    *best = (index, created);
                }
            })
            .or_insert((index, created));
    }
    let max_age = i64::try_from(older_than.as_secs()).unwrap_or(i64::MAX);
    deployments
        .iter()
        .enumerate()
        .map(|(index, deployment)| {
            if (now - deployment.created_on).whole_seconds() <= max_age {
                return Decision::Recent;
            }
            let branch = branch_of(deployment);
            if deployment.id.is_empty() {
                Decision::Keep("the API gave no id".to_owned())
            } else if Some(deployment.id.as_str()) == canonical {
                Decision::Keep("live production deployment (canonical)".to_owned())
            } else if newest.get(&branch).map(|best| best.0) == Some(index) {
                Decision::Keep(match branch {
                    Some(branch) => format!("newest deployment of branch {branch}"),
                    None => "newest deployment without branch metadata".to_owned(),
                })
            } else {
                Decision::Delete
            }
        })
        .collect()
}

fn progress_bar(show: bool, len: Option<u64>, template: &str) -> ProgressBar {
    if !show {
        return ProgressBar::hidden();
    }
    let bar = match len {
        Some(len) => ProgressBar::new(len),
        None => ProgressBar::new_spinner(),
    };
    let style =
        ProgressStyle::with_template(template).unwrap_or_else(|_| ProgressStyle::default_bar());
    bar.set_style(style);
    bar.enable_steady_tick(Duration::from_millis(120));
    bar
}

/// Lists every deployment (all pages), deletes those older than `--older-than` except the
/// protected ones, and writes the summary table to `out`.
pub async fn run(
    client: &Client,
    opts: &Options,
    out: &mut impl Write,
) -> Result<Summary, Failure> {
    let account = opts.api.account_id.as_str();
    let name = opts.api.project.as_str();
    let project = client.projects().get(account, name).send().await?;

    // Every page, before deleting anything (deleting while paging would shift the pages).
    let listing = progress_bar(opts.progress, None, "{spinner} listing deployments: {pos}");
    let mut request = client.deployments().list(account, name);
    if let Some(env) = opts.env {
        request = request.env(env.into());
    }
    let mut deployments = Vec::new();
    let mut stream = std::pin::pin!(request.stream());
    while let Some(deployment) = stream.try_next().await? {
        deployments.push(deployment);
        listing.inc(1);
    }
    listing.finish_and_clear();

    let decisions = plan(&project, &deployments, opts.older_than, Timestamp::now());
    let doomed = decisions.iter().filter(|d| **d == Decision::Delete).count();
    let deleting = progress_bar(
        opts.progress && !opts.dry_run,
        Some(u64::try_from(doomed).unwrap_or(u64::MAX)),
        "{bar:30} {pos}/{len} deleting {msg}",
    );
    let mut summary = Summary {
        listed: deployments.len(),
        ..Summary::default()
    };
    for (deployment, decision) in deployments.iter().zip(decisions) {
        let id = deployment.id.clone();
        let (action, reason) = match decision {
            Decision::Recent => {
                summary.recent += 1;
                continue;
            }
            Decision::Keep(reason) => (Action::Kept, reason),
            Decision::Delete if opts.dry_run => (Action::WouldDelete, String::new()),
            Decision::Delete => {
                deleting.set_message(id.chars().take(8).collect::<String>());
                let result = client.deployments().delete(account, name, &id).send().await;
                deleting.inc(1);
                match result {
                    Ok(()) => (Action::Deleted, String::new()),
                    Err(err) if is_protected_refusal(&err) => (
                        Action::Kept,
                        format!("the API refused: {}", api_messages(&err)),
                    ),
                    Err(err) => (Action::Failed, err.to_string()),
                }
            }
        };
        summary.rows.push(Row {
            short_id: if deployment.short_id.is_empty() {
                id.chars().take(8).collect()
            } else {
                deployment.short_id.clone()
            },
            id,
            environment: deployment.environment.to_string(),
            branch: branch_of(deployment).unwrap_or("-").to_owned(),
            created_on: deployment.created_on,
            action,
            reason,
        });
    }
    deleting.finish_and_clear();
    summary.rows.sort_by_key(|row| row.action); // stable: list order (newest first) within
    write_table(&summary, opts, out)?;
    Ok(summary)
}

/// The API's own words of an error: `message (code N); ...`.
fn api_messages(err: &Error) -> String {
    match err.api_errors() {
        [] => err.to_string(),
        errors => errors
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join("; "),
    }
}

/// The summary table and the totals line.
pub fn write_table(summary: &Summary, opts: &Options, out: &mut impl Write) -> io::Result<()> {
    if !summary.rows.is_empty() {
        // Plain columns, as `kubectl get` prints them: easy to read and to `grep`/`awk`.
        let mut table = comfy_table::Table::new();
        table.load_style(comfy_table::presets::NOTHING).set_header([
            "ACTION",
            "DEPLOYMENT",
            "ENV",
            "BRANCH",
            "CREATED",
            "REASON",
        ]);
        for row in &summary.rows {
            table.add_row([
                row.action.label(),
                &row.short_id,
                &row.environment,
                &row.branch,
                &common::short_time(&row.created_on),
                &row.reason,
            ]);
        }
        for line in table.lines() {
            writeln!(out, "{}", line.trim())?;
        }
        writeln!(out)?;
    }
    let age = common::format_duration(opts.older_than);
    let scope = match opts.env {
        Some(Env::Preview) => " preview",
        Some(Env::Production) => " production",
        None => "",
    };
    if opts.dry_run {
        writeln!(
            out,
            "dry run: would delete {}, keep {} ({} of {}{scope} deployments listed are newer than {age})",
            summary.count(Action::WouldDelete),
            summary.count(Action::Kept),
            summary.recent,
            summary.listed,
        )
    } else {
        writeln!(
            out,
            "deleted {}, kept {}, failed {} ({} of {}{scope} deployments listed are newer than {age})",
            summary.count(Action::Deleted),
            summary.count(Action::Kept),
            summary.count(Action::Failed),
            summary.recent,
            summary.listed,
        )
    }
}

#[cfg_attr(test, allow(dead_code))]
#[tokio::main]
async fn main() -> ExitCode {
    let opts = Options::parse();
    let client = match opts.api.client() {
        Ok(client) => client,
        Err(err) => return common::fail(err),
    };
    match run(&client, &opts, &mut io::stdout().lock()).await {
        Ok(summary) => {
            let failed = summary.count(Action::Failed);
            if failed > 0 {
                eprintln!("error: {failed} deletion(s) failed; see the table above");
            }
            summary.exit_code()
        }
        Err(err) => common::fail(err),
    }
}
