#!/usr/bin/env bash
# `make bench-tti`: time to interactive of the sign-in, Users and Home pages in real Chromium under
# "Fast 3G" and 4× CPU throttling (end2end/perf/tti.mjs), against the release server on a free
# port with a fresh SQLite database. CANTARA_BIN and CANTARA_SITE_ROOT measure another build
# (defaults: target/release/cantara and target/site). Arguments: runs per page (default 3).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
bin=${CANTARA_BIN:-$root/target/release/cantara}
site=${CANTARA_SITE_ROOT:-$root/target/site}
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
work=$(mktemp -d)
base="http://127.0.0.1:$port"
export E2E_ADMIN_PASSWORD="tti-admin-password-$(date +%s)"
CANTARA_ADMIN_PASSWORD="$E2E_ADMIN_PASSWORD" LEPTOS_SITE_ROOT="$site" \
  "$bin" serve --listen "127.0.0.1:$port" --public-url "$base" \
  --database-url "sqlite://$work/tti.db" --data-dir "$work/data" >"$work/server.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true; wait $server 2>/dev/null || true; rm -rf "$work"' EXIT
for _ in $(seq 1 100); do
  curl -fsS "$base/readyz" >/dev/null 2>&1 && break
  kill -0 "$server" 2>/dev/null || { cat "$work/server.log"; exit 1; }
  sleep 0.2
done
printf 'page\tTTI median ms\tmin\tmax\twasm+JS bytes on the wire\trequests\n'
BASE_URL="$base" node end2end/perf/tti.mjs "${1:-3}"
