//! Realistic response bodies for the decode and request benchmarks, built from the examples in
//! `spec/pages.json` (2026: every required field, UUID ids; stages, trigger metadata, aliases,
//! env_vars, every binding map of a project), varied per item so no two deployments are alike.
//! Timestamps come in both forms the API sends (with `Z`, and without an offset, which the
//! document's `date-time` does not allow but `Timestamp` reads). Also included by
//! `crates/pages-api-client/benches/request.rs` and checked against the document by
//! `crates/pages-api-client/tests/fake_api_schema.rs`.

#![allow(dead_code)] // each bench target uses a different part of it

use serde_json::{Value, json};

/// A deterministic 32-hex-digit id for item `i` of kind `salt`.
fn hex_id(i: usize, salt: u64) -> String {
    let mut x = (i as u64 + 1).wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ salt;
    let mut out = String::with_capacity(32);
    for _ in 0..2 {
        x ^= x >> 31;
        x = x.wrapping_mul(0xBF58_476D_1CE4_E5B9);
        out.push_str(&format!("{x:016x}"));
    }
    out
}

/// `9c1e4b7a-2f3d-4e5a-8b6c-7d9e0f1a2b3c` form.
fn uuid(i: usize, salt: u64) -> String {
    let h = hex_id(i, salt);
    format!(
        "{}-{}-4{}-8{}-{}",
        &h[0..8],
        &h[8..12],
        &h[13..16],
        &h[17..20],
        &h[20..32]
    )
}

/// A timestamp `seconds` after 2024-01-04T10:00:00, with microseconds; `with_offset` picks the
/// `Z` form, otherwise the offset-less form some endpoints send.
fn timestamp(seconds: u64, micros: u64, with_offset: bool) -> String {
    let day = 4 + seconds / 86_400;
    let s = seconds % 86_400;
    let (h, m, sec) = (10 + s / 3600 % 14, s / 60 % 60, s % 60);
    let z = if with_offset { "Z" } else { "" };
    format!("2024-01-{day:02}T{h:02}:{m:02}:{sec:02}.{micros:06}{z}")
}

const STAGES: [&str; 5] = ["queued", "initialize", "clone_repo", "build", "deploy"];
const MESSAGES: [&str; 6] = [
    "Add the January release notes",
    "Fix broken links in the footer",
    "Bump astro from 4.0.8 to 4.1.0",
    "Rework the navigation for small screens",
    "Merge pull request #412 from acme-web/feature/search",
    "Update dependencies",
];

