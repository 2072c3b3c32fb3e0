//! Serves an HTML status page of a Cloudflare Pages project: its name, id, subdomain, domains,
//! latest preview and its newest deployments with their links and stages, fetched anew for
//! every request. The "sharing project information" automation of the Pages REST API
//! documentation, as a command.
//!
//! ```sh
//! export CLOUDFLARE_API_TOKEN=... CLOUDFLARE_ACCOUNT_ID=...
//! cargo run -p pages-api-client --example status_page -- --project blog            # http://127.0.0.1:8080/
//! cargo run -p pages-api-client --example status_page -- --project blog --out status.html
//! ```

#[path = "common/mod.rs"]
pub mod common;

use std::future::Future;
use std::io::{self, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use axum::Router;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use clap::Parser;
use pages_api_client::types::{Deployment, Environment, Project};
use pages_api_client::{Client, Error, StreamExt as _, Timestamp, TryStreamExt as _};

use common::Failure;

/// Serve an HTML status page of a Cloudflare Pages project, or write it to a file once.
#[derive(Clone, Debug, Parser)]
#[command(
    name = "status_page",
    after_help = common::CREDENTIALS_HELP,
    long_about = "Serve an HTML status page of a Cloudflare Pages project (on 127.0.0.1 \
                  unless --host says otherwise), or write it to a file once.\n\nThe page shows the project's name, id, \
                  subdomain, domains, latest preview and its newest deployments with their \
                  links, commits, ages and stages, the live one marked. When served, every request fetches them anew; Ctrl-C stops \
                  the server."
)]
pub struct Options {
    #[command(flatten)]
    pub api: common::ApiArgs,

    /// The address to serve the page on (e.g. 0.0.0.0 to reach it from other machines)
    #[arg(long, value_name = "ADDRESS", default_value_t = std::net::IpAddr::from([127, 0, 0, 1]))]
    pub host: std::net::IpAddr,

    /// The port to serve the page on
    #[arg(long, default_value_t = 8080)]
    pub port: u16,

    /// Write the page to FILE once and exit instead of serving it ("-" for standard output)
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,

    /// How many of the newest deployments to list
    #[arg(long, value_name = "N", default_value_t = 25,
          value_parser = clap::value_parser!(u32).range(1..=1000))]
    pub limit: u32,
}

/// What the page shows, as fetched from the API.
#[derive(Clone, Debug)]
pub struct Snapshot {
    pub project: Project,
    /// The newest `--limit` deployments, newest first.
    pub deployments: Vec<Deployment>,
    /// The newest preview deployment (which may be older than all of `deployments`).
    pub latest_preview: Option<Deployment>,
}

/// Fetches the project, its newest `--limit` deployments (page by page as needed) and its
/// newest preview deployment, the three at once.
pub async fn fetch(client: &Client, opts: &Options) -> Result<Snapshot, Error> {
    let (account, name) = (&opts.api.account_id, &opts.api.project);
    let limit = usize::try_from(opts.limit).unwrap_or(usize::MAX);
    let deployments = client.deployments();
    let (project, newest, previews) = tokio::try_join!(
        client.projects().get(account, name).send(),
        deployments
            .list(account, name)
            .stream()
            .take(limit)
            .try_collect(),
        deployments
            .list(account, name)
            .env(Environment::Preview)
            .per_page(1)
            .send(),
    )?;
    Ok(Snapshot {
        project,
        deployments: newest,
        latest_preview: previews.into_iter().next(),
    })
}

/// The page's markup: `maud` escapes every interpolated value (`&<>"`) by construction;
/// only [`PreEscaped`] text (the fixed style sheet) goes out as it is.
use maud::{DOCTYPE, Markup, PreEscaped, html};

/// `url` if it is an http(s) URL (anything else is shown as text, never linked).
fn http_url(url: &str) -> Option<&str> {
    let lower = url.to_ascii_lowercase();
    (lower.starts_with("https://") || lower.starts_with("http://")).then_some(url)
}

/// A link to `url` showing `text`; plain text unless `url` is http(s).
fn link(url: &str, text: &str) -> Markup {
    match http_url(url) {
        Some(url) => html! { a href=(url) { (text) } },
        None => html! { (text) },
    }
}

fn url_link(url: Option<&str>) -> Markup {
    match url.and_then(non_empty) {
        Some(url) => link(url, url),
        None => html! { "-" },
    }
}

/// `text` unless it is empty (the API sends every required string, but maybe as `""`).
fn non_empty(text: &str) -> Option<&str> {
    Some(text).filter(|text| !text.is_empty())
}

/// `build: active` with a CSS class for the status (from a fixed set).
fn stage_cell(deployment: &Deployment) -> Markup {
    let stage = &deployment.latest_stage;
    let (name, status) = (stage.name.as_str(), stage.status.as_str());
    let class = match status {
        "success" | "failure" | "active" | "idle" | "canceled" | "skipped" => status,
        _ => "unknown",
    };
    html! { td class={ "stage " (class) } { (name) ": " (status) } }
}

