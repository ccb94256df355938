#!/usr/bin/env bash
# Sets up, builds, and runs Cantara with SQLite under ./data (configuration: see README).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
scripts/build.sh
export LEPTOS_SITE_ROOT="${LEPTOS_SITE_ROOT:-target/site}"
exec target/release/cantara serve "$@"
