#!/usr/bin/env bash
# CI entry point: `bash .ci/run` from a fresh clone (with ../shared beside the repo) on a fresh
# Debian machine that has rustup's cargo. Installs what is missing, then runs every check.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

target_dir="${CARGO_TARGET_DIR:-$root/target}"

SECONDS=0
step_name=""
step_started=0
summary=()
tmp=""

finish_step() {
    if [[ -n "$step_name" ]]; then
        local took=$((SECONDS - step_started))
        summary+=("$(printf '%5ss  %s' "$took" "$step_name")")
        echo "--- $step_name: done in ${took}s"
    fi
}

step() {
    finish_step
    step_name="$1"
    step_started=$SECONDS
    echo
    echo "=== [${SECONDS}s] $step_name"
}

on_exit() {
    local status=$?
    if [[ -n "$tmp" ]]; then
        rm -rf "$tmp"
    fi
    if [[ $status -ne 0 ]]; then
        echo
        echo "=== [${SECONDS}s] FAILED in step: ${step_name:-setup} (exit status $status)"
    fi
}
trap on_exit EXIT

as_root() {
    if [[ "$(id -u)" -eq 0 ]]; then
        "$@"
    elif command -v sudo >/dev/null 2>&1; then
        sudo "$@"
    else
        echo "need root to run: $*" >&2
        return 1
    fi
}

# ---------------------------------------------------------------------------------------------
step "9/9 publishable: cargo publish --dry-run of both crates, and their tests from the packaged tarballs"
# --no-verify: the tests below build each tarball anyway. Both crates in one command: the
# client's pages-api-types (not on crates.io yet) resolves to the one packaged beside it.
cargo publish --dry-run --allow-dirty --no-verify -p pages-api-types -p pages-api-client
version="$(sed -n 's/^version = "\(.*\)"$/\1/p' Cargo.toml | head -n 1)" # [workspace.package]
unpacked="$target_dir/package-tests"
rm -rf "$unpacked"
mkdir -p "$unpacked"
for crate in pages-api-types pages-api-client; do
    tar -xzf "$target_dir/package/$crate-$version.crate" -C "$unpacked"
done
# Each unpacked crate is its own workspace; the client takes the packaged types crate.
printf '\n[workspace]\n' >>"$unpacked/pages-api-types-$version/Cargo.toml"
printf '\n[workspace]\n\n[patch.crates-io]\npages-api-types = { path = "../pages-api-types-%s" }\n' \
    "$version" >>"$unpacked/pages-api-client-$version/Cargo.toml"
# The workspace's profile (quick debug info, the hashing optimized) as --config: a packaged
# crate carries no profile of its own.
package_profile=(
    --config 'profile.dev.debug="line-tables-only"'
    --config 'profile.dev.package.blake3.opt-level=3'
    --config 'profile.dev.package.base64-simd.opt-level=3'
    --config 'profile.dev.package.serde_json.opt-level=2'
)
for crate in pages-api-types pages-api-client; do
    echo "--- $crate: cargo test in the unpacked tarball"
    (cd "$unpacked/$crate-$version" && CARGO_TARGET_DIR="$target_dir/package-tests-target" \
        cargo test "${package_profile[@]}" --no-fail-fast)
done

finish_step
