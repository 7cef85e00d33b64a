#!/usr/bin/env python3
"""Writes the small TFLite and ONNX models that ModelImportTests imports, one per supported operator, with the
outputs LiteRT / onnxruntime compute for a fixed input.

Usage (from the repository root; needs `pip install ai-edge-litert onnx onnxruntime numpy`):
    python3 Experiments/import-check/make_fixtures.py [--out Tests/ModelImportTests/Fixtures]

Each model NAME.tflite / NAME.onnx gets NAME.tflite.expected / NAME.onnx.expected, four lines:
    input H W C          then the input values, HWC order (row-major, channels fastest; raw codes for a uint8 input)
    output H W C         then the output values, HWC order
A vector is 1 1 N. ONNX tensors are NCHW: the script transposes the input it feeds and the output it records, so
both files describe what precsearch's HWC network must compute. TFLite models are written with the schema's
Python object API that ai-edge-litert ships (schema_py_generated), ONNX models with onnx.helper. Weights come from
numpy's default_rng(seed 18), inputs likewise; values print with repr (round-trip exact float32 as float64).
"""
import argparse, os
import numpy as np
import flatbuffers
import onnx
from onnx import TensorProto, helper, numpy_helper
import onnxruntime as ort
from ai_edge_litert.interpreter import Interpreter
from ai_edge_litert import schema_py_generated as S

rng = np.random.default_rng(18)


def rand(*shape, scale=1.0):
    return (rng.standard_normal(shape) * scale).astype(np.float32)


def write_expected(path, x_hwc, y_hwc):
    def dims(a):
        return ' '.join(str(d) for d in (a.shape if a.ndim == 3 else (1, 1, a.size)))
    with open(path, 'w') as f:
        f.write(f'input {dims(x_hwc)}\n' + ' '.join(repr(float(v)) for v in x_hwc.reshape(-1)) + '\n')
        f.write(f'output {dims(y_hwc)}\n' + ' '.join(repr(float(v)) for v in y_hwc.reshape(-1)) + '\n')


# ---------------------------------------------------------------- TFLite
class TFLiteGraph:
    def __init__(self, legacy_codes=False):
        self.tensors, self.buffers, self.operators, self.codes = [], [S.BufferT()], [], []
        self.legacy_codes = legacy_codes  # only deprecated_builtin_code set, as in files older than schema 3a

    def tensor(self, shape, data=None, dtype=S.TensorType.FLOAT32, name=None, quant=None):
        t = S.TensorT()
        t.shape = list(shape)
        t.type = dtype
        t.name = name or f't{len(self.tensors)}'
        t.buffer = 0
        if data is not None:
            b = S.BufferT()
            b.data = np.frombuffer(np.ascontiguousarray(data).tobytes(), dtype=np.uint8)
            self.buffers.append(b)
            t.buffer = len(self.buffers) - 1
        if quant is not None:
            q = S.QuantizationParametersT()
            q.scale, q.zeroPoint, q.quantizedDimension = quant
            t.quantization = q
        self.tensors.append(t)
        return len(self.tensors) - 1

    def op(self, code, inputs, outputs, options_type=0, options=None):
        if code not in self.codes:
            self.codes.append(code)
        o = S.OperatorT()
        o.opcodeIndex = self.codes.index(code)
        o.inputs, o.outputs = list(inputs), list(outputs)
        o.builtinOptionsType, o.builtinOptions = options_type, options
        self.operators.append(o)

    def save(self, path, inputs, outputs):
        model = S.ModelT()
        model.version = 3
        model.description = 'precsearch import fixture'
        model.buffers = self.buffers
        model.operatorCodes = []
        for c in self.codes:
            oc = S.OperatorCodeT()
            oc.deprecatedBuiltinCode = min(c, 127)
            oc.builtinCode = 0 if self.legacy_codes else c
            oc.version = 1
            model.operatorCodes.append(oc)
        g = S.SubGraphT()
        g.tensors, g.inputs, g.outputs, g.operators, g.name = self.tensors, inputs, outputs, self.operators, 'main'
        model.subgraphs = [g]
        b = flatbuffers.Builder(1024)
        b.Finish(model.Pack(b), file_identifier=b'TFL3')
        open(path, 'wb').write(b.Output())