/// One deployment of project `project`, the `i`th most recent.
pub fn deployment(i: usize, project: &str) -> Value {
    let id = uuid(i, 0xD3);
    let short_id = id[..8].to_string();
    let production = i.is_multiple_of(4);
    let branch = if production {
        "main".to_string()
    } else {
        format!("feature/change-{}", i % 37)
    };
    let start = (i as u64) * 517;
    // Most deployments are done; every 25th is still building, every 40th failed.
    let (active_from, failed) = match (i % 25, i % 40) {
        (0, _) => (Some(3), false),
        (_, 7) => (None, true),
        _ => (None, false),
    };
    let stages: Vec<Value> = STAGES
        .iter()
        .enumerate()
        .map(|(s, name)| {
            let begun = start + 9 * s as u64;
            let micros = (i as u64 * 7919 + s as u64 * 104_729) % 1_000_000;
            match active_from {
                Some(a) if s > a => {
                    json!({ "name": name, "started_on": null, "ended_on": null, "status": "idle" })
                }
                Some(a) if s == a => json!({
                    "name": name,
                    "started_on": timestamp(begun, micros, true),
                    "ended_on": null,
                    "status": "active"
                }),
                _ => json!({
                    "name": name,
                    "started_on": timestamp(begun, micros, true),
                    "ended_on": timestamp(begun + 8, (micros + 333_333) % 1_000_000, s != 3),
                    "status": if failed && s == 3 { "failure" } else { "success" }
                }),
            }
        })
        .collect();
    let latest = match active_from {
        Some(a) => stages[a].clone(),
        None if failed => stages[3].clone(),
        None => stages[4].clone(),
    };
    let mut env_vars = serde_json::Map::new();
    env_vars.insert(
        "NODE_VERSION".into(),
        json!({ "type": "plain_text", "value": "20" }),
    );
    env_vars.insert(
        "API_BASE_URL".into(),
        json!({ "type": "plain_text", "value": if production { "https://api.example.com" } else { "https://staging-api.example.com" } }),
    );
    if i.is_multiple_of(2) {
        env_vars.insert(
            "SENTRY_DSN".into(),
            json!({ "type": "secret_text", "value": "" }),
        );
    }
    if i.is_multiple_of(3) {
        env_vars.insert(
            "FEATURE_FLAGS".into(),
            json!({ "type": "plain_text", "value": "search,dark-mode" }),
        );
    }
    let aliases = if production {
        Value::Null
    } else {
        json!([format!(
            "https://{}.{project}.pages.dev",
            branch.replace('/', "-")
        )])
    };
    json!({
        "id": id,
        "short_id": short_id,
        "project_id": uuid(0, 0x50),
        "project_name": project,
        "environment": if production { "production" } else { "preview" },
        "url": format!("https://{short_id}.{project}.pages.dev"),
        "created_on": timestamp(start, (i as u64 * 31) % 1_000_000, true),
        "modified_on": timestamp(start + 60, (i as u64 * 17) % 1_000_000, false),
        "aliases": aliases,
        "latest_stage": latest,
        "env_vars": env_vars,
        "deployment_trigger": {
            "type": if i % 9 == 4 { "ad_hoc" } else { "github:push" },
            "metadata": {
                "branch": branch,
                "commit_dirty": i % 9 == 4,
                "commit_hash": format!("{}{}", hex_id(i, 0xC0), &hex_id(i, 0xC1)[..8]),
                "commit_message": MESSAGES[i % MESSAGES.len()]
            }
        },
        "stages": stages,
        "build_config": {
            "build_caching": true,
            "build_command": "npm run build",
            "destination_dir": "dist",
            "root_dir": "",
            "web_analytics_tag": hex_id(0, 0xA7),
            "web_analytics_token": hex_id(0, 0xA8)
        },
        "source": source(project),
        "is_skipped": false,
        "skip_reason": null,
        "uses_functions": i.is_multiple_of(3)
    })
}

fn source(project: &str) -> Value {
    json!({
        "type": "github",
        "config": {
            "owner": "acme-web",
            "owner_id": "81234567",
            "repo_id": "712345678",
            "repo_name": project,
            "production_branch": "main",
            "pr_comments_enabled": true,
            "deployments_enabled": true,
            "production_deployments_enabled": true,
            "preview_deployment_setting": "custom",
            "preview_branch_includes": ["*"],
            "preview_branch_excludes": ["dependabot/*"],
            "path_includes": ["*"],
            "path_excludes": ["docs/*"]
        }
    })
}

/// `GET .../deployments` with `count` deployments on one page.
pub fn deployment_list(count: usize) -> String {
    let result: Vec<Value> = (0..count).map(|i| deployment(i, "my-blog")).collect();
    json!({
        "success": true,
        "errors": [],
        "messages": [],
        "result": result,
        "result_info": { "page": 1, "per_page": count, "count": count, "total_count": count * 3, "total_pages": 3 }
    })
    .to_string()
}

/// A binding map with `n` entries `{PREFIX}_{k}` -> `value(k)`.
fn bindings(prefix: &str, n: usize, value: impl Fn(usize) -> Value) -> Value {
    let map: serde_json::Map<String, Value> = (0..n)
        .map(|k| (format!("{prefix}_{k}"), value(k)))
        .collect();
    Value::Object(map)
}

