#!/usr/bin/env bash
# Sensitivity-guided search against the hybrid at equal evaluation counts (issue #20, section 3): for one model,
# both energy models, SEEDS seeds each, `precsearch optimize --algorithm hybrid` and `--algorithm guided` with the
# same evaluations, validation and test images; one Pareto JSON per run, then summarize.py per energy model (the
# hypervolume table, paired by seed) into OUT/ENERGY_MODEL/summary.md.
#
#   Experiments/search-quality/guided.sh [MODEL] [OUT]      # defaults: fashion, Results/search-quality/guided/MODEL
#
# Environment: as run.sh: EVALUATIONS (300), VALIDATION_IMAGES (1000), TEST_IMAGES (1000), SEEDS ("1 2 3 4 5"),
# PRECSEARCH (binary; default: a release build); plus DATA (passed as --data, for cifar10 and fer), ENERGY_MODELS
# ("horowitz45-bitwise swp-16-8-4") and ALGORITHMS ("hybrid guided"). Finished runs are kept (resumable).
set -euo pipefail
cd "$(dirname "$0")/../.."
HERE=Experiments/search-quality
MODEL=${1:-fashion}
OUT=${2:-Results/search-quality/guided/$MODEL}
EVALUATIONS=${EVALUATIONS:-300}
VALIDATION_IMAGES=${VALIDATION_IMAGES:-1000}
TEST_IMAGES=${TEST_IMAGES:-1000}
SEEDS=${SEEDS:-"1 2 3 4 5"}
ENERGY_MODELS=${ENERGY_MODELS:-"horowitz45-bitwise swp-16-8-4"}
ALGORITHMS=${ALGORITHMS:-"hybrid guided"}
DATA_ARGS=()
if [ -n "${DATA:-}" ]; then DATA_ARGS=(--data "$DATA"); fi
if [ -z "${PRECSEARCH:-}" ]; then swift build -c release --product precsearch >&2; PRECSEARCH=.build/release/precsearch; fi
for energy in $ENERGY_MODELS; do
  mkdir -p "$OUT/$energy"
  for seed in $SEEDS; do
    for algorithm in $ALGORITHMS; do
      file="$OUT/$energy/$algorithm-seed$seed.json"
      [ -f "$file" ] && continue
      echo "$(date -u +%T) $MODEL $energy $algorithm seed $seed" >&2
      "$PRECSEARCH" optimize --model "$MODEL" "${DATA_ARGS[@]}" --energy-model "$energy" --algorithm "$algorithm" \
        --seed "$seed" --evaluations "$EVALUATIONS" --validation-images "$VALIDATION_IMAGES" \
        --test-images "$TEST_IMAGES" --quiet --output "$file" >> "$OUT/$energy/run.log"
    done
  done
  python3 "$HERE/summarize.py" "$OUT/$energy" | tee "$OUT/$energy/summary.md"
done
