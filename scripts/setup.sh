#!/usr/bin/env bash
# Installs what building and testing Cantara needs, skipping whatever is already there at the
# right version (safe to run again): the wasm target, cargo-leptos and wasm-bindgen-cli at pinned
# versions, the npm build/test tools from their lockfiles, and Debian's chromium. (The tests'
# PostgreSQL is installed by scripts/postgres.sh when the test command needs it.)
set -euo pipefail
cd "$(dirname "$0")/.."

CARGO_LEPTOS_VERSION=0.3.11
# Must equal the wasm-bindgen crate pinned in Cargo.toml.
WASM_BINDGEN_VERSION=0.2.130
export PATH="$HOME/.cargo/bin:$PATH"

step() { printf '\n==> %s\n' "$*"; }

if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  step "adding the wasm32-unknown-unknown target (a few seconds)"
  rustup target add wasm32-unknown-unknown
fi

if [ "$(cargo leptos --version 2>/dev/null | awk '{print $2}')" != "$CARGO_LEPTOS_VERSION" ]; then
  # A debug build of the tool: it compiles in minutes instead of most of an hour, and builds
  # Cantara as fast (the compiler does the work; see shared docs/toolchain.md).
  step "installing cargo-leptos $CARGO_LEPTOS_VERSION from crates.io, debug build (about 7–9 minutes on 2 cores)"
  # Its lockfile pins cargo-util-schemas 0.14.2, which needs a newer rustc than 1.95: install
  # from an unpacked copy with that one entry downgraded (see shared docs/toolchain.md).
  work=$(mktemp -d)
  # Fails fast on the rustc check, but leaves the unpacked sources in the registry.
  cargo install cargo-leptos --version "$CARGO_LEPTOS_VERSION" --locked >/dev/null 2>&1 || true
  src=$(ls -d "$HOME"/.cargo/registry/src/*/cargo-leptos-"$CARGO_LEPTOS_VERSION" | head -n1)
  cp -r "$src" "$work/cargo-leptos"
  (cd "$work/cargo-leptos" &&
    cargo update -q -p cargo-util-schemas --precise 0.14.1 &&
    CARGO_PROFILE_DEV_DEBUG=0 cargo install --path . --locked --debug)
  rm -rf "$work"
fi

if [ "$(wasm-bindgen --version 2>/dev/null | awk '{print $2}')" != "$WASM_BINDGEN_VERSION" ]; then
  step "installing wasm-bindgen-cli $WASM_BINDGEN_VERSION from crates.io, debug build (about 2 minutes on 2 cores)"
  # Not --locked: its lockfile pins a webpki-roots version the index no longer offers.
  CARGO_PROFILE_DEV_DEBUG=0 cargo install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION" --debug
fi

npm_install() { # dir — `npm ci` only when the lockfile differs from the one last installed
  if ! cmp -s "$1/package-lock.json" "$1/node_modules/.installed-package-lock.json"; then
    step "installing npm packages in $1 (about 15 seconds)"
    (cd "$1" && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error)
    cp "$1/package-lock.json" "$1/node_modules/.installed-package-lock.json"
  fi
}
npm_install .
npm_install end2end

# Python SCIM conformance suites (scim2-tester via scim2-cli, scim-sanity) and the SMTP server
# the alert tests send to (aiosmtpd), pinned, in a venv.
venv=.tools/venv
venv_ok() { # requirements files — every pin installed
  local frozen; frozen=$("$venv/bin/pip" freeze 2>/dev/null) || return 1
  for f in "$@"; do
    while read -r pin; do grep -qxiF "$pin" <<<"$frozen" || return 1; done <"$f"
  done
}
if [ ! -x "$venv/bin/scim2" ] || [ ! -x "$venv/bin/scim-sanity" ] ||
   ! venv_ok conformance/requirements.txt server/tests/tools/requirements.txt; then
  step "installing the SCIM conformance suites and aiosmtpd (PyPI) into $venv (about 20 seconds)"
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q -r conformance/requirements.txt -r server/tests/tools/requirements.txt
fi

if ! command -v chromium >/dev/null 2>&1; then
  step "installing Debian's chromium (about 30 seconds)"
  if [ "$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi
  $SUDO apt-get update -q
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends chromium
fi
