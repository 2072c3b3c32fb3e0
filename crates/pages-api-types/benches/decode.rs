//! What decoding costs: `cargo bench -p pages-api-types --bench decode`.
//!
//! Two response bodies built from the spec's examples (`support/fixtures.rs`): a page of 1000
//! deployments (`Envelope<Vec<Deployment>>`) and a full project (`Envelope<Project>`, every
//! binding map of both environments filled). Each decodes into the generated types and into
//! plain hand-written serde structs for the same JSON (`String` for timestamps and enums,
//! `Vec`/`HashMap`, `Option` only where the API sends `null`), in the same run.
//!
//! The hand-written structs are generic over a [`Flavor`], so one design choice of the
//! generated types at a time can be put into them and priced on its own: lenient `Timestamp`s,
//! open enums, `serde_json::Value` for a deployment's `env_vars`, `BTreeMap` binding maps.
//! (Untagged enums are not priced: the generated types have none.)

use std::collections::{BTreeMap, HashMap};
use std::time::Duration;

use divan::Bencher;
use divan::counter::BytesCount;
use pages_api_types as generated;
use serde::Deserialize;
use serde::de::DeserializeOwned;

#[path = "../../../xtask/benches/support/summary.rs"]
mod summary;

#[path = "support/fixtures.rs"]
mod fixtures;

use summary::RatioTarget;

/// Deployments in the list body.
const DEPLOYMENTS: usize = 1000;

/// `>= 0.95x the baseline's throughput` is `<= 1/0.95` its time.
const THROUGHPUT_TARGET: RatioTarget = RatioTarget {
    max_ratio: 1.0 / 0.95,
    meaning: ">= 0.95x the baseline's throughput",
};

// ---- the hand-written baseline ---------------------------------------------------------------------

/// The types one design choice is made with; [`Plain`] is the hand-written baseline.
trait Flavor {
    type Time: DeserializeOwned;
    type StageName: DeserializeOwned;
    type StageStatus: DeserializeOwned;
    type Environment: DeserializeOwned;
    type TriggerType: DeserializeOwned;
    type SourceType: DeserializeOwned;
    type PreviewSetting: DeserializeOwned;
    type VariableType: DeserializeOwned;
    /// A deployment's `env_vars`.
    type EnvVars: DeserializeOwned;
    /// The binding maps of a project's deployment configs.
    type Map<V: DeserializeOwned>: DeserializeOwned;
}

/// Hand-written: strings, `HashMap`s, a typed `env_vars` map.
struct Plain;
impl Flavor for Plain {
    type Time = String;
    type StageName = String;
    type StageStatus = String;
    type Environment = String;
    type TriggerType = String;
    type SourceType = String;
    type PreviewSetting = String;
    type VariableType = String;
    type EnvVars = HashMap<String, EnvVar<Plain>>;
    type Map<V: DeserializeOwned> = HashMap<String, V>;
}

/// [`Plain`] with the generated crate's lenient RFC 3339 `Timestamp`.
struct Timestamps;
impl Flavor for Timestamps {
    type Time = generated::Timestamp;
    type StageName = String;
    type StageStatus = String;
    type Environment = String;
    type TriggerType = String;
    type SourceType = String;
    type PreviewSetting = String;
    type VariableType = String;
    type EnvVars = HashMap<String, EnvVar<Plain>>;
    type Map<V: DeserializeOwned> = HashMap<String, V>;
}

/// [`Plain`] with the generated open enums (`Unknown(String)` kept).
struct OpenEnums;
impl Flavor for OpenEnums {
    type Time = String;
    type StageName = generated::StageName;
    type StageStatus = generated::StageStatus;
    type Environment = generated::Environment;
    type TriggerType = generated::DeploymentTriggerType;
    type SourceType = generated::SourceType;
    type PreviewSetting = generated::SourceConfigPreviewDeploymentSetting;
    type VariableType = generated::EnvironmentVariableType;
    type EnvVars = HashMap<String, EnvVar<OpenEnums>>;
    type Map<V: DeserializeOwned> = HashMap<String, V>;
}

