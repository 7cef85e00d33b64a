#!/usr/bin/env bash
# Issue #20: what the new defaults cost in wall time on the README's main command, side by side with the previous
# defaults, in alternating rounds of the same binary (the host's speed drifts; compare within a round).
#
#   PRECSEARCH=<release build> Experiments/search-speed/defaults-side-by-side.sh [ROUNDS]
#
# "new": `optimize --model fashion --budget 40%` (guided, per-channel, all-output windows, bias correction, on the
# shipped model). "old": the same command on the previously shipped fashion model (git show
# 7334f86:Sources/PrecSearchIO/Resources/ShippedModels/fashion/fashion.psmodel, which records no channel means or
# output-chosen shifts) with `--algorithm hybrid --weight-granularity per-tensor --bias-correction off`, i.e. the
# previous defaults (its window search falls back to `all`); its front must equal the one Results/optimize kept
# before issue #20 (hypervolume 0.9907). `uptime` before and after every run.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROUNDS=${1:-2}
if [ -z "${PRECSEARCH:-}" ]; then swift build -c release --product precsearch >&2; PRECSEARCH=.build/release/precsearch; fi
old_model=$(mktemp --suffix=.psmodel)
trap 'rm -f "$old_model"' EXIT
git show 7334f86:Sources/PrecSearchIO/Resources/ShippedModels/fashion/fashion.psmodel > "$old_model"
D=Sources/PrecSearchIO/Resources/ShippedModels/fashion
for round in $(seq 1 "$ROUNDS"); do
  uptime
  /usr/bin/time -f "new round $round wall %e s" "$PRECSEARCH" optimize --model fashion --budget 40% --quiet \
    --output "/tmp/side-by-side-new-$round.json" | grep -E "Search:|Front:|Chosen"
  uptime
  /usr/bin/time -f "old round $round wall %e s" "$PRECSEARCH" optimize --model "$old_model" --data "$D" --budget 40% \
    --algorithm hybrid --weight-granularity per-tensor --bias-correction off --quiet \
    --output "/tmp/side-by-side-old-$round.json" | grep -E "Search:|Front:|Chosen"
done
uptime