def conv_options(padding, stride=(1, 1), act=0, dilation=(1, 1)):
    o = S.Conv2DOptionsT()
    o.padding, o.strideH, o.strideW, o.fusedActivationFunction = padding, stride[0], stride[1], act
    o.dilationHFactor, o.dilationWFactor = dilation
    return S.BuiltinOptions.Conv2DOptions, o


def depthwise_options(padding, stride=(1, 1), act=0):
    o = S.DepthwiseConv2DOptionsT()
    o.padding, o.strideH, o.strideW, o.depthMultiplier, o.fusedActivationFunction = padding, stride[0], stride[1], 1, act
    o.dilationHFactor = o.dilationWFactor = 1
    return S.BuiltinOptions.DepthwiseConv2DOptions, o


def pool_options(padding, filt, stride, act=0):
    o = S.Pool2DOptionsT()
    o.padding, o.filterHeight, o.filterWidth, o.strideH, o.strideW, o.fusedActivationFunction = padding, filt[0], filt[1], stride[0], stride[1], act
    return S.BuiltinOptions.Pool2DOptions, o


def fc_options(act=0):
    o = S.FullyConnectedOptionsT()
    o.fusedActivationFunction = act
    return S.BuiltinOptions.FullyConnectedOptions, o


SAME, VALID = S.Padding.SAME, S.Padding.VALID
RELU, RELU6 = S.ActivationFunctionType.RELU, S.ActivationFunctionType.RELU6
B = S.BuiltinOperator


