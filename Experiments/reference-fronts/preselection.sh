#!/usr/bin/env bash
# The guided search with surrogate pre-selection (opt-in) against the default runs, at the default budget.
#
#   Experiments/reference-fronts/preselection.sh [TASK ...]        # default: kws
#
# For each task, energy model and seed: `precsearch optimize` with default settings plus EXTRA (default
# `--preselection-candidates 4 --annealing-share 0.1`), written to OUT/TASK/ENERGY/seedN.json; then
# score.py compares each with the default run of the same seed in Results/reference-fronts/long/TASK/ENERGY
# (the best-known front is that directory's union, which these runs did not join) and writes OUT/TASK/ENERGY/score.md.
#
# EXTRA may name any optimize options (Results/reference-fronts/annealing-share: EXTRA="--annealing-share 0.1").
#
# Environment: PRECSEARCH (binary; default: a release build), OUT (Results/reference-fronts/preselection), SEEDS
# ("1 2 3 4 5"), ENERGY_MODELS ("horowitz45-bitwise swp-16-8-4"), EXTRA, CIFAR10_BIN (/tmp/cifar/bin), FER2013
# (../shared/data/fer2013).
set -euo pipefail
cd "$(dirname "$0")/../.."
OUT=${OUT:-Results/reference-fronts/preselection}
SEEDS=${SEEDS:-"1 2 3 4 5"}
ENERGY_MODELS=${ENERGY_MODELS:-"horowitz45-bitwise swp-16-8-4"}
EXTRA=${EXTRA:-"--preselection-candidates 4 --annealing-share 0.1"}
TASKS=${*:-kws}
# shellcheck source=common.sh
. Experiments/reference-fronts/common.sh

for task in $TASKS; do
  for energy in $ENERGY_MODELS; do
    dir="$OUT/$task/$energy"
    mkdir -p "$dir"
    runs=()
    for seed in $SEEDS; do
      file="$dir/seed$seed.json"
      runs+=("$file")
      [ -f "$file" ] && continue
      echo "$(date -u +%FT%TZ) $task $energy seed $seed" | tee -a "$dir/run.log" >&2
      # shellcheck disable=SC2046,SC2086
      "$PRECSEARCH" optimize --model "$task" $(data_options "$task") --energy-model "$energy" --seed "$seed" $EXTRA \
        --quiet --output "$file" >> "$dir/run.log" 2>&1
    done
    reference="Results/reference-fronts/long/$task/$energy"
    python3 Experiments/reference-fronts/score.py "$reference" "$reference/default-seed{seed}.json" -- "${runs[@]}" \
      > "$dir/score.md"
  done
done
