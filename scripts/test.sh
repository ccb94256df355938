#!/usr/bin/env bash
# Every check Cantara has, in the order that reuses build output: set-up, formatting, the
# cargo-leptos release build, unit and integration tests (same release artifacts), clippy on
# the server and the wasm code, then Playwright and the SCIM conformance suites against the real
# release server.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/node_modules/.bin:$HOME/.cargo/bin:$PATH"
start=$(date +%s)
step() { printf '\n==> %s (%ss)\n' "$*" "$(( $(date +%s) - start ))"; }

step "set-up";                 scripts/setup.sh
step "cargo fmt --check";      cargo fmt --all -- --check
step "release build";          scripts/build.sh
step "unit and integration tests"
cargo test --release -p app -p server --features app/ssr
step "clippy (server)";        cargo clippy --release -p app -p server --features app/ssr --all-targets -- -D warnings
step "clippy (browser)";       cargo clippy --release -p frontend -p app --features app/hydrate --target wasm32-unknown-unknown -- -D warnings
step "end-to-end (Playwright, Chromium)"
end2end/run.sh
step "SCIM conformance suites (scim2-tester, scim-sanity, Microsoft Postman collection)"
scripts/scim-conformance.sh
step "all tests passed"
