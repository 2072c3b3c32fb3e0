//! The Prism mock server the contract tests talk to, and the parser for its `sl-violations` header.
//!
//! `cargo xtask test` installs the pinned Prism (`package.json`), starts
//! `prism mock spec/pages.resolved.json` on a free port and runs `cargo test --workspace` with
//! [`PRISM_URL_ENV`] set. A contract test starts with [`Prism::from_env`] and fails, with
//! instructions, when that variable is missing: it never passes without having talked to Prism.
//!
//! What Prism 5.14.2 does with a request (observed, `-v warn`, static examples):
//! - a valid request gets the example of the first 2xx response;
//! - a request that violates the spec gets `422` and the example of the operation's `4XX`/`422`
//!   response; every violation is listed in the `sl-violations` response header, a JSON array of
//!   `{"location": [..], "severity": "Error", "code": "minimum", "message": ".."}`. `location[0]` is
//!   `"request"` or `"response"` (Prism also reports where its own example breaks the schema);
//!   `code` is usually a string (the JSON Schema keyword) but a number for security failures (`401`);
//! - an operation without a `4XX`/`422` response gets an `application/problem+json` `422` body
//!   whose `validation` array holds the violations (locations without the leading `"request"`) and
//!   no `sl-violations` header: see [`problem_violations`];
//! - missing/wrong credentials give `401` with a `["request"]` violation `"Invalid security scheme
//!   used"`; a wrong `content-type` gives `415`; malformed JSON gives `400`; an unknown path `404`.

use std::fmt;

use serde_json::Value;

/// The environment variable `cargo xtask test` sets to Prism's base URL (`http://127.0.0.1:PORT`).
pub const PRISM_URL_ENV: &str = "PAGES_API_PRISM_URL";

/// The response header in which Prism lists the violations it found.
pub const SL_VIOLATIONS: &str = "sl-violations";

/// A running Prism mock server (started by `cargo xtask test`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Prism {
    base_url: String,
}

impl Prism {
    /// Prism's address from [`PRISM_URL_ENV`]; an error explaining how to run the contract tests
    /// when it is not set. Use `Prism::from_env().unwrap()` (or `?`): the test must fail, not skip.
    pub fn from_env() -> Result<Self, PrismNotConfigured> {
        match std::env::var(PRISM_URL_ENV) {
            Ok(url) if !url.trim().is_empty() => Ok(Self::new(url.trim())),
            Ok(_) | Err(std::env::VarError::NotPresent) => Err(PrismNotConfigured { reason: None }),
            Err(err @ std::env::VarError::NotUnicode(_)) => Err(PrismNotConfigured {
                reason: Some(err.to_string()),
            }),
        }
    }

    /// A handle for a Prism listening at `base_url` (a trailing `/` is removed).
    pub fn new(base_url: impl Into<String>) -> Self {
        let mut base_url = base_url.into();
        while base_url.ends_with('/') {
            base_url.pop();
        }
        Self { base_url }
    }

    /// The base URL, without a trailing `/`, e.g. `http://127.0.0.1:40123`. The mocked paths are
    /// served at the root (`{base_url}/accounts/{account_id}/pages/projects`).
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// `base_url` joined with `path` (which should start with `/`).
    pub fn url(&self, path: &str) -> String {
        if path.starts_with('/') {
            format!("{}{}", self.base_url, path)
        } else {
            format!("{}/{}", self.base_url, path)
        }
    }
}

/// [`Prism::from_env`] found no Prism to talk to. `Debug` prints the same instructions as
/// `Display` so that `.unwrap()` and `fn test() -> Result<..>` show them readably.
#[derive(Clone, PartialEq, Eq)]
pub struct PrismNotConfigured {
    reason: Option<String>,
}

impl fmt::Display for PrismNotConfigured {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.reason {
            None => write!(
                f,
                "{PRISM_URL_ENV} is not set, so there is no Prism mock server to test against."
            )?,
            Some(reason) => write!(f, "{PRISM_URL_ENV} is unusable ({reason}).")?,
        }
        write!(
            f,
            "\nThe contract tests need Prism. Run them with the project's test command, which installs \
             and starts Prism and sets {PRISM_URL_ENV}:\n\
             \n    cargo xtask test [-- <extra cargo test args>]\n\
             \nor start Prism by hand from the workspace root and point the tests at it:\n\
             \n    npm ci --ignore-scripts\
             \n    node node_modules/@stoplight/prism-cli/dist/index.js mock -h 127.0.0.1 -p 4010 -v warn spec/pages.resolved.json &\
             \n    export {PRISM_URL_ENV}=http://127.0.0.1:4010\
             \n    cargo test --workspace\n"
        )
    }
}

