#!/usr/bin/env bash
# Builds the libFuzzer targets of Fuzz/Targets and runs each for SECONDS_PER_TARGET seconds (default 30).
# Exits non-zero when any target crashes, hangs (-timeout), runs out of memory (-rss_limit_mb) or fails to build.
# See Fuzz/README.md.
#
#   Fuzz/run.sh [SECONDS_PER_TARGET] [TARGET...]     build, then fuzz each target (all when none is named)
#   Fuzz/run.sh --build                              build only
#   Fuzz/run.sh --write-seeds                        regenerate Fuzz/Seeds/<target>/gen-* with the project's writers
#
# Environment: FUZZ_SCRATCH (SwiftPM scratch path, default .build-fuzzer), FUZZ_JOBS (SwiftPM -j),
# FUZZ_FLAGS (extra libFuzzer flags, e.g. "-runs=1000000" for a fixed number of executions).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD

# ---- The one place that names project modules -------------------------------------------------------------------
# The SwiftPM library targets the fuzz targets import. Their dependencies are found with `swift package describe`,
# so moving files between modules or renaming folders only needs this line (and the targets' imports) changed.
FUZZED_MODULES="PrecSearchFormats PrecSearchIO AudioFeatures ModelImport"
# ------------------------------------------------------------------------------------------------------------------

SCRATCH=${FUZZ_SCRATCH:-.build-fuzzer}
BIN_DIR="$ROOT/$SCRATCH/release"
OUT="$ROOT/$SCRATCH/fuzz"
export ASAN_OPTIONS="detect_leaks=0:${ASAN_OPTIONS:-}"