/// [`Plain`] with a deployment's `env_vars` as `serde_json::Value`, as generated.
struct ValueEnvVars;
impl Flavor for ValueEnvVars {
    type Time = String;
    type StageName = String;
    type StageStatus = String;
    type Environment = String;
    type TriggerType = String;
    type SourceType = String;
    type PreviewSetting = String;
    type VariableType = String;
    type EnvVars = serde_json::Value;
    type Map<V: DeserializeOwned> = HashMap<String, V>;
}

/// [`Plain`] with `BTreeMap` binding maps, as generated.
struct BTreeMaps;
impl Flavor for BTreeMaps {
    type Time = String;
    type StageName = String;
    type StageStatus = String;
    type Environment = String;
    type TriggerType = String;
    type SourceType = String;
    type PreviewSetting = String;
    type VariableType = String;
    type EnvVars = HashMap<String, EnvVar<Plain>>;
    type Map<V: DeserializeOwned> = BTreeMap<String, V>;
}

/// Every choice above at once: the generated types' choices in the hand-written shape.
struct AllChoices;
impl Flavor for AllChoices {
    type Time = generated::Timestamp;
    type StageName = generated::StageName;
    type StageStatus = generated::StageStatus;
    type Environment = generated::Environment;
    type TriggerType = generated::DeploymentTriggerType;
    type SourceType = generated::SourceType;
    type PreviewSetting = generated::SourceConfigPreviewDeploymentSetting;
    type VariableType = generated::EnvironmentVariableType;
    type EnvVars = serde_json::Value;
    type Map<V: DeserializeOwned> = BTreeMap<String, V>;
}

#[derive(Deserialize)]
#[allow(dead_code)]
struct Envelope<T> {
    success: bool,
    errors: Vec<Message>,
    messages: Vec<Message>,
    result: Option<T>,
    result_info: Option<ResultInfo>,
}

#[derive(Deserialize)]
#[allow(dead_code)]
struct Message {
    code: i64,
    message: String,
}

#[derive(Deserialize)]
#[allow(dead_code)]
struct ResultInfo {
    page: u32,
    per_page: u32,
    count: u32,
    total_count: u32,
    total_pages: u32,
}

#[derive(Deserialize)]
#[serde(bound = "")]
#[allow(dead_code)]
struct Deployment<F: Flavor> {
    id: String,
    short_id: String,
    project_id: String,
    project_name: String,
    environment: F::Environment,
    url: String,
    created_on: F::Time,
    modified_on: F::Time,
    aliases: Option<Vec<String>>,
    latest_stage: Stage<F>,
    env_vars: F::EnvVars,
    deployment_trigger: Trigger<F>,
    stages: Vec<Stage<F>>,
    build_config: BuildConfig,
    source: Source<F>,
    is_skipped: bool,
}

#[derive(Deserialize)]
#[serde(bound = "")]
#[allow(dead_code)]
struct Stage<F: Flavor> {
    name: F::StageName,
    started_on: Option<F::Time>,
    ended_on: Option<F::Time>,
    status: F::StageStatus,
}

#[derive(Deserialize)]
#[serde(bound = "")]
#[allow(dead_code)]
struct Trigger<F: Flavor> {
    #[serde(rename = "type")]
    kind: F::TriggerType,
    metadata: TriggerMetadata,
}

#[derive(Deserialize)]
#[allow(dead_code)]
struct TriggerMetadata {
    branch: String,
    commit_hash: String,
    commit_message: String,
}

#[derive(Deserialize)]
#[allow(dead_code)]
struct BuildConfig {
    build_caching: bool,
    build_command: String,
    destination_dir: String,
    root_dir: String,
    web_analytics_tag: Option<String>,
    web_analytics_token: Option<String>,
}

#[derive(Deserialize)]
#[serde(bound = "")]
#[allow(dead_code)]
struct Source<F: Flavor> {
    #[serde(rename = "type")]
    kind: F::SourceType,
    config: SourceConfig<F>,
}

#[derive(Deserialize)]
#[serde(bound = "")]
#[allow(dead_code)]
struct SourceConfig<F: Flavor> {
    owner: String,
    repo_name: String,
    production_branch: String,
    pr_comments_enabled: bool,
    deployments_enabled: bool,
    production_deployments_enabled: bool,
    preview_deployment_setting: F::PreviewSetting,
    preview_branch_includes: Vec<String>,
    preview_branch_excludes: Vec<String>,
}

