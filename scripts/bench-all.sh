#!/usr/bin/env bash
# `make bench`: every performance figure of the README in one table, measured now on this machine.
#   - SCIM against this machine's SQLite ceiling (`../shared/bench/compare.sh`, 2,000 and 20,000 users)
#   - SCIM on PostgreSQL, one and two instances (scripts/bench.sh, BENCH_DB=postgres)
#   - single sign-on (`cantara-sso-bench`) and console pages (`cantara-console-bench`)
#   - the console's wasm and JavaScript as served (the release site in target/site), and the
#     time to interactive of the sign-in, Users and Home pages (scripts/bench-tti.sh)
# BENCH_QUICK=1 skips the 20,000-user comparison and PostgreSQL. Raw outputs stay in the folder it
# prints at the end. Takes about 15 minutes on 2 cores (after a release build).
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
shared=${CANTARA_SHARED_BENCH:-../shared/bench}
out=$(mktemp -d "${TMPDIR:-/tmp}/cantara-bench.XXXXXX")
quick=${BENCH_QUICK:-}

step() { printf '==> %s\n' "$*" >&2; }

step "building the release server, benchmarks and site"
scripts/build.sh >"$out/build.log" 2>&1 || { cat "$out/build.log" >&2; exit 1; }
cargo build --release -q -p server --bin cantara --bin cantara-bench \
  --bin cantara-sso-bench --bin cantara-console-bench

rows="$out/rows.tsv"
: >"$rows"
row() { printf '%s\t%s\t%s\n' "$1" "$2" "$3" >>"$rows"; } # what, figure, yardstick

compare() { # users groups members-per-group
  if [ ! -x "$shared/compare.sh" ]; then
    row "SCIM against the SQLite ceiling ($1 users)" "skipped: no $shared/compare.sh" ""
    return
  fi
  step "SCIM against this machine's SQLite ceiling, $1 users (compare.sh)"
  "$shared/compare.sh" "$1" "$2" "$3" 8 >"$out/compare-$1.txt" 2>&1 || true
  python3 - "$out/compare-$1.txt" "$1" >>"$rows" <<'PY'
import re, sys
text = open(sys.argv[1]).read()
users = int(sys.argv[2])
targets = {"provision": 0.5, "update": 0.45, "lookup": 0.7}
found = False
for name, target in targets.items():
    m = re.search(rf"\| {name} \| ([\d,]+) \(.*?\) \| ([\d,]+) \(.*?\) \| ([\d.]+) \|", text)
    if m:
        found = True
        print(f"SCIM {name}, {users:,} users (req/s)\t{m.group(1)} = {m.group(3)} × ceiling\t{m.group(2)}; target ≥ {target} ×")
m = re.search(r"verify: (\w+); peak resident memory (\d+) MiB", text)
if m:
    print(f"SCIM verify and peak RSS, {users:,} users\t{m.group(1)}, {m.group(2)} MiB\ttarget PASS, < 60 MB")
if not found:
    print(f"SCIM against the SQLite ceiling ({users:,} users)\tfailed: see {sys.argv[1]}\t")
PY
}

compare 2000 20 100
[ -n "$quick" ] || compare 20000 200 100

pg() { # instances
  step "SCIM on PostgreSQL, $1 instance(s) (scripts/bench.sh 20000 200 8)"
  BENCH_DB=postgres BENCH_INSTANCES=$1 scripts/bench.sh 20000 200 8 >"$out/pg-$1.txt" 2>&1 || true
  python3 - "$out/pg-$1.txt" "$1" >>"$rows" <<'PY'
import re, sys
text = open(sys.argv[1]).read()
n = sys.argv[2]
m = re.search(r"provisioning mix.*?\s([\d,.]+) req/s", text)
u = re.search(r"updates.*?\s([\d,.]+) req/s", text)
l = re.search(r"lookups.*?\s([\d,.]+) req/s", text)
if m and u and l:
    print(f"SCIM on PostgreSQL, {n} instance(s) (req/s)\tprovision {m.group(1)}, update {u.group(1)}, lookup {l.group(1)}\t")
else:
    print(f"SCIM on PostgreSQL, {n} instance(s)\tfailed: see {sys.argv[1]}\t")
PY
}
if [ -z "$quick" ]; then pg 1; pg 2; fi

step "single sign-on (cantara-sso-bench)"
cargo run --release -q -p server --bin cantara-sso-bench >"$out/sso.txt" 2>&1 || true
step "console pages (cantara-console-bench, 100,000 users)"
cargo run --release -q -p server --bin cantara-console-bench >"$out/console.txt" 2>&1 || true
python3 - "$out/sso.txt" "$out/console.txt" >>"$rows" <<'PY'
import re, sys
for path, kind in ((sys.argv[1], "sign-ins"), (sys.argv[2], "requests")):
    lines = [l for l in open(path).read().splitlines() if re.search(rf"{kind}\s+p50", l)]
    if not lines:
        print(f"{path}\tfailed: see {path}\t")
    for l in lines:
        m = re.match(rf"(.*?)\s+(\d+) {kind}\s+p50\s+([\d.]+) ms\s+p90\s+([\d.]+) ms\s+p99\s+([\d.]+) ms", l)
        if m:
            label = ("SSO " if kind == "sign-ins" else "console ") + m.group(1).strip()
            print(f"{label}\tp50 {m.group(3)} ms, p99 {m.group(5)} ms\t")
PY

step "the console's wasm and JavaScript (as served: gzip and brotli)"
python3 - target/site/pkg >>"$rows" <<'PY'
import os, sys
pkg = sys.argv[1]
def size(name):
    path = os.path.join(pkg, name)
    return os.path.getsize(path) if os.path.exists(path) else 0
names = [n for n in sorted(os.listdir(pkg)) if n.endswith((".wasm", ".js"))]
raw, gz, br = (sum(size(n + ext) for n in names) for ext in ("", ".gz", ".br"))
print(f"wasm + JS every console page loads\t{raw / 1024:,.0f} KiB; {gz / 1024:,.0f} KiB gzip, {br / 1024:,.0f} KiB brotli as served\ttarget ≤ 300 KiB any page")
print("wasm + JS the sign-in pages load\tnone (server-rendered; see the time to interactive below)\ttarget ≤ 150 KiB")
PY

step "time to interactive, Fast 3G and 4× CPU (scripts/bench-tti.sh, Chromium)"
scripts/bench-tti.sh 3 >"$out/tti.txt" 2>&1 || true
python3 - "$out/tti.txt" >>"$rows" <<'PY'
import sys
lines = [l.split("\t") for l in open(sys.argv[1]).read().splitlines()[1:] if l.count("\t") == 5]
if not lines:
    print(f"time to interactive\tfailed: see {sys.argv[1]}\t")
for page, median, lo, hi, size, requests in lines:
    print(f"time to interactive, {page}\t{int(median):,} ms (of 3: {int(lo):,}–{int(hi):,}), {int(size) / 1024:,.0f} KiB wasm + JS on the wire in {requests} requests\tFast 3G, 4× CPU, empty cache")
PY

echo
echo "| measure | figure | yardstick |"
echo "|---|---|---|"
while IFS=$'\t' read -r what figure yard; do
  echo "| $what | $figure | $yard |"
done <"$rows"
echo
echo "raw outputs: $out"
