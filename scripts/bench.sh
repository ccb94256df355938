#!/usr/bin/env bash
# SCIM benchmark: starts the release server with a fresh database on a free port, creates a tenant
# and a provisioning token with the CLI, and runs cantara-bench against it.
#   scripts/bench.sh [USERS] [GROUPS] [CONCURRENCY]      (defaults: 10000 100 8)
#   BENCH_DB=postgres      on PostgreSQL: a private, durable cluster (scripts/postgres.sh; fsync on)
#   BENCH_INSTANCES=2      several instances on the one database, the load sent to each in turn
set -euo pipefail
cd "$(dirname "$0")/.."
users=${1:-10000} groups=${2:-100} conc=${3:-8}
db=${BENCH_DB:-sqlite} instances=${BENCH_INSTANCES:-1}
cargo build --release -q -p server --bin cantara --bin cantara-bench
work=$(mktemp -d) pg_dir=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done
  [ "$db" = postgres ] && scripts/postgres.sh stop "$pg_dir" || true
  rm -rf "$work" "$pg_dir"
}
trap cleanup EXIT
case "$db" in
  sqlite) export CANTARA_DATABASE_URL="sqlite://$work/bench.db" ;;
  postgres) export CANTARA_DATABASE_URL=$(PG_DURABLE=1 scripts/postgres.sh start "$pg_dir") ;;
  *) echo "BENCH_DB must be sqlite or postgres" >&2; exit 2 ;;
esac
CANTARA_SECRET_KEY=$(python3 -c 'import base64, os; print(base64.b64encode(os.urandom(32)).decode())')
export CANTARA_SECRET_KEY CANTARA_DATA_DIR="$work/data"
urls=() pid_args=()
tenant=
for i in $(seq 1 "$instances"); do
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  RUST_LOG=warn target/release/cantara serve --listen "127.0.0.1:$port" --public-url "http://127.0.0.1:$port" >"$work/server-$i.log" 2>&1 &
  pids+=($!)
  for _ in $(seq 1 300); do curl -fsS "http://127.0.0.1:$port/readyz" >/dev/null 2>&1 && break; sleep 0.1; done
  [ -n "$tenant" ] || tenant=$(target/release/cantara tenant create --name bench | tail -n 1)
  urls+=(--url "http://127.0.0.1:$port/scim/v2/$tenant")
  pid_args+=(--server-pid "${pids[-1]}")
done
token=$(target/release/cantara token create --tenant "$tenant" --description bench | tail -n 1)
echo "database: $db, instances: $instances"
target/release/cantara-bench "${urls[@]}" --token "$token" \
  --users "$users" --groups "$groups" --concurrency "$conc" "${pid_args[@]}"
