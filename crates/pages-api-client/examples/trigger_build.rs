//! Starts a new deployment (a build of the connected repository) of a Cloudflare Pages
//! project, once or on a schedule: the "trigger a new build every hour" automation of the Pages
//! REST API documentation, as a command.
//!
//! ```sh
//! export CLOUDFLARE_API_TOKEN=... CLOUDFLARE_ACCOUNT_ID=...
//! cargo run -p pages-api-client --example trigger_build -- --project blog
//! cargo run -p pages-api-client --example trigger_build -- --project blog --branch staging --every 1h
//! ```

#[path = "common/mod.rs"]
pub mod common;

use std::future::Future;
use std::io::{self, Write};
use std::process::ExitCode;
use std::time::Duration;

use clap::Parser;
use pages_api_client::types::Deployment;
use pages_api_client::{Client, Error};

use common::Failure;

/// Start a new deployment (build) of a Cloudflare Pages project, once or on a schedule.
#[derive(Clone, Debug, Parser)]
#[command(
    name = "trigger_build",
    after_help = common::CREDENTIALS_HELP,
    long_about = "Start a new deployment (build) of a Cloudflare Pages project, once or on a \
                  schedule.\n\nPrints the new deployment's id, short id, URL and current stage. \
                  With --every it keeps starting one at that interval until interrupted with \
                  Ctrl-C, logging each run with a timestamp; a failed run is logged and the \
                  schedule goes on."
)]
pub struct Options {
    #[command(flatten)]
    pub api: common::ApiArgs,

    /// The git branch to build, at its latest commit [default: the project's production branch]
    #[arg(long, value_name = "BRANCH")]
    pub branch: Option<String>,

    /// Start a deployment every DURATION (e.g. 1h, 30m, 90s) until Ctrl-C; the first one at once
    #[arg(long, value_name = "DURATION", value_parser = common::parse_duration)]
    pub every: Option<Duration>,
}

/// What a scheduled run did, run by run.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Runs {
    /// Runs that started a deployment.
    pub started: usize,
    /// Runs whose request failed.
    pub failed: usize,
}

impl Runs {
    pub fn total(&self) -> usize {
        self.started + self.failed
    }
}

/// Asks the API for a new deployment of the project (of `--branch`, if given).
pub async fn trigger(client: &Client, opts: &Options) -> Result<Deployment, Error> {
    let mut request = client
        .deployments()
        .create(&opts.api.account_id, &opts.api.project);
    if let Some(branch) = &opts.branch {
        request = request.branch(branch);
    }
    request.send().await
}

/// The stage a deployment is at, e.g. `queued (active)`.
pub fn stage(deployment: &Deployment) -> String {
    let stage = &deployment.latest_stage;
    format!("{} ({})", stage.name, stage.status)
}

/// `-` for a value the API sent empty.
fn or_dash(value: &str) -> &str {
    if value.is_empty() { "-" } else { value }
}

/// One deployment, once: prints its id, short id, URL and stage.
pub async fn run_once(
    client: &Client,
    opts: &Options,
    out: &mut impl Write,
) -> Result<Deployment, Failure> {
    let deployment = trigger(client, opts).await?;
    let branch = deployment
        .branch()
        .filter(|branch| !branch.is_empty())
        .or(opts.branch.as_deref())
        .unwrap_or_default();
    writeln!(
        out,
        "Started a deployment of {} (branch {})",
        opts.api.project,
        or_dash(branch)
    )?;
    writeln!(out, "  id:       {}", or_dash(&deployment.id))?;
    writeln!(out, "  short id: {}", or_dash(&deployment.short_id))?;
    writeln!(out, "  url:      {}", or_dash(&deployment.url))?;
    writeln!(out, "  stage:    {}", stage(&deployment))?;
    Ok(deployment)
}

/// Starts a deployment every `every` (the first at once) until `stop` completes, or until
/// `max_runs` runs have been made. Each run is logged to `out` with a timestamp; a failed run
/// is logged and the schedule goes on. Only a failure to write the log ends it early.
pub async fn run_every(
    client: &Client,
    opts: &Options,
    every: Duration,
    out: &mut impl Write,
    stop: impl Future<Output = ()>,
    max_runs: Option<usize>,
) -> io::Result<Runs> {
    let mut stop = std::pin::pin!(stop);
    let mut ticks = tokio::time::interval(every);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut runs = Runs::default();
    writeln!(
        out,
        "{} starting a deployment of {} every {}; Ctrl-C stops",
        common::now(),
        opts.api.project,
        common::format_duration(every)
    )?;
    while max_runs.is_none_or(|max| runs.total() < max) {
        let result = tokio::select! {
            () = &mut stop => break,
            _ = ticks.tick() => tokio::select! {
                () = &mut stop => break,
                result = trigger(client, opts) => result,
            },
        };
        let run = runs.total() + 1;
        match result {
            Ok(deployment) => {
                runs.started += 1;
                writeln!(
                    out,
                    "{} run {run}: started deployment {} (id {}) at {}, stage {}",
                    common::now(),
                    or_dash(&deployment.short_id),
                    or_dash(&deployment.id),
                    or_dash(&deployment.url),
                    stage(&deployment)
                )?;
            }
            Err(err) => {
                runs.failed += 1;
                writeln!(out, "{} run {run}: failed: {err}", common::now())?;
            }
        }
    }
    writeln!(
        out,
        "{} stopped after {} runs: {} started, {} failed",
        common::now(),
        runs.total(),
        runs.started,
        runs.failed
    )?;
    Ok(runs)
}

#[cfg_attr(test, allow(dead_code))]
#[tokio::main]
async fn main() -> ExitCode {
    let opts = Options::parse();
    let client = match opts.api.client() {
        Ok(client) => client,
        Err(err) => return common::fail(err),
    };
    let mut out = io::stdout().lock();
    match opts.every {
        None => match run_once(&client, &opts, &mut out).await {
            Ok(_) => ExitCode::SUCCESS,
            Err(err) => common::fail(err),
        },
        Some(every) => {
            match run_every(&client, &opts, every, &mut out, common::ctrl_c(), None).await {
                // Stopped by Ctrl-C: a failure only if not one run got a deployment started.
                Ok(runs) if runs.started == 0 && runs.failed > 0 => ExitCode::FAILURE,
                Ok(_) => ExitCode::SUCCESS,
                Err(err) => common::fail(Failure::Output(err)),
            }
        }
    }
}
