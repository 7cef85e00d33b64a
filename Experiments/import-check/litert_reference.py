#!/usr/bin/env python3
"""LiteRT reference outputs of the MLPerf Tiny models on their real test data, for precsearch's import check.

Usage (from the repository root; needs `pip install ai-edge-litert numpy`):
    python3 Experiments/import-check/litert_reference.py [--shared ../shared] [--out /tmp/precsearch-import-check]

For each of kws_ref_model_float32/int8 (the 1,000 MLPerf KWS MFCC features of shared/data/mlperf-tiny-kws) and
resnet8_float32/int8 (the 200 original-pixel images of shared/data/mlperf-tiny-ic) it writes OUT/<model>.csv:
one row per input, `index,label,logits...,probabilities...` where logits are the input of the final SOFTMAX
(read with experimental_preserve_all_tensors) and probabilities its output, dequantized for the int8 models.

Inputs, as MLPerf feeds them: KWS features are int8 with scale 0.5847029 and zero point 83; the float model gets
(q - 83) * 0.5847029, the int8 model q itself. IC images are uint8 HWC; the float model gets the pixel values
0..255 as float, the int8 model pixel - 128 (its input scale 1, zero point -128).
It also prints each model's top-1 accuracy.

kws_ref_model_float32.tflite is not a pure float model: its five CONV_2D filters are stored int8 (per-tensor scale,
dynamic-range "hybrid" quantization), so LiteRT quantizes the conv inputs to int8 on the fly at run time. precsearch
imports the same file as float math with the dequantized filters. To compare like with like, the script also writes
OUT/<model>.dequantized.tflite, a copy of each float-input model whose int8 constant tensors are replaced by float32
tensors holding scale * (q - zero_point) (through the schema's Python object API that ai-edge-litert ships), and
OUT/<model>.dequantized.csv, LiteRT's outputs on that copy. ResNet-8 float32 has no int8 tensor: its copy is
identical in function. The Swift test ModelImportTests/MLPerfReferenceTests reads these files; tflite_to_onnx.py reuses them.
"""
import argparse, csv, os
import numpy as np
from ai_edge_litert.interpreter import Interpreter
from ai_edge_litert import schema_py_generated as schema
import flatbuffers

KWS_SCALE, KWS_ZERO = 0.5847029, 83


def load_kws(shared):
    root = os.path.join(shared, 'data', 'mlperf-tiny-kws')
    rows = list(csv.DictReader(open(os.path.join(root, 'labels.csv'))))
    data = [np.fromfile(os.path.join(root, r['mfcc_file']), dtype=np.int8) for r in rows]
    return data, [int(r['label_index']) for r in rows]


def load_ic(shared):
    root = os.path.join(shared, 'data', 'mlperf-tiny-ic')
    rows = list(csv.DictReader(open(os.path.join(root, 'labels.csv'))))
    data = [np.fromfile(os.path.join(root, r['file']), dtype=np.uint8) for r in rows]
    return data, [int(r['label_index']) for r in rows]


def run(model_path, inputs, labels, convert, out_path):
    it = Interpreter(model_path=model_path, experimental_preserve_all_tensors=True, num_threads=1)
    it.allocate_tensors()
    inp = it.get_input_details()[0]
    outp = it.get_output_details()[0]
    softmax = [op for op in it._get_ops_details() if op['op_name'] == 'SOFTMAX'][-1]
    logits_detail = [t for t in it.get_tensor_details() if t['index'] == softmax['inputs'][0]][0]

    def dequantize(values, detail):
        scale, zero = detail['quantization']
        return values.astype(np.float64) if scale == 0 else (values.astype(np.float64) - zero) * scale

    correct = 0
    with open(out_path, 'w') as f:
        for i, (x, label) in enumerate(zip(inputs, labels)):
            it.set_tensor(inp['index'], convert(x).reshape(inp['shape']).astype(inp['dtype']))
            it.invoke()
            probabilities = dequantize(it.get_tensor(outp['index']).reshape(-1), outp)
            logits = dequantize(it.get_tensor(logits_detail['index']).reshape(-1), logits_detail)
            correct += int(np.argmax(probabilities) == label)
            f.write(','.join([str(i), str(label)] + [repr(float(v)) for v in logits] + [repr(float(v)) for v in probabilities]) + '\n')
    print(f'{os.path.basename(model_path)}: {len(inputs)} inputs, LiteRT top-1 accuracy {100.0 * correct / len(inputs):.2f}% -> {out_path}')


