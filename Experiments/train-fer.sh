#!/usr/bin/env bash
# Trains the `fer` model (mini-Xception on FER2013, facial expressions) into the resource folder that `--model fer`
# reads. FER2013 itself is never committed (research use only): the data is read from ../shared/data/fer2013
# (record files train.bin, publictest.bin, privatetest.bin) or $FER2013 (those files or the Kaggle fer2013.csv).
# Validation is PublicTest, test is PrivateTest (nothing is held out of Training).
#
#   Experiments/train-fer.sh            # builds precsearch (release) and trains; log: Results/training/fer.log
#   PRECSEARCH=/path/to/precsearch THREADS=1 Experiments/train-fer.sh
#
# Resumable: the checkpoint is saved after every epoch and a rerun continues it (delete it to start over); the thread
# count may change between runs (the model is bit-identical for 1 and 2 threads). See docs/training.md for the
# epoch time on this machine.
set -euo pipefail
cd "$(dirname "$0")/.."
DATA=${FER2013:-../shared/data/fer2013}
OUT=Sources/PrecSearchIO/Resources/ShippedModels/fer
CHECKPOINT=${CHECKPOINT:-/tmp/precsearch-train-fer.ckpt}
EPOCHS=${EPOCHS:-50}
if [ -z "${PRECSEARCH:-}" ]; then
  swift build -c release --product precsearch
  PRECSEARCH=.build/release/precsearch
fi
mkdir -p "$OUT" Results/training
${NICE:-} "$PRECSEARCH" train --task fer --data "$DATA" --output "$OUT/fer.psmodel" \
  --epochs "$EPOCHS" --batch-size 64 --seed 1 --threads ${THREADS:-2} \
  --checkpoint "$CHECKPOINT" --resume 2>&1 | tee -a Results/training/fer.log
