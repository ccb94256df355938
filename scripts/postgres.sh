#!/usr/bin/env bash
# A private PostgreSQL cluster for the tests: its own folder, its own port on 127.0.0.1, a random
# password, gone when the folder is deleted. Debian's `postgresql` package is installed when no
# server binaries are found.
#
#   scripts/postgres.sh install     make sure initdb/pg_ctl exist (idempotent)
#   scripts/postgres.sh start DIR   initdb into DIR (first time) and start; prints the URL
#                                   (PG_DURABLE=1: keep fsync and synchronous commit on)
#   scripts/postgres.sh stop DIR    fast shutdown (connections are cut); DIR stays
#
# Run as root, the server runs as the `postgres` user (initdb refuses root); otherwise as the
# caller. Starting a stopped DIR again reuses its data, port and password.
set -euo pipefail

bindir() {
  local d
  for d in /usr/lib/postgresql/*/bin; do
    [ -x "$d/initdb" ] && { echo "$d"; return 0; }
  done
  command -v initdb >/dev/null 2>&1 && { dirname "$(command -v initdb)"; return 0; }
  return 1
}

install() {
  bindir >/dev/null && return 0
  echo "==> installing Debian's postgresql" >&2
  if [ "$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi
  $SUDO apt-get update -q >&2
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends postgresql >&2
  bindir >/dev/null
}

as_owner() { # runs a server binary as the cluster's owner
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

start() {
  local dir=$1 bin
  install
  bin=$(bindir)
  mkdir -p "$dir"
  dir=$(cd "$dir" && pwd)
  [ "$(id -u)" = 0 ] && chown postgres "$dir"
  if [ ! -f "$dir/data/PG_VERSION" ]; then
    python3 -c 'import secrets; print(secrets.token_hex(16))' >"$dir/password"
    free_port >"$dir/port"
    chmod 600 "$dir/password"
    [ "$(id -u)" = 0 ] && chown postgres "$dir/password" "$dir/port"
    as_owner "$bin/initdb" -D "$dir/data" -U postgres --pwfile="$dir/password" \
      --auth=scram-sha-256 -E UTF8 --locale=C.UTF-8 --no-sync >"$dir/initdb.log" 2>&1 ||
      { cat "$dir/initdb.log" >&2; exit 1; }
  fi
  # Only loopback TCP and a socket inside DIR. Tests skip fsync (the cluster is thrown away);
  # PG_DURABLE=1 (benchmarks) keeps PostgreSQL's durable defaults.
  local fast="-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
  [ "${PG_DURABLE:-0}" = 1 ] && fast=
  as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 start -o \
    "-c listen_addresses=127.0.0.1 -p $(cat "$dir/port") -k $dir $fast -c max_connections=400" >/dev/null ||
    { cat "$dir/server.log" >&2; exit 1; }
  echo "postgres://postgres:$(cat "$dir/password")@127.0.0.1:$(cat "$dir/port")/postgres"
}

stop() {
  local dir=$1 bin
  bin=$(bindir) || return 0
  [ -f "$dir/data/postmaster.pid" ] || return 0
  as_owner "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null
}

case "${1:-}" in
  install) install ;;
  start) start "${2:?DIR}" ;;
  stop) stop "${2:?DIR}" ;;
  *) echo "usage: $0 install | start DIR | stop DIR" >&2; exit 2 ;;
esac