def dequantized_copy(model_path, out_path):
    """Writes a copy of a float-input model whose int8/uint8 constant tensors are float32 (dequantized)."""
    model = schema.ModelT.InitFromPackedBuf(bytearray(open(model_path, 'rb').read()), 0)
    graph = model.subgraphs[0]
    changed = 0
    if graph.tensors[graph.inputs[0]].type == schema.TensorType.FLOAT32:
        for tensor in graph.tensors:
            buffer = model.buffers[tensor.buffer]
            if tensor.type not in (schema.TensorType.INT8, schema.TensorType.UINT8) or buffer.data is None or len(buffer.data) == 0:
                continue
            q = np.frombuffer(bytes(bytearray(buffer.data)), dtype=np.int8 if tensor.type == schema.TensorType.INT8 else np.uint8)
            q = q.reshape(tensor.shape).astype(np.float64)
            scales = np.array(tensor.quantization.scale, dtype=np.float64)
            zeros = np.array(tensor.quantization.zeroPoint if tensor.quantization.zeroPoint is not None else [0], dtype=np.float64)
            if len(scales) > 1:
                shape = [1] * len(tensor.shape)
                shape[tensor.quantization.quantizedDimension] = len(scales)
                scales, zeros = scales.reshape(shape), zeros.reshape(shape)
            buffer.data = np.frombuffer(((q - zeros) * scales).astype('<f4').tobytes(), dtype=np.uint8)
            tensor.type = schema.TensorType.FLOAT32
            tensor.quantization = None
            changed += 1
    builder = flatbuffers.Builder(1024)
    builder.Finish(model.Pack(builder), file_identifier=b'TFL3')
    open(out_path, 'wb').write(builder.Output())
    print(f'{os.path.basename(model_path)}: {changed} int8 constant tensors dequantized -> {out_path}')


def main():
    parser = argparse.ArgumentParser()
    here = os.path.dirname(os.path.abspath(__file__))
    parser.add_argument('--shared', default=os.path.join(here, '..', '..', '..', 'shared'))
    parser.add_argument('--out', default='/tmp/precsearch-import-check')
    args = parser.parse_args()
    os.makedirs(args.out, exist_ok=True)
    models = os.path.join(args.shared, 'models', 'mlperf-tiny')
    kws, kws_labels = load_kws(args.shared)
    ic, ic_labels = load_ic(args.shared)
    run(os.path.join(models, 'kws_ref_model_float32.tflite'), kws, kws_labels,
        lambda q: (q.astype(np.float32) - KWS_ZERO) * np.float32(KWS_SCALE), os.path.join(args.out, 'kws_ref_model_float32.csv'))
    for name, data, labels, convert in [
            ('kws_ref_model_float32', kws, kws_labels, lambda q: (q.astype(np.float32) - KWS_ZERO) * np.float32(KWS_SCALE)),
            ('resnet8_float32', ic, ic_labels, lambda p: p.astype(np.float32))]:
        copy = os.path.join(args.out, name + '.dequantized.tflite')
        dequantized_copy(os.path.join(models, name + '.tflite'), copy)
        run(copy, data, labels, convert, os.path.join(args.out, name + '.dequantized.csv'))
    run(os.path.join(models, 'kws_ref_model_int8.tflite'), kws, kws_labels, lambda q: q,
        os.path.join(args.out, 'kws_ref_model_int8.csv'))
    run(os.path.join(models, 'resnet8_float32.tflite'), ic, ic_labels, lambda p: p.astype(np.float32),
        os.path.join(args.out, 'resnet8_float32.csv'))
    run(os.path.join(models, 'resnet8_int8.tflite'), ic, ic_labels, lambda p: (p.astype(np.int16) - 128).astype(np.int8),
        os.path.join(args.out, 'resnet8_int8.csv'))


if __name__ == '__main__':
    main()