def tflite_fixtures():
    """name -> (graph, input shape NHWC, input tensor, output tensor)."""
    out = {}

    g = TFLiteGraph()  # SAME with stride 2 on 7x6: rows pad 1/1, columns 0/1 (the extra column at the right)
    x = g.tensor([1, 7, 6, 3]); w = g.tensor([4, 3, 3, 3], rand(4, 3, 3, 3)); b = g.tensor([4], rand(4)); y = g.tensor([1, 4, 3, 4])
    g.op(B.CONV_2D, [x, w, b], [y], *conv_options(SAME, (2, 2), RELU))
    out['conv2d_same_stride2_relu'] = (g, x, y)

    g = TFLiteGraph(legacy_codes=True)  # VALID, dilation 2, fused RELU6, only deprecated_builtin_code set
    x = g.tensor([1, 8, 7, 2]); w = g.tensor([3, 3, 2, 2], rand(3, 3, 2, 2)); b = g.tensor([3], rand(3)); y = g.tensor([1, 4, 5, 3])
    g.op(B.CONV_2D, [x, w, b], [y], *conv_options(VALID, (1, 1), RELU6, (2, 2)))
    out['conv2d_valid_dilated_relu6_legacy_code'] = (g, x, y)

    g = TFLiteGraph()
    x = g.tensor([1, 6, 5, 4]); w = g.tensor([1, 3, 3, 4], rand(1, 3, 3, 4)); b = g.tensor([4], rand(4)); y = g.tensor([1, 3, 3, 4])
    g.op(B.DEPTHWISE_CONV_2D, [x, w, b], [y], *depthwise_options(SAME, (2, 2), RELU6))
    out['depthwise_same_stride2_relu6'] = (g, x, y)

    g = TFLiteGraph()  # FULLY_CONNECTED flattens its 2x3x4 input implicitly; then SOFTMAX
    x = g.tensor([1, 2, 3, 4]); w = g.tensor([5, 24], rand(5, 24)); b = g.tensor([5], rand(5)); h = g.tensor([1, 5]); y = g.tensor([1, 5])
    g.op(B.FULLY_CONNECTED, [x, w, b], [h], *fc_options())
    o = S.SoftmaxOptionsT(); o.beta = 1.0
    g.op(B.SOFTMAX, [h], [y], S.BuiltinOptions.SoftmaxOptions, o)
    out['fully_connected_softmax'] = (g, x, y)

    g = TFLiteGraph()
    x = g.tensor([1, 7, 6, 3]); y = g.tensor([1, 4, 3, 3])
    g.op(B.AVERAGE_POOL_2D, [x], [y], *pool_options(SAME, (3, 3), (2, 2)))
    out['average_pool_same'] = (g, x, y)

    g = TFLiteGraph()
    x = g.tensor([1, 6, 7, 2]); y = g.tensor([1, 3, 3, 2])
    g.op(B.MAX_POOL_2D, [x], [y], *pool_options(VALID, (2, 2), (2, 2), RELU))
    out['max_pool_valid_relu'] = (g, x, y)

    g = TFLiteGraph()  # residual: ADD(input, conv(input)) with fused RELU
    x = g.tensor([1, 5, 5, 3]); w = g.tensor([3, 3, 3, 3], rand(3, 3, 3, 3)); b = g.tensor([3], rand(3)); c = g.tensor([1, 5, 5, 3]); y = g.tensor([1, 5, 5, 3])
    g.op(B.CONV_2D, [x, w, b], [c], *conv_options(SAME))
    o = S.AddOptionsT(); o.fusedActivationFunction = RELU
    g.op(B.ADD, [x, c], [y], S.BuiltinOptions.AddOptions, o)
    out['add_residual_relu'] = (g, x, y)

    g = TFLiteGraph()  # MEAN over H,W keeping dims, then SQUEEZE to a vector
    x = g.tensor([1, 4, 5, 6]); axes = g.tensor([2], np.array([1, 2], np.int32), S.TensorType.INT32)
    m = g.tensor([1, 1, 1, 6]); y = g.tensor([1, 6])
    o = S.ReducerOptionsT(); o.keepDims = True
    g.op(B.MEAN, [x, axes], [m], S.BuiltinOptions.ReducerOptions, o)
    o = S.SqueezeOptionsT(); o.squeezeDims = [1, 2]
    g.op(B.SQUEEZE, [m], [y], S.BuiltinOptions.SqueezeOptions, o)
    out['mean_hw_squeeze'] = (g, x, y)

    g = TFLiteGraph()  # RESHAPE of a 3x2x4 tensor to a vector, then FULLY_CONNECTED
    x = g.tensor([1, 3, 2, 4]); shape = g.tensor([2], np.array([1, 24], np.int32), S.TensorType.INT32)
    r = g.tensor([1, 24]); w = g.tensor([3, 24], rand(3, 24)); y = g.tensor([1, 3])
    o = S.ReshapeOptionsT(); o.newShape = [1, 24]
    g.op(B.RESHAPE, [x, shape], [r], S.BuiltinOptions.ReshapeOptions, o)
    g.op(B.FULLY_CONNECTED, [r, w, -1], [y], *fc_options(RELU))
    out['reshape_fully_connected_relu'] = (g, x, y)

    g = TFLiteGraph()  # PAD (top 1, bottom 2, left 2, right 1) folded into a VALID conv
    x = g.tensor([1, 5, 4, 2]); p = g.tensor([4, 2], np.array([[0, 0], [1, 2], [2, 1], [0, 0]], np.int32), S.TensorType.INT32)
    padded = g.tensor([1, 8, 7, 2]); w = g.tensor([3, 3, 3, 2], rand(3, 3, 3, 2)); b = g.tensor([3], rand(3)); y = g.tensor([1, 6, 5, 3])
    g.op(B.PAD, [x, p], [padded])
    g.op(B.CONV_2D, [padded, w, b], [y], *conv_options(VALID))
    out['pad_conv_valid'] = (g, x, y)

    g = TFLiteGraph()  # standalone RELU and RELU6 operators
    x = g.tensor([1, 3, 4, 2]); h = g.tensor([1, 3, 4, 2]); y = g.tensor([1, 3, 4, 2])
    g.op(B.RELU6, [x], [h])
    g.op(B.RELU, [h], [y])
    out['relu6_relu'] = (g, x, y)

    g = TFLiteGraph()  # int8 per-axis weights, DEQUANTIZE, float CONV_2D
    scales = (np.abs(rand(4)) * 0.02 + 0.005).astype(np.float32)
    zeros = [0, 3, -2, 1]
    q = rng.integers(-127, 128, size=(4, 3, 3, 2)).astype(np.int8)
    x = g.tensor([1, 5, 5, 2])
    wq = g.tensor([4, 3, 3, 2], q, S.TensorType.INT8, quant=(list(map(float, scales)), zeros, 0))
    w = g.tensor([4, 3, 3, 2]); b = g.tensor([4], rand(4)); y = g.tensor([1, 5, 5, 4])
    g.op(B.DEQUANTIZE, [wq], [w])
    g.op(B.CONV_2D, [x, w, b], [y], *conv_options(SAME))
    out['dequantize_int8_per_axis_conv'] = (g, x, y)

    # A uint8 input (scale 0.02, zero point 128) DEQUANTIZEd at the edge, then a float CONV_2D. Its own generator
    # (seed 1818) keeps the other fixtures' random values as they were before it was added.
    own = np.random.default_rng(1818)
    g = TFLiteGraph()
    x = g.tensor([1, 4, 4, 2], dtype=S.TensorType.UINT8, quant=([0.02], [128], 0))
    xf = g.tensor([1, 4, 4, 2]); y = g.tensor([1, 4, 4, 3])
    w = g.tensor([3, 3, 3, 2], own.standard_normal((3, 3, 3, 2)).astype(np.float32))
    b = g.tensor([3], own.standard_normal(3).astype(np.float32))
    g.op(B.DEQUANTIZE, [x], [xf])
    g.op(B.CONV_2D, [xf, w, b], [y], *conv_options(SAME))
    out['uint8_input_dequantize_conv'] = (g, x, y)  # its input: default_rng(1819) in main()
    return out


