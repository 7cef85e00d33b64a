#!/usr/bin/env bash
# The energy-accuracy Pareto analysis of the three tasks (issue 8, docs/analysis.md): `precsearch optimize`
# (whole front, hybrid search) for each model under each energy model with 5 seeds, then `precsearch summarize`
# (savings tables) and `precsearch plot` (one SVG per task) into Results/pareto/.
#
#   Experiments/pareto-analysis/run.sh                 # every task: fashion cifar10 kws fer
#   Experiments/pareto-analysis/run.sh fashion kws     # some tasks
#
# Environment: SEEDS ("1 2 3 4 5"), ENERGY_MODELS ("swp-16-8-4 horowitz45-bitwise"), OUT (Results/pareto),
# PRECSEARCH (binary; default: a release build), CIFAR10_BIN (default /tmp/cifar10bin: the CIFAR-10 binary batches,
# converted from ../shared/data/cifar10 with ../shared/tools/cifar10-to-bin when absent, as
# Experiments/train-cifar10.sh does), FER2013 (default ../shared/data/fer2013). fashion and kws ship their data;
# cifar10 and fer read it from ../shared, never from the repo.
#
# The effort per task (evaluations, validation and test images) is chosen to fit a 2-core machine and recorded in
# every Pareto JSON (`search`, `data`); see docs/analysis.md. Resumable: a finished run's JSON is kept and skipped;
# an interrupted run continues from its checkpoint (OUT/TASK/ENERGY/seedN.ckpt).
set -euo pipefail
shopt -s nullglob   # a task folder without finished runs contributes no files
cd "$(dirname "$0")/../.."
TASKS=("$@")
[ ${#TASKS[@]} -eq 0 ] && TASKS=(fashion cifar10 kws fer)
SEEDS=${SEEDS:-"1 2 3 4 5"}
ENERGY_MODELS=${ENERGY_MODELS:-"swp-16-8-4 horowitz45-bitwise"}
OUT=${OUT:-Results/pareto}
if [ -z "${PRECSEARCH:-}" ]; then swift build -c release --product precsearch >&2; PRECSEARCH=.build/release/precsearch; fi

# cifar10_bin: the CIFAR-10 binary batches in $CIFAR10_BIN, converted from the JPEG copy in ../shared when absent.
cifar10_bin() {
  CIFAR10_BIN=${CIFAR10_BIN:-/tmp/cifar10bin}
  if [ ! -f "$CIFAR10_BIN/test_batch.bin" ] && [ ! -f "$CIFAR10_BIN/cifar-10-batches-bin/test_batch.bin" ]; then
    python3 -c 'import PIL' 2>/dev/null || python3 -m pip install pillow
    ../shared/tools/cifar10-to-bin "$CIFAR10_BIN"
  fi
}

# settings TASK -> ARGS: data and effort of each task.
settings() {
  case $1 in
    fashion) ARGS=(--evaluations 600 --validation-images 2000 --test-images 10000) ;;
    cifar10) cifar10_bin; ARGS=(--data "$CIFAR10_BIN" --evaluations 300 --validation-images 2000 --test-images 10000) ;;
    kws)     ARGS=(--evaluations 600) ;;   # all 715 validation and 975 test clips
    fer)     ARGS=(--data "${FER2013:-../shared/data/fer2013}" --evaluations 300 --validation-images 1000 --test-images 3589) ;;
    *) echo "unknown task '$1' (expected fashion, cifar10, kws or fer)" >&2; exit 64 ;;
  esac
}

for task in "${TASKS[@]}"; do
  settings "$task"
  for energy in $ENERGY_MODELS; do
    dir="$OUT/$task/$energy"
    mkdir -p "$dir"
    for seed in $SEEDS; do
      file="$dir/seed$seed.json"
      [ -f "$file" ] && continue
      echo "$(date -u +%FT%TZ) $task $energy seed $seed" | tee -a "$dir/run.log" >&2
      "$PRECSEARCH" optimize --model "$task" --energy-model "$energy" --seed "$seed" "${ARGS[@]}" \
        --checkpoint "$dir/seed$seed.ckpt" --resume --quiet --output "$file" 2>&1 | tee -a "$dir/run.log"
      rm -f "$dir/seed$seed.ckpt"
    done
  done
  # Summary and plot of the task (both energy models, relative energy so that they share an axis).
  files=("$OUT/$task"/*/seed*.json)
  "$PRECSEARCH" summarize "${files[@]}" --output "$OUT/$task/summary.md"
  "$PRECSEARCH" plot "$OUT/$task"/*/seed1.json --relative-energy --output "$OUT/$task/front.svg" \
    --title "$task: Pareto fronts (seed 1) under each energy model"
done
# The summary of every task that has results.
all=()
for task in fashion cifar10 kws fer; do
  [ -d "$OUT/$task" ] && all+=("$OUT/$task"/*/seed*.json)
done
"$PRECSEARCH" summarize "${all[@]}" --output "$OUT/summary.md"
# Results/README.md carries the generated summary between its markers (replaced, never typed by hand).
if [ "$OUT" = Results/pareto ] && grep -q '<!-- pareto-summary:begin -->' Results/README.md; then
  awk -v summary="$OUT/summary.md" '
    /<!-- pareto-summary:begin -->/ { print; print ""; while ((getline line < summary) > 0) print line; print ""; skip = 1; next }
    /<!-- pareto-summary:end -->/ { skip = 0 }
    !skip { print }' Results/README.md > Results/README.md.tmp && mv Results/README.md.tmp Results/README.md
fi