/// One environment's settings with every binding map the types know filled.
fn deployment_config(env: &str, salt: u64) -> Value {
    let n = 3;
    json!({
        "always_use_latest_compatibility_date": false,
        "build_image_major_version": 3,
        "compatibility_date": "2024-01-01",
        "compatibility_flags": ["nodejs_compat", "streams_enable_constructors"],
        "fail_open": true,
        "usage_model": "standard",
        "wrangler_config_hash": hex_id(1, salt ^ 9),
        "limits": { "cpu_ms": 50 },
        "placement": { "mode": "smart" },
        "ai_bindings": bindings("AI", 1, |k| json!({ "project_id": hex_id(k, salt ^ 1) })),
        "analytics_engine_datasets": bindings("ANALYTICS", n, |k| json!({ "dataset": format!("blog_events_{env}_{k}") })),
        "browsers": bindings("BROWSER", 1, |_| json!({})),
        "d1_databases": bindings("DB", n, |k| json!({ "id": uuid(k, salt ^ 2) })),
        "durable_object_namespaces": bindings("DO", n, |k| json!({ "namespace_id": hex_id(k, salt ^ 3) })),
        "env_vars": bindings("VAR", 6, |k| if k % 3 == 2 {
            json!({ "type": "secret_text", "value": "" })
        } else {
            json!({ "type": "plain_text", "value": format!("value-{env}-{k}") })
        }),
        "hyperdrive_bindings": bindings("HYPERDRIVE", 1, |k| json!({ "id": hex_id(k, salt ^ 5) })),
        "kv_namespaces": bindings("KV", n, |k| json!({ "namespace_id": hex_id(k, salt ^ 4) })),
        "mtls_certificates": bindings("MTLS", 1, |k| json!({ "certificate_id": uuid(k, salt ^ 6) })),
        "queue_producers": bindings("QUEUE", n, |k| json!({ "name": format!("blog-jobs-{env}-{k}") })),
        "r2_buckets": bindings("BUCKET", n, |k| json!({
            "name": format!("blog-media-{env}-{k}"),
            "jurisdiction": if k == 0 { json!("eu") } else { Value::Null }
        })),
        "services": bindings("SERVICE", n, |k| json!({
            "service": format!("auth-worker-{k}"),
            "environment": env,
            "entrypoint": if k == 1 { json!("Auth") } else { Value::Null }
        })),
        "vectorize_bindings": bindings("VECTORIZE", 1, |k| json!({ "index_name": format!("blog-search-{k}") }))
    })
}

/// `GET .../projects/{project_name}`: a full project, both environments' binding maps filled.
pub fn project_value(name: &str) -> Value {
    json!({
        "id": uuid(0, 0x50),
        "name": name,
        "subdomain": format!("{name}.pages.dev"),
        "domains": [format!("{name}.pages.dev"), "blog.example.com", "www.blog.example.com"],
        "production_branch": "main",
        "created_on": "2023-11-20T09:12:44.531207Z",
        "build_config": {
            "build_caching": true,
            "build_command": "npm run build",
            "destination_dir": "dist",
            "root_dir": "",
            "web_analytics_tag": hex_id(0, 0xA7),
            "web_analytics_token": hex_id(0, 0xA8)
        },
        "deployment_configs": {
            "preview": deployment_config("preview", 0x11),
            "production": deployment_config("production", 0x22)
        },
        "source": source(name),
        "latest_deployment": deployment(1, name),
        "canonical_deployment": deployment(0, name),
        "framework": "astro",
        "framework_version": "4.1.0",
        "preview_script_name": "pages-worker--1234567-preview",
        "production_script_name": "pages-worker--1234567-production",
        "uses_functions": true
    })
}

/// The envelope around [`project_value`].
pub fn project(name: &str) -> String {
    json!({ "success": true, "errors": [], "messages": [], "result": project_value(name) })
        .to_string()
}

/// The least of one environment's settings: the fields the document requires.
fn tiny_deployment_config() -> Value {
    json!({
        "always_use_latest_compatibility_date": false,
        "build_image_major_version": 3,
        "compatibility_date": "2024-01-01",
        "compatibility_flags": [],
        "env_vars": null,
        "fail_open": true,
        "usage_model": "standard"
    })
}

/// The smallest project response (the fields the document requires, no deployments): for the
/// overhead of a call with next to no decoding.
pub fn tiny_project(name: &str) -> String {
    json!({
        "success": true,
        "errors": [],
        "messages": [],
        "result": {
            "id": uuid(0, 0x50),
            "name": name,
            "created_on": "2023-11-20T09:12:44Z",
            "production_branch": "main",
            "deployment_configs": {
                "preview": tiny_deployment_config(),
                "production": tiny_deployment_config()
            },
            "latest_deployment": null,
            "canonical_deployment": null,
            "framework": "",
            "framework_version": "",
            "preview_script_name": "",
            "production_script_name": "",
            "uses_functions": null
        }
    })
    .to_string()
}
