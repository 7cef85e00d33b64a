#!/usr/bin/env python3
"""Converts the MLPerf Tiny float models to ONNX (NCHW), the "ONNX twins" that precsearch's ONNX import is checked on.

Usage (from the repository root; needs `pip install ai-edge-litert onnx onnxruntime numpy`; run
litert_reference.py first, it writes the data this script reuses):
    python3 Experiments/import-check/tflite_to_onnx.py [--shared ../shared] [--out /tmp/precsearch-import-check]

A small converter for exactly the operators of these graphs, written against schema.fbs through the Python object
API that ai-edge-litert ships: CONV_2D -> Conv (OHWI filters to OIHW, TFLite SAME padding as explicit pads with the
odd row/column at the end), DEPTHWISE_CONV_2D -> Conv with group = C, fused RELU/RELU6 -> Relu / Clip(0, 6),
AVERAGE_POOL_2D / MAX_POOL_2D -> AveragePool / MaxPool, ADD -> Add, RESHAPE to a vector -> Flatten (after a
Transpose to NHWC when H*W > 1, so the element order is TFLite's), FULLY_CONNECTED -> Gemm(transB=1),
SOFTMAX -> Softmax. int8 constant tensors (the hybrid KWS file's conv filters) are dequantized,
scale * (q - zero_point), as precsearch does. Anything else stops the script.

For each model it writes OUT/<model>.onnx and OUT/<model>.onnx.csv (onnxruntime's outputs on the same inputs as
litert_reference.py, rows `index,label,logits...,probabilities...`), and prints the largest difference between
onnxruntime and LiteRT (on the dequantized copy). ModelImportTests/MLPerfReferenceTests reads both files.
"""
import argparse, os
import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper
import onnxruntime as ort
from ai_edge_litert import schema_py_generated as S
from litert_reference import load_kws, load_ic, KWS_SCALE, KWS_ZERO

NAMES = {v: k for k, v in vars(S.BuiltinOperator).items() if not k.startswith('_')}


def constant(model, tensor):
    data = model.buffers[tensor.buffer].data
    if data is None or len(data) == 0:
        return None
    raw = bytes(bytearray(data))
    dtype = {S.TensorType.FLOAT32: '<f4', S.TensorType.INT8: 'i1', S.TensorType.UINT8: 'u1', S.TensorType.INT32: '<i4'}[tensor.type]
    values = np.frombuffer(raw, dtype=dtype).reshape(tensor.shape)
    if tensor.type == S.TensorType.FLOAT32 or tensor.quantization is None or not tensor.quantization.scale:
        return values.astype(np.float32) if tensor.type == S.TensorType.FLOAT32 else values
    scales = np.array(tensor.quantization.scale, np.float64)
    zeros = np.array(tensor.quantization.zeroPoint if tensor.quantization.zeroPoint is not None else [0], np.float64)
    if len(scales) > 1:
        shape = [1] * len(tensor.shape)
        shape[tensor.quantization.quantizedDimension] = len(scales)
        scales, zeros = scales.reshape(shape), zeros.reshape(shape)
    return ((values.astype(np.float64) - zeros) * scales).astype(np.float32)


def same_pads(size, kernel, stride, dilation):
    out = (size + stride - 1) // stride
    total = max((out - 1) * stride + (kernel - 1) * dilation + 1 - size, 0)
    return total // 2, total - total // 2


