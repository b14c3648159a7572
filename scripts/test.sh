#!/usr/bin/env bash
# Runs Scout's whole test suite: starts PostgreSQL and Redis if they are down, sets up the
# models, then runs every crate's tests (the store suite on SQLite and PostgreSQL) and the
# Schemathesis fuzzer over the served API.
set -euo pipefail
# pipefail makes a failing cargo test fail the script despite tee.
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/scout/target}"

if ! pg_isready -h 127.0.0.1 -p 5432 -q 2>/dev/null; then
  echo "==> starting PostgreSQL"
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n1)" main start
  for _ in $(seq 1 30); do pg_isready -h 127.0.0.1 -p 5432 -q && break; sleep 1; done
fi

# Redis backs the shared rate limits (their tests connect to 127.0.0.1:6379).
if ! (exec 3<>/dev/tcp/127.0.0.1/6379) 2>/dev/null; then
  echo "==> starting Redis"
  mkdir -p /var/lib/redis /var/log/redis
  redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no \
    --dir /var/lib/redis --logfile /var/log/redis/ci.log
  for _ in $(seq 1 30); do (exec 3<>/dev/tcp/127.0.0.1/6379) 2>/dev/null && break; sleep 1; done
fi

# Chromium for the web app's browser tests (tests/it/web.rs drives it with Playwright).
if [ ! -x /usr/bin/chromium ]; then
  echo "==> installing Chromium (Debian package) for the browser tests"
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y -q chromium >/dev/null 2>&1 || { apt-get update -q >/dev/null && apt-get install -y -q chromium >/dev/null; }
fi

# xmllint validates the SEPA payout files against the published ISO 20022 schema.
if ! command -v xmllint >/dev/null; then
  echo "==> installing xmllint (libxml2-utils) for the payout file tests"
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y -q libxml2-utils >/dev/null 2>&1 || { apt-get update -q >/dev/null && apt-get install -y -q libxml2-utils >/dev/null; }
fi

scripts/setup.sh debug
export SCOUT_MINILM_DIR="$(cat models/.minilm-dir)"
cargo fmt --all -- --check
log="$(mktemp)"
trap 'rm -f "$log"' EXIT
# The web app's unit tests (Vitest): the URL state round trip and friends.
NO_COLOR=1 npm test --prefix web --silent -- --reporter=dot 2>&1 | tee -a "$log"
cargo test --workspace --doc 2>&1 | tee -a "$log"
cargo test --workspace --all-targets 2>&1 | tee -a "$log"
# One closing line over every test binary of both runs.
awk '/^test result:|^ *Tests +[0-9]/ { for (i = 1; i <= NF; i++) { if ($(i+1) ~ /^passed/) p += $i; if ($(i+1) ~ /^failed/) f += $i } }
     END { printf "scout: %d passed, %d failed\n", p, f }' "$log"
# The HTTP contract: Schemathesis fuzzes the served API against its own
# OpenAPI document (with an API key, a login session and no credentials) and
# fails on any failure or undocumented status.
scripts/schemathesis.sh
