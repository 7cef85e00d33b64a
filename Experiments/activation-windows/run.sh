#!/bin/bash
# Activation window shifts chosen by the histogram (today's criterion) against the network's output
# (recalibrate --activation-windows output), uniform W16Ab and WbAb on the four shipped tasks.
#
# Usage: Experiments/activation-windows/run.sh PRECSEARCH LABEL=MODELS-DIR... > uniform.tsv
#   PRECSEARCH     a release build of precsearch
#   LABEL=DIR      DIR holds TASK.psmodel for each task, written by precsearch recalibrate --activation-windows
#                  output (with the --window-weights that LABEL names; see Results/activation-windows/README.md);
#                  its rows are measured with --window-search all-output and labelled LABEL. For kws the first
#                  DIR's model is also measured with --window-search all (its ranges are recalibrated, so they
#                  differ from the shipped model's).
# Rows labelled "shipped" are the shipped model with --window-search none and all (the histogram criterion).
# Data: ../shared/data (FER2013 record files; CIFAR-10 binary batches made by ../shared/tools/cifar10-to-bin, in
# $CIFAR_BIN, default /tmp/cifar/bin); fashion and kws use their shipped validation and test splits.
# Environment: TASKS (default "fashion kws fer cifar10"), BITS (default "8 6 5 4 3"), SHIPPED_ROWS=0 to skip the
# shipped rows.
set -euo pipefail
P=$1; shift
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
SHIPPED=$ROOT/Sources/PrecSearchIO/Resources/ShippedModels
DATA=${SHARED_DATA:-$ROOT/../shared/data}
CIFAR_BIN=${CIFAR_BIN:-/tmp/cifar/bin}
BITS=${BITS:-"8 6 5 4 3"}
TASKS=${TASKS:-"fashion kws fer cifar10"}
SHIPPED_ROWS=${SHIPPED_ROWS:-1}
printf "task\tmodel\tsplit\timages\tweightBits\tactivationBits\twindowSearch\taccuracy\tfloatAccuracy\ttop1Agreement\n"
evaluate() {  # task model-label model-path split data w a mode
  "$P" evaluate --model "$3" --data "$5" --weight-bits "$6" --activation-bits "$7" --window-search "$8" --json \
    | python3 -c "
import json, sys
d = json.load(sys.stdin); a = d['accuracy']
print('\t'.join(['$1', '$2', '$4', str(d['data']['evaluatedImages']), '$6', '$7', '$8',
                 '%.4f' % a['fixedPoint'], '%.4f' % a['floatReference'], '%.4f' % a['top1Agreement']]))"
}
for t in $TASKS; do
  case $t in
    fashion|kws) SPLITS="validation=$SHIPPED/$t/validation-images-idx3-ubyte test=$SHIPPED/$t/t10k-images-idx3-ubyte";;
    fer) SPLITS="validation=$DATA/fer2013/publictest.bin test=$DATA/fer2013/privatetest.bin";;
    cifar10) SPLITS="test=$CIFAR_BIN";;
  esac
  for sd in $SPLITS; do
    s=${sd%%=*}; d=${sd#*=}
    for b in $BITS; do
      for w in 16 $b; do
        if [ "$SHIPPED_ROWS" = 1 ]; then
          [ $w = 16 ] && evaluate $t shipped $t $s "$d" 16 $b none
          evaluate $t shipped $t $s "$d" $w $b all
          if [ "$t" = kws ]; then first=${1#*=}; evaluate $t recalibrated "$first/$t.psmodel" $s "$d" $w $b all; fi
        fi
        for ld in "$@"; do evaluate $t "${ld%%=*}" "${ld#*=}/$t.psmodel" $s "$d" $w $b all-output; done
      done
    done
  done
done
