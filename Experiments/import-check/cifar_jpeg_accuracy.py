#!/usr/bin/env python3
"""LiteRT's top-1 accuracy of MLPerf Tiny's ResNet-8 (float32 and int8) on the JPEG CIFAR-10 test split, for the
comparison with `precsearch evaluate` on the same images (docs/model-import.md).

    ../shared/tools/cifar10-to-bin /tmp/cifar        # the JPEG copy in ../shared/data/cifar10 as binary batches
    python3 Experiments/import-check/cifar_jpeg_accuracy.py --batches /tmp/cifar/cifar-10-batches-bin

The images are fed as MLPerf feeds them: uint8 HWC pixels, as float 0..255 to the float model and pixel - 128 to
the int8 model (input scale 1, zero point -128).
"""
import argparse, os
import numpy as np
from ai_edge_litert.interpreter import Interpreter


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('--batches', required=True, help='folder with test_batch.bin (CIFAR-10 binary)')
    parser.add_argument('--models', default='../shared/models/mlperf-tiny')
    args = parser.parse_args()
    raw = np.fromfile(os.path.join(args.batches, 'test_batch.bin'), dtype=np.uint8).reshape(-1, 3073)
    labels = raw[:, 0].astype(int)
    images = raw[:, 1:].reshape(-1, 3, 32, 32).transpose(0, 2, 3, 1)   # CHW planes -> HWC
    for name in ('resnet8_float32.tflite', 'resnet8_int8.tflite'):
        it = Interpreter(model_path=os.path.join(args.models, name), num_threads=1)
        it.allocate_tensors()
        inp, out = it.get_input_details()[0], it.get_output_details()[0]
        correct = 0
        for image, label in zip(images, labels):
            x = image.astype(np.float32) if inp['dtype'] == np.float32 else (image.astype(np.int16) - 128).astype(np.int8)
            it.set_tensor(inp['index'], x[None])
            it.invoke()
            correct += int(np.argmax(it.get_tensor(out['index'])[0]) == label)
        print(f'{name}: {correct} / {len(labels)} = {100 * correct / len(labels):.2f}% (LiteRT, JPEG CIFAR-10 test split)')


if __name__ == '__main__':
    main()
