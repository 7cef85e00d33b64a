#!/usr/bin/env python3
"""Side-by-side: precsearch's engine versus onnxruntime (fp32, one thread) on the same network and weights.

Usage (from the repository root; needs `pip install onnx onnxruntime numpy`):
    python3 Experiments/onnx-comparison/compare.py [--model PATH] [--out DIR] [--seconds S] [--seed N]
        [--isa portable|avx2|avx512] [--scratch-path DIR] [--int8]

Without --model it asks `precsearch-bench --write-model` for the benchmark's ResNet-8 (MLPerf Tiny shape, random
weights, SplitMix64 seed 1). It then
 1. exports that model file (precsearch single-file layout, docs/model-format.md) to ONNX: NCHW, BatchNorm kept as
    ONNX BatchNormalization (so precsearch's folding is checked too), Flatten preceded by a Transpose to NHWC;
 2. runs 64 random inputs (numpy seed --seed) through onnxruntime and through precsearch's float reference
    (`precsearch-bench --float-outputs`) and checks the outputs agree within 1e-4;
 3. times onnxruntime with intra/inter-op threads = 1 and `precsearch-bench --json` (single thread, float and
    fixed point 16/8/4 bits) in alternating rounds (--rounds, best of each kept, so a shared machine's load drifts
    alike for both), then writes both and the ratios to --out (summary.json).

--isa caps precsearch's kernels (precsearch-bench --isa) to measure the paths of smaller CPUs; onnxruntime always
runs at the best instruction set of the machine. --int8 also quantizes the ONNX model with onnxruntime's own
quantizer (quantize_static, QDQ format, int8 activations and weights, per-tensor, MinMax calibration on 64 random
inputs of the same distribution) and times it in the same alternating rounds (reported as onnxruntime int8 QDQ).
--scratch-path builds and runs precsearch-bench from that SwiftPM scratch directory (default .build). --cpu-time
times both sides in thread CPU time (onnxruntime with one intra-op thread runs on the calling thread;
precsearch-bench --cpu-time), which time spent descheduled on a loaded machine does not inflate.
"""
import argparse, json, os, struct, subprocess, sys, time

import numpy as np
import onnx
import onnxruntime as ort
from onnx import TensorProto, helper, numpy_helper

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..'))
BENCH = [os.path.join(ROOT, '.build', 'release', 'precsearch-bench')]


def read_model(path):
    data = open(path, 'rb').read()
    if data[:8] != b'PSMODEL\0':
        sys.exit(f'{path}: not a precsearch single-file model')
    (length,) = struct.unpack('<I', data[8:12])
    header = json.loads(data[12:12 + length])
    start = 12 + length
    start += (-start) % 16
    blob = np.frombuffer(data[start:], dtype='<f4')
    return header, blob


def padding(spec, size, kernel, stride, dilation):
    effective = (kernel - 1) * dilation + 1
    if spec == 'same':
        out = (size + stride - 1) // stride
        total = max((out - 1) * stride + effective - size, 0)
        return total // 2, total - total // 2
    if spec == 'valid':
        return 0, 0
    raise ValueError(spec)