#[derive(Deserialize)]
#[serde(bound = "")]
#[allow(dead_code)]
struct EnvVar<F: Flavor> {
    #[serde(rename = "type")]
    kind: F::VariableType,
    value: String,
}

#[derive(Deserialize)]
#[serde(bound = "")]
#[allow(dead_code)]
struct Project<F: Flavor> {
    id: String,
    name: String,
    subdomain: String,
    domains: Vec<String>,
    production_branch: String,
    created_on: F::Time,
    build_config: BuildConfig,
    deployment_configs: DeploymentConfigs<F>,
    source: Source<F>,
    latest_deployment: Deployment<F>,
    canonical_deployment: Deployment<F>,
}

#[derive(Deserialize)]
#[serde(bound = "")]
#[allow(dead_code)]
struct DeploymentConfigs<F: Flavor> {
    preview: DeploymentConfig<F>,
    production: DeploymentConfig<F>,
}

#[derive(Deserialize)]
#[serde(bound = "")]
#[allow(dead_code)]
struct DeploymentConfig<F: Flavor> {
    compatibility_date: String,
    compatibility_flags: Vec<String>,
    placement: Placement,
    ai_bindings: F::Map<AiBinding>,
    analytics_engine_datasets: F::Map<AnalyticsBinding>,
    d1_databases: F::Map<IdBinding>,
    durable_object_namespaces: F::Map<NamespaceBinding>,
    env_vars: F::Map<EnvVar<F>>,
    kv_namespaces: F::Map<NamespaceBinding>,
    queue_producers: F::Map<NameBinding>,
    r2_buckets: F::Map<NameBinding>,
    service_bindings: F::Map<ServiceBinding>,
}

#[derive(Deserialize)]
#[allow(dead_code)]
struct Placement {
    mode: String,
}

#[derive(Deserialize)]
#[allow(dead_code)]
struct AiBinding {
    project_id: String,
}

#[derive(Deserialize)]
#[allow(dead_code)]
struct AnalyticsBinding {
    dataset: String,
}

#[derive(Deserialize)]
#[allow(dead_code)]
struct IdBinding {
    id: String,
}

#[derive(Deserialize)]
#[allow(dead_code)]
struct NamespaceBinding {
    namespace_id: String,
}

#[derive(Deserialize)]
#[allow(dead_code)]
struct NameBinding {
    name: String,
}

#[derive(Deserialize)]
#[allow(dead_code)]
struct ServiceBinding {
    service: String,
    environment: String,
}

// ---- what a faster Timestamp could cost ----------------------------------------------------------

/// A sketch, not a proposal of API: the same validation as `Timestamp` (digits, ranges, days of
/// the month, an offset or none) on the fixed RFC 3339 layout in one pass, with the instant
/// computed by arithmetic (days from the civil date) instead of through `time`'s `Date`,
/// `Time` and offset conversion. It prices the lenient timestamp's parse, not its leniency.
#[derive(Debug)]
#[allow(dead_code)]
struct FastTimestamp {
    unix_seconds: i64,
    nanos: u32,
}

impl<'de> Deserialize<'de> for FastTimestamp {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl serde::de::Visitor<'_> for Visitor {
            type Value = FastTimestamp;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("an RFC 3339 date-time string")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<FastTimestamp, E> {
                fast_parse(v.as_bytes()).ok_or_else(|| E::custom("invalid timestamp"))
            }
        }
        deserializer.deserialize_str(Visitor)
    }
}

