#!/usr/bin/env bash
# Builds the data set the shipped kws model was trained on (docs/audio.md, "The shipped kws model"): the espeak-ng
# speakers of a run of the current synthesize.sh (speed perturbation, two copies per training rendition) and the
# festival/flite speakers (kal ked slt awb rms) of a run of synthesize.sh as of commit 81108b3. Both runs use
# seed 1, so their speaker splits are identical. Clips are linked, not copied.
#
# Usage: Experiments/kws/combine.sh NEW_RUN OLD_RUN OUT     (e.g. /tmp/kws-synth2 /tmp/kws-synth /tmp/kws-combined)
set -euo pipefail
NEW=$1 OLD=$2 OUT=$3
mkdir -p "$OUT"
ln -sfn "$NEW/clips" "$OUT/clips2"
ln -sfn "$OLD/clips" "$OUT/clips1"
OTHERS='$4=="kal"||$4=="ked"||$4=="slt"||$4=="awb"||$4=="rms"'
{
  echo "path,label,word,speaker,voice,split"
  awk -F, "NR > 1 && !($OTHERS) && NF == 6 { sub(/^clips\\//, \"clips2/\"); print }" "$NEW/manifest.csv"
  awk -F, "NR > 1 && ($OTHERS) && NF == 6 { sub(/^clips\\//, \"clips1/\"); print }" "$OLD/manifest.csv"
} > "$OUT/manifest.csv"
awk -F, 'NR > 1 { n[$6]++ } END { for (s in n) print s, n[s] }' "$OUT/manifest.csv" | sort >&2
