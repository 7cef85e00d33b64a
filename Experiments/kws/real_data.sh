#!/usr/bin/env bash
# Makes the data folder of `precsearch train --task kws-real` (docs/audio.md, "Real-speech training data"): symbolic
# links to the real clips, the noise and MLPerf Tiny's test set in SHARED (default ../shared/data beside the checkout),
# and synthetic "on", "off" and unknown-word clips made by synthesize.sh (KWS_COMMANDS="on off", KWS_SCALE=0.34,
# seed 1; about 15-20 minutes on 2 busy cores) unless OUT/kws-synthetic/manifest.csv exists.
#
# Usage: Experiments/kws/real_data.sh [OUT] [SHARED]      (defaults: /tmp/kws-real, ../shared/data)
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
OUT=${1:-/tmp/kws-real}
SHARED=$(cd "${2:-$HERE/../../../shared/data}" && pwd)
mkdir -p "$OUT"
for folder in speech-commands-mini speech-commands-sample speech-commands-noise mlperf-tiny-kws; do
  [ -d "$SHARED/$folder" ] || { echo "real_data.sh: $SHARED/$folder is missing" >&2; exit 1; }
  ln -sfn "$SHARED/$folder" "$OUT/$folder"
done
if [ ! -f "$OUT/kws-synthetic/manifest.csv" ]; then
  KWS_SCALE=${KWS_SCALE:-0.34} KWS_COMMANDS=${KWS_COMMANDS:-"on off"} "$HERE/synthesize.sh" "$OUT/kws-synthetic" "${KWS_SEED:-1}"
fi
echo "Data folder: $OUT (precsearch train --task kws-real --data $OUT ...)" >&2
