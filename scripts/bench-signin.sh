#!/usr/bin/env bash
# Sign-in flood benchmark: starts the release server with a fresh SQLite database on a free port
# and runs cantara-signin-bench against it (1,000 concurrent wrong sign-ins, one correct one).
#   scripts/bench-signin.sh [ATTEMPTS] [ADDRESSES]     (defaults: 1000 1)
set -euo pipefail
cd "$(dirname "$0")/.."
attempts=${1:-1000} addresses=${2:-1}
cargo build --release -q -p server --bin cantara --bin cantara-signin-bench
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
work=$(mktemp -d)
password="bench-admin-$(date +%s)"
export CANTARA_DATABASE_URL="sqlite://$work/bench.db" CANTARA_DATA_DIR="$work/data" CANTARA_ADMIN_PASSWORD="$password"
RUST_LOG=warn target/release/cantara serve --listen "127.0.0.1:$port" --public-url "http://127.0.0.1:$port" >"$work/server.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true; wait $server 2>/dev/null || true; rm -rf "$work"' EXIT
for _ in $(seq 1 100); do curl -fsS "http://127.0.0.1:$port/readyz" >/dev/null 2>&1 && break; sleep 0.1; done
target/release/cantara-signin-bench --url "http://127.0.0.1:$port" --password "$password" \
  --server-pid "$server" --attempts "$attempts" --addresses "$addresses"