def run_tflite(path, x_nhwc):
    it = Interpreter(model_path=path, num_threads=1)
    it.allocate_tensors()
    it.set_tensor(it.get_input_details()[0]['index'], x_nhwc)
    it.invoke()
    return it.get_tensor(it.get_output_details()[0]['index'])


# ---------------------------------------------------------------- ONNX
def onnx_model(name, nodes, input_shape, output_shape, initializers, opset=13):
    graph = helper.make_graph(nodes, name, [helper.make_tensor_value_info('x', TensorProto.FLOAT, input_shape)],
                              [helper.make_tensor_value_info('y', TensorProto.FLOAT, output_shape)],
                              [numpy_helper.from_array(v, k) for k, v in initializers.items()])
    model = helper.make_model(graph, producer_name='precsearch-fixtures', opset_imports=[helper.make_opsetid('', opset)])
    model.ir_version = 8
    if output_shape is None:  # the output's shape from ONNX shape inference
        inferred = onnx.shape_inference.infer_shapes(model, strict_mode=True)
        model.graph.output[0].CopyFrom(inferred.graph.output[0])
    onnx.checker.check_model(model, full_check=True)
    return model


def onnx_fixtures():
    """name -> (model, input shape as fed to the model)."""
    out = {}
    N = helper.make_node
    out['conv_group_pads_strides_dilations'] = onnx_model('m', [
        N('Conv', ['x', 'w', 'b'], ['y'], group=2, pads=[1, 0, 2, 1], strides=[2, 1], dilations=[1, 2])],
        [1, 4, 7, 6], None, {'w': rand(6, 2, 3, 3), 'b': rand(6)})
    out['conv_same_lower_stride'] = onnx_model('m', [
        N('Conv', ['x', 'w'], ['y'], auto_pad='SAME_LOWER', strides=[1, 2])],
        [1, 3, 7, 6], None, {'w': rand(4, 3, 2, 3)})
    out['conv_same_upper_bn_relu'] = onnx_model('m', [
        N('Conv', ['x', 'w'], ['c'], auto_pad='SAME_UPPER', strides=[2, 2]),
        N('BatchNormalization', ['c', 'g', 'be', 'mu', 'var'], ['bn'], epsilon=1e-3),
        N('Relu', ['bn'], ['y'])],
        [1, 3, 6, 5], None, {'w': rand(4, 3, 3, 3), 'g': rand(4), 'be': rand(4), 'mu': rand(4),
                             'var': (np.abs(rand(4)) + 0.5).astype(np.float32)})
    out['depthwise_clip6'] = onnx_model('m', [
        N('Conv', ['x', 'w', 'b'], ['c'], group=4, pads=[1, 1, 1, 1]),
        N('Clip', ['c', 'lo', 'hi'], ['y'])],
        [1, 4, 5, 5], None, {'w': rand(4, 1, 3, 3, scale=2), 'b': rand(4), 'lo': np.array(0, np.float32), 'hi': np.array(6, np.float32)})
    out['maxpool_pads'] = onnx_model('m', [
        N('MaxPool', ['x'], ['y'], kernel_shape=[3, 3], strides=[2, 2], pads=[1, 1, 1, 1])], [1, 3, 7, 6], None, {})
    out['averagepool_pads'] = onnx_model('m', [
        N('AveragePool', ['x'], ['y'], kernel_shape=[3, 2], strides=[2, 2], pads=[1, 0, 1, 1])], [1, 2, 7, 6], None, {})
    out['gap_flatten_gemm_softmax'] = onnx_model('m', [
        N('GlobalAveragePool', ['x'], ['g']), N('Flatten', ['g'], ['f']),
        N('Gemm', ['f', 'w', 'b'], ['z'], transB=1, alpha=0.5, beta=2.0), N('Softmax', ['z'], ['y'], axis=1)],
        [1, 6, 4, 3], None, {'w': rand(5, 6), 'b': rand(5)})
    out['conv_flatten_nchw_gemm'] = onnx_model('m', [
        N('Conv', ['x', 'w'], ['c']), N('Flatten', ['c'], ['f']), N('Gemm', ['f', 'v', 'b'], ['y'])],
        [1, 2, 4, 5], None, {'w': rand(3, 2, 2, 2), 'v': rand(36, 4), 'b': rand(4)})
    out['conv_reshape_matmul_add_relu'] = onnx_model('m', [
        N('Conv', ['x', 'w'], ['c']), N('Reshape', ['c', 'shape'], ['r']), N('MatMul', ['r', 'v'], ['m']),
        N('Add', ['m', 'b'], ['a']), N('Relu', ['a'], ['y'])],
        [1, 2, 4, 3], None, {'w': rand(3, 2, 3, 1), 'shape': np.array([1, -1], np.int64), 'v': rand(18, 5), 'b': rand(5)})
    out['add_residual_identity_dropout'] = onnx_model('m', [
        N('Conv', ['x', 'w', 'b'], ['c'], pads=[1, 1, 1, 1]), N('Identity', ['c'], ['i']), N('Dropout', ['i'], ['d']),
        N('Add', ['x', 'd'], ['y'])],
        [1, 3, 4, 4], None, {'w': rand(3, 3, 3, 3), 'b': rand(3)})
    q = rng.integers(-127, 128, size=(4, 3, 3, 3)).astype(np.int8)
    out['dequantize_linear_weights_per_axis'] = onnx_model('m', [
        N('DequantizeLinear', ['wq', 's', 'z'], ['w'], axis=0), N('Conv', ['x', 'w'], ['y'], pads=[1, 1, 1, 1])],
        [1, 3, 5, 4], None, {'wq': q, 's': (np.abs(rand(4)) * 0.02 + 0.005).astype(np.float32), 'z': np.array([0, 2, -3, 1], np.int8)})
    out['quantize_dequantize_weights_gemm'] = onnx_model('m', [
        N('QuantizeLinear', ['wf', 's', 'z'], ['wq']), N('DequantizeLinear', ['wq', 's', 'z'], ['w']),
        N('Flatten', ['x'], ['f']), N('Gemm', ['f', 'w'], ['y'], transB=1)],
        [1, 2, 1, 1], None, {'wf': rand(3, 2), 's': np.array(0.01, np.float32), 'z': np.array(0, np.int8)})
    out['nhwc_input_transposes'] = onnx_model('m', [
        N('Transpose', ['x'], ['t'], perm=[0, 3, 1, 2]), N('Conv', ['t', 'w'], ['c'], pads=[0, 1, 0, 1]),
        N('Transpose', ['c'], ['h'], perm=[0, 2, 3, 1]), N('Reshape', ['h', 'shape'], ['r']),
        N('Gemm', ['r', 'v'], ['y'], transB=1)],
        [1, 4, 3, 2], None, {'w': rand(3, 2, 2, 2), 'shape': np.array([1, -1], np.int64), 'v': rand(4, 36)})
    return out


