#!/usr/bin/env bash
# Measures whether window shifts (docs/arithmetic.md, "Deriving a precision b") help: validation and test accuracy of
# uniform configurations with --window-search none / weights / activations / all.
#
#   Experiments/window-shift/run.sh MODEL VALIDATION-IMAGES TEST-IMAGES > Results/window-shift/NAME.tsv
#
# MODEL must carry activation histograms (precsearch recalibrate). PRECSEARCH names the binary (default: a release
# build). Output: one tab-separated row per (bits, mode, split), with the accuracy as `evaluate --json` reports it.
set -euo pipefail
cd "$(dirname "$0")/../.."
MODEL=$1; VALIDATION=$2; TEST=$3
if [ -z "${PRECSEARCH:-}" ]; then swift build -c release --product precsearch >&2; PRECSEARCH=.build/release/precsearch; fi
BITS=${BITS:-"8 6 5 4 3"}
echo -e "# commit $(git rev-parse --short HEAD)$(git diff --quiet HEAD -- Sources || echo '+uncommitted'), model $MODEL ($(sha256sum "$MODEL" | cut -c1-16)), $(date -u +%F)"
echo -e "weight_bits\tactivation_bits\twindow_search\tsplit\taccuracy"
for b in $BITS; do
  for mode in none weights activations all; do
    for split in validation test; do
      data=$VALIDATION; [ "$split" = test ] && data=$TEST
      acc=$("$PRECSEARCH" evaluate --model "$MODEL" --data "$data" --weight-bits "$b" --activation-bits "$b" \
              --window-search "$mode" --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["accuracy"]["fixedPoint"])')
      echo -e "$b\t$b\t$mode\t$split\t$acc"
    done
  done
done
