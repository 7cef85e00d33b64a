#!/usr/bin/env bash
# Trains the shipped `fashion` model (LeNet on Fashion-MNIST) and writes it, with Fashion-MNIST's held-out
# validation split and its test split (IDX), into the resource folder that `--model fashion` reads.
#
#   Experiments/train-fashion.sh            # builds precsearch (release) and trains; log: Results/training/fashion.log
#   PRECSEARCH=/path/to/precsearch Experiments/train-fashion.sh   # use an already built binary
#
# Data: ../shared/data/fashion-mnist (or FASHION_MNIST=DIR). Resumable: the checkpoint is saved after every epoch
# and a rerun continues it (delete it to start over). About 30 s per epoch on one core of this machine.
set -euo pipefail
cd "$(dirname "$0")/.."
DATA=${FASHION_MNIST:-../shared/data/fashion-mnist}
OUT=Sources/PrecSearchIO/Resources/ShippedModels/fashion
CHECKPOINT=${CHECKPOINT:-/tmp/precsearch-train-fashion.ckpt}
if [ -z "${PRECSEARCH:-}" ]; then
  swift build -c release --product precsearch
  PRECSEARCH=.build/release/precsearch
fi
mkdir -p "$OUT" Results/training
cp "$DATA/COPYRIGHT" "$OUT/COPYRIGHT"
"$PRECSEARCH" train --task fashion --data "$DATA" --output "$OUT/fashion.psmodel" \
  --epochs 30 --seed 1 --threads ${THREADS:-2} --write-splits "$OUT" \
  --checkpoint "$CHECKPOINT" --resume 2>&1 | tee Results/training/fashion.log