def error_fixtures(out_dir):
    """Models the importer must refuse with a clear message (no expected outputs)."""
    g = TFLiteGraph()  # CONV_2D then LOGISTIC (sigmoid), which the engine has no operation for
    x = g.tensor([1, 4, 4, 1]); w = g.tensor([2, 1, 1, 1], rand(2, 1, 1, 1)); b = g.tensor([2], rand(2))
    c = g.tensor([1, 4, 4, 2], name='conv_out'); y = g.tensor([1, 4, 4, 2], name='sigmoid_out')
    g.op(B.CONV_2D, [x, w, b], [c], *conv_options(SAME))
    g.op(B.LOGISTIC, [c], [y])
    g.save(os.path.join(out_dir, 'unsupported_logistic.tflite'), [x], [y])
    N = helper.make_node
    onnx.save_model(onnx_model('m', [N('Conv', ['x', 'w'], ['c'], name='conv0'), N('Sigmoid', ['c'], ['y'], name='gate')],
                               [1, 1, 4, 4], None, {'w': rand(2, 1, 1, 1)}), os.path.join(out_dir, 'unsupported_sigmoid.onnx'))
    # A weight whose data lives in an external file (never written: the importer must refuse before reading it).
    model = onnx_model('m', [N('Conv', ['x', 'w'], ['y'], name='conv0')], [1, 1, 4, 4], None, {'w': rand(2, 1, 1, 1)})
    w = model.graph.initializer[0]
    w.ClearField('raw_data')
    w.data_location = TensorProto.EXTERNAL
    for key, value in [('location', 'weights.bin'), ('offset', '0'), ('length', '8')]:
        entry = w.external_data.add()
        entry.key, entry.value = key, value
    onnx.save_model(model, os.path.join(out_dir, 'external_data.onnx'))
    # 1,000 tensors that all point at one 4 KB name string: legal FlatBuffers (offsets may be shared), but decoding
    # every name would read 4 MB from a 20 KB file. Written with the low-level builder, which allows the sharing.
    b = flatbuffers.Builder(1024)
    name = b.CreateString('n' * 4096)
    S.TensorStartShapeVector(b, 4)
    for d in reversed([1, 2, 2, 1]):
        b.PrependInt32(d)
    shape = b.EndVector()
    tensors = []
    for _ in range(1000):
        S.TensorStart(b); S.TensorAddShape(b, shape); S.TensorAddName(b, name)
        tensors.append(S.TensorEnd(b))
    S.SubGraphStartTensorsVector(b, len(tensors))
    for t in reversed(tensors):
        b.PrependUOffsetTRelative(t)
    tensor_vector = b.EndVector()
    S.SubGraphStart(b); S.SubGraphAddTensors(b, tensor_vector)
    subgraph = S.SubGraphEnd(b)
    S.ModelStartSubgraphsVector(b, 1); b.PrependUOffsetTRelative(subgraph)
    subgraphs = b.EndVector()
    S.ModelStart(b); S.ModelAddVersion(b, 3); S.ModelAddSubgraphs(b, subgraphs)
    b.Finish(S.ModelEnd(b), file_identifier=b'TFL3')
    open(os.path.join(out_dir, 'shared_strings.tflite'), 'wb').write(b.Output())
    print('unsupported_logistic.tflite, unsupported_sigmoid.onnx, external_data.onnx, shared_strings.tflite')


