#!/usr/bin/env bash
# Issue #21: the speed of whole searches on this machine, before and after, in one session.
#
#   Experiments/search-speed/run.sh BEFORE_BINARY AFTER_BINARY [ROUNDS]
#
# 1. The README's main command (`optimize --model fashion --budget 40%`, default settings) with both binaries in
#    alternating rounds (ROUNDS, default 2), so that the shared machine's load drifts alike for both;
# 2. the same command with the after binary and --threads 1 (how much the second core buys, per phase), and with
#    --weight-granularity per-channel (what per-channel formats cost);
# 3. the cifar10 and fer default runs (`--budget 40%`, default settings) with the after binary.
# Each row: wall time (/usr/bin/time), the Pareto JSON's `timing` (per phase, evaluations/s, images/s) and the load
# (`uptime`) before and after. Writes OUT/runs.tsv (default Results/search-speed) and keeps every JSON and log.
# Environment: CIFAR10_BIN (CIFAR-10 binary batches, default /tmp/cifar10bin), FER2013 (../shared/data/fer2013).
set -euo pipefail
cd "$(dirname "$0")/../.."
BEFORE=$1 AFTER=$2 ROUNDS=${3:-2}
OUT=${OUT:-Results/search-speed}
CIFAR10_BIN=${CIFAR10_BIN:-/tmp/cifar10bin}
FER2013=${FER2013:-../shared/data/fer2013}
mkdir -p "$OUT"
TSV=$OUT/runs.tsv
[ -f "$TSV" ] || printf 'label\tbinary\twall_s\tbaseline_s\tsearch_s\ttest_s\tevaluations_per_s\timages_per_s\tthreads\tload_before\tload_after\n' > "$TSV"

# run LABEL BINARY ARGS...: one optimize run, its row appended to the table.
run() {
  local label=$1 binary=$2; shift 2
  local json=$OUT/$label.json
  local load_before; load_before=$(cut -d' ' -f1-3 /proc/loadavg)
  /usr/bin/time -f '%e' -o "$OUT/$label.time" "$binary" optimize "$@" --quiet --output "$json" > "$OUT/$label.log" 2>&1
  local load_after; load_after=$(cut -d' ' -f1-3 /proc/loadavg)
  python3 - "$label" "$binary" "$json" "$(cat "$OUT/$label.time")" "$load_before" "$load_after" >> "$TSV" <<'PY'
import json, sys
label, binary, path, wall, before, after = sys.argv[1:]
t = json.load(open(path))["timing"]
print("\t".join([label, binary, wall, f"{t['baselineSeconds']:.1f}", f"{t['searchSeconds']:.1f}", f"{t['testSeconds']:.1f}",
                 f"{t['evaluationsPerSecond']:.2f}", f"{t['imagesPerSecond']:.0f}", str(t['threads']), before, after]))
PY
}

# ROWS selects rows (default all): before (the alternating rounds), threads1, per-channel, cifar10, fer; LABEL_SUFFIX
# is appended to every label (e.g. to add rows for a later build of the after binary).
ROWS=${ROWS:-"before threads1 per-channel cifar10 fer"}
S=${LABEL_SUFFIX:-}
has() { [[ " $ROWS " == *" $1 "* ]]; }
for round in $(seq 1 "$ROUNDS"); do
  if has before; then run "fashion-before-r$round$S" "$BEFORE" --model fashion --budget 40%; fi
  run "fashion-after-r$round$S" "$AFTER" --model fashion --budget 40%
done
if has threads1; then run "fashion-after-threads1$S" "$AFTER" --model fashion --budget 40% --threads 1; fi
if has per-channel; then run "fashion-after-per-channel$S" "$AFTER" --model fashion --budget 40% --weight-granularity per-channel; fi
if has cifar10; then run "cifar10-after$S" "$AFTER" --model cifar10 --data "$CIFAR10_BIN" --budget 40%; fi
if has fer; then run "fer-after$S" "$AFTER" --model fer --data "$FER2013" --budget 40%; fi
column -t -s$'\t' "$TSV"
