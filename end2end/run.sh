#!/usr/bin/env bash
# Starts the real release server on a free port with a fresh SQLite database, and a real OpenID
# provider shaped like Entra ID (oidc/entra-mock.mjs) on another, runs the Playwright suite
# against them in Debian's Chromium, and stops both.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
port=$(free_port)
oidc_port=$(free_port)
work=$(mktemp -d)
base="http://127.0.0.1:$port"
export E2E_ADMIN_PASSWORD="e2e-admin-password-$(date +%s)"

CANTARA_ALLOW_PRIVATE_IDP_URLS=true CANTARA_ADMIN_PASSWORD="$E2E_ADMIN_PASSWORD" LEPTOS_SITE_ROOT="$root/target/site" \
  "$root/target/release/cantara" serve --listen "127.0.0.1:$port" --public-url "$base" \
  --database-url "sqlite://$work/e2e.db" --data-dir "$work/data" >"$work/server.log" 2>&1 &
server=$!
OIDC_PORT="$oidc_port" CANTARA_URL="$base" node end2end/oidc/entra-mock.mjs >"$work/oidc.log" 2>&1 &
oidc=$!
cleanup() {
  kill "$server" "$oidc" 2>/dev/null || true
  wait "$server" "$oidc" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

for _ in $(seq 1 100); do
  curl -fsS "$base/readyz" >/dev/null 2>&1 && break
  kill -0 "$server" 2>/dev/null || { cat "$work/server.log"; exit 1; }
  sleep 0.2
done
curl -fsS "$base/readyz" >/dev/null || { echo "server did not become ready"; cat "$work/server.log"; exit 1; }
export OIDC_ISSUER="http://127.0.0.1:$oidc_port/11111111-2222-3333-4444-555555555555/v2.0"
for _ in $(seq 1 100); do
  curl -fsS "$OIDC_ISSUER/.well-known/openid-configuration" >/dev/null 2>&1 && break
  sleep 0.2
done
curl -fsS "$OIDC_ISSUER/.well-known/openid-configuration" >/dev/null || { echo "OpenID provider did not start"; cat "$work/oidc.log"; exit 1; }

cd end2end
BASE_URL="$base" npx playwright test "$@" || {
  status=$?
  echo "--- server log"; tail -n 50 "$work/server.log"
  echo "--- OpenID provider log"; tail -n 20 "$work/oidc.log"
  exit $status
}
