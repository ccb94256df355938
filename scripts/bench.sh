#!/usr/bin/env bash
# SCIM benchmark: starts the release server with a fresh SQLite database on a free port, creates a
# tenant and a provisioning token with the CLI, and runs cantara-bench against it.
#   scripts/bench.sh [USERS] [GROUPS] [CONCURRENCY]      (defaults: 10000 100 8)
set -euo pipefail
cd "$(dirname "$0")/.."
users=${1:-10000} groups=${2:-100} conc=${3:-8}
cargo build --release -q -p server --bin cantara --bin cantara-bench
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
work=$(mktemp -d)
export CANTARA_DATABASE_URL="sqlite://$work/bench.db" CANTARA_DATA_DIR="$work/data"
RUST_LOG=warn target/release/cantara serve --listen "127.0.0.1:$port" --public-url "http://127.0.0.1:$port" >"$work/server.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true; wait $server 2>/dev/null || true; rm -rf "$work"' EXIT
for _ in $(seq 1 100); do curl -fsS "http://127.0.0.1:$port/readyz" >/dev/null 2>&1 && break; sleep 0.1; done
tenant=$(target/release/cantara tenant create --name bench | tail -n 1)
token=$(target/release/cantara token create --tenant "$tenant" --description bench | tail -n 1)
target/release/cantara-bench --url "http://127.0.0.1:$port/scim/v2/$tenant" --token "$token" \
  --users "$users" --groups "$groups" --concurrency "$conc" --server-pid "$server"
