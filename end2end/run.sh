#!/usr/bin/env bash
# Starts the real release server on a free port with a fresh SQLite database, runs the
# Playwright suite against it in Debian's Chromium, and stops the server.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
work=$(mktemp -d)
base="http://127.0.0.1:$port"
export E2E_ADMIN_PASSWORD="e2e-admin-password-$(date +%s)"

CANTARA_ADMIN_PASSWORD="$E2E_ADMIN_PASSWORD" LEPTOS_SITE_ROOT="$root/target/site" \
  "$root/target/release/cantara" serve --listen "127.0.0.1:$port" --public-url "$base" \
  --database-url "sqlite://$work/e2e.db" --data-dir "$work/data" >"$work/server.log" 2>&1 &
server=$!
cleanup() { kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT

for _ in $(seq 1 100); do
  curl -fsS "$base/readyz" >/dev/null 2>&1 && break
  kill -0 "$server" 2>/dev/null || { cat "$work/server.log"; exit 1; }
  sleep 0.2
done
curl -fsS "$base/readyz" >/dev/null || { echo "server did not become ready"; cat "$work/server.log"; exit 1; }

cd end2end
BASE_URL="$base" npx playwright test "$@" || { status=$?; echo "--- server log"; tail -n 50 "$work/server.log"; exit $status; }