fn fast_parse(b: &[u8]) -> Option<FastTimestamp> {
    fn two(b: &[u8], at: usize) -> Option<i64> {
        let (x, y) = (
            b.get(at)?.wrapping_sub(b'0'),
            b.get(at + 1)?.wrapping_sub(b'0'),
        );
        (x < 10 && y < 10).then(|| i64::from(x * 10 + y))
    }
    if b.len() < 19
        || b[4] != b'-'
        || b[7] != b'-'
        || !matches!(b[10], b'T' | b't' | b' ')
        || b[13] != b':'
        || b[16] != b':'
    {
        return None;
    }
    let year = two(b, 0)? * 100 + two(b, 2)?;
    let (month, day) = (two(b, 5)?, two(b, 8)?);
    let (hour, minute, second) = (two(b, 11)?, two(b, 14)?, two(b, 17)?);
    let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
    let days_in_month = match month {
        2 if leap => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        1..=12 => 31,
        _ => return None,
    };
    if day < 1 || day > days_in_month || hour > 23 || minute > 59 || second > 60 {
        return None;
    }
    let mut at = 19;
    let mut nanos = 0u32;
    if b.get(at) == Some(&b'.') {
        at += 1;
        let start = at;
        while let Some(d) = b.get(at).map(|c| c.wrapping_sub(b'0')).filter(|d| *d < 10) {
            if at - start < 9 {
                nanos = nanos * 10 + u32::from(d);
            }
            at += 1;
        }
        if at == start {
            return None;
        }
        for _ in (at - start).min(9)..9 {
            nanos *= 10;
        }
    }
    let offset = match b.get(at) {
        None => 0,
        Some(b'Z' | b'z') if at + 1 == b.len() => 0,
        Some(&sign @ (b'+' | b'-')) => {
            let h = two(b, at + 1)?;
            let m_at = if b.get(at + 3) == Some(&b':') {
                at + 4
            } else {
                at + 3
            };
            let m = two(b, m_at)?;
            if h > 23 || m > 59 || m_at + 2 != b.len() {
                return None;
            }
            let seconds = h * 3600 + m * 60;
            if sign == b'-' { -seconds } else { seconds }
        }
        _ => return None,
    };
    // Days from 1970-01-01 of the civil date (Howard Hinnant's algorithm).
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    Some(FastTimestamp {
        unix_seconds: days * 86_400 + hour * 3600 + minute * 60 + second - offset,
        nanos,
    })
}

// ---- bodies ----------------------------------------------------------------------------------------

static DEPLOYMENT_LIST: std::sync::LazyLock<Vec<u8>> =
    std::sync::LazyLock::new(|| fixtures::deployment_list(DEPLOYMENTS).into_bytes());

/// 10,000 timestamps in both forms the API sends (with `Z`, without an offset), as a JSON list.
static TIMESTAMPS: std::sync::LazyLock<Vec<u8>> = std::sync::LazyLock::new(|| {
    let list: Vec<String> = (0..TIMESTAMP_COUNT)
        .map(|i| {
            let z = if i % 3 == 2 { "" } else { "Z" };
            format!(
                "2024-01-{:02}T{:02}:{:02}:{:02}.{:06}{z}",
                1 + i % 28,
                i % 24,
                i % 60,
                (i * 7) % 60,
                (i * 7919) % 1_000_000
            )
        })
        .collect();
    serde_json::to_vec(&list).expect("strings serialize")
});

const TIMESTAMP_COUNT: usize = 10_000;

static PROJECT: std::sync::LazyLock<Vec<u8>> =
    std::sync::LazyLock::new(|| fixtures::project("my-blog").into_bytes());

/// Benchmarks decoding `body` into `T` (divan's table; the summary's comparisons come from the
/// interleaved pass in `main`, under the same `key`).
fn decode<T: DeserializeOwned>(bencher: Bencher, _key: &str, body: &[u8]) {
    bencher
        .counter(BytesCount::new(body.len()))
        .bench_local(|| {
            serde_json::from_slice::<T>(divan::black_box(body)).expect("the body decodes")
        });
}

/// One timed decode of `body` into `T`, for [`summary::interleave`].
fn decoder<T: DeserializeOwned>(body: &'static [u8]) -> impl FnMut() -> Duration {
    move || {
        summary::time_call(|| {
            serde_json::from_slice::<T>(divan::black_box(body)).expect("the body decodes")
        })
    }
}