/// How long ago `then` was, in words: `3 hours ago`, `now` (a time in the future counts as
/// now).
pub fn time_ago(then: &Timestamp, now: &Timestamp) -> String {
    let seconds = (*now - *then).whole_seconds().max(0).unsigned_abs();
    timeago::Formatter::new().convert(std::time::Duration::from_secs(seconds))
}

/// The first 7 characters of a commit hash, as git shows it.
fn short_hash(hash: &str) -> &str {
    hash.char_indices()
        .nth(7)
        .map_or(hash, |(end, _)| &hash[..end])
}

/// Small screens first: nothing wider than the screen (long words wrap anywhere), the
/// deployments table scrolls inside its own box.
const STYLE: &str = "*{box-sizing:border-box}\
    body{margin:0;padding:1em;font-family:sans-serif;line-height:1.4;overflow-wrap:anywhere}\
    main{max-width:72em;margin:0 auto}h1{color:#f6821f;font-size:1.6em}\
    dt{font-weight:bold}dd{margin:0 0 .5em 1em}\
    .scroll{overflow-x:auto;max-width:100%}\
    table{border-collapse:collapse;width:100%}\
    th,td{text-align:left;padding:.3em .6em;border-bottom:1px solid #ddd;vertical-align:top}\
    .live{background:#fff4e6}.badge{display:inline-block;margin-left:.4em;padding:0 .4em;\
    border-radius:.6em;background:#f6821f;color:#fff;font-size:.8em}\
    code{font-size:.9em}.ago{white-space:nowrap}\
    .success{color:#187a2f}.failure{color:#b3261e}.active{color:#b25e00}\
    .canceled,.idle,.skipped,.unknown{color:#666}\
    @media (min-width:48em){body{padding:2em 4em}}";

/// The `<head>`: charset, viewport (the page is read on phones too), title and style.
fn head(title: &str) -> Markup {
    html! {
        head {
            meta charset="utf-8";
            meta name="viewport" content="width=device-width, initial-scale=1";
            title { (title) }
            style { (PreEscaped(STYLE)) }
        }
    }
}

/// One row of the deployments table; `live` marks the project's canonical deployment.
fn deployment_row(deployment: &Deployment, live: bool, now: &Timestamp) -> Markup {
    let id = non_empty(&deployment.id).unwrap_or("-");
    let short_id = non_empty(&deployment.short_id).unwrap_or(id);
    let aliases = deployment.aliases.as_deref().unwrap_or_default();
    let branch = deployment.branch().and_then(non_empty).unwrap_or("-");
    let message = deployment.commit_message().unwrap_or_default();
    let first_line = message.lines().next().unwrap_or_default();
    let hash = deployment.commit_hash().and_then(non_empty);
    html! {
        tr class=(if live { "deployment live" } else { "deployment" }) {
            td title=(id) {
                @match non_empty(&deployment.url) {
                    Some(url) => (link(url, short_id)),
                    None => (short_id),
                }
                @if live { span.badge title="the live (canonical) production deployment" { "live" } }
                @for alias in aliases { br; (link(alias, alias)) }
            }
            td { (deployment.environment.as_str()) }
            td { (branch) }
            td.commit title=(message) {
                @if let Some(hash) = hash { code title=(hash) { (short_hash(hash)) } " " }
                @if first_line.is_empty() && hash.is_none() { "-" } @else { (first_line) }
            }
            td.ago title=(common::short_time(&deployment.created_on)) {
                time datetime=(deployment.created_on.to_string()) {
                    (time_ago(&deployment.created_on, now))
                }
            }
            (stage_cell(deployment))
        }
    }
}

/// The page. Every value that comes from the API is escaped (by `maud`).
pub fn render_page(
    project: &Project,
    deployments: &[Deployment],
    latest_preview: Option<&Deployment>,
) -> String {
    render_page_at(project, deployments, latest_preview, &common::now())
}

