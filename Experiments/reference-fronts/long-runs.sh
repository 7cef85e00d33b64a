#!/usr/bin/env bash
# Issue #20, part 2: a best-known front per task and energy model, and the default search measured against it.
#
#   Experiments/reference-fronts/long-runs.sh [TASK ...]        # default: fashion kws cifar10 fer
#
# Per task and energy model (both presets):
# 1. a long run: the default search (guided since issue #20; hybrid before) with the default arithmetic, EVALUATIONS (default 10,000: 10x the 1,000 of a default run and over 10x the 600 of the
#    Results/pareto runs), every validation image, screening off, seed 101, checkpointed every 60 s and resumed when
#    its checkpoint exists, so that it can span sessions; run at low priority (nice 19);
# 2. the default run (`optimize` with default settings: 1,000 evaluations, confidence screening, every validation
#    image, the default arithmetic) with seeds 1-5;
# 3. summary.md: the best-known front is the non-dominated union of the fronts of all these runs (all measured on the
#    same whole validation split, so their points compare; a point non-dominated among everything measured is on its
#    own run's front); each run's hypervolume (docs/pareto-json.md: x = energy / uniform 16-bit, y = 1 - validation
#    accuracy, reference point [1.1, 1.1]) as a percentage of the best-known front's, and the same share at <= 3
#    points loss against uniform 16 bits; summary-test.md: both with every point placed by its test accuracy.
# A finished run (its JSON exists) is skipped, so the script resumes where it stopped.
#
# Environment: PRECSEARCH (binary; default: a release build), OUT (Results/reference-fronts/long), EVALUATIONS
# (10000), SEEDS ("1 2 3 4 5"), ENERGY_MODELS ("horowitz45-bitwise swp-16-8-4"), CIFAR10_BIN (CIFAR-10 binary
# batches, made with ../shared/tools/cifar10-to-bin; default /tmp/cifar/bin), FER2013 (../shared/data/fer2013).
set -euo pipefail
cd "$(dirname "$0")/../.."
OUT=${OUT:-Results/reference-fronts/long}
EVALUATIONS=${EVALUATIONS:-10000}
SEEDS=${SEEDS:-"1 2 3 4 5"}
ENERGY_MODELS=${ENERGY_MODELS:-"horowitz45-bitwise swp-16-8-4"}
TASKS=${*:-fashion kws cifar10 fer}
# shellcheck source=common.sh
. Experiments/reference-fronts/common.sh

for task in $TASKS; do
  for energy in $ENERGY_MODELS; do
    dir="$OUT/$task/$energy"
    mkdir -p "$dir"
    # shellcheck disable=SC2046
    common=(--model "$task" $(data_options "$task") --energy-model "$energy" --quiet)
    if [ ! -f "$dir/long.json" ]; then
      echo "$(date -u +%FT%TZ) long $task $energy" | tee -a "$dir/run.log" >&2
      nice -n 19 "$PRECSEARCH" optimize "${common[@]}" --evaluations "$EVALUATIONS" --screening off --seed 101 \
        --checkpoint "$dir/long.ckpt" --checkpoint-interval 60 --resume --output "$dir/long.json" 2>&1 \
        | tee -a "$dir/run.log"
      rm -f "$dir/long.ckpt"
    fi
    for seed in $SEEDS; do
      file="$dir/default-seed$seed.json"
      [ -f "$file" ] && continue
      echo "$(date -u +%FT%TZ) default $task $energy seed $seed" | tee -a "$dir/run.log" >&2
      nice -n 19 "$PRECSEARCH" optimize "${common[@]}" --seed "$seed" --output "$file" 2>&1 | tee -a "$dir/run.log"
    done
  done
done

python3 Experiments/reference-fronts/summarize.py "$OUT" | tee "$OUT/summary.md"
python3 Experiments/reference-fronts/summarize.py "$OUT" --split test > "$OUT/summary-test.md"
