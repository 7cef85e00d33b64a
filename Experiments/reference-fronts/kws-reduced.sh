#!/usr/bin/env bash
# Issue #20, part 2: the exact front of a reduced kws space against the default search in the same space.
#
#   Experiments/reference-fronts/kws-reduced.sh
#
# Space: `--weight-bits 4,8 --activation-bits 8` on the shipped kws DS-CNN (10 weighted layers: 2^10 = 1,024
# configurations). For each energy model: `optimize --algorithm exhaustive --screening exact` measures every
# configuration on every validation clip (exact screening never drops a configuration that is non-dominated on the
# whole split), which gives the exact front; then the default search (since issue #20: guided, 1,000 evaluations,
# confidence screening, with the default arithmetic; before it: hybrid) runs in the same space with seeds 1-5.
# Both use the default arithmetic of the binary (recorded in each JSON's `model`). The table gives each run's validation hypervolume
# (`hypervolume.final`, the energy-accuracy indicator of docs/pareto-json.md) as a percentage of the exact front's.
#
# Environment: PRECSEARCH (binary; default: a release build), OUT (Results/reference-fronts/kws-reduced),
# SEEDS ("1 2 3 4 5"), ENERGY_MODELS ("swp-16-8-4 horowitz45-bitwise"). Finished runs are kept and skipped.
set -euo pipefail
cd "$(dirname "$0")/../.."
OUT=${OUT:-Results/reference-fronts/kws-reduced}
SEEDS=${SEEDS:-"1 2 3 4 5"}
ENERGY_MODELS=${ENERGY_MODELS:-"swp-16-8-4 horowitz45-bitwise"}
if [ -z "${PRECSEARCH:-}" ]; then swift build -c release --product precsearch >&2; PRECSEARCH=.build/release/precsearch; fi
SPACE=(--model kws --weight-bits 4,8 --activation-bits 8)

for energy in $ENERGY_MODELS; do
  dir="$OUT/$energy"
  mkdir -p "$dir"
  if [ ! -f "$dir/exact.json" ]; then
    echo "$(date -u +%FT%TZ) exhaustive $energy" | tee -a "$dir/run.log" >&2
    "$PRECSEARCH" optimize "${SPACE[@]}" --energy-model "$energy" --algorithm exhaustive --screening exact \
      --quiet --output "$dir/exact.json" 2>&1 | tee -a "$dir/run.log"
  fi
  for seed in $SEEDS; do
    file="$dir/default-seed$seed.json"
    [ -f "$file" ] && continue
    echo "$(date -u +%FT%TZ) default $energy seed $seed" | tee -a "$dir/run.log" >&2
    "$PRECSEARCH" optimize "${SPACE[@]}" --energy-model "$energy" --seed "$seed" --quiet --output "$file" 2>&1 \
      | tee -a "$dir/run.log"
  done
done

# The table: hypervolume of each default run as % of the exact front's, and the front sizes.
python3 - "$OUT" $ENERGY_MODELS <<'PY' | tee "$OUT/summary.md"
import json, sys, os
out, models = sys.argv[1], sys.argv[2:]
print("| energy model | run | front points | evaluations | configurations measured | hypervolume (validation) | % of exact |")
print("|---|---|---|---|---|---|---|")
for model in models:
    d = os.path.join(out, model)
    exact = json.load(open(os.path.join(d, "exact.json")))
    reference = exact["hypervolume"]["final"]
    runs = [("exact (exhaustive)", exact)] + [
        (f"default seed {f[len('default-seed'):-5]}", json.load(open(os.path.join(d, f))))
        for f in sorted(os.listdir(d)) if f.startswith("default-seed") and f.endswith(".json")]
    for name, doc in runs:
        hv = doc["hypervolume"]["final"]
        print(f"| {model} | {name} | {len(doc['points'])} | {doc['effort']['evaluations']} | "
              f"{doc['effort']['configurationsMeasured']} | {hv:.6f} | {100 * hv / reference:.3f} |")
PY
