#!/bin/bash
# Activation window shifts chosen by the histogram (today's criterion) against the network's output
# (recalibrate --activation-windows output), uniform W16Ab and WbAb on the four shipped tasks.
#
# Usage: Experiments/activation-windows/run.sh PRECSEARCH MODELS-DIR > uniform.tsv
#   PRECSEARCH  a release build of precsearch
#   MODELS-DIR  holds cifar10.psmodel fer.psmodel fashion.psmodel kws.psmodel written by
#               precsearch recalibrate --activation-windows output (see Results/activation-windows/README.md)
# Data: ../shared/data (FER2013 record files; CIFAR-10 binary batches from ../shared/tools/cifar10-to-bin in
# $CIFAR_BIN, default /tmp/cifar/bin); fashion and kws use their shipped validation and test splits.
set -euo pipefail
P=$1; M=$2
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
SHIPPED=$ROOT/Sources/PrecSearchIO/Resources/ShippedModels
DATA=${SHARED_DATA:-$ROOT/../shared/data}
CIFAR_BIN=${CIFAR_BIN:-/tmp/cifar/bin}
BITS=${BITS:-"8 6 5 4 3"}
TASKS=${TASKS:-"fashion kws fer cifar10"}
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
      evaluate $t shipped $t $s "$d" 16 $b none
      evaluate $t shipped $t $s "$d" 16 $b all
      if [ "$t" = kws ]; then evaluate $t recalibrated "$M/$t.psmodel" $s "$d" 16 $b all; fi
      evaluate $t recalibrated "$M/$t.psmodel" $s "$d" 16 $b all-output
      evaluate $t shipped $t $s "$d" $b $b all
      if [ "$t" = kws ]; then evaluate $t recalibrated "$M/$t.psmodel" $s "$d" $b $b all; fi
      evaluate $t recalibrated "$M/$t.psmodel" $s "$d" $b $b all-output
    done
  done
done
