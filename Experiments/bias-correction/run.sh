#!/usr/bin/env bash
# Bias correction per (layer, weight bit-width) (docs/arithmetic.md, "Bias correction"), off against on: top-1 of the
# fixed-point engine at uniform WbAb, b in 8/6/5/4/3, default window search (all), on each task's validation and
# test split. One `evaluate --json` file per (task, split, b, setting) in OUT; a file already there is kept (so an
# interrupted run resumes). Then `summarize.py OUT` makes the table.
#
#   Experiments/bias-correction/run.sh PRECSEARCH MODELS OUT
#
# PRECSEARCH: a release build of precsearch. MODELS: a directory holding TASK.psmodel for each task, the shipped model
# with the calibration channel means added by `precsearch recalibrate` (this script writes any that are missing, see
# below). Both settings are measured on that same file, so they see the same ranges.
# Data: ../shared/data (FER2013 record files; CIFAR-10 binary batches made by ../shared/tools/cifar10-to-bin, in
# $CIFAR_BIN, default /tmp/cifar/bin); fashion and kws use their shipped validation and test splits; cifar10 has no
# validation split outside its model's training hold-out, so only its test split is measured.
# Environment: TASKS (default "fashion kws fer cifar10"), BITS (default "8 6 5 4 3"), ACTIVATION_BITS (default empty:
# b-bit activations, WbAb; a number such as 8 measures WbA8 instead, the weights alone).
set -euo pipefail
P=$1; MODELS=$2; OUT=$3
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
SHIPPED=$ROOT/Sources/PrecSearchIO/Resources/ShippedModels
DATA=${SHARED_DATA:-$ROOT/../shared/data}
CIFAR_BIN=${CIFAR_BIN:-/tmp/cifar/bin}
BITS=${BITS:-"8 6 5 4 3"}
ACTIVATION_BITS=${ACTIVATION_BITS:-}
TASKS=${TASKS:-"fashion kws fer cifar10"}
mkdir -p "$MODELS" "$OUT"
for t in $TASKS; do
  case $t in
    fashion) TRAIN=$DATA/fashion-mnist;;
    kws) TRAIN=$DATA/speech-commands-mini/training;;
    fer) TRAIN=$DATA/fer2013;;
    cifar10) TRAIN=$CIFAR_BIN;;
  esac
  [ -s "$MODELS/$t.psmodel" ] || "$P" recalibrate --model "$t" --data "$TRAIN" --output "$MODELS/$t.psmodel" >&2
  case $t in
    fashion|kws) SPLITS="validation=$SHIPPED/$t/validation-images-idx3-ubyte test=$SHIPPED/$t/t10k-images-idx3-ubyte";;
    fer) SPLITS="validation=$DATA/fer2013/publictest.bin test=$DATA/fer2013/privatetest.bin";;
    cifar10) SPLITS="test=$CIFAR_BIN";;
  esac
  for sd in $SPLITS; do
    s=${sd%%=*}; d=${sd#*=}
    for b in $BITS; do
      a=${ACTIVATION_BITS:-$b}
      for bc in off on; do
        file=$OUT/$t-$s-w${b}a${a}-$bc.json
        [ -s "$file" ] && continue
        "$P" evaluate --model "$MODELS/$t.psmodel" --data "$d" --weight-bits "$b" --activation-bits "$a" \
          --window-search all --bias-correction "$bc" --json > "$file.tmp"
        mv "$file.tmp" "$file"
      done
    done
  done
done
