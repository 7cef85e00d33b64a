#!/usr/bin/env bash
# The energy-accuracy Pareto analysis of the three tasks (issue 8, docs/analysis.md): `precsearch optimize`
# (whole front, hybrid search) for each model under each energy model with 5 seeds, then `precsearch summarize`
# (savings tables) and `precsearch plot` (one SVG per task) into Results/pareto/.
#
#   Experiments/pareto-analysis/run.sh                 # the shipped models: fashion cifar10 kws fer
#   Experiments/pareto-analysis/run.sh fashion kws     # some tasks
#   Experiments/pareto-analysis/run.sh mlperf-kws mlperf-resnet8   # MLPerf Tiny's reference models, imported
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

# import_model SOURCE OUTPUT ARGS...: `precsearch import` of one of ../shared/models/mlperf-tiny's float models into
# OUTPUT (kept when present, so the fronts refer to one file; Apache-2.0, see that folder's LICENSE.md).
import_model() {
  local source=$1 output=$2; shift 2
  [ -f "$output" ] && return 0
  mkdir -p "$(dirname "$output")"
  "$PRECSEARCH" import "../shared/models/mlperf-tiny/$source" --output "$output" "$@" | tee "$output.import.log" >&2
}

# settings TASK -> MODEL, ARGS: the model, data and effort of each task.
settings() {
  MODEL=$1
  case $1 in
    fashion) ARGS=(--evaluations 600 --validation-images 2000 --test-images 10000) ;;
    cifar10) cifar10_bin; ARGS=(--data "$CIFAR10_BIN" --evaluations 300 --validation-images 2000 --test-images 10000) ;;
    kws)     ARGS=(--evaluations 600) ;;   # all 715 validation and 975 test clips
    fer)     ARGS=(--data "${FER2013:-../shared/data/fer2013}" --evaluations 300 --validation-images 1000 --test-images 3589) ;;
    # The DS-CNN reads MLPerf's int8 MFCC features (scale 0.5847029, zero point 83), calibrated on the validation half
    # of the 1,000 test clips' stratified split; the search sees that half, the test half is reported.
    mlperf-kws)
      MODEL=$OUT/mlperf-kws/ds-cnn.psmodel
      import_model kws_ref_model_float32.tflite "$MODEL" --name mlperf-ds-cnn --calibration-data ../shared/data/mlperf-tiny-kws \
        --calibration-samples 1000 --input-type int8 --input-scale 0.5847029 --input-zero-point 83
      ARGS=(--data ../shared/data/mlperf-tiny-kws --evaluations 600) ;;
    # ResNet-8 on the JPEG CIFAR-10 copy: calibrated on 1,000 training images; validation is held out of the training
    # split (which MLPerf trained on: an optimistic validation), test is the test split.
    mlperf-resnet8)
      cifar10_bin
      MODEL=$OUT/mlperf-resnet8/resnet8.psmodel
      import_model resnet8_float32.tflite "$MODEL" --name mlperf-resnet8 --calibration-data "$CIFAR10_BIN" --calibration-samples 1000
      ARGS=(--data "$CIFAR10_BIN" --evaluations 300 --validation-images 1000 --test-images 2000) ;;
    *) echo "unknown task '$1' (expected fashion, cifar10, kws, fer, mlperf-kws or mlperf-resnet8)" >&2; exit 64 ;;
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
      "$PRECSEARCH" optimize --model "$MODEL" --energy-model "$energy" --seed "$seed" "${ARGS[@]}" \
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
for task in fashion cifar10 kws fer mlperf-kws mlperf-resnet8; do
  compgen -G "$OUT/$task/*/seed*.json" > /dev/null || continue
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