targets_all() { for f in Fuzz/Targets/*.swift; do n=$(basename "$f" .swift); [ "$n" = Support ] || echo "$n"; done; }

# The library targets in the dependency closure of FUZZED_MODULES, in dependency order.
closure() {
  swift package describe --type json | python3 -c '
import json, sys
wanted = sys.argv[1].split()
targets = {t["name"]: t for t in json.load(sys.stdin)["targets"]}
order, seen = [], set()
def visit(name):
    if name in seen: return
    seen.add(name)
    target = targets.get(name)
    if target is None: sys.exit("Fuzz/run.sh: no target named " + name + " (update FUZZED_MODULES)")
    for dependency in target.get("target_dependencies") or []: visit(dependency)
    if target["type"] == "library": order.append(name)
for name in wanted: visit(name)
print(" ".join(order))
' "$FUZZED_MODULES"
}

build() {
  local modules
  modules=$(closure)
  echo "== building $modules (release, -sanitize=fuzzer,address) in $SCRATCH"
  for m in $FUZZED_MODULES; do
    swift build -c release --scratch-path "$SCRATCH" ${FUZZ_JOBS:+-j "$FUZZ_JOBS"} \
      --sanitize fuzzer --sanitize address --target "$m"
  done
  local objects=() flags=()
  for m in $modules; do
    # Only the objects of the module's current sources: a file moved to another module leaves its old object behind
    # in an incremental scratch folder, and linking it would pull in symbols nothing defines any more.
    for o in "$BIN_DIR/$m.build"/*.o; do
      [ -e "$o" ] || continue
      source_name=$(basename "$o" .o)
      if [ -f "$BIN_DIR/$m.build/sources" ]; then
        grep -q "/$source_name\$" "$BIN_DIR/$m.build/sources" || [ "$source_name" = resource_bundle_accessor.swift ] || continue
      else
        [ -n "$(find "Sources/$m" -name "$source_name" -print -quit)" ] || continue
      fi
      objects+=("$o")
    done
    [ -f "$BIN_DIR/$m.build/module.modulemap" ] && flags+=(-Xcc "-fmodule-map-file=$BIN_DIR/$m.build/module.modulemap")
  done
  mkdir -p "$OUT/bin"
  for t in $(targets_all); do
    echo "== linking $t"
    swiftc -O -parse-as-library -sanitize=fuzzer,address -module-name "Fuzz_$t" -I "$BIN_DIR/Modules" "${flags[@]}" \
      Fuzz/Targets/Support.swift "Fuzz/Targets/$t.swift" "${objects[@]}" -o "$OUT/bin/$t" 2> >(
        grep -v "Cannot export local symbol '__asan" >&2)
  done
}

# Seeds: gen-* are written by each target's fuzzSeeds() with the project's own writers; real-* are cut from files the
# project wrote and ships (a Pareto front of Results/, the energy tables of Experiments/, the shipped keyword-spotting
# validation features). Never from ../shared/data.
write_seeds() {
  build
  for t in $(targets_all); do
    mkdir -p "Fuzz/Seeds/$t"
    rm -f Fuzz/Seeds/"$t"/gen-* Fuzz/Seeds/"$t"/real-*
    PRECSEARCH_FUZZ_WRITE_SEEDS="$ROOT/Fuzz/Seeds/$t" "$OUT/bin/$t" >/dev/null
  done
  for f in Experiments/energy-tables/*.json; do
    cp "$f" "Fuzz/Seeds/EnergyTable/real-$(basename "$f")"
  done
  cp Experiments/energy-tables/horowitz45-bitwise.json Fuzz/Seeds/JSON/real-horowitz45-bitwise.json
  python3 - <<'PY'
import json
# A real front (the kws search of Results/pareto) with 2 of its points, baselines and history entries.
front = json.load(open("Results/pareto/kws/swp-16-8-4/seed1.json"))
for key in ["points", "baselines"]:
    front[key] = front[key][:2]
front["hypervolume"]["history"] = front["hypervolume"]["history"][:2]
open("Fuzz/Seeds/ParetoFront/real-kws-front-2-points.json", "w").write(json.dumps(front, sort_keys=True, separators=(",", ":")))
# The shipped keyword-spotting validation features cut to 3 images (IDX header count rewritten).
kws = "Sources/PrecSearchIO/Resources/ShippedModels/kws/"
images = open(kws + "validation-images-idx3-ubyte", "rb").read()
labels = open(kws + "validation-labels-idx1-ubyte", "rb").read()
rows, cols = int.from_bytes(images[8:12], "big"), int.from_bytes(images[12:16], "big")
open("Fuzz/Seeds/IDX/real-kws-validation-3-images-idx3", "wb").write(images[:4] + (3).to_bytes(4, "big") + images[8:16 + 3 * rows * cols])
open("Fuzz/Seeds/IDX/real-kws-validation-3-labels-idx1", "wb").write(labels[:4] + (3).to_bytes(4, "big") + labels[8:11])
PY
  ls -l Fuzz/Seeds/*
}

run() {
  local seconds=$1; shift
  local selected=("$@")
  [ ${#selected[@]} -gt 0 ] || selected=($(targets_all))
  local failed=()
  for t in "${selected[@]}"; do
    [ -x "$OUT/bin/$t" ] || { echo "Fuzz/run.sh: no target $t (have: $(targets_all | tr '\n' ' '))"; exit 64; }
    mkdir -p "$OUT/corpus/$t" "$OUT/crashes"
    echo "== fuzzing $t for $seconds s"
    # The first corpus folder collects new inputs; Fuzz/Seeds/<target> is only read.
    if "$OUT/bin/$t" "$OUT/corpus/$t" "Fuzz/Seeds/$t" -max_total_time="$seconds" -timeout=20 -rss_limit_mb=2048 \
         -print_final_stats=1 -artifact_prefix="$OUT/crashes/$t-" ${FUZZ_FLAGS:-} 2>"$OUT/$t.log"; then
      grep -E "^(#[0-9]+ +DONE|stat::number_of_executed_units|stat::peak_rss_mb)" "$OUT/$t.log" | tr '\n' ' '; echo
    else
      failed+=("$t")
      tail -n 40 "$OUT/$t.log"
      echo "!! $t FAILED: log $OUT/$t.log, reproducer $(ls -t "$OUT/crashes/$t-"* 2>/dev/null | head -n 1)"
    fi
  done
  if [ ${#failed[@]} -gt 0 ]; then echo "Fuzz/run.sh: failures in: ${failed[*]}"; exit 1; fi
  echo "Fuzz/run.sh: no crash in ${#selected[@]} targets"
}

case "${1:-}" in
  --build) build ;;
  --write-seeds) write_seeds ;;
  -h|--help) sed -n '2,12p' "$0" ;;
  *)
    seconds=${1:-30}
    [[ "$seconds" =~ ^[0-9]+$ ]] || { echo "usage: Fuzz/run.sh [SECONDS_PER_TARGET] [TARGET...]" >&2; exit 64; }
    [ $# -gt 0 ] && shift
    build
    run "$seconds" "$@"
    ;;
esac