/// [`render_page`] as of `now` (for the relative times).
pub fn render_page_at(
    project: &Project,
    deployments: &[Deployment],
    latest_preview: Option<&Deployment>,
    now: &Timestamp,
) -> String {
    let name = non_empty(&project.name).unwrap_or("(unnamed project)");
    let canonical = project
        .canonical_deployment
        .as_ref()
        .and_then(|d| non_empty(&d.id));
    let domains = project.domains.as_deref().unwrap_or_default();
    let page = html! {
        (DOCTYPE)
        html lang="en" {
            (head(&format!("{name} · Cloudflare Pages")))
            body {
                main {
                    h1 { (name) }
                    h2 { "Project" }
                    dl {
                        dt { "Project name" } dd { (name) }
                        dt { "Project ID" } dd { (non_empty(&project.id).unwrap_or("-")) }
                        dt { "Pages subdomain" }
                        dd {
                            @match project.subdomain.as_deref() {
                                Some(subdomain) => (link(&format!("https://{subdomain}"), subdomain)),
                                None => "-",
                            }
                        }
                        dt { "Domains" }
                        dd {
                            @if domains.is_empty() { "-" }
                            @for (i, domain) in domains.iter().enumerate() {
                                @if i > 0 { ", " }
                                (link(&format!("https://{domain}"), domain))
                            }
                        }
                        dt { "Production branch" }
                        dd { (non_empty(&project.production_branch).unwrap_or("-")) }
                        dt { "Latest preview" }
                        dd { (url_link(latest_preview.map(|d| d.url.as_str()))) }
                        dt { "Live production deployment" }
                        dd { (url_link(project.canonical_deployment.as_ref().map(|d| d.url.as_str()))) }
                    }
                    h2 { "Deployments" }
                    @if deployments.is_empty() {
                        p { "No deployments." }
                    } @else {
                        div.scroll {
                            table {
                                thead { tr {
                                    th { "Deployment" } th { "Environment" } th { "Branch" }
                                    th { "Commit" } th { "Created" } th { "Stage" }
                                } }
                                tbody {
                                    @for deployment in deployments {
                                        (deployment_row(
                                            deployment,
                                            canonical == Some(deployment.id.as_str()),
                                            now,
                                        ))
                                    }
                                }
                            }
                        }
                    }
                    p { small { "Fetched from the Cloudflare API at " (now.to_string()) "." } }
                }
            }
        }
    };
    page.into_string()
}

/// An error page (the message escaped).
pub fn render_error(err: &Error) -> String {
    html! {
        (DOCTYPE)
        html lang="en" {
            (head("Cloudflare Pages status: error"))
            body { main {
                h1 { "The Cloudflare API could not be read" }
                p { (err.to_string()) }
            } }
        }
    }
    .into_string()
}

/// Fetches and renders the page.
pub async fn page(client: &Client, opts: &Options) -> Result<String, Error> {
    let snapshot = fetch(client, opts).await?;
    Ok(render_page(
        &snapshot.project,
        &snapshot.deployments,
        snapshot.latest_preview.as_ref(),
    ))
}

/// `--out FILE`: writes the page once; tells `log` where it went.
pub async fn write_once(
    client: &Client,
    opts: &Options,
    path: &std::path::Path,
    log: &mut impl Write,
) -> Result<(), Failure> {
    let html = page(client, opts).await?;
    if path.as_os_str() == "-" {
        io::stdout().lock().write_all(html.as_bytes())?;
    } else {
        std::fs::write(path, &html)?;
        writeln!(log, "wrote {}", path.display())?;
    }
    Ok(())
}

struct AppState {
    client: Client,
    opts: Options,
}

/// The server's routes: `GET /` is the page, anything else 404 (without asking the API).
pub fn router(client: Client, opts: Options) -> Router {
    Router::new()
        .route("/", get(serve_page))
        .fallback(|| async { (StatusCode::NOT_FOUND, "not found\n") })
        .with_state(Arc::new(AppState { client, opts }))
}

async fn serve_page(State(state): State<Arc<AppState>>) -> Response {
    let headers = [(header::CACHE_CONTROL, "no-store")];
    match page(&state.client, &state.opts).await {
        Ok(html) => (headers, Html(html)).into_response(),
        Err(err) => {
            eprintln!("{} error: {err}", common::now());
            (StatusCode::BAD_GATEWAY, headers, Html(render_error(&err))).into_response()
        }
    }
}

/// Serves the page on `listener` until `shutdown` completes.
pub async fn serve(
    listener: tokio::net::TcpListener,
    client: Client,
    opts: Options,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> io::Result<()> {
    axum::serve(listener, router(client, opts))
        .with_graceful_shutdown(shutdown)
        .await
}

#[cfg_attr(test, allow(dead_code))]
#[tokio::main]
async fn main() -> ExitCode {
    let opts = Options::parse();
    let client = match opts.api.client() {
        Ok(client) => client,
        Err(err) => return common::fail(err),
    };
    if let Some(path) = opts.out.clone() {
        return match write_once(&client, &opts, &path, &mut io::stderr()).await {
            Ok(()) => ExitCode::SUCCESS,
            Err(err) => common::fail(err),
        };
    }
    let address = std::net::SocketAddr::new(opts.host, opts.port);
    let listener = match tokio::net::TcpListener::bind(address).await {
        Ok(listener) => listener,
        Err(err) => return common::fail(format!("could not listen on {address}: {err}")),
    };
    eprintln!(
        "serving the status page of {} on http://{address}/ (Ctrl-C stops)",
        opts.api.project
    );
    match serve(listener, client, opts, common::ctrl_c()).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => common::fail(format!("the server failed: {err}")),
    }
}
