#!/usr/bin/env bash
# Search quality at equal evaluation counts: simulated annealing, NSGA-II and the hybrid (annealing seeds NSGA-II)
# on one model, 5 seeds each, whole-front search (issue 5). Each run writes its Pareto JSON; summarize.py prints
# the hypervolume table (normalized objectives, reference point [1.1, 1.1], docs/pareto-json.md).
#
#   Experiments/search-quality/run.sh [MODEL] [OUT]      # defaults: fashion, Results/search-quality/fashion
#
# Environment: EVALUATIONS (300), VALIDATION_IMAGES (1000: the first 1000 validation images, to fit the machine),
# TEST_IMAGES (1000), SEEDS ("1 2 3 4 5"), PRECSEARCH (binary; default: a release build).
set -euo pipefail
cd "$(dirname "$0")/../.."
MODEL=${1:-fashion}
OUT=${2:-Results/search-quality/$MODEL}
EVALUATIONS=${EVALUATIONS:-300}
VALIDATION_IMAGES=${VALIDATION_IMAGES:-1000}
TEST_IMAGES=${TEST_IMAGES:-1000}
SEEDS=${SEEDS:-"1 2 3 4 5"}
if [ -z "${PRECSEARCH:-}" ]; then swift build -c release --product precsearch >&2; PRECSEARCH=.build/release/precsearch; fi
mkdir -p "$OUT"
for seed in $SEEDS; do
  for algorithm in annealing nsga2 hybrid; do
    file="$OUT/$algorithm-seed$seed.json"
    [ -f "$file" ] && continue   # resumable: finished runs are kept
    echo "$(date -u +%T) $algorithm seed $seed" >&2
    "$PRECSEARCH" optimize --model "$MODEL" --algorithm "$algorithm" --seed "$seed" --evaluations "$EVALUATIONS" \
      --validation-images "$VALIDATION_IMAGES" --test-images "$TEST_IMAGES" --quiet --output "$file"
  done
done
python3 "$(dirname "$0")/summarize.py" "$OUT" | tee "$OUT/summary.md"
