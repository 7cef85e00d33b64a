#!/usr/bin/env bash
# Search quality at equal evaluation counts: simulated annealing, NSGA-II and the hybrid (annealing seeds NSGA-II)
# on one model, 5 seeds each, whole-front search (issue 5), and pymoo's NSGA-II driving the same evaluator through
# `precsearch serve` (issue 8; pymoo_nsga2.py, docs/serve.md). Each run writes its JSON; summarize.py prints the
# hypervolume table (normalized objectives, reference point [1.1, 1.1], docs/pareto-json.md) and says which
# algorithm wins.
#
#   Experiments/search-quality/run.sh [MODEL] [OUT]      # defaults: fashion, Results/search-quality/fashion
#
# Environment: EVALUATIONS (300), VALIDATION_IMAGES (1000: the first 1000 validation images, to fit the machine),
# TEST_IMAGES (1000), SEEDS ("1 2 3 4 5"), PRECSEARCH (binary; default: a release build), PYMOO (1: also run
# pymoo's NSGA-II from a random and from a uniform start, installed with pip from requirements.txt when missing;
# 0: only precsearch's algorithms).
set -euo pipefail
cd "$(dirname "$0")/../.."
HERE=Experiments/search-quality
MODEL=${1:-fashion}
OUT=${2:-Results/search-quality/$MODEL}
EVALUATIONS=${EVALUATIONS:-300}
VALIDATION_IMAGES=${VALIDATION_IMAGES:-1000}
TEST_IMAGES=${TEST_IMAGES:-1000}
SEEDS=${SEEDS:-"1 2 3 4 5"}
PYMOO=${PYMOO:-1}
if [ -z "${PRECSEARCH:-}" ]; then swift build -c release --product precsearch >&2; PRECSEARCH=.build/release/precsearch; fi
if [ "$PYMOO" = 1 ] && ! python3 -c 'import pymoo' 2>/dev/null; then
  python3 -m pip install -r "$HERE/requirements.txt" >&2
fi
mkdir -p "$OUT"
for seed in $SEEDS; do
  for algorithm in annealing nsga2 hybrid; do
    file="$OUT/$algorithm-seed$seed.json"
    [ -f "$file" ] && continue   # resumable: finished runs are kept
    echo "$(date -u +%T) $algorithm seed $seed" >&2
    "$PRECSEARCH" optimize --model "$MODEL" --algorithm "$algorithm" --seed "$seed" --evaluations "$EVALUATIONS" \
      --validation-images "$VALIDATION_IMAGES" --test-images "$TEST_IMAGES" --quiet --output "$file"
  done
  # pymoo's NSGA-II from its standard random start, then from the uniform configurations as ours starts.
  for initial in random uniform; do
    name=pymoo-nsga2; [ "$initial" = uniform ] && name=pymoo-nsga2-uniform
    file="$OUT/$name-seed$seed.json"
    if [ "$PYMOO" = 1 ] && [ ! -f "$file" ]; then
      echo "$(date -u +%T) $name seed $seed" >&2
      # The same model, validation images, evaluation count and (default) energy model, window search, screening
      # and population size (40) as the optimize runs above.
      python3 "$HERE/pymoo_nsga2.py" --precsearch "$PRECSEARCH" --model "$MODEL" --seed "$seed" --initial "$initial" \
        --evaluations "$EVALUATIONS" --validation-images "$VALIDATION_IMAGES" --population-size 40 --output "$file"
    fi
  done
done
python3 "$HERE/summarize.py" "$OUT" | tee "$OUT/summary.md"
