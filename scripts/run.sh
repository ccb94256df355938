#!/usr/bin/env bash
# Sets up, builds, and runs Cantara with SQLite under ./data (configuration: see README).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
printf '\n==> building Cantara (release: about 18 minutes on 2 cores the first time, 1–5 minutes after a change)\n'
scripts/build.sh
export LEPTOS_SITE_ROOT="${LEPTOS_SITE_ROOT:-target/site}"
exec target/release/cantara serve "$@"
