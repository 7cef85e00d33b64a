# Sourced by run.sh and ablation.sh: the environment's defaults and each task's data and Results/pareto settings.
#
# Environment: PRECSEARCH (binary; default: a release build), OUT (Results/opt-in-combination), CIFAR10_BIN
# (/tmp/cifar/bin), FER2013 (../shared/data/fer2013), FASHION (../shared/data/fashion-mnist), MODELS (where the
# recalibrated models go; default /tmp/opt-in-combination: derived files, not results).
OUT=${OUT:-Results/opt-in-combination}
CIFAR10_BIN=${CIFAR10_BIN:-/tmp/cifar/bin}
FER2013=${FER2013:-../shared/data/fer2013}
FASHION=${FASHION:-../shared/data/fashion-mnist}
MODELS=${MODELS:-/tmp/opt-in-combination}
if [ -z "${PRECSEARCH:-}" ]; then swift build -c release --product precsearch >&2; PRECSEARCH=.build/release/precsearch; fi
mkdir -p "$MODELS"

# task_setup TASK: sets `data`, `settings` (the Results/pareto evaluations and validation images) and `model` (the
# shipped model after `recalibrate --activation-windows output`, made when missing).
task_setup() {
  case $1 in
    fer) data=$FER2013; settings=(--evaluations 300 --validation-images 1000) ;;
    cifar10) data=$CIFAR10_BIN; settings=(--evaluations 300 --validation-images 1000) ;;
    fashion) data=$FASHION; settings=(--evaluations 600 --validation-images 2000) ;;
    *) echo "unknown task $1" >&2; exit 64 ;;
  esac
  model="$MODELS/$1.psmodel"
  [ -f "$model" ] || "$PRECSEARCH" recalibrate --model "$1" --data "$data" --activation-windows output --output "$model"
}