/// The summary's comparisons: every variant of a body decoded in turn, round after round.
fn interleaved_pass() {
    let list: &'static [u8] = &DEPLOYMENT_LIST;
    summary::interleave(
        "deployments",
        400,
        Duration::from_secs(8),
        &mut [
            (
                "deployments/generated",
                &mut decoder::<generated::Envelope<Vec<generated::Deployment>>>(list),
            ),
            (
                "deployments/baseline",
                &mut decoder::<Envelope<Vec<Deployment<Plain>>>>(list),
            ),
            (
                "deployments/timestamps",
                &mut decoder::<Envelope<Vec<Deployment<Timestamps>>>>(list),
            ),
            (
                "deployments/open_enums",
                &mut decoder::<Envelope<Vec<Deployment<OpenEnums>>>>(list),
            ),
            (
                "deployments/value_env_vars",
                &mut decoder::<Envelope<Vec<Deployment<ValueEnvVars>>>>(list),
            ),
            (
                "deployments/all_choices",
                &mut decoder::<Envelope<Vec<Deployment<AllChoices>>>>(list),
            ),
        ],
    );
    let timestamps: &'static [u8] = &TIMESTAMPS;
    summary::interleave(
        "timestamps",
        400,
        Duration::from_secs(3),
        &mut [
            (
                "timestamps/timestamp",
                &mut decoder::<Vec<generated::Timestamp>>(timestamps),
            ),
            ("timestamps/string", &mut decoder::<Vec<String>>(timestamps)),
            (
                "timestamps/fast",
                &mut decoder::<Vec<FastTimestamp>>(timestamps),
            ),
        ],
    );
    let project: &'static [u8] = &PROJECT;
    summary::interleave(
        "project",
        20_000,
        Duration::from_secs(4),
        &mut [
            (
                "project/generated",
                &mut decoder::<generated::Envelope<generated::Project>>(project),
            ),
            (
                "project/baseline",
                &mut decoder::<Envelope<Project<Plain>>>(project),
            ),
            (
                "project/btree_maps",
                &mut decoder::<Envelope<Project<BTreeMaps>>>(project),
            ),
            (
                "project/all_choices",
                &mut decoder::<Envelope<Project<AllChoices>>>(project),
            ),
        ],
    );
}

#[divan::bench_group(sample_count = 60, sample_size = 1, max_time = 3)]
mod deployments {
    use super::*;

    #[divan::bench]
    fn generated(bencher: Bencher) {
        decode::<generated::Envelope<Vec<generated::Deployment>>>(
            bencher,
            "deployments/generated",
            &DEPLOYMENT_LIST,
        );
    }

    #[divan::bench]
    fn baseline(bencher: Bencher) {
        decode::<Envelope<Vec<Deployment<Plain>>>>(
            bencher,
            "deployments/baseline",
            &DEPLOYMENT_LIST,
        );
    }

    #[divan::bench]
    fn baseline_with_timestamps(bencher: Bencher) {
        decode::<Envelope<Vec<Deployment<Timestamps>>>>(
            bencher,
            "deployments/timestamps",
            &DEPLOYMENT_LIST,
        );
    }

    #[divan::bench]
    fn baseline_with_open_enums(bencher: Bencher) {
        decode::<Envelope<Vec<Deployment<OpenEnums>>>>(
            bencher,
            "deployments/open_enums",
            &DEPLOYMENT_LIST,
        );
    }

    #[divan::bench]
    fn baseline_with_value_env_vars(bencher: Bencher) {
        decode::<Envelope<Vec<Deployment<ValueEnvVars>>>>(
            bencher,
            "deployments/value_env_vars",
            &DEPLOYMENT_LIST,
        );
    }

    #[divan::bench]
    fn baseline_with_all_choices(bencher: Bencher) {
        decode::<Envelope<Vec<Deployment<AllChoices>>>>(
            bencher,
            "deployments/all_choices",
            &DEPLOYMENT_LIST,
        );
    }
}

#[divan::bench_group(sample_count = 60, sample_size = 1, max_time = 2)]
mod timestamps {
    use super::*;

    #[divan::bench]
    fn timestamp(bencher: Bencher) {
        decode::<Vec<generated::Timestamp>>(bencher, "timestamps/timestamp", &TIMESTAMPS);
    }

    #[divan::bench]
    fn string(bencher: Bencher) {
        decode::<Vec<String>>(bencher, "timestamps/string", &TIMESTAMPS);
    }
}

#[divan::bench_group(sample_count = 400, sample_size = 1, max_time = 2)]
mod project {
    use super::*;

    #[divan::bench]
    fn generated(bencher: Bencher) {
        decode::<generated::Envelope<generated::Project>>(bencher, "project/generated", &PROJECT);
    }

    #[divan::bench]
    fn baseline(bencher: Bencher) {
        decode::<Envelope<Project<Plain>>>(bencher, "project/baseline", &PROJECT);
    }

    #[divan::bench]
    fn baseline_with_btree_maps(bencher: Bencher) {
        decode::<Envelope<Project<BTreeMaps>>>(bencher, "project/btree_maps", &PROJECT);
    }

