#!/usr/bin/env bash
# Per-tensor against per-channel weight formats (docs/arithmetic.md, "Per-channel weight formats"): top-1 of the
# fixed-point engine at uniform W8A8, W6A6, W5A5, W4A4, W3A3, W4A8 and W8A4 with --window-search all, one
# `evaluate --json` file per (configuration, granularity) in OUT; a file already there is kept (so an interrupted run
# resumes). Then `summarize.py OUT NAME...` makes the table.
#
#   Experiments/per-channel/run.sh NAME MODEL [DATA] OUT
#
# NAME labels the files (e.g. cifar10), MODEL is a shipped model's name or a model file, DATA the test images (empty:
# the shipped split). PRECSEARCH names the binary (default: a release build).
set -euo pipefail
cd "$(dirname "$0")/../.."
NAME=$1; MODEL=$2; DATA=${3:-}; OUT=$4
if [ -z "${PRECSEARCH:-}" ]; then swift build -c release --product precsearch >&2; PRECSEARCH=.build/release/precsearch; fi
mkdir -p "$OUT"
for configuration in "8 8" "6 6" "5 5" "4 4" "3 3" "4 8" "8 4"; do
  set -- $configuration
  for granularity in per-tensor per-channel; do
    file=$OUT/$NAME-w$1a$2-$granularity.json
    [ -s "$file" ] && continue
    "$PRECSEARCH" evaluate --model "$MODEL" ${DATA:+--data "$DATA"} --weight-bits "$1" --activation-bits "$2" \
      --window-search all --weight-granularity "$granularity" --json > "$file.tmp"
    mv "$file.tmp" "$file"
  done
done
