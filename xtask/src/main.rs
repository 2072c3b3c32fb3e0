//! `cargo xtask <command>`: see `usage()`.

use std::path::PathBuf;
use std::process::ExitCode;

use xtask::codegen::{self, SPEC};
use xtask::write;

// Generation allocates and frees millions of small token trees and syntax nodes: mimalloc spends
// about half the CPU time on them that glibc's allocator does. Its v2 keeps a smaller footprint
// than v3, so a fresh process clears fewer pages (docs/benchmarks.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn usage() -> &'static str {
    "usage: cargo xtask <command>

commands:
  codegen [--check] [--strict] [--spec FILE] [--out DIR]
      Regenerate crates/pages-api-types and crates/pages-api-client from spec/pages.json
      (repaired by spec/overlay.json). --check writes nothing and fails when a checked-in file
      is stale; --strict fails on any warning (an overlay action for this document that
      matched nothing or changed nothing, a shortcut whose path it lacks: always reported); --spec reads another Cloudflare document
      (the Pages part is kept); --out writes both crates as a standalone workspace under DIR
      instead of into crates/.
  diff OLD.json NEW.json [--format text|markdown] [--deny-breaking]
      Generate both documents in memory and print the change to the Rust API, each change
      marked breaking or additive; --deny-breaking exits non-zero when anything breaks.
  spec-update FILE
      Take a downloaded Cloudflare document (all products), keep the Pages part in
      spec/pages.json (sorted, pretty-printed), regenerate both crates, print the API diff.
  test [-- CARGO TEST ARGS]
      Run every test of the workspace: installs Stoplight Prism (npm ci) when missing, serves
      spec/pages.resolved.json with it for the contract tests, runs `cargo test --workspace`,
      and stops Prism.
  semver-agree [OLD.json NEW.json]
      Check that every break cargo-semver-checks finds between the crates generated from OLD
      and NEW is listed as breaking by `xtask diff` (default: each two consecutive
      ../shared/upstream documents). Needs `cargo install --locked cargo-semver-checks`.
  mutate [--cases N] [--compile N]
      Mutate spec/pages.json and ../shared/upstream/*.json in N seeded ways (default 1200,
      plus name collisions): each must generate or be refused with a JSON pointer, never
      panic; --compile lints the first N generated outputs with clippy -D warnings.
  bench-compile [--runs N] [--cold-xtask]
      Time clean rebuilds of both generated crates (debug and release, dependencies built,
      median of N runs, in target/bench-compile) and count their generated lines;
      --cold-xtask also times building the generator from nothing (docs/benchmarks.md)."
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("codegen") => run_codegen(&args[1..]),
        Some("test") => xtask::test_cmd::run(&args[1..]),
        Some("diff") => run_diff(&args[1..]),
        Some("spec-update") => run_spec_update(&args[1..]),
        Some("bench-compile") => xtask::bench_compile::run(&args[1..]),
        Some("mutate") => xtask::mutate::command(&args[1..]),
        Some("semver-agree") => xtask::semver_agree::command(&args[1..]),
        Some("help" | "--help" | "-h") | None => {
            println!("{}", usage());
            Ok(())
        }
        Some(other) => Err(format!("unknown command `{other}`\n\n{}", usage())),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}

fn run_diff(args: &[String]) -> Result<(), String> {
    let root = codegen::workspace_root();
    let mut files = Vec::new();
    let mut markdown = false;
    let mut deny_breaking = false;
    let mut rest = args.iter();
    while let Some(arg) = rest.next() {
        match arg.as_str() {
            "--deny-breaking" => deny_breaking = true,
            "--format" => match rest.next().map(String::as_str) {
                Some("markdown") => markdown = true,
                Some("text") => markdown = false,
                other => return Err(format!("--format takes text or markdown, not {other:?}")),
            },
            file => files.push(PathBuf::from(file)),
        }
    }
    let [old, new] = files.as_slice() else {
        return Err(format!(
            "diff takes two documents, OLD and NEW\n\n{}",
            usage()
        ));
    };
    let changes =
        xtask::diff::changes(&codegen::api_of(&root, old)?, &codegen::api_of(&root, new)?);
    let (old, new) = (old.display().to_string(), new.display().to_string());
    let report = if markdown {
        xtask::diff::render_markdown(&changes, &old, &new)
    } else {
        xtask::diff::render_text(&changes, &old, &new)
    };
    print!("{report}");
    let breaking = changes.iter().filter(|c| c.breaking).count();
    if deny_breaking && breaking > 0 {
        return Err(format!("{breaking} breaking change(s) (--deny-breaking)"));
    }
    Ok(())
}

fn run_spec_update(args: &[String]) -> Result<(), String> {
    let [file] = args else {
        return Err(format!("spec-update takes one FILE\n\n{}", usage()));
    };
    let root = codegen::workspace_root();
    let update = xtask::spec_update::run(&root, &PathBuf::from(file))?;
    report_warnings(&update.warnings);
    println!(
        "spec-update: {} {}, {} generated file(s) written",
        codegen::SPEC,
        if update.spec_changed {
            "updated"
        } else {
            "unchanged"
        },
        update.files_written
    );
    print!(
        "{}",
        xtask::diff::render_text(&update.changes, "the previous spec", codegen::SPEC)
    );
    Ok(())
}

/// Warnings go to stderr on every run, so a repair that stopped working is seen.
fn report_warnings(warnings: &[String]) {
    for warning in warnings {
        eprintln!("warning: {warning}");
    }
}

fn run_codegen(args: &[String]) -> Result<(), String> {
    let root = codegen::workspace_root();
    let mut check = false;
    let mut strict = false;
    let mut spec = root.join(SPEC);
    let mut out: Option<PathBuf> = None;
    let mut rest = args.iter();
    while let Some(arg) = rest.next() {
        match arg.as_str() {
            "--check" => check = true,
            "--strict" => strict = true,
            "--spec" => spec = PathBuf::from(rest.next().ok_or("--spec needs a FILE")?),
            "--out" => out = Some(PathBuf::from(rest.next().ok_or("--out needs a DIR")?)),
            other => return Err(format!("unknown codegen argument `{other}`\n\n{}", usage())),
        }
    }
    let (prepared, label) = codegen::prepare_file(&root, &spec)?;
    report_warnings(&prepared.warnings());
    if strict {
        prepared.strict()?;
    }
    let files = codegen::render(&prepared, &label)?;
    let (target, files) = match &out {
        Some(dir) => (dir.clone(), codegen::standalone(&root, files)?),
        None => (root.clone(), files),
    };
    if check {
        let stale = write::stale(&target, &files);
        if stale.is_empty() {
            println!(
                "codegen --check: {} generated files are up to date",
                files.len()
            );
            return Ok(());
        }
        for report in &stale {
            eprintln!("{report}");
        }
        return Err(format!(
            "{} generated file(s) are stale; run `cargo xtask codegen` and commit the result",
            stale.len()
        ));
    }
    let written = write::write(&target, &files)?;
    for path in &written {
        println!("wrote {}", target.join(path).display());
    }
    println!("codegen: {} files, {} changed", files.len(), written.len());
    Ok(())
}
