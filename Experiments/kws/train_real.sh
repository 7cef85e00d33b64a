#!/usr/bin/env bash
# Trains the kws-real DS-CNN (docs/audio.md, "Real-speech training data") and scores it on MLPerf Tiny's 1,000 test
# clips: data folder by real_data.sh, then `precsearch train --task kws-real` (40 epochs, seed 1, 2 threads), then
# `precsearch evaluate` on ../shared/data/mlperf-tiny-kws (uniform 16/8/6/4 bits, each with the float accuracy).
#
# Usage: Experiments/kws/train_real.sh [DATA] [OUT] [REAL_CLIPS_PER_WORD]   (defaults: /tmp/kws-real, /tmp/kws-real-run, all)
#   env PRECSEARCH (default .build/release/precsearch), NICE (default "nice -n 5"), SEED (default 1)
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
DATA=${1:-/tmp/kws-real}
OUT=${2:-/tmp/kws-real-run}
PER_WORD=${3:-}
PRECSEARCH=${PRECSEARCH:-$ROOT/.build/release/precsearch}
NICE=${NICE:-nice -n 5}
SEED=${SEED:-1}
"$HERE/real_data.sh" "$DATA"
mkdir -p "$OUT/splits"
extra=()
[ -n "$PER_WORD" ] && extra=(--real-clips-per-word "$PER_WORD")
/usr/bin/time -v $NICE "$PRECSEARCH" train --task kws-real --data "$DATA" --output "$OUT/kws-real.psmodel" \
  --seed "$SEED" --threads 2 --checkpoint "$OUT/kws-real.ckpt" --resume --write-splits "$OUT/splits" "${extra[@]}" \
  2>&1 | tee "$OUT/train.log"
for bits in 16 8 6 4; do
  $NICE "$PRECSEARCH" evaluate --model "$OUT/kws-real.psmodel" --data "$DATA/mlperf-tiny-kws" \
    --weight-bits "$bits" --activation-bits "$bits" \
    2>&1 | tee "$OUT/evaluate-$bits.log"
done
