#!/usr/bin/env bash
# Issue #20: which of the four opt-in options carries the combination's gain. Leave-one-out: the combination of
# run.sh (per-channel weights, --window-search all-output, --bias-correction on, --algorithm guided) with one option
# at its default (per-tensor, all, off, hybrid), on the same recalibrated model, settings and seeds as run.sh;
# `precsearch summarize` of each variant into OUT/TASK/ENERGY/without-OPTION/summary.md, to be read beside run.sh's
# OUT/TASK/ENERGY/summary.md (the full combination).
#
#   Experiments/opt-in-combination/ablation.sh [TASK ...]     # fer, cifar10, fashion; default: cifar10
#
# Environment as run.sh (PRECSEARCH, OUT, SEEDS ("1"), ENERGY_MODELS ("horowitz45-bitwise"), CIFAR10_BIN, FER2013,
# FASHION, KWS_CALIBRATION, MODELS); run.sh's recalibrated model (MODELS/TASK.psmodel) is made when missing.
set -euo pipefail
cd "$(dirname "$0")/../.."
source Experiments/opt-in-combination/tasks.sh
SEEDS=${SEEDS:-"1"}
ENERGY_MODELS=${ENERGY_MODELS:-"horowitz45-bitwise"}
VARIANTS=${VARIANTS:-"per-channel all-output bias-correction guided"}
TASKS=${*:-cifar10}
for task in $TASKS; do
  task_setup "$task"
  for energy in $ENERGY_MODELS; do
    for left_out in $VARIANTS; do
      # The combination's options, the one left out at its default.
      options=(--weight-granularity per-channel --window-search all-output --bias-correction on --algorithm guided)
      case $left_out in
        per-channel) options[1]=per-tensor ;;
        all-output) options[3]=all ;;
        bias-correction) options[5]=off ;;
        guided) options[7]=hybrid ;;
        all) options=(--weight-granularity per-tensor --window-search all --bias-correction off --algorithm hybrid) ;;
        *) echo "unknown variant $left_out" >&2; exit 64 ;;
      esac
      dir="$OUT/$task/$energy/without-$left_out"
      mkdir -p "$dir"
      for seed in $SEEDS; do
        file="$dir/seed$seed.json"
        [ -f "$file" ] && continue
        "$PRECSEARCH" optimize --model "$model" "${data[@]}" --energy-model "$energy" "${settings[@]}" --seed "$seed" \
          "${options[@]}" --quiet --output "$file" | tee -a "$dir/run.log"
      done
      "$PRECSEARCH" summarize "$dir"/seed*.json --output "$dir/summary.md" > /dev/null
    done
  done
done
