#!/usr/bin/env bash
# Builds the embedding example as another package would (depending on precsearch by path) and runs it on the
# shipped fashion model and a front of the README's main command.
#   Experiments/embedding/run.sh [PRECSEARCH_BINARY]     write a new front with the tool (built in release mode
#                                                        first when not given), then build and run the example
#   Experiments/embedding/run.sh --front FRONT.json       run it on an existing front of the shipped fashion model,
#                                                        e.g. Results/optimize/fashion-budget40.json (CI)
# EVALUATIONS (default: the tool's default) shortens the optimize run.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cp "$root/Sources/PrecSearchIO/Resources/ShippedModels/fashion/fashion.psmodel" "$work/"
if [ "${1:-}" = "--front" ]; then
  cp "${2:?--front needs a file}" "$work/pareto.json"
else
  precsearch="${1:-}"
  if [ -z "$precsearch" ]; then
    swift build -c release --package-path "$root" --product precsearch
    precsearch="$root/.build/release/precsearch"
  fi
  extra=()
  [ -n "${EVALUATIONS:-}" ] && extra=(--evaluations "$EVALUATIONS")
  "$precsearch" optimize --model fashion --budget 40% --output "$work/pareto.json" --quiet "${extra[@]}"
fi
swift build --package-path "$here" --scratch-path "$here/.build"
(cd "$work" && "$here/.build/debug/EmbeddingExample")
points=$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["points"]))' "$work/pareto.json" 2>/dev/null || echo '?')
echo "embedding example: built from another package and ran on a front of $points points"
