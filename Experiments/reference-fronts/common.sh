# Shared by long-runs.sh and preselection.sh (sourced after `cd` to the repository root): the data folders and the
# binary. Environment: CIFAR10_BIN (CIFAR-10 binary batches, made with ../shared/tools/cifar10-to-bin; default
# /tmp/cifar/bin), FER2013 (../shared/data/fer2013), PRECSEARCH (binary; default: a release build).
CIFAR10_BIN=${CIFAR10_BIN:-/tmp/cifar/bin}
FER2013=${FER2013:-../shared/data/fer2013}
if [ -z "${PRECSEARCH:-}" ]; then swift build -c release --product precsearch >&2; PRECSEARCH=.build/release/precsearch; fi

# The --data option of a task (none for the shipped splits of fashion and kws).
data_options() {
  case $1 in
    cifar10) echo "--data $CIFAR10_BIN" ;;
    fer) echo "--data $FER2013" ;;
    *) echo "" ;;
  esac
}
