#!/usr/bin/env bash
# Trains the `cifar10` model (ResNet-8, MLPerf Tiny, on CIFAR-10) into the resource folder that `--model cifar10`
# reads. CIFAR-10 itself is never committed: this script converts ../shared/data/cifar10 to the binary batches in
# $CIFAR10_BIN (default /tmp/cifar10bin) with ../shared/tools/cifar10-to-bin (needs Pillow), outside the repo.
#
#   Experiments/train-cifar10.sh            # builds precsearch (release) and trains; log: Results/training/cifar10.log
#   PRECSEARCH=/path/to/precsearch Experiments/train-cifar10.sh
#
# Resumable: the checkpoint is saved after every epoch and a rerun continues it (delete it to start over).
# About 60-110 s per epoch on this machine (2 cores, shared), 40 epochs.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${CIFAR10_BIN:-/tmp/cifar10bin}
OUT=Sources/PrecSearchIO/Resources/ShippedModels/cifar10
CHECKPOINT=${CHECKPOINT:-/tmp/precsearch-train-cifar10.ckpt}
if [ ! -f "$BIN/test_batch.bin" ] && [ ! -f "$BIN/cifar-10-batches-bin/test_batch.bin" ]; then
  python3 -c 'import PIL' 2>/dev/null || python3 -m pip install pillow
  ../shared/tools/cifar10-to-bin "$BIN"
fi
if [ -z "${PRECSEARCH:-}" ]; then
  swift build -c release --product precsearch
  PRECSEARCH=.build/release/precsearch
fi
mkdir -p "$OUT" Results/training
"$PRECSEARCH" train --task cifar10 --data "$BIN" --output "$OUT/cifar10.psmodel" \
  --epochs 40 --seed 1 --threads ${THREADS:-2} \
  --checkpoint "$CHECKPOINT" --resume 2>&1 | tee -a Results/training/cifar10.log
