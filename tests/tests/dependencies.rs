//! What a user's build of the two crates compiles. Their serde impls are written by macros of the
//! types crate, never derived, so that no program using them builds serde's derive macro (with
//! the `syn` features it needs): a few seconds of every clean build. Likewise the client writes
//! its multipart bodies itself.

use std::process::Command;

use xtask::codegen;

/// The crates of `cargo tree` for the client as a user depends on it, with `features`.
fn users_build(features: &[&str]) -> Vec<String> {
    let root = codegen::workspace_root();
    let output = Command::new(codegen::cargo())
        .args(["tree", "--offline", "--locked", "-p", "pages-api-client"])
        .args(["-e", "normal,build", "--prefix", "none"])
        .args(features)
        .current_dir(root)
        .output()
        .expect("cargo runs");
    assert!(
        output.status.success(),
        "cargo tree failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .filter_map(|line| line.split(' ').next())
        .map(str::to_owned)
        .collect()
}

#[test]
fn a_users_build_has_no_serde_derive() {
    // Default features, and Direct Upload's (the transport features only switch reqwest's).
    for features in [&[][..], &["--features", "deploy"]] {
        let crates = users_build(features);
        assert!(
            crates.iter().any(|c| c == "pages-api-types"),
            "{features:?}: {crates:?}"
        );
        assert!(
            !crates.iter().any(|c| c == "serde_derive"),
            "{features:?}: serde_derive is in a user's build again: some crate derives serde \
             (use `object_serde!`/`untagged_serde!` or a hand-written impl) or asks for serde's \
             `derive` feature"
        );
    }
}

#[test]
fn only_direct_upload_guesses_content_types() {
    // The client writes `multipart/form-data` itself: reqwest's `multipart` feature would bring
    // `mime_guess`, `mime` and `unicase` into every program (about 1.8 s of a clean build).
    let default = users_build(&[]);
    for absent in ["mime_guess", "mime", "unicase"] {
        assert!(
            !default.iter().any(|c| c == absent),
            "{absent} is in a user's default build again: is reqwest's `multipart` feature on?"
        );
    }
    let deploy = users_build(&["--features", "deploy"]);
    assert!(
        deploy.iter().any(|c| c == "mime_guess"),
        "Direct Upload names each asset's content type with mime_guess"
    );
}
