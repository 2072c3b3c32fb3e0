//! Deploys a directory of static files to a Cloudflare Pages project (Direct Upload), as
//! `wrangler pages deploy DIR` does: only the files Cloudflare does not have yet are uploaded.
//!
//! ```sh
//! export CLOUDFLARE_API_TOKEN=... CLOUDFLARE_ACCOUNT_ID=...
//! cargo run -p pages-api-client --example deploy -- dist --project blog
//! cargo run -p pages-api-client --example deploy -- dist --project blog --branch staging \
//!     --commit-hash "$(git rev-parse HEAD)" --commit-message "$(git log -1 --format=%s)"
//! cargo run -p pages-api-client --example deploy -- dist --project blog --dry-run
//! ```

#[path = "common/mod.rs"]
pub mod common;

use std::io::{self, IsTerminal as _, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::Parser;
use indicatif::{ProgressBar, ProgressStyle};
use pages_api_client::{Client, DeployOutcome, UploadPhase, UploadProgress};

use common::Failure;

/// Deploy a directory of static files to a Cloudflare Pages project (Direct Upload).
#[derive(Clone, Debug, Parser)]
#[command(
    name = "deploy",
    after_help = common::CREDENTIALS_HELP,
    long_about = "Deploy a directory of static files to a Cloudflare Pages project, as \
                  `wrangler pages deploy DIR` does.\n\nFiles Cloudflare already has are not \
                  uploaded again. _headers, _redirects, _routes.json and _worker.js (or \
                  _worker.bundle) of the directory's root are sent with the deployment; \
                  functions/, node_modules, .git, .wrangler and .DS_Store are left out. \
                  Prints the new deployment's id and URL."
)]
pub struct Options {
    /// The directory to deploy (the build output, e.g. dist)
    #[arg(value_name = "DIR")]
    pub dir: PathBuf,

    #[command(flatten)]
    pub api: common::ApiArgs,

    /// The branch of the deployment [default: the project's production branch]
    #[arg(long, value_name = "BRANCH")]
    pub branch: Option<String>,

    /// The commit the files were built from
    #[arg(long, value_name = "HASH")]
    pub commit_hash: Option<String>,

    /// The commit message (cut to 384 bytes)
    #[arg(long, value_name = "MESSAGE")]
    pub commit_message: Option<String>,

    /// Only hash the files and list what would be uploaded; send nothing
    #[arg(long)]
    pub dry_run: bool,

    /// A progress bar on standard error, shown when it is a terminal.
    #[arg(skip = io::stderr().is_terminal())]
    pub progress: bool,
}

fn progress_bar(show: bool) -> ProgressBar {
    if !show {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new(0);
    let style = ProgressStyle::with_template("{spinner} {msg} [{bar:30}] {pos}/{len}")
        .unwrap_or_else(|_| ProgressStyle::default_bar());
    bar.set_style(style);
    bar.enable_steady_tick(Duration::from_millis(120));
    bar
}

/// Shows `p` on `bar`: files while hashing, kilobytes while uploading.
fn show(bar: &ProgressBar, p: &UploadProgress) {
    match p.phase {
        UploadPhase::Hashing => {
            bar.set_message("hashing");
            bar.set_length(p.files_total as u64);
            bar.set_position(p.files_hashed as u64);
        }
        UploadPhase::CheckingMissing => bar.set_message("checking"),
        UploadPhase::Uploading => {
            bar.set_message(format!("uploading {} files, KiB", p.files_to_upload));
            bar.set_length(p.bytes_to_upload.div_ceil(1024));
            bar.set_position(p.bytes_uploaded.div_ceil(1024));
        }
        UploadPhase::Finishing => bar.set_message("creating the deployment"),
        _ => bar.finish_and_clear(),
    }
}

/// Deploys (or, with `--dry-run`, plans) and writes the result to `out`.
pub async fn run(
    client: &Client,
    opts: &Options,
    out: &mut impl Write,
) -> Result<DeployOutcome, Failure> {
    let bar = progress_bar(opts.progress);
    let mut deploy = client
        .deploy_directory(&opts.api.account_id, &opts.api.project)
        .dir(&opts.dir)
        .dry_run(opts.dry_run)
        .on_progress({
            let bar = bar.clone();
            move |p: &UploadProgress| show(&bar, p)
        });
    if let Some(branch) = &opts.branch {
        deploy = deploy.branch(branch);
    }
    if let Some(hash) = &opts.commit_hash {
        deploy = deploy.commit_hash(hash);
    }
    if let Some(message) = &opts.commit_message {
        deploy = deploy.commit_message(message);
    }
    let outcome = deploy.send().await;
    bar.finish_and_clear();
    let outcome = outcome?;

    let uploaded = outcome.uploaded().count();
    match &outcome.deployment {
        None => {
            writeln!(
                out,
                "Dry run: {} files, {} bytes would be uploaded to {}:",
                uploaded,
                outcome.uploaded().map(|f| f.size).sum::<u64>(),
                opts.api.project
            )?;
            for file in outcome.uploaded() {
                writeln!(out, "  {}  {}  {} bytes", file.hash, file.path, file.size)?;
            }
            for name in &outcome.special_files {
                writeln!(out, "  (sent with the deployment)  /{name}")?;
            }
        }
        Some(deployment) => {
            writeln!(
                out,
                "Uploaded {uploaded} files ({} already uploaded)",
                outcome.files.len() - uploaded
            )?;
            if !outcome.hashes_recorded {
                writeln!(
                    out,
                    "warning: the file hashes could not be recorded; the next deployment may \
                     upload them again"
                )?;
            }
            writeln!(out, "Deployed {} to Cloudflare Pages", opts.api.project)?;
            writeln!(out, "  id:  {}", deployment.id)?;
            writeln!(out, "  url: {}", deployment.url)?;
        }
    }
    Ok(outcome)
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
    match run(&client, &opts, &mut out).await {
        Ok(_) => ExitCode::SUCCESS,
        Err(err) => common::fail(err),
    }
}
