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
use pages_api_client::{Client, Error, StreamExt as _, TryStreamExt as _};

use common::Failure;

/// Serve an HTML status page of a Cloudflare Pages project, or write it to a file once.
#[derive(Clone, Debug, Parser)]
#[command(
    name = "status_page",
    after_help = common::CREDENTIALS_HELP,
    long_about = "Serve an HTML status page of a Cloudflare Pages project on 127.0.0.1, or \
                  write it to a file once.\n\nThe page shows the project's name, id, \
                  subdomain, domains, latest preview and its newest deployments with their \
                  links and stages. When served, every request fetches them anew; Ctrl-C stops \
                  the server."
)]
pub struct Options {
    #[command(flatten)]
    pub api: common::ApiArgs,

    /// The port to serve the page on (on 127.0.0.1 only)
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

/// Escapes text for HTML element content and quoted attribute values: `&<>"'`, and line
/// breaks as character references so that a multi-line value (a commit message in a `title`)
/// keeps each table row on one line of the source.
pub fn escape(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => escaped.push_str("&amp;"),
            '<' => escaped.push_str("&lt;"),
            '>' => escaped.push_str("&gt;"),
            '"' => escaped.push_str("&quot;"),
            '\'' => escaped.push_str("&#39;"),
            '\n' => escaped.push_str("&#10;"),
            '\r' => escaped.push_str("&#13;"),
            c => escaped.push(c),
        }
    }
    escaped
}

/// A link to `url` showing `text`; plain (escaped) text unless `url` is http(s).
fn link(url: &str, text: &str) -> String {
    let lower = url.to_ascii_lowercase();
    if lower.starts_with("https://") || lower.starts_with("http://") {
        format!("<a href=\"{}\">{}</a>", escape(url), escape(text))
    } else {
        escape(text)
    }
}

fn url_link(url: Option<&str>) -> String {
    url.and_then(non_empty)
        .map_or_else(|| "-".to_owned(), |url| link(url, url))
}

/// `text` unless it is empty (the API sends every required string, but maybe as `""`).
fn non_empty(text: &str) -> Option<&str> {
    Some(text).filter(|text| !text.is_empty())
}

/// `build: active` and a CSS class for the status (from a fixed set).
fn stage_cell(deployment: &Deployment) -> String {
    let stage = &deployment.latest_stage;
    let (name, status) = (stage.name.as_str(), stage.status.as_str());
    let class = match status {
        "success" | "failure" | "active" | "idle" | "canceled" | "skipped" => status,
        _ => "unknown",
    };
    format!(
        "<td class=\"stage {class}\">{}: {}</td>",
        escape(name),
        escape(status)
    )
}

const STYLE: &str = "body { padding: 2em 6em; font-family: sans-serif; } h1 { color: #f6821f } \
    dt { font-weight: bold; } dd { margin: 0 0 .5em 1em; } \
    table { border-collapse: collapse; } th, td { text-align: left; padding: .3em .8em; \
    border-bottom: 1px solid #ddd; vertical-align: top; } \
    .success { color: #187a2f; } .failure { color: #b3261e; } .active { color: #b25e00; } \
    .canceled, .idle, .skipped, .unknown { color: #666; }";

/// The page. Every value that comes from the API is escaped.
pub fn render_page(
    project: &Project,
    deployments: &[Deployment],
    latest_preview: Option<&Deployment>,
) -> String {
    let name = non_empty(&project.name).unwrap_or("(unnamed project)");
    let mut html = String::new();
    html.push_str("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
    html.push_str(&format!(
        "<title>{} · Cloudflare Pages</title>\n<style>{STYLE}</style>\n</head>\n<body>\n\
         <div id=\"container\">\n<h1>{}</h1>\n<h2>Project</h2>\n<dl>\n",
        escape(name),
        escape(name)
    ));
    let mut item = |term: &str, value: String| {
        html.push_str(&format!("<dt>{term}</dt><dd>{value}</dd>\n"));
    };
    item("Project name", escape(name));
    item("Project ID", escape(non_empty(&project.id).unwrap_or("-")));
    item(
        "Pages subdomain",
        match project.subdomain.as_deref() {
            Some(subdomain) => link(&format!("https://{subdomain}"), subdomain),
            None => "-".to_owned(),
        },
    );
    let domains = project.domains.as_deref().unwrap_or_default();
    item(
        "Domains",
        if domains.is_empty() {
            "-".to_owned()
        } else {
            domains
                .iter()
                .map(|domain| link(&format!("https://{domain}"), domain))
                .collect::<Vec<_>>()
                .join(", ")
        },
    );
    item(
        "Production branch",
        escape(non_empty(&project.production_branch).unwrap_or("-")),
    );
    item(
        "Latest preview",
        url_link(latest_preview.map(|d| d.url.as_str())),
    );
    item(
        "Live production deployment",
        url_link(
            project
                .canonical_deployment
                .as_ref()
                .map(|d| d.url.as_str()),
        ),
    );
    html.push_str("</dl>\n<h2>Deployments</h2>\n");
    if deployments.is_empty() {
        html.push_str("<p>No deployments.</p>\n");
    } else {
        html.push_str(
            "<table>\n<thead><tr><th>Deployment</th><th>Environment</th><th>Branch</th>\
             <th>Commit</th><th>Created</th><th>Stage</th></tr></thead>\n<tbody>\n",
        );
        for deployment in deployments {
            let id = non_empty(&deployment.id).unwrap_or("-");
            let short_id = non_empty(&deployment.short_id).unwrap_or(id);
            let deployment_link = match non_empty(&deployment.url) {
                Some(url) => link(url, short_id),
                None => escape(short_id),
            };
            let aliases = deployment
                .aliases
                .as_deref()
                .unwrap_or_default()
                .iter()
                .map(|alias| format!("<br>{}", link(alias, alias)))
                .collect::<String>();
            let branch = deployment.branch().and_then(non_empty);
            let commit = deployment.commit_message().unwrap_or("-");
            let first_line = commit.lines().next().unwrap_or_default();
            html.push_str(&format!(
                "<tr><td title=\"{}\">{deployment_link}{aliases}</td><td>{}</td><td>{}</td>\
                 <td title=\"{}\">{}</td><td>{}</td>{}</tr>\n",
                escape(id),
                escape(deployment.environment.as_str()),
                escape(branch.unwrap_or("-")),
                escape(commit),
                escape(first_line),
                common::short_time(&deployment.created_on),
                stage_cell(deployment),
            ));
        }
        html.push_str("</tbody>\n</table>\n");
    }
    html.push_str(&format!(
        "<p><small>Fetched from the Cloudflare API at {}.</small></p>\n</div>\n</body>\n</html>\n",
        common::now()
    ));
    html
}

/// An error page (the message escaped).
pub fn render_error(err: &Error) -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <title>Cloudflare Pages status: error</title>\n</head>\n<body>\n<h1>The Cloudflare API \
         could not be read</h1>\n<p>{}</p>\n</body>\n</html>\n",
        escape(&err.to_string())
    )
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
    let address = std::net::SocketAddr::from(([127, 0, 0, 1], opts.port));
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
