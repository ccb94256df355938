#!/usr/bin/env bash
# Every check Cantara has, in the order that reuses build output: set-up, formatting, the
# cargo-leptos release build, unit and integration tests (same release artifacts; the integration
# suite once on SQLite and once on PostgreSQL), clippy on the server and the wasm code, then
# Playwright and the SCIM conformance suites against the real release server (SQLite; scim2-tester
# also on PostgreSQL).
#
# PostgreSQL: the server `CANTARA_TEST_POSTGRES_URL` names (each test makes its own database
# there), or else a private cluster started here (scripts/postgres.sh) and stopped on exit.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/node_modules/.bin:$HOME/.cargo/bin:$PATH"
start=$(date +%s)
step() { printf '\n==> %s (%ss)\n' "$*" "$(( $(date +%s) - start ))"; }

step "set-up";                 scripts/setup.sh
step "cargo fmt --check";      cargo fmt --all -- --check
step "release build";          scripts/build.sh
step "PostgreSQL for the second pass"
pg_url=${CANTARA_TEST_POSTGRES_URL:-}
unset CANTARA_TEST_POSTGRES_URL
scripts/postgres.sh install   # psql and, for the cluster and the readiness test, the server
if [ -n "$pg_url" ]; then
  psql "$pg_url" -Atqc 'SELECT 1' >/dev/null || { echo "CANTARA_TEST_POSTGRES_URL is not reachable" >&2; exit 1; }
  # A server of the caller's: afterwards, drop the databases the tests made there (cantara_test_*).
  drop_test_databases() {
    psql "$pg_url" -Atqc "SELECT datname FROM pg_database WHERE datname LIKE 'cantara\_test\_%'" |
      while read -r db; do psql "$pg_url" -qc "DROP DATABASE IF EXISTS \"$db\"" || true; done
  }
  trap drop_test_databases EXIT
else
  pg_dir=$(mktemp -d /tmp/cantara-test-pg.XXXXXX)
  trap 'scripts/postgres.sh stop "$pg_dir" || true; rm -rf "$pg_dir"' EXIT
  pg_url=$(scripts/postgres.sh start "$pg_dir")
fi
pg_database() { # name — a fresh database on the test server; prints its URL
  PGOPTIONS=--client-min-messages=warning \
    psql "$pg_url" -Atqc "DROP DATABASE IF EXISTS $1" -c "CREATE DATABASE $1" >/dev/null
  python3 -c 'import sys, urllib.parse as u; p = u.urlsplit(sys.argv[1]); print(u.urlunsplit(p._replace(path="/" + sys.argv[2])))' "$pg_url" "$1"
}
step "unit and integration tests (SQLite)"
cargo test --release -p app -p server --features app/ssr
step "integration tests (PostgreSQL)"
CANTARA_TEST_POSTGRES_URL=$pg_url CANTARA_TEST_REQUIRE_POSTGRES=1 \
  cargo test --release -p server --features app/ssr --test it
step "clippy (server)";        cargo clippy --release -p app -p server --features app/ssr --all-targets -- -D warnings
step "clippy (browser)";       cargo clippy --release -p frontend -p app --features app/hydrate --target wasm32-unknown-unknown -- -D warnings
step "end-to-end (Playwright, Chromium)"
end2end/run.sh
step "SCIM conformance suites (scim2-tester, scim-sanity, Microsoft Postman collection)"
scripts/scim-conformance.sh
step "SCIM conformance on PostgreSQL (scim2-tester)"
SCIM_SUITES=scim2-tester SCIM_DATABASE_URL=$(pg_database cantara_test_conformance) scripts/scim-conformance.sh
step "all tests passed"