def main():
    parser = argparse.ArgumentParser()
    here = os.path.dirname(os.path.abspath(__file__))
    parser.add_argument('--out', default=os.path.join(here, '..', '..', 'Tests', 'ModelImportTests', 'Fixtures'))
    args = parser.parse_args()
    os.makedirs(args.out, exist_ok=True)
    for name, (g, x_index, y_index) in tflite_fixtures().items():
        path = os.path.join(args.out, name + '.tflite')
        g.save(path, [x_index], [y_index])
        if g.tensors[x_index].type == S.TensorType.UINT8:  # raw codes; the .expected file holds them as numbers
            x = np.random.default_rng(1819).integers(0, 256, size=g.tensors[x_index].shape).astype(np.uint8)
        else:
            x = rand(*g.tensors[x_index].shape, scale=2)
        y = run_tflite(path, x)
        write_expected(path + '.expected', x[0], y[0] if y.ndim == 4 else y.reshape(-1))
        print(f'{name}.tflite: {os.path.getsize(path)} bytes, output {y.shape}')
    for name, model in onnx_fixtures().items():
        path = os.path.join(args.out, name + '.onnx')
        onnx.save_model(model, path)
        shape = [d.dim_value for d in model.graph.input[0].type.tensor_type.shape.dim]
        x = rand(*shape, scale=2)
        session = ort.InferenceSession(path, providers=['CPUExecutionProvider'])
        y = session.run(None, {'x': x})[0]
        nhwc_input = name.startswith('nhwc_')
        x_hwc = x[0] if nhwc_input else x[0].transpose(1, 2, 0)
        y_hwc = y[0].transpose(1, 2, 0) if y.ndim == 4 else y.reshape(-1)
        write_expected(path + '.expected', x_hwc, y_hwc)
        print(f'{name}.onnx: {os.path.getsize(path)} bytes, output {y.shape}')
    error_fixtures(args.out)


if __name__ == '__main__':
    main()
