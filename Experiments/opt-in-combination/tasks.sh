# Sourced by run.sh and ablation.sh: the environment's defaults and each task's data and Results/pareto settings.
#
# Environment: PRECSEARCH (binary; default: a release build), OUT (Results/opt-in-combination), CIFAR10_BIN
# (/tmp/cifar/bin), FER2013 (../shared/data/fer2013), FASHION (../shared/data/fashion-mnist), KWS_CALIBRATION
# (../shared/data/speech-commands-mini/training), MODELS (where the recalibrated models go; default
# /tmp/opt-in-combination: derived files, not results).
OUT=${OUT:-Results/opt-in-combination}
CIFAR10_BIN=${CIFAR10_BIN:-/tmp/cifar/bin}
FER2013=${FER2013:-../shared/data/fer2013}
FASHION=${FASHION:-../shared/data/fashion-mnist}
KWS_CALIBRATION=${KWS_CALIBRATION:-../shared/data/speech-commands-mini/training}
MODELS=${MODELS:-/tmp/opt-in-combination}
if [ -z "${PRECSEARCH:-}" ]; then swift build -c release --product precsearch >&2; PRECSEARCH=.build/release/precsearch; fi
mkdir -p "$MODELS"

# task_setup TASK: sets `data` (the `optimize --data` options), `settings` (the Results/pareto evaluations and
# validation images) and `model` (the shipped model after `recalibrate --activation-windows output`, made when
# missing). kws searches its shipped splits (synthetic speakers) and is recalibrated on real Speech Commands training
# clips, since the synthetic training speech its shipped ranges came from is not available; its ranges change with
# that, so its uniform baselines are those of the recalibrated copy.
task_setup() {
  case $1 in
    fer) data=(--data "$FER2013"); settings=(--evaluations 300 --validation-images 1000) ;;
    cifar10) data=(--data "$CIFAR10_BIN"); settings=(--evaluations 300 --validation-images 1000) ;;
    fashion) data=(--data "$FASHION"); settings=(--evaluations 600 --validation-images 2000) ;;
    # all 715 validation and 975 test clips of the shipped splits, as Results/pareto
    kws) data=(--data Sources/PrecSearchIO/Resources/ShippedModels/kws); settings=(--evaluations 600) ;;
    *) echo "unknown task $1" >&2; exit 64 ;;
  esac
  local calibration=${data[1]}
  if [ "$1" = kws ]; then calibration=$KWS_CALIBRATION; fi
  model="$MODELS/$1.psmodel"
  [ -f "$model" ] || "$PRECSEARCH" recalibrate --model "$1" --data "$calibration" --activation-windows output --output "$model"
}
