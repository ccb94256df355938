#!/usr/bin/env bash
# Release build of the whole site (server binary, wasm, JS, CSS) with cargo-leptos, offline:
# every tool it needs is found on PATH, so it downloads nothing.
#   --precompress  .gz and .br beside every asset; the server sends them to browsers that accept them
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/node_modules/.bin:$HOME/.cargo/bin:$PATH"
cargo leptos build --release --precompress
