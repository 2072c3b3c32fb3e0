//! What the examples share: configuration the way wrangler users expect, building the client,
//! durations, timestamps, and how a failure is reported.
//!
//! Each example includes it with `#[path = "common/mod.rs"] pub mod common;`.

// Not every example uses every item.
#![allow(dead_code)]

use std::fmt;
use std::process::ExitCode;
use std::time::Duration;

use clap::builder::NonEmptyStringValueParser;
use pages_api_client::{Client, ClientBuilder, DEFAULT_BASE_URL, Error, Timestamp};

/// The `after_help` of every example: where the credentials come from.
pub const CREDENTIALS_HELP: &str = "\
Credentials are read from the environment, as wrangler reads them:
  CLOUDFLARE_API_TOKEN     an API token with the \"Cloudflare Pages\" permission
                           (Read to look, Edit to change), or else
  CLOUDFLARE_EMAIL         the account's e-mail address, together with
  CLOUDFLARE_API_KEY       its global API key";

/// Which account and project to talk to, and where.
#[derive(Clone, Debug, clap::Args)]
pub struct ApiArgs {
    /// The Cloudflare account id (dashboard: Workers & Pages, "Account ID")
    #[arg(long, env = "CLOUDFLARE_ACCOUNT_ID", value_name = "ID", value_parser = NonEmptyStringValueParser::new())]
    pub account_id: String,

    /// The name of the Pages project
    #[arg(long, visible_alias = "project-name", value_name = "NAME", value_parser = NonEmptyStringValueParser::new())]
    pub project: String,

    /// The API root to send requests to; change it only to test against a fake API or a proxy
    #[arg(
        long,
        env = "CLOUDFLARE_API_BASE_URL",
        value_name = "URL",
        default_value = DEFAULT_BASE_URL
    )]
    pub base_url: String,
}

impl ApiArgs {
    /// The client: credentials from the process environment, the base URL from `--base-url`.
    pub fn client(&self) -> Result<Client, Error> {
        self.client_with(|name| std::env::var(name).ok())
    }

    /// Like [`client`](Self::client), reading the credentials through `lookup`.
    pub fn client_with(&self, lookup: impl Fn(&str) -> Option<String>) -> Result<Client, Error> {
        // An empty CLOUDFLARE_API_BASE_URL counts as unset, as it does for the client.
        let base_url = match self.base_url.trim() {
            "" => DEFAULT_BASE_URL,
            url => url,
        };
        ClientBuilder::from_env_with(lookup)?
            .base_url(base_url)
            .build()
    }
}

/// Why an example stopped: the API (or the client's configuration), or writing its output.
#[derive(Debug)]
pub enum Failure {
    /// From the client; its `Display` carries the API's error codes and messages.
    Api(Error),
    /// Writing to standard output (or the `--out` file) failed.
    Output(std::io::Error),
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Failure::Api(err) => err.fmt(f),
            Failure::Output(_) => f.write_str("could not write the output"),
        }
    }
}

/// The causes are the sources, never part of `Display`: [`report`] prints each once.
impl std::error::Error for Failure {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            // `Display` is the client error's own, so the chain continues below it.
            Failure::Api(err) => err.source(),
            Failure::Output(err) => Some(err),
        }
    }
}

impl From<Error> for Failure {
    fn from(err: Error) -> Self {
        Failure::Api(err)
    }
}

impl From<std::io::Error> for Failure {
    fn from(err: std::io::Error) -> Self {
        Failure::Output(err)
    }
}

/// Prints [`report`] of `err` to standard error; the exit status of a failed run.
pub fn fail(err: impl Into<Box<dyn std::error::Error>>) -> ExitCode {
    eprintln!("{}", report(&*err.into()));
    ExitCode::FAILURE
}

/// `error: {err}`, then a `  caused by: {source}` line for each error in its source chain.
pub fn report(err: &dyn std::error::Error) -> String {
    let mut text = format!("error: {err}");
    let mut source = err.source();
    // Bounded: a chain longer than this is a cycle in someone's `source()`.
    for _ in 0..32 {
        let Some(cause) = source else { break };
        text.push_str(&format!("\n  caused by: {cause}"));
        source = cause.source();
    }
    text
}

/// Completes on Ctrl-C (never, if the signal handler cannot be installed).
pub async fn ctrl_c() {
    if tokio::signal::ctrl_c().await.is_err() {
        std::future::pending::<()>().await;
    }
}

/// Parses a duration as `humantime` does (`90s`, `30m`, `12h`, `7d`, `2w`, sums like `1h30m`
/// or `1h 30m`); zero is refused.
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    let duration = humantime::parse_duration(text.trim())
        .map_err(|err| format!("{text:?} is not a duration: {err} (e.g. 90s, 30m, 12h, 7d)"))?;
    if duration.is_zero() {
        return Err(format!(
            "{text:?} is zero: give a duration longer than that"
        ));
    }
    Ok(duration)
}

/// Writes a duration the way [`parse_duration`] reads it (`humantime`): `7days`, `1h 30m`.
pub fn format_duration(duration: Duration) -> String {
    humantime::format_duration(duration).to_string()
}

/// The current time to whole seconds, e.g. `2024-05-01T12:00:00Z` (for log lines).
pub fn now() -> Timestamp {
    let now = Timestamp::now();
    Timestamp::from_unix_timestamp(now.unix_timestamp()).unwrap_or(now)
}

/// A time for tables: `2024-05-01 12:00 UTC`.
pub fn short_time(timestamp: &Timestamp) -> String {
    let t = timestamp.as_offset_date_time();
    format!(
        "{:04}-{:02}-{:02} {:02}:{:02} UTC",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute()
    )
}