def convert(path):
    model = S.ModelT.InitFromPackedBuf(bytearray(open(path, 'rb').read()), 0)
    g = model.subgraphs[0]
    nodes, inits = [], []
    name = lambda i: f't{i}'

    def add_init(array, label):
        inits.append(numpy_helper.from_array(np.ascontiguousarray(array), label))
        return label

    def activation(act, source, label):
        if act == S.ActivationFunctionType.NONE:
            return source
        if act == S.ActivationFunctionType.RELU:
            nodes.append(helper.make_node('Relu', [source], [label]))
        elif act == S.ActivationFunctionType.RELU6:
            lo, hi = add_init(np.array(0, np.float32), label + '_min'), add_init(np.array(6, np.float32), label + '_max')
            nodes.append(helper.make_node('Clip', [source, lo, hi], [label]))
        else:
            raise SystemExit(f'{path}: fused activation {act} not handled')
        return label

    for k, op in enumerate(g.operators):
        code = model.operatorCodes[op.opcodeIndex]
        builtin = max(code.builtinCode, code.deprecatedBuiltinCode)
        opname = NAMES[builtin]
        ins, out = list(op.inputs), op.outputs[0]
        o = op.builtinOptions
        x_shape = g.tensors[ins[0]].shape
        pre = name(out) + '_pre'
        if opname in ('CONV_2D', 'DEPTHWISE_CONV_2D'):
            w = constant(model, g.tensors[ins[1]])
            if opname == 'CONV_2D':
                w_onnx, group = w.transpose(0, 3, 1, 2), 1
            else:
                w_onnx, group = w.transpose(3, 0, 1, 2), w.shape[3]
            kh, kw = w_onnx.shape[2], w_onnx.shape[3]
            dh, dw = o.dilationHFactor, o.dilationWFactor
            if o.padding == S.Padding.SAME:
                (t, b), (l, r) = same_pads(x_shape[1], kh, o.strideH, dh), same_pads(x_shape[2], kw, o.strideW, dw)
            else:
                t = b = l = r = 0
            inputs = [name(ins[0]), add_init(w_onnx, name(ins[1]) + '_oihw')]
            if len(ins) > 2 and ins[2] >= 0:
                inputs.append(add_init(constant(model, g.tensors[ins[2]]).astype(np.float32), name(ins[2])))
            nodes.append(helper.make_node('Conv', inputs, [pre], group=int(group), strides=[o.strideH, o.strideW],
                                          dilations=[dh, dw], pads=[t, l, b, r], kernel_shape=[kh, kw], name=f'op{k}'))
            activation(o.fusedActivationFunction, pre, name(out)) if o.fusedActivationFunction else nodes[-1].output.__setitem__(0, name(out))
        elif opname in ('AVERAGE_POOL_2D', 'MAX_POOL_2D'):
            if o.padding == S.Padding.SAME:
                (t, b), (l, r) = same_pads(x_shape[1], o.filterHeight, o.strideH, 1), same_pads(x_shape[2], o.filterWidth, o.strideW, 1)
            else:
                t = b = l = r = 0
            kind = 'AveragePool' if opname == 'AVERAGE_POOL_2D' else 'MaxPool'
            nodes.append(helper.make_node(kind, [name(ins[0])], [pre], kernel_shape=[o.filterHeight, o.filterWidth],
                                          strides=[o.strideH, o.strideW], pads=[t, l, b, r], name=f'op{k}'))
            activation(o.fusedActivationFunction, pre, name(out)) if o.fusedActivationFunction else nodes[-1].output.__setitem__(0, name(out))
        elif opname == 'ADD':
            nodes.append(helper.make_node('Add', [name(ins[0]), name(ins[1])], [pre], name=f'op{k}'))
            activation(o.fusedActivationFunction, pre, name(out)) if o.fusedActivationFunction else nodes[-1].output.__setitem__(0, name(out))
        elif opname == 'RESHAPE':
            source = name(ins[0])
            if len(x_shape) == 4 and x_shape[1] * x_shape[2] > 1:
                nodes.append(helper.make_node('Transpose', [source], [source + '_nhwc'], perm=[0, 2, 3, 1]))
                source += '_nhwc'
            nodes.append(helper.make_node('Flatten', [source], [name(out)], axis=1, name=f'op{k}'))
        elif opname == 'FULLY_CONNECTED':
            inputs = [name(ins[0]), add_init(constant(model, g.tensors[ins[1]]), name(ins[1]))]
            if len(ins) > 2 and ins[2] >= 0:
                inputs.append(add_init(constant(model, g.tensors[ins[2]]).astype(np.float32), name(ins[2])))
            nodes.append(helper.make_node('Gemm', inputs, [pre], transB=1, name=f'op{k}'))
            activation(o.fusedActivationFunction, pre, name(out)) if o.fusedActivationFunction else nodes[-1].output.__setitem__(0, name(out))
        elif opname == 'SOFTMAX':
            nodes.append(helper.make_node('Softmax', [name(ins[0])], [name(out)], axis=-1, name=f'op{k}'))
        else:
            raise SystemExit(f'{path}: operator {opname} is not handled by this converter')

    x = g.tensors[g.inputs[0]]
    n, h, w, c = (int(d) for d in x.shape)
    y = g.tensors[g.outputs[0]]
    graph = helper.make_graph(nodes, os.path.basename(path),
                              [helper.make_tensor_value_info(name(g.inputs[0]), TensorProto.FLOAT, [1, c, h, w])],
                              [helper.make_tensor_value_info(name(g.outputs[0]), TensorProto.FLOAT, [int(d) for d in y.shape])], inits)
    onnx_model = helper.make_model(graph, producer_name='precsearch tflite_to_onnx.py', opset_imports=[helper.make_opsetid('', 13)])
    onnx_model.ir_version = 8
    onnx.checker.check_model(onnx_model, full_check=True)
    return onnx_model, (h, w, c)