    #[divan::bench]
    fn baseline_with_all_choices(bencher: Bencher) {
        decode::<Envelope<Project<AllChoices>>>(bencher, "project/all_choices", &PROJECT);
    }
}

/// How much longer one item takes under `key` than under `baseline`, `count` items a run.
fn per_item(key: &str, baseline: &str, count: usize) -> Option<String> {
    let (d, _) = summary::median(key)?;
    let (b, _) = summary::median(baseline)?;
    let extra = (d.as_secs_f64() - b.as_secs_f64()) / count as f64;
    Some(format!("{:.0} ns", extra * 1e9))
}

fn throughput(key: &str, bytes: usize) -> Option<String> {
    let (d, _) = summary::median(key)?;
    Some(format!("{:.0} MB/s", bytes as f64 / d.as_secs_f64() / 1e6))
}

fn main() {
    // The sketch must agree with `Timestamp` on every input it is timed on.
    let strings: Vec<String> = serde_json::from_slice(&TIMESTAMPS).expect("a list");
    for text in &strings {
        let fast = fast_parse(text.as_bytes()).expect("the sketch parses it");
        let exact: generated::Timestamp = text.parse().expect("Timestamp parses it");
        assert_eq!(
            (fast.unix_seconds, fast.nanos),
            (
                exact.unix_timestamp(),
                exact.as_offset_date_time().nanosecond()
            ),
            "{text}"
        );
    }
    divan::main();
    interleaved_pass();

    let list_bytes = DEPLOYMENT_LIST.len();
    let project_bytes = PROJECT.len();
    let cost = |label: &str, key: &str, baseline: &str| {
        summary::ratio_line(
            &format!("  cost of {label}"),
            ("with it", key),
            ("without", baseline),
            None,
        )
    };
    summary::print(
        "decode (medians of the interleaved pass)",
        1.0,
        [
            summary::ratio_line(
                &format!(
                    "decode {DEPLOYMENTS} deployments ({:.2} MB, Envelope<Vec<Deployment>>)",
                    list_bytes as f64 / 1e6
                ),
                ("generated", "deployments/generated"),
                ("hand-written baseline", "deployments/baseline"),
                Some(THROUGHPUT_TARGET),
            ),
            throughput("deployments/generated", list_bytes)
                .zip(throughput("deployments/baseline", list_bytes))
                .map(|(g, b)| format!("  throughput: generated {g}, baseline {b}")),
            cost(
                "lenient Timestamp instead of String",
                "deployments/timestamps",
                "deployments/baseline",
            ),
            summary::ratio_line(
                &format!("    {TIMESTAMP_COUNT} timestamps alone, Vec<Timestamp> vs Vec<String>"),
                ("Timestamp", "timestamps/timestamp"),
                ("String", "timestamps/string"),
                None,
            ),
            per_item("timestamps/timestamp", "timestamps/string", TIMESTAMP_COUNT)
                .map(|extra| format!("    = {extra} more per timestamp")),
            summary::ratio_line(
                "    a one-pass fixed-layout parser (sketch in this bench) vs String",
                ("one-pass", "timestamps/fast"),
                ("String", "timestamps/string"),
                None,
            ),
            cost(
                "open enums instead of String",
                "deployments/open_enums",
                "deployments/baseline",
            ),
            cost(
                "serde_json::Value env_vars instead of a typed map",
                "deployments/value_env_vars",
                "deployments/baseline",
            ),
            cost(
                "all three in the hand-written shape",
                "deployments/all_choices",
                "deployments/baseline",
            ),
            summary::ratio_line(
                "  the rest (Option everywhere, lenient envelope)",
                ("generated", "deployments/generated"),
                ("all three", "deployments/all_choices"),
                None,
            ),
            summary::ratio_line(
                &format!(
                    "decode full project ({:.1} KB, Envelope<Project>, all binding maps filled)",
                    project_bytes as f64 / 1e3
                ),
                ("generated", "project/generated"),
                ("hand-written baseline", "project/baseline"),
                Some(THROUGHPUT_TARGET),
            ),
            cost(
                "BTreeMap binding maps instead of HashMap",
                "project/btree_maps",
                "project/baseline",
            ),
            cost(
                "all choices in the hand-written shape",
                "project/all_choices",
                "project/baseline",
            ),
        ],
    );
}
