#!/usr/bin/env bash
# Builds the embedding example as another package would (depending on precsearch by path) and runs it on the
# shipped fashion model and a front written by the README's main command.
#   Experiments/embedding/run.sh [PRECSEARCH_BINARY]
# Without an argument the precsearch tool is built in release mode first. EVALUATIONS (default: the tool's default)
# shortens the optimize run, e.g. EVALUATIONS=60 in CI.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
precsearch="${1:-}"
if [ -z "$precsearch" ]; then
  swift build -c release --package-path "$root" --product precsearch
  precsearch="$root/.build/release/precsearch"
fi
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cp "$root/Sources/PrecSearchIO/Resources/ShippedModels/fashion/fashion.psmodel" "$work/"
extra=()
[ -n "${EVALUATIONS:-}" ] && extra=(--evaluations "$EVALUATIONS")
"$precsearch" optimize --model fashion --budget 40% --output "$work/pareto.json" --quiet "${extra[@]}"
swift build --package-path "$here" --scratch-path "$here/.build"
(cd "$work" && "$here/.build/debug/EmbeddingExample")
echo "embedding example: built from another package and ran on $(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["points"]))' "$work/pareto.json" 2>/dev/null || echo '?') front points"