def main():
    parser = argparse.ArgumentParser()
    here = os.path.dirname(os.path.abspath(__file__))
    parser.add_argument('--shared', default=os.path.join(here, '..', '..', '..', 'shared'))
    parser.add_argument('--out', default='/tmp/precsearch-import-check')
    args = parser.parse_args()
    models = os.path.join(args.shared, 'models', 'mlperf-tiny')
    kws, kws_labels = load_kws(args.shared)
    ic, ic_labels = load_ic(args.shared)
    for stem, data, labels, convert_input in [
            ('kws_ref_model_float32', kws, kws_labels, lambda q: (q.astype(np.float32) - KWS_ZERO) * np.float32(KWS_SCALE)),
            ('resnet8_float32', ic, ic_labels, lambda p: p.astype(np.float32))]:
        onnx_model, (h, w, c) = convert(os.path.join(models, stem + '.tflite'))
        path = os.path.join(args.out, stem + '.onnx')
        onnx.save_model(onnx_model, path)
        options = ort.SessionOptions()
        options.intra_op_num_threads = options.inter_op_num_threads = 1
        session = ort.InferenceSession(path, options, providers=['CPUExecutionProvider'])
        logits_name = [n for n in onnx_model.graph.node if n.op_type == 'Softmax'][-1].input[0]
        # Expose the Softmax input as a second output.
        probe = onnx.ModelProto(); probe.CopyFrom(onnx_model)
        probe.graph.output.append(helper.make_tensor_value_info(logits_name, TensorProto.FLOAT, None))
        session = ort.InferenceSession(probe.SerializeToString(), options, providers=['CPUExecutionProvider'])
        reference = [list(map(float, line.split(',')[2:])) for line in open(os.path.join(args.out, stem + '.dequantized.csv'))]
        worst, agree, correct = 0.0, 0, 0
        with open(path + '.csv', 'w') as f:
            for i, (x, label) in enumerate(zip(data, labels)):
                x_nchw = convert_input(x).reshape(1, h, w, c).transpose(0, 3, 1, 2).copy()
                probabilities, logits = (a.reshape(-1) for a in session.run(None, {session.get_inputs()[0].name: x_nchw}))
                row = np.concatenate([logits, probabilities])
                worst = max(worst, float(np.abs(row - np.array(reference[i])).max()))
                agree += int(np.argmax(probabilities) == np.argmax(reference[i][len(logits):]))
                correct += int(np.argmax(probabilities) == label)
                f.write(','.join([str(i), str(label)] + [repr(float(v)) for v in row]) + '\n')
        print(f'{stem}.onnx ({os.path.getsize(path)} bytes, {len(onnx_model.graph.node)} nodes): onnxruntime vs LiteRT '
              f'(dequantized copy) max |diff| {worst:.3g}, top-1 agreement {agree}/{len(data)}, '
              f'accuracy {100.0 * correct / len(data):.2f}% -> {path}')


if __name__ == '__main__':
    main()