def export(header, blob):
    nodes, inits = [], []
    shapes = {}
    params = {}
    for node in header['nodes']:
        for p in node.get('parameters', []):
            params[(node['name'], p['role'])] = blob[p['offset']:p['offset'] + p['count']].reshape(p['shape'])
    inp = header['nodes'][0]
    out_name = None
    for node in header['nodes']:
        name, kind, a = node['name'], node['kind'], node.get('attributes', {})
        ins = node.get('inputs', [])
        shapes[name] = dict(zip(('height', 'width', 'channels'), node['outputShape']))
        if kind == 'Input':
            h, w, c = node['outputShape']
            graph_input = helper.make_tensor_value_info(name, TensorProto.FLOAT, [1, c, h, w])
        elif kind == 'Conv2D':
            w = params[(name, 'weight')].transpose(0, 3, 1, 2)  # OHWI -> OIHW
            inits.append(numpy_helper.from_array(np.ascontiguousarray(w), name + '.w'))
            conv_in = [ins[0], name + '.w']
            if (name, 'bias') in params:
                inits.append(numpy_helper.from_array(params[(name, 'bias')], name + '.b'))
                conv_in.append(name + '.b')
            x = shapes[ins[0]]
            kh, kw = a['kernel']
            sh, sw = a.get('strides', [1, 1])
            dh, dw = a.get('dilation', [1, 1])
            pad = a['padding']
            if isinstance(pad, dict):
                pads = [pad['top'], pad['left'], pad['bottom'], pad['right']]
            else:
                t, b = padding(pad, x['height'], kh, sh, dh)
                l, r = padding(pad, x['width'], kw, sw, dw)
                pads = [t, l, b, r]
            nodes.append(helper.make_node('Conv', conv_in, [name], kernel_shape=[kh, kw], strides=[sh, sw],
                                          dilations=[dh, dw], pads=pads, group=a.get('groups', 1)))
        elif kind == 'BatchNorm':
            for role in ('gamma', 'beta', 'mean', 'variance'):
                inits.append(numpy_helper.from_array(params[(name, role)], f'{name}.{role}'))
            nodes.append(helper.make_node('BatchNormalization', [ins[0]] + [f'{name}.{r}' for r in ('gamma', 'beta', 'mean', 'variance')],
                                          [name], epsilon=a['epsilon']))
        elif kind == 'ReLU':
            nodes.append(helper.make_node('Relu', ins, [name]))
        elif kind == 'ReLU6':
            inits.append(numpy_helper.from_array(np.array(0, np.float32), name + '.lo'))
            inits.append(numpy_helper.from_array(np.array(6, np.float32), name + '.hi'))
            nodes.append(helper.make_node('Clip', [ins[0], name + '.lo', name + '.hi'], [name]))
        elif kind in ('MaxPool', 'AvgPool'):
            x = shapes[ins[0]]
            kh, kw = a['kernel']
            sh, sw = a.get('strides', a['kernel'])
            pad = a.get('padding', 'valid')
            if isinstance(pad, dict):
                pads = [pad['top'], pad['left'], pad['bottom'], pad['right']]
            else:
                t, b = padding(pad, x['height'], kh, sh, 1)
                l, r = padding(pad, x['width'], kw, sw, 1)
                pads = [t, l, b, r]
            extra = {'count_include_pad': 0} if kind == 'AvgPool' else {}
            nodes.append(helper.make_node('MaxPool' if kind == 'MaxPool' else 'AveragePool', ins, [name],
                                          kernel_shape=[kh, kw], strides=[sh, sw], pads=pads, **extra))
        elif kind == 'GlobalAvgPool':
            nodes.append(helper.make_node('GlobalAveragePool', ins, [name + '.4d']))
            nodes.append(helper.make_node('Flatten', [name + '.4d'], [name]))
        elif kind == 'Add':
            nodes.append(helper.make_node('Add', ins, [name]))
        elif kind == 'Flatten':
            src = shapes[ins[0]]
            if src['height'] == 1 and src['width'] == 1:
                nodes.append(helper.make_node('Flatten', ins, [name]))
            else:
                nodes.append(helper.make_node('Transpose', ins, [name + '.nhwc'], perm=[0, 2, 3, 1]))
                nodes.append(helper.make_node('Flatten', [name + '.nhwc'], [name]))
        elif kind == 'Dense':
            inits.append(numpy_helper.from_array(np.ascontiguousarray(params[(name, 'weight')]), name + '.w'))
            gemm_in = [ins[0], name + '.w']
            if (name, 'bias') in params:
                inits.append(numpy_helper.from_array(params[(name, 'bias')], name + '.b'))
                gemm_in.append(name + '.b')
            nodes.append(helper.make_node('Gemm', gemm_in, [name], transB=1))
        elif kind == 'Softmax':
            nodes.append(helper.make_node('Softmax', ins, [name], axis=-1))
        else:
            sys.exit(f'unsupported op {kind}')
        out_name = name
    graph = helper.make_graph(nodes, 'precsearch', [graph_input],
                              [helper.make_tensor_value_info(out_name, TensorProto.FLOAT, [1, shapes[out_name]['channels']])], inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid('', 13)])
    model.ir_version = 8
    onnx.checker.check_model(model)
    return model, shapes[inp['name']]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--model')
    ap.add_argument('--out', default=os.path.join(ROOT, 'Results', 'onnx-comparison'))
    ap.add_argument('--seconds', type=float, default=3)
    ap.add_argument('--seed', type=int, default=0)
    ap.add_argument('--rounds', type=int, default=3, help='alternating timing rounds (best of each side is kept)')
    ap.add_argument('--isa', choices=['portable', 'avx2', 'avx512'], help="cap precsearch's kernels at this level")
    ap.add_argument('--scratch-path', default='.build', help='SwiftPM scratch directory of precsearch-bench')
    ap.add_argument('--int8', action='store_true', help='also time onnxruntime int8 (QDQ, its own quantizer)')
    ap.add_argument('--cpu-time', action='store_true', help='time both sides in thread CPU time')
    args = ap.parse_args()
    global BENCH
    scratch = os.path.join(ROOT, args.scratch_path)
    BENCH = [os.path.join(scratch, 'release', 'precsearch-bench')] + (['--isa', args.isa] if args.isa else [])
    clock = time.thread_time if args.cpu_time else time.perf_counter
    subprocess.run(['swift', 'build', '-c', 'release', '--product', 'precsearch-bench', '--scratch-path', scratch],
                   cwd=ROOT, check=True)
    os.makedirs(args.out, exist_ok=True)
    model_path = args.model or os.path.join(args.out, 'resnet8-random.psmodel')
    if not args.model:
        subprocess.run(BENCH + ['--write-model', model_path], check=True)
    header, blob = read_model(model_path)
    onnx_model, in_shape = export(header, blob)
    onnx.save(onnx_model, os.path.join(args.out, 'model.onnx'))
    h, w, c = in_shape['height'], in_shape['width'], in_shape['channels']
    rng = np.random.default_rng(args.seed)
    x_hwc = rng.uniform(-1, 1, size=(64, h, w, c)).astype(np.float32)
    in_path, out_path = os.path.join(args.out, 'inputs.f32'), os.path.join(args.out, 'outputs.f32')
    x_hwc.tofile(in_path)
    subprocess.run(BENCH + ['--model', model_path, '--float-outputs', in_path, out_path], check=True)
    ours = np.fromfile(out_path, dtype='<f4').reshape(64, -1)
    so = ort.SessionOptions()
    so.intra_op_num_threads = 1
    so.inter_op_num_threads = 1
    sess = ort.InferenceSession(onnx_model.SerializeToString(), so, providers=['CPUExecutionProvider'])
    name = sess.get_inputs()[0].name
    theirs = np.concatenate([sess.run(None, {name: x.transpose(2, 0, 1)[None]})[0] for x in x_hwc])
    max_diff = float(np.max(np.abs(ours - theirs)))
    agree = max_diff <= 1e-4
    print(f'float outputs: max |precsearch - onnxruntime| = {max_diff:.3g} ({"OK" if agree else "FAIL"}, tolerance 1e-4)')
    x1 = x_hwc[0].transpose(2, 0, 1)[None].copy()
    for _ in range(50):
        sess.run(None, {name: x1})
    sessions = {'fp32': sess}
    if args.int8:
        from onnxruntime.quantization import CalibrationDataReader, QuantFormat, QuantType, quantize_static

        class Reader(CalibrationDataReader):
            def __init__(self):
                self.items = iter([{name: x.transpose(2, 0, 1)[None].copy()} for x in x_hwc])

            def get_next(self):
                return next(self.items, None)

        fp32_path, int8_path = os.path.join(args.out, 'model.onnx'), os.path.join(args.out, 'model-int8-qdq.onnx')
        quantize_static(fp32_path, int8_path, Reader(), quant_format=QuantFormat.QDQ,
                        activation_type=QuantType.QInt8, weight_type=QuantType.QInt8)
        sessions['int8 QDQ'] = ort.InferenceSession(int8_path, so, providers=['CPUExecutionProvider'])
        q = np.concatenate([sessions['int8 QDQ'].run(None, {name: x.transpose(2, 0, 1)[None]})[0] for x in x_hwc])
        print(f'int8 QDQ: top-1 agreement with fp32 on the 64 inputs {np.mean(q.argmax(1) == theirs.argmax(1)):.3f}')
        for _ in range(50):
            sessions['int8 QDQ'].run(None, {name: x1})
    # The machine may be shared: alternate onnxruntime and precsearch-bench rounds and keep each one's best.
    bests = {k: 0.0 for k in sessions}
    rows = {}
    bench_json = os.path.join(args.out, 'precsearch-bench.json')
    for _ in range(args.rounds):
        for key, session in sessions.items():
            for _ in range(3):
                n, t0 = 0, clock()
                while clock() - t0 < args.seconds / 3:
                    session.run(None, {name: x1})
                    n += 1
                bests[key] = max(bests[key], n / (clock() - t0))
        subprocess.run(BENCH + ['--model', model_path, '--seconds', str(args.seconds), '--json', bench_json]
                       + (['--cpu-time'] if args.cpu_time else []),
                       check=True, stdout=subprocess.DEVNULL)
        bench = json.load(open(bench_json))
        for r in bench['results']:
            rows[r['configuration']] = max(rows.get(r['configuration'], 0.0), r['imagesPerSecond'])
    best = bests['fp32']
    for key, rate in bests.items():
        print(f'onnxruntime {ort.__version__} {key}, 1 thread: {rate:.1f} images/s ({1000 / rate:.3f} ms/image)')
    commit = subprocess.run(['git', 'rev-parse', 'HEAD'], cwd=ROOT, capture_output=True, text=True).stdout.strip()
    summary = {
        'command': ' '.join([os.path.relpath(sys.argv[0], ROOT)] + sys.argv[1:]),
        'commit': commit,
        'seed': args.seed,
        'model': header['name'],
        'macsPerImage': bench['macsPerImage'],
        'floatOutputsMaxAbsDifference': max_diff,
        'floatOutputsAgreeWithin1e-4': agree,
        'onnxruntime': {'version': ort.__version__, 'threads': 1, 'imagesPerSecond': best},
        'onnxruntimeInt8QDQ': {'imagesPerSecond': bests['int8 QDQ']} if 'int8 QDQ' in bests else None,
        'isa': args.isa,
        'timing': 'thread CPU time' if args.cpu_time else 'wall-clock',
        'precsearch': rows,
        'rounds': args.rounds,
        'speedRelativeToOnnxruntime': {k: v / best for k, v in rows.items()},
    }
    if 'int8 QDQ' in bests:
        summary['speedRelativeToOnnxruntimeInt8QDQ'] = {k: v / bests['int8 QDQ'] for k, v in rows.items()}
    with open(os.path.join(args.out, 'summary.json'), 'w') as f:
        json.dump(summary, f, indent=2, sort_keys=True)
    for k, v in rows.items():
        extra = f', {v / bests["int8 QDQ"]:.2f} x onnxruntime int8 QDQ' if 'int8 QDQ' in bests else ''
        print(f'{k:>14}: {v:9.1f} images/s = {v / best:.2f} x onnxruntime fp32{extra}')
    sys.exit(0 if agree else 1)


if __name__ == '__main__':
    main()
