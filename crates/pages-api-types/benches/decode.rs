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
//! open enums, `BTreeMap` for every string-keyed map (a deployment's `env_vars`, a project's
//! binding maps), then the lenient envelope around all of them; what is left between the
//! generated types and all of these together is the generated structs themselves. Like the
//! generated types, the hand-written ones have a plain `T` for every field the document
//! requires and `Option<T>` for the others and for `null`s, so optionality is no choice to
//! price. The flavours mirror `src/generated.rs` as it is: change them when the generated types
//! change. (Untagged enums are not priced: the generated types have none.)
//!
//! The summary's ratios come from an interleaved pass in which every call decodes its body
//! twice and times the second decode (see [`decoder`]).

use std::time::Duration;

use divan::Bencher;
use divan::counter::BytesCount;
use pages_api_types as generated;
use serde::de::DeserializeOwned;

#[path = "../../../xtask/benches/support/summary.rs"]
mod summary;

#[path = "support/fixtures.rs"]
mod fixtures;

#[path = "support/baseline.rs"]
mod baseline;

use baseline::{
    AllChoices, BTreeMaps, Deployment, Envelope, OpenEnums, Plain, Project, Timestamps,
};
use summary::RatioTarget;

/// Deployments in the list body.
const DEPLOYMENTS: usize = 1000;

/// `>= 0.95x the baseline's throughput` is `<= 1/0.95` its time.
const THROUGHPUT_TARGET: RatioTarget = RatioTarget {
    max_ratio: 1.0 / 0.95,
    meaning: ">= 0.95x the baseline's throughput",
};

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

// ---- the variants ------------------------------------------------------------------------------------

/// Benchmarks decoding `body` into `T` (divan's table; the summary's comparisons come from the
/// interleaved pass in `main`).
fn decode<T: DeserializeOwned>(bencher: Bencher, body: &[u8]) {
    bencher
        .counter(BytesCount::new(body.len()))
        .bench_local(|| {
            serde_json::from_slice::<T>(divan::black_box(body)).expect("the body decodes")
        });
}

/// One timed decode of `body` into `T`, for the interleaved pass.
type Decoder = Box<dyn FnMut() -> Duration>;

/// Each call decodes `body` twice and times the second decode (both outputs are dropped
/// outside the timed part): the untimed first one leaves the allocator as this very decode
/// leaves it, as when a client decodes the same kind of response again and again.
/// Without it a variant would start from whatever its predecessor in the rotation (always the
/// same one) freed, and that alone moved ratios between identical code by up to 10 %.
fn decoder<T: DeserializeOwned + 'static>(body: &'static [u8]) -> Decoder {
    let decode =
        move || serde_json::from_slice::<T>(divan::black_box(body)).expect("the body decodes");
    Box::new(move || {
        drop(divan::black_box(decode()));
        summary::time_call(decode)
    })
}

/// The deployment list decoded every way, by summary key.
fn deployment_variants() -> Vec<(&'static str, Decoder)> {
    let list: &'static [u8] = &DEPLOYMENT_LIST;
    vec![
        (
            "deployments/generated",
            decoder::<generated::Envelope<Vec<generated::Deployment>>>(list),
        ),
        (
            "deployments/baseline",
            decoder::<Envelope<Vec<Deployment<Plain>>>>(list),
        ),
        (
            "deployments/timestamps",
            decoder::<Envelope<Vec<Deployment<Timestamps>>>>(list),
        ),
        (
            "deployments/open_enums",
            decoder::<Envelope<Vec<Deployment<OpenEnums>>>>(list),
        ),
        (
            "deployments/btree_maps",
            decoder::<Envelope<Vec<Deployment<BTreeMaps>>>>(list),
        ),
        (
            "deployments/all_choices",
            decoder::<Envelope<Vec<Deployment<AllChoices>>>>(list),
        ),
        (
            "deployments/lenient_envelope",
            decoder::<generated::Envelope<Vec<Deployment<AllChoices>>>>(list),
        ),
    ]
}

/// The full project decoded every way, by summary key.
fn project_variants() -> Vec<(&'static str, Decoder)> {
    let project: &'static [u8] = &PROJECT;
    vec![
        (
            "project/generated",
            decoder::<generated::Envelope<generated::Project>>(project),
        ),
        (
            "project/baseline",
            decoder::<Envelope<Project<Plain>>>(project),
        ),
        (
            "project/timestamps",
            decoder::<Envelope<Project<Timestamps>>>(project),
        ),
        (
            "project/open_enums",
            decoder::<Envelope<Project<OpenEnums>>>(project),
        ),
        (
            "project/btree_maps",
            decoder::<Envelope<Project<BTreeMaps>>>(project),
        ),
        (
            "project/all_choices",
            decoder::<Envelope<Project<AllChoices>>>(project),
        ),
        (
            "project/lenient_envelope",
            decoder::<generated::Envelope<Project<AllChoices>>>(project),
        ),
    ]
}

/// 10,000 timestamps as `Timestamp`s and as `String`s.
fn timestamp_variants() -> Vec<(&'static str, Decoder)> {
    let timestamps: &'static [u8] = &TIMESTAMPS;
    vec![
        (
            "timestamps/timestamp",
            decoder::<Vec<generated::Timestamp>>(timestamps),
        ),
        ("timestamps/string", decoder::<Vec<String>>(timestamps)),
    ]
}

/// Runs `variants` in turn, round after round, for [`summary::interleave`].
fn interleave(name: &str, rounds: usize, budget: Duration, variants: Vec<(&str, Decoder)>) {
    let mut variants = variants;
    let mut refs: Vec<(&str, &mut dyn FnMut() -> Duration)> = variants
        .iter_mut()
        .map(|(key, run)| (*key, &mut **run as &mut dyn FnMut() -> Duration))
        .collect();
    summary::interleave(name, rounds, budget, &mut refs);
}