impl fmt::Debug for PrismNotConfigured {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl std::error::Error for PrismNotConfigured {}

/// One entry of Prism's `sl-violations` header (or of a problem+json `validation` array).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Violation {
    /// Where: `["request", "body", "name"]`, `["request", "query", "page"]`, `["request"]` (security),
    /// `["response", "body", "result", "0", "id"]`.
    pub location: Vec<String>,
    /// `"Error"` or `"Warning"`.
    pub severity: String,
    /// The JSON Schema keyword (`"required"`, `"type"`, `"additionalProperties"`, ...) or, for
    /// security failures, the HTTP status (`"401"`).
    pub code: String,
    /// Prism's message, e.g. `Request body must have required property 'name'`.
    pub message: String,
}

impl Violation {
    /// `location` joined with `.` (`request.body.name`), as Prism prints it in its log.
    pub fn path(&self) -> String {
        self.location.join(".")
    }

    /// Whether the violation is about the request (`location[0] == "request"`).
    pub fn is_request(&self) -> bool {
        self.location.first().map(String::as_str) == Some("request")
    }

    fn from_json(entry: &Value) -> Result<Self, String> {
        let obj = entry
            .as_object()
            .ok_or_else(|| format!("entry is not an object: {entry}"))?;
        let text = |key: &str| -> String {
            match obj.get(key) {
                None | Some(Value::Null) => String::new(),
                Some(Value::String(s)) => s.clone(),
                Some(other) => other.to_string(),
            }
        };
        let location = match obj.get("location") {
            Some(Value::Array(parts)) => parts
                .iter()
                .map(|p| match p {
                    Value::String(s) => s.clone(),
                    other => other.to_string(),
                })
                .collect(),
            None => Vec::new(),
            Some(other) => return Err(format!("`location` is not an array: {other}")),
        };
        Ok(Self {
            location,
            severity: text("severity"),
            code: text("code"),
            message: text("message"),
        })
    }
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} at {}: {}", self.severity, self.path(), self.message)?;
        if !self.code.is_empty() {
            write!(f, " ({})", self.code)?;
        }
        Ok(())
    }
}

/// Every entry of an `sl-violations` header value (request and response violations).
pub fn parse_violations(sl_violations: &str) -> Result<Vec<Violation>, String> {
    let bad = |why: String| format!("malformed {SL_VIOLATIONS} header ({why}): {sl_violations}");
    let value: Value = serde_json::from_str(sl_violations).map_err(|e| bad(e.to_string()))?;
    let entries = value
        .as_array()
        .ok_or_else(|| bad("not a JSON array".to_owned()))?;
    entries
        .iter()
        .map(Violation::from_json)
        .collect::<Result<_, _>>()
        .map_err(bad)
}

/// The request violations (`location[0] == "request"`) of an `sl-violations` header value; pass
/// `""` when the response has no such header (Prism found nothing). Panics on a header that is not
/// Prism's JSON array, so that a format change cannot make a contract test pass silently.
///
/// ```
/// use workspace_tests::{SL_VIOLATIONS, format_violations, request_violations};
/// # let header: Option<&str> = None;
/// // let header = response.headers().get(SL_VIOLATIONS).map(|v| v.to_str().unwrap());
/// let violations = request_violations(header.unwrap_or(""));
/// assert!(violations.is_empty(), "Prism rejected the request:\n{}", format_violations(&violations));
/// # let _ = SL_VIOLATIONS;
/// ```
#[track_caller]
pub fn request_violations(sl_violations: &str) -> Vec<Violation> {
    if sl_violations.trim().is_empty() {
        return Vec::new();
    }
    match parse_violations(sl_violations) {
        Ok(all) => all.into_iter().filter(Violation::is_request).collect(),
        Err(err) => panic!("{err}"),
    }
}

/// The violations in the body of Prism's own `422` (`application/problem+json`, sent when the
/// operation has no `4XX`/`422` response of its own), with `"request"` put in front of each
/// location so they read like [`request_violations`]. Empty when the body is not such a problem.
pub fn problem_violations(body: &str) -> Vec<Violation> {
    let Ok(value) = serde_json::from_str::<Value>(body) else {
        return Vec::new();
    };
    let Some(entries) = value.get("validation").and_then(Value::as_array) else {
        return Vec::new();
    };
    entries
        .iter()
        .filter_map(|entry| Violation::from_json(entry).ok())
        .map(|mut v| {
            if !v.is_request() {
                v.location.insert(0, "request".to_owned());
            }
            v
        })
        .collect()
}

