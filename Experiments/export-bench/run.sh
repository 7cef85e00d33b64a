#!/bin/sh
# The exported C library (compiled with -O2) next to the Swift engine at the same front points, images per CPU
# second, one image at a time on one thread; and the Cortex-M4 sizes when arm-none-eabi-gcc is installed.
#   Experiments/export-bench/run.sh [OUTPUT_DIR]      (from the repository root; default /tmp/precsearch-export-bench)
#   OPT=-O3 Experiments/export-bench/run.sh           (another optimization level for the C library; default -O2)
set -eu
out=${1:-/tmp/precsearch-export-bench}
scratch=${SCRATCH_PATH:-.build-export}
mkdir -p "$out"
swift build -c release --scratch-path "$scratch" --product precsearch >/dev/null
swift build -c release --scratch-path "$scratch" --product precsearch-bench >/dev/null
bin=$(swift build -c release --scratch-path "$scratch" --show-bin-path)
models=Sources/PrecSearchIO/Resources/ShippedModels
echo "uptime: $(uptime)"
echo "cc: $(cc --version | head -1)"
for spec in "fashion Results/optimize/fashion-budget40.json p05,p20,p40" \
            "kws Results/pareto/kws/swp-16-8-4/seed1.json p05,p22,p38"; do
  set -- $spec
  model=$1 front=$2 points=$3
  for storage in master16 packed; do
    dir="$out/$model-$storage"
    rm -rf "$dir"
    "$bin/precsearch" export --model "$model" --front "$front" --points "$points" --output "$dir" --weights "$storage" >/dev/null
    for variant in per-filter set-point; do
      flags=""
      [ "$variant" = set-point ] && flags="-D$(echo "$model" | tr a-z A-Z)_DERIVE_AT_SET_POINT"
      cc -std=c99 ${OPT:--O2} -Wall -Wextra -Werror -pedantic $flags -I"$dir" \
        "-DLIB_HEADER=\"$model.h\"" "-DLIB(x)=${model}_##x" "-DLIB_MACRO(x)=$(echo "$model" | tr a-z A-Z)_##x" \
        Experiments/export-bench/bench.c "$dir/$model.c" "$dir/${model}_weights.c" -o "$dir/bench-$variant"
      echo "== C $model --weights $storage, derivation $variant (cc ${OPT:--O2})"
      "$dir/bench-$variant" 2>/dev/null
    done
  done
  echo "== Swift engine $model (precsearch-bench --engine-only --cpu-time)"
  "$bin/precsearch-bench" --engine-only --cpu-time --seconds 3 --model "$models/$model/$model.psmodel" \
    --front "$front" --points "$points" | grep -E "^model|^point|^fixed 8"
  if command -v arm-none-eabi-gcc >/dev/null 2>&1; then
    for storage in master16 packed; do
      dir="$out/$model-$storage"
      arm-none-eabi-gcc -std=c99 -Os -mcpu=cortex-m4 -mthumb -mfloat-abi=hard -mfpu=fpv4-sp-d16 -Wall -Wextra -Werror \
        -pedantic -c "$dir/$model.c" -o "$dir/$model.o"
      arm-none-eabi-gcc -std=c99 -Os -mcpu=cortex-m4 -mthumb -mfloat-abi=hard -mfpu=fpv4-sp-d16 -Wall -Wextra -Werror \
        -pedantic -c "$dir/${model}_weights.c" -o "$dir/${model}_weights.o"
      echo "== arm-none-eabi-size $model --weights $storage (Cortex-M4, -Os)"
      arm-none-eabi-size "$dir/$model.o" "$dir/${model}_weights.o"
    done
  else
    echo "== arm-none-eabi-gcc not installed: no Cortex-M4 sizes"
  fi
done
echo "uptime: $(uptime)"