/// The summary's comparisons: every variant of a body decoded in turn, round after round.
fn interleaved_pass() {
    interleave(
        "deployments",
        400,
        Duration::from_secs(14),
        deployment_variants(),
    );
    interleave(
        "timestamps",
        400,
        Duration::from_secs(3),
        timestamp_variants(),
    );
    interleave(
        "project",
        20_000,
        Duration::from_secs(6),
        project_variants(),
    );
}

#[divan::bench_group(sample_count = 60, sample_size = 1, max_time = 3)]
mod deployments {
    use super::*;

    #[divan::bench]
    fn generated(bencher: Bencher) {
        decode::<generated::Envelope<Vec<generated::Deployment>>>(bencher, &DEPLOYMENT_LIST);
    }

    #[divan::bench]
    fn baseline(bencher: Bencher) {
        decode::<Envelope<Vec<Deployment<Plain>>>>(bencher, &DEPLOYMENT_LIST);
    }

    #[divan::bench]
    fn baseline_with_timestamps(bencher: Bencher) {
        decode::<Envelope<Vec<Deployment<Timestamps>>>>(bencher, &DEPLOYMENT_LIST);
    }

    #[divan::bench]
    fn baseline_with_open_enums(bencher: Bencher) {
        decode::<Envelope<Vec<Deployment<OpenEnums>>>>(bencher, &DEPLOYMENT_LIST);
    }

    #[divan::bench]
    fn baseline_with_btree_maps(bencher: Bencher) {
        decode::<Envelope<Vec<Deployment<BTreeMaps>>>>(bencher, &DEPLOYMENT_LIST);
    }

    #[divan::bench]
    fn baseline_with_all_choices(bencher: Bencher) {
        decode::<Envelope<Vec<Deployment<AllChoices>>>>(bencher, &DEPLOYMENT_LIST);
    }

    #[divan::bench]
    fn all_choices_in_lenient_envelope(bencher: Bencher) {
        decode::<generated::Envelope<Vec<Deployment<AllChoices>>>>(bencher, &DEPLOYMENT_LIST);
    }
}

#[divan::bench_group(sample_count = 60, sample_size = 1, max_time = 2)]
mod timestamps {
    use super::*;

    #[divan::bench]
    fn timestamp(bencher: Bencher) {
        decode::<Vec<generated::Timestamp>>(bencher, &TIMESTAMPS);
    }

    #[divan::bench]
    fn string(bencher: Bencher) {
        decode::<Vec<String>>(bencher, &TIMESTAMPS);
    }
}

#[divan::bench_group(sample_count = 400, sample_size = 1, max_time = 2)]
mod project {
    use super::*;

    #[divan::bench]
    fn generated(bencher: Bencher) {
        decode::<generated::Envelope<generated::Project>>(bencher, &PROJECT);
    }

    #[divan::bench]
    fn baseline(bencher: Bencher) {
        decode::<Envelope<Project<Plain>>>(bencher, &PROJECT);
    }

    #[divan::bench]
    fn baseline_with_timestamps(bencher: Bencher) {
        decode::<Envelope<Project<Timestamps>>>(bencher, &PROJECT);
    }

    #[divan::bench]
    fn baseline_with_open_enums(bencher: Bencher) {
        decode::<Envelope<Project<OpenEnums>>>(bencher, &PROJECT);
    }

    #[divan::bench]
    fn baseline_with_btree_maps(bencher: Bencher) {
        decode::<Envelope<Project<BTreeMaps>>>(bencher, &PROJECT);
    }

    #[divan::bench]
    fn baseline_with_all_choices(bencher: Bencher) {
        decode::<Envelope<Project<AllChoices>>>(bencher, &PROJECT);
    }

    #[divan::bench]
    fn all_choices_in_lenient_envelope(bencher: Bencher) {
        decode::<generated::Envelope<Project<AllChoices>>>(bencher, &PROJECT);
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
                "lenient Timestamp instead of String (up to 14 a deployment)",
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
            cost(
                "open enums instead of String",
                "deployments/open_enums",
                "deployments/baseline",
            ),
            cost(
                "BTreeMap env_vars instead of HashMap",
                "deployments/btree_maps",
                "deployments/baseline",
            ),
            cost(
                "all three in the hand-written structs",
                "deployments/all_choices",
                "deployments/baseline",
            ),
            cost(
                "the lenient Envelope (around all three)",
                "deployments/lenient_envelope",
                "deployments/all_choices",
            ),
            summary::ratio_line(
                "  the rest (the generated structs themselves)",
                ("generated", "deployments/generated"),
                (
                    "all three, lenient envelope",
                    "deployments/lenient_envelope",
                ),
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
                "lenient Timestamp instead of String",
                "project/timestamps",
                "project/baseline",
            ),
            cost(
                "open enums instead of String",
                "project/open_enums",
                "project/baseline",
            ),
            cost(
                "BTreeMap maps instead of HashMap",
                "project/btree_maps",
                "project/baseline",
            ),
            cost(
                "all three in the hand-written structs",
                "project/all_choices",
                "project/baseline",
            ),
            cost(
                "the lenient Envelope (around all three)",
                "project/lenient_envelope",
                "project/all_choices",
            ),
            summary::ratio_line(
                "  the rest (the generated structs themselves)",
                ("generated", "project/generated"),
                ("all three, lenient envelope", "project/lenient_envelope"),
                None,
            ),
        ],
    );
}
