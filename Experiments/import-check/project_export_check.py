#!/usr/bin/env python3
"""Imports what the project's own ONNX exporter writes: the ResNet-8 that Experiments/onnx-comparison/compare.py
exports (random weights, SplitMix64 seed 1; NCHW, its 7 BatchNormalization nodes kept, which the MLPerf twins do
not have; its pooling reaches 1x1 before the Flatten, so the exporter adds no Transpose there).

Usage (from the repository root; needs `pip install onnx onnxruntime numpy` and a release build of
precsearch-bench, e.g. `swift build -c release --product precsearch-bench`):
    python3 Experiments/import-check/project_export_check.py [--bench PATH] [--out /tmp/precsearch-import-check]

Writes OUT/project-resnet8.onnx, OUT/project-resnet8.inputs.f32 (16 random HWC inputs, uniform in [-1, 1], numpy
seed 0) and OUT/project-resnet8.outputs.f32 (onnxruntime's outputs). ModelImportTests/ProjectExportTests imports
the ONNX file and compares.
"""
import argparse, os, subprocess, sys
import numpy as np
import onnx
import onnxruntime as ort

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, '..', 'onnx-comparison'))
from compare import read_model, export  # the project's exporter

parser = argparse.ArgumentParser()
parser.add_argument('--bench', default=os.path.join(HERE, '..', '..', '.build', 'release', 'precsearch-bench'))
parser.add_argument('--out', default='/tmp/precsearch-import-check')
args = parser.parse_args()
os.makedirs(args.out, exist_ok=True)
model_path = os.path.join(args.out, 'project-resnet8.psmodel')
subprocess.run([args.bench, '--write-model', model_path], check=True)
header, blob = read_model(model_path)
model, shape = export(header, blob)
onnx_path = os.path.join(args.out, 'project-resnet8.onnx')
onnx.save(model, onnx_path)
h, w, c = shape['height'], shape['width'], shape['channels']
x = np.random.default_rng(0).uniform(-1, 1, size=(16, h, w, c)).astype(np.float32)
session = ort.InferenceSession(onnx_path, providers=['CPUExecutionProvider'])
name = session.get_inputs()[0].name
y = np.concatenate([session.run(None, {name: xi.transpose(2, 0, 1)[None]})[0] for xi in x])
x.tofile(os.path.join(args.out, 'project-resnet8.inputs.f32'))
y.astype('<f4').tofile(os.path.join(args.out, 'project-resnet8.outputs.f32'))
print(f'{onnx_path}: {len(model.graph.node)} nodes ({", ".join(sorted({n.op_type for n in model.graph.node}))}), '
      f'outputs {y.shape} written')
