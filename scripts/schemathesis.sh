#!/usr/bin/env bash
# Fuzzes the served API against its own OpenAPI document with Schemathesis
# (PyPI, pinned): every check, over every operation, with a brand's API key,
# with a brand's login session, and without credentials. Fails on any failure, including a status
# the document does not list. Run by scripts/test.sh after the Rust tests;
# needs the debug `scout` binary they build.
#   scripts/schemathesis.sh [examples per operation, default 25]
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/scout/target}"
examples="${1:-25}"
venv="$HOME/.cache/scout/schemathesis-4.32.5"
if [ ! -x "$venv/bin/st" ]; then
  echo "==> installing Schemathesis 4.32.5 (PyPI) in $venv"
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check schemathesis==4.32.5
fi
scout="$CARGO_TARGET_DIR/debug/scout"
# Always built here: `cargo test` does not relink the binary, so one left by an
# earlier build in the shared target folder could be stale.
cargo build --quiet --workspace --bins

work="$(mktemp -d)"
port=$((20000 + RANDOM % 20000))
base="http://127.0.0.1:$port"
cleanup() {
  if [ -n "${pid:-}" ]; then kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

# A served Scout with 300 demo profiles; no per-account rate limit, so the
# fuzzer reaches every operation instead of a 429.
SCOUT_LOG=warn "$scout" --data-dir "$work/data" serve --listen "127.0.0.1:$port" --demo-profiles 300 \
  --no-enrich --account-requests-per-minute 0 >"$work/serve.log" 2>&1 &
pid=$!
for _ in $(seq 1 120); do
  curl -sf "$base/readyz" >/dev/null 2>&1 && break
  sleep 1
done
curl -sf "$base/readyz" >/dev/null || { cat "$work/serve.log"; echo "scout did not start" >&2; exit 1; }

# A brand with an API key holding every scope a brand may have: a key, not a
# session, so that the fuzzer's own logout or password change cannot end it.
curl -sf -X POST "$base/v1/auth/register" -H 'content-type: application/json' \
  -d '{"email":"fuzz@brand.test","password":"fuzzing passphrase","role":"brand","name":"Fuzz"}' >/dev/null
# Sign-up answers before the account exists: its verification mail says it does.
for _ in $(seq 1 100); do
  grep -qs '"to":"fuzz@brand.test"' "$work/data/mail.jsonl" && break
  sleep 0.1
done
login() {
  curl -sf -X POST "$base/v1/auth/login" -H 'content-type: application/json' \
    -d '{"email":"fuzz@brand.test","password":"fuzzing passphrase"}' | python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])'
}
access="$(login)"
# The session pass's own session, taken now: the passes before it use up the
# per-address budget of the credential endpoints (a 15-minute token outlives the run).
session="$(login)"
key="$(curl -sf -X POST "$base/v1/keys" -H "authorization: Bearer $access" -H 'content-type: application/json' \
  -d '{"name":"fuzz","scopes":["search","lists:read","lists:write"]}' | python3 -c 'import json,sys; print(json.load(sys.stdin)["secret"])')"

# Three passes: the API key (what integrators hold), a login session (the
# operations only a person may call: keys, organisation, account; logout is
# left out so that the pass keeps its session), and no credentials at all.
status=0
for who in key session none; do
  args=()
  case "$who" in
    key) args=(-H "Authorization: Bearer $key") ;;
    session) args=(-H "Authorization: Bearer $session" --exclude-path /v1/auth/logout) ;;
  esac
  echo "==> Schemathesis ($who credentials, $examples examples per operation)"
  SCHEMATHESIS_HOOKS=scout_hooks PYTHONPATH=scripts/schemathesis \
    "$venv/bin/st" --config-file scripts/schemathesis/schemathesis.toml run "$base/openapi.json" --checks all --max-examples "$examples" \
    --workers 2 --phases examples,coverage,fuzzing --suppress-health-check all --no-color "${args[@]}" \
    --exclude-path /metrics || status=1
done
[ $status -eq 0 ] && echo "schemathesis: no failures" || echo "schemathesis: FAILURES (see above)"
exit $status