/// One violation per line, for assertion messages.
pub fn format_violations(violations: &[Violation]) -> String {
    violations
        .iter()
        .map(|v| format!("  - {v}"))
        .collect::<Vec<_>>()
        .join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    // Captured from Prism 5.14.2 (`prism mock -v warn`): a request with an unknown body property
    // and a too long path parameter, answered with an example that breaks the response schema.
    const TWO_REQUEST_ONE_RESPONSE: &str = r#"[{"location":["request","body"],"severity":"Error","code":"additionalProperties","message":"Request body must NOT have additional properties; found 'bogus'"},{"location":["request","path","account_id"],"severity":"Error","code":"maxLength","message":"Request path parameter account_id must NOT have more than 32 characters"},{"location":["response","body","result","0","modified_on"],"severity":"Error","code":"format","message":"Response body property result.0.modified_on must match format \"date-time\""}]"#;

    // Captured: no credentials for an operation that requires `api_email` + `api_key`.
    const SECURITY: &str = r#"[{"location":["request"],"severity":"Error","code":401,"message":"Invalid security scheme used"},{"location":["response","body","success"],"severity":"Error","code":"enum","message":"Response body property success must be equal to one of the allowed values: true"}]"#;

    // Captured: the problem+json body of Prism's own 422.
    const PROBLEM: &str = r#"{"type":"https://stoplight.io/prism/errors#UNPROCESSABLE_ENTITY","title":"Invalid request","status":422,"detail":"Your request is not valid and no HTTP validation response was found in the spec, so Prism is generating this error for you.","validation":[{"location":["query","force"],"severity":"Error","code":"type","message":"Request query parameter force must be boolean"}]}"#;

    #[test]
    fn keeps_only_request_violations() {
        let v = request_violations(TWO_REQUEST_ONE_RESPONSE);
        assert_eq!(v.len(), 2);
        assert_eq!(v[0].location, ["request", "body"]);
        assert_eq!(v[0].code, "additionalProperties");
        assert_eq!(v[1].path(), "request.path.account_id");
        assert_eq!(v[1].severity, "Error");
        assert_eq!(
            v[1].message,
            "Request path parameter account_id must NOT have more than 32 characters"
        );
        assert_eq!(parse_violations(TWO_REQUEST_ONE_RESPONSE).unwrap().len(), 3);
    }

    #[test]
    fn numeric_code_and_bare_request_location() {
        let v = request_violations(SECURITY);
        assert_eq!(v.len(), 1);
        assert_eq!(v[0].code, "401");
        assert_eq!(
            v[0].to_string(),
            "Error at request: Invalid security scheme used (401)"
        );
    }

    #[test]
    fn display() {
        let v = request_violations(TWO_REQUEST_ONE_RESPONSE);
        assert_eq!(
            v[0].to_string(),
            "Error at request.body: Request body must NOT have additional properties; found 'bogus' (additionalProperties)"
        );
        assert_eq!(
            format_violations(&v[..1]),
            "  - Error at request.body: Request body must NOT have additional properties; found 'bogus' (additionalProperties)"
        );
    }

    #[test]
    fn absent_or_empty_header() {
        assert!(request_violations("").is_empty());
        assert!(request_violations("[]").is_empty());
    }

    #[test]
    #[should_panic(expected = "malformed sl-violations header")]
    fn malformed_header_panics() {
        request_violations("{\"location\":");
    }

    #[test]
    fn problem_body() {
        let v = problem_violations(PROBLEM);
        assert_eq!(v.len(), 1);
        assert_eq!(v[0].path(), "request.query.force");
        assert!(problem_violations(r#"{"success":false,"errors":[]}"#).is_empty());
        assert!(problem_violations("not json").is_empty());
    }

    #[test]
    fn prism_urls() {
        let p = Prism::new("http://127.0.0.1:4010/");
        assert_eq!(p.base_url(), "http://127.0.0.1:4010");
        assert_eq!(
            p.url("/accounts/a/pages/projects"),
            "http://127.0.0.1:4010/accounts/a/pages/projects"
        );
        assert_eq!(p.url("x"), "http://127.0.0.1:4010/x");
    }

    #[test]
    fn not_configured_message_says_how_to_run() {
        let msg = PrismNotConfigured { reason: None }.to_string();
        assert!(msg.contains("PAGES_API_PRISM_URL is not set"), "{msg}");
        assert!(msg.contains("cargo xtask test"), "{msg}");
        assert!(msg.contains("node node_modules/@stoplight/prism-cli/dist/index.js mock -h 127.0.0.1 -p 4010 -v warn spec/pages.resolved.json"), "{msg}");
        assert!(
            msg.contains("export PAGES_API_PRISM_URL=http://127.0.0.1:4010"),
            "{msg}"
        );
        assert_eq!(format!("{:?}", PrismNotConfigured { reason: None }), msg);
    }
}
