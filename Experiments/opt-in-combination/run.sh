#!/usr/bin/env bash
# Issue #20: the opt-in options of #20 together on the deep tasks, against the Results/pareto runs' settings.
#
#   Experiments/opt-in-combination/run.sh [TASK ...]          # fer, cifar10, fashion; default: fer cifar10
#
# For each task: `recalibrate --activation-windows output` of the shipped model (adds histograms, channel means and
# the output-chosen activation shifts) into OUT/TASK.psmodel; then, per energy model and seed, `optimize` with the
# Results/pareto settings of the task (fer, cifar10: 300 evaluations, 1,000 validation images; fashion: 600
# evaluations, 2,000 validation images; every test image) plus
# `--weight-granularity per-channel --window-search all-output --bias-correction on --algorithm guided`; then
# `precsearch summarize` of each run into OUT/TASK/ENERGY/summary.md, to be read beside Results/pareto/TASK/ENERGY.
# The uniform baselines of each run use the same arithmetic as its search, so "saving vs best static" compares
# like with like.
#
# Environment: PRECSEARCH (binary; default: a release build), OUT (Results/opt-in-combination), SEEDS ("1"),
# ENERGY_MODELS ("horowitz45-bitwise swp-16-8-4"), CIFAR10_BIN (/tmp/cifar/bin), FER2013 (../shared/data/fer2013),
# FASHION (../shared/data/fashion-mnist),
# MODELS (where the recalibrated models go; default /tmp/opt-in-combination: derived files, not results).
set -euo pipefail
cd "$(dirname "$0")/../.."
OUT=${OUT:-Results/opt-in-combination}
SEEDS=${SEEDS:-"1"}
ENERGY_MODELS=${ENERGY_MODELS:-"horowitz45-bitwise swp-16-8-4"}
CIFAR10_BIN=${CIFAR10_BIN:-/tmp/cifar/bin}
FER2013=${FER2013:-../shared/data/fer2013}
FASHION=${FASHION:-../shared/data/fashion-mnist}
MODELS=${MODELS:-/tmp/opt-in-combination}
TASKS=${*:-fer cifar10}
if [ -z "${PRECSEARCH:-}" ]; then swift build -c release --product precsearch >&2; PRECSEARCH=.build/release/precsearch; fi
mkdir -p "$MODELS"
for task in $TASKS; do
  # Each task's Results/pareto settings (evaluations, validation images).
  case $task in
    fer) data=$FER2013; settings=(--evaluations 300 --validation-images 1000) ;;
    cifar10) data=$CIFAR10_BIN; settings=(--evaluations 300 --validation-images 1000) ;;
    fashion) data=$FASHION; settings=(--evaluations 600 --validation-images 2000) ;;
    *) echo "unknown task $task" >&2; exit 64 ;;
  esac
  model="$MODELS/$task.psmodel"
  [ -f "$model" ] || "$PRECSEARCH" recalibrate --model "$task" --data "$data" --activation-windows output --output "$model"
  for energy in $ENERGY_MODELS; do
    dir="$OUT/$task/$energy"
    mkdir -p "$dir"
    for seed in $SEEDS; do
      file="$dir/seed$seed.json"
      [ -f "$file" ] && continue
      "$PRECSEARCH" optimize --model "$model" --data "$data" --energy-model "$energy" "${settings[@]}" --seed "$seed" \
        --weight-granularity per-channel --window-search all-output --bias-correction on \
        --algorithm guided --quiet --output "$file" | tee -a "$dir/run.log"
    done
    "$PRECSEARCH" summarize "$dir"/seed*.json --output "$dir/summary.md" > /dev/null
  done
done
