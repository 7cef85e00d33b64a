#!/usr/bin/env bash
# Issue #20: the opt-in options of #20 together on the deep tasks, against the Results/pareto runs' settings.
#
#   Experiments/opt-in-combination/run.sh [TASK ...]          # fer, cifar10, fashion, kws; default: fer cifar10
#
# For each task: `recalibrate --activation-windows output` of the shipped model (adds histograms, channel means and
# the output-chosen activation shifts) into MODELS/TASK.psmodel (tasks.sh); then, per energy model and seed, `optimize` with the
# Results/pareto settings of the task (fer, cifar10: 300 evaluations, 1,000 validation images; fashion: 600
# evaluations, 2,000 validation images; every test image) plus
# `--weight-granularity per-channel --window-search all-output --bias-correction on --algorithm guided`; then
# `precsearch summarize` of each run into OUT/TASK/ENERGY/summary.md, to be read beside Results/pareto/TASK/ENERGY.
# The uniform baselines of each run use the same arithmetic as its search, so "saving vs best static" compares
# like with like.
#
# Environment: PRECSEARCH (binary; default: a release build), OUT (Results/opt-in-combination), SEEDS ("1"),
# ENERGY_MODELS ("horowitz45-bitwise swp-16-8-4"), CIFAR10_BIN (/tmp/cifar/bin), FER2013 (../shared/data/fer2013),
# FASHION (../shared/data/fashion-mnist), KWS_CALIBRATION (../shared/data/speech-commands-mini/training),
# MODELS (where the recalibrated models go; default /tmp/opt-in-combination: derived files, not results).
set -euo pipefail
cd "$(dirname "$0")/../.."
source Experiments/opt-in-combination/tasks.sh
SEEDS=${SEEDS:-"1"}
ENERGY_MODELS=${ENERGY_MODELS:-"horowitz45-bitwise swp-16-8-4"}
TASKS=${*:-fer cifar10}
for task in $TASKS; do
  task_setup "$task"
  for energy in $ENERGY_MODELS; do
    dir="$OUT/$task/$energy"
    mkdir -p "$dir"
    for seed in $SEEDS; do
      file="$dir/seed$seed.json"
      [ -f "$file" ] && continue
      "$PRECSEARCH" optimize --model "$model" "${data[@]}" --energy-model "$energy" "${settings[@]}" --seed "$seed" \
        --weight-granularity per-channel --window-search all-output --bias-correction on \
        --algorithm guided --quiet --output "$file" | tee -a "$dir/run.log"
    done
    "$PRECSEARCH" summarize "$dir"/seed*.json --output "$dir/summary.md" > /dev/null
  done
done
