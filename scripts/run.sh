#!/usr/bin/env bash
# Sets up and runs Scout with everything embedded under ./data.
# Extra arguments go to `scout serve` (e.g. --demo-profiles 200000).
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/scout/target}"
scripts/setup.sh release
cargo build --release --quiet -p scout-cli --bin scout
exec "$CARGO_TARGET_DIR/release/scout" --minilm-dir "$(cat models/.minilm-dir)" serve "$@"
