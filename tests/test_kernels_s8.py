"""The int8 builtin kernels (firmware/src/lkws_*s8*.c) against the LCE interpreter, bit for bit.

Small Keras models with fake-quant nodes are converted by LCE to int8 TFLite flatbuffers; every
fake-quant point is also a model output, so the interpreter gives each op's int8 output. The test
runs the same graph through the C kernels (compiled once into a shared library with UBSan, called
through ctypes, parameters derived by lossykws.codegen.quantization) and compares every output
exactly. One AddressSanitizer build of a small driver runs each kernel on tight buffers.
"""
import ctypes
import subprocess
from pathlib import Path

import numpy as np
import pytest

from lossykws.codegen import quantization as qz

ROOT = Path(__file__).resolve().parents[1]
INCLUDE = ROOT / "firmware" / "include"
SOURCES = sorted((ROOT / "firmware" / "src").glob("lkws_*s8*.c"))
CFLAGS = ["-std=c99", "-Wall", "-Wextra", "-Werror", "-pedantic", "-O1", "-ffp-contract=off", f"-I{INCLUDE}"]


# ---------------------------------------------------------------- the C library through ctypes

class Shape(ctypes.Structure):
    _fields_ = [(n, ctypes.c_int32) for n in ("n", "h", "w", "c")]


def _struct(name, fields):
    return type(name, (ctypes.Structure,), {"_fields_": fields})


I32 = ctypes.c_int32
ConvParams = _struct("ConvParams", [(n, I32) for n in (
    "stride_h", "stride_w", "dilation_h", "dilation_w", "pad_top", "pad_left", "depth_multiplier",
    "input_offset", "output_offset", "act_min", "act_max", "half_up_channels")])
FcParams = _struct("FcParams", [(n, I32) for n in (
    "input_offset", "output_offset", "act_min", "act_max", "per_channel", "half_up_outputs")])
PoolParams = _struct("PoolParams", [(n, I32) for n in (
    "stride_h", "stride_w", "filter_h", "filter_w", "pad_top", "pad_left", "act_min", "act_max")])
MeanParams = _struct("MeanParams", [(n, I32) for n in (
    "axis_mask", "multiplier", "shift", "sum_offset", "output_offset", "half_up_channels")])
SoftmaxParams = _struct("SoftmaxParams", [("exp_table", ctypes.POINTER(ctypes.c_float)),
                                          ("output_scale", ctypes.c_float), ("output_zero_point", I32)])
AddParams = _struct("AddParams", [(n, I32) for n in (
    "input1_offset", "input2_offset", "left_shift", "input1_multiplier", "input1_shift", "input2_multiplier",
    "input2_shift", "output_multiplier", "output_shift", "output_offset", "act_min", "act_max", "vector_run",
    "vector_mode")])
MulParams = _struct("MulParams", [(n, I32) for n in (
    "input1_offset", "input2_offset", "output_multiplier", "output_shift", "output_offset", "act_min", "act_max",
    "vector_run", "vector_mode")])


def compile_library(out_dir):
    so = Path(out_dir) / "libkernels_s8.so"
    cmd = ["cc", *CFLAGS, "-fPIC", "-shared", "-fsanitize=undefined", "-fno-sanitize-recover=all",
           *map(str, SOURCES), "-o", str(so), "-lm"]
    subprocess.run(cmd, check=True, capture_output=True, text=True)
    return ctypes.CDLL(str(so))


@pytest.fixture(scope="module")
def lib(tmp_path_factory):
    return compile_library(tmp_path_factory.mktemp("s8lib"))


def ptr(a):
    return a.ctypes.data_as(ctypes.c_void_p)


def shape4(shape):
    s = [1] * (4 - len(shape)) + [int(d) for d in shape]
    return Shape(*s)


# ---------------------------------------------------------------- reading the flatbuffer

class T:
    """A tensor of the flatbuffer: shape, dtype, scales, zero points, constant data."""

    def __init__(self, model, sg, index):
        import tflite

        t = sg.Tensors(index)
        self.index = index
        self.shape = tuple(int(d) for d in t.ShapeAsNumpy()) if t.ShapeLength() else ()
        self.type = {0: np.float32, 2: np.int32, 9: np.int8, 4: np.int64}.get(t.Type())
        q = t.Quantization()
        self.scale = q.ScaleAsNumpy().astype(np.float32) if q is not None and q.ScaleLength() else None
        self.zp = q.ZeroPointAsNumpy().astype(np.int64) if q is not None and q.ZeroPointLength() else None
        buf = model.Buffers(t.Buffer())
        self.data = None
        if buf is not None and buf.DataLength():
            self.data = np.frombuffer(buf.DataAsNumpy().tobytes(), dtype=self.type).reshape(self.shape)
        del tflite

    @property
    def s(self):
        return float(self.scale[0])

    @property
    def z(self):
        return int(self.zp[0]) if self.zp is not None else 0


def read_graph(fb):
    import tflite

    model = tflite.Model.GetRootAsModel(fb, 0)
    sg = model.Subgraphs(0)
    op_names = {v: k for k, v in vars(tflite.BuiltinOperator).items() if not k.startswith("_")}
    opt_names = {v: k for k, v in vars(tflite.BuiltinOptions).items() if not k.startswith("_")}
    act_names = {v: k for k, v in vars(tflite.ActivationFunctionType).items() if not k.startswith("_")}
    tensors = {i: T(model, sg, i) for i in range(sg.TensorsLength())}
    ops = []
    for i in range(sg.OperatorsLength()):
        op = sg.Operators(i)
        oc = model.OperatorCodes(op.OpcodeIndex())
        kind = op_names[max(oc.BuiltinCode(), oc.DeprecatedBuiltinCode())]
        options = {}
        table = op.BuiltinOptions()
        name = opt_names.get(op.BuiltinOptionsType())
        if table is not None and name and name != "NONE":
            o = getattr(tflite, name)()
            o.Init(table.Bytes, table.Pos)
            for attr in dir(o):
                if attr[0].isupper() and not attr.startswith(("GetRoot", "Init")) and "BufferHas" not in attr:
                    try:
                        options[attr] = getattr(o, attr)()
                    except TypeError:
                        pass
        if "FusedActivationFunction" in options:
            options["act"] = act_names[options["FusedActivationFunction"]]
        ops.append((kind, [int(j) for j in op.InputsAsNumpy()], [int(j) for j in op.OutputsAsNumpy()], options))
    inputs = [int(j) for j in sg.InputsAsNumpy()]
    outputs = [int(j) for j in sg.OutputsAsNumpy()]
    return tensors, ops, inputs, outputs


# ---------------------------------------------------------------- running a graph on the kernels

PADDING = {0: "SAME", 1: "VALID"}


def _conv_geometry(opts, tin, k_h, k_w):
    pad = PADDING[opts["Padding"]]
    dh, dw = opts.get("DilationHFactor", 1), opts.get("DilationWFactor", 1)
    oh, pt = qz.conv_padding(pad, tin.shape[1], k_h, opts["StrideH"], dh)
    ow, pl = qz.conv_padding(pad, tin.shape[2], k_w, opts["StrideW"], dw)
    return oh, ow, pt, pl, dh, dw


def run_op(lib, kind, tins, tout, opts, vals):
    """Run one op on the kernels; `vals` are the input arrays (constants filled in)."""
    out = np.zeros(tout.shape, dtype=tout.type)
    act = opts.get("act", "NONE")
    if kind in ("CONV_2D", "DEPTHWISE_CONV_2D"):
        tin, tf_, tb = tins[0], tins[1], (tins[2] if len(tins) > 2 else None)
        k_h, k_w = tf_.shape[1], tf_.shape[2]
        oh, ow, pt, pl, dh, dw = _conv_geometry(opts, tin, k_h, k_w)
        assert (oh, ow) == tout.shape[1:3]
        mult, shift = qz.conv_multipliers(tin.s, tf_.scale, tout.s)
        n_out = tf_.shape[0] if kind == "CONV_2D" else tf_.shape[3]
        if len(mult) == 1:
            mult, shift = np.repeat(mult, n_out), np.repeat(shift, n_out)
        lo, hi = qz.activation_range(act, tout.s, tout.z)
        depthwise = kind == "DEPTHWISE_CONV_2D"
        p = ConvParams(opts["StrideH"], opts["StrideW"], dh, dw, pt, pl, opts.get("DepthMultiplier", 1),
                       -tin.z, tout.z, lo, hi,
                       qz.depthwise_half_up_channels(n_out) if depthwise else qz.conv_half_up_channels(n_out))
        bias = np.ascontiguousarray(vals[2], dtype=np.int32) if tb is not None else None
        fn = lib.lkws_depthwise_conv2d_s8 if depthwise else lib.lkws_conv2d_s8
        x, w = np.ascontiguousarray(vals[0]), np.ascontiguousarray(vals[1])
        rc = fn(ctypes.byref(p), ctypes.byref(shape4(tin.shape)), ptr(x), ctypes.byref(shape4(tf_.shape)), ptr(w),
                ptr(bias) if bias is not None else None, ptr(mult), ptr(shift), ctypes.byref(shape4(tout.shape)),
                ptr(out))
    elif kind == "FULLY_CONNECTED":
        tin, tw = tins[0], tins[1]
        depth = tw.shape[1]
        batches = int(np.prod(tin.shape)) // depth
        if tw.scale is not None and len(tw.scale) > 1:
            mult, shift = qz.conv_multipliers(tin.s, tw.scale, tout.s)
            per_channel = 1
        else:
            m, s = qz.fully_connected_multiplier(tin.s, tw.s, tout.s)
            mult, shift, per_channel = np.array([m], np.int32), np.array([s], np.int32), 0
        lo, hi = qz.activation_range(act, tout.s, tout.z)
        p = FcParams(-tin.z, tout.z, lo, hi, per_channel, qz.fully_connected_half_up_outputs(tw.shape[0]))
        bias = np.ascontiguousarray(vals[2], np.int32) if len(tins) > 2 and tins[2] is not None else None
        x, w = np.ascontiguousarray(vals[0]), np.ascontiguousarray(vals[1])
        rc = lib.lkws_fully_connected_s8(ctypes.byref(p), batches, depth, tw.shape[0], ptr(x), ptr(w),
                                         ptr(bias) if bias is not None else None, ptr(mult), ptr(shift), ptr(out))
    elif kind in ("MAX_POOL_2D", "AVERAGE_POOL_2D"):
        tin = tins[0]
        fh, fw = opts["FilterHeight"], opts["FilterWidth"]
        oh, ow, pt, pl, _, _ = _conv_geometry(opts, tin, fh, fw)
        assert (oh, ow) == tout.shape[1:3]
        lo, hi = qz.activation_range(act, tout.s, tout.z)
        p = PoolParams(opts["StrideH"], opts["StrideW"], fh, fw, pt, pl, lo, hi)
        fn = lib.lkws_max_pool2d_s8 if kind == "MAX_POOL_2D" else lib.lkws_avg_pool2d_s8
        x = np.ascontiguousarray(vals[0])
        rc = fn(ctypes.byref(p), ctypes.byref(shape4(tin.shape)), ptr(x), ctypes.byref(shape4(tout.shape)), ptr(out))
    elif kind == "MEAN":
        tin = tins[0]
        axes = [int(a) for a in np.asarray(vals[1]).reshape(-1)]
        mp = qz.mean_params(len(tin.shape), axes, bool(opts["KeepDims"]), tin.shape, tin.s, tin.z, tout.s, tout.z)
        p = MeanParams(**mp)
        x = np.ascontiguousarray(vals[0])
        rc = lib.lkws_mean_s8(ctypes.byref(p), ctypes.byref(shape4(tin.shape)), ptr(x), ptr(out))
    elif kind == "SOFTMAX":
        tin = tins[0]
        table = qz.softmax_exp_table(tin.s, opts["Beta"])
        p = SoftmaxParams(table.ctypes.data_as(ctypes.POINTER(ctypes.c_float)), tout.s, tout.z)
        depth = tin.shape[-1]
        x = np.ascontiguousarray(vals[0])
        rc = lib.lkws_softmax_s8(ctypes.byref(p), x.size // depth, depth, ptr(x), ptr(out))
    elif kind in ("ADD", "MUL"):
        t1, t2 = tins
        lo, hi = qz.activation_range(act, tout.s, tout.z)
        rank = len(tout.shape)
        s1 = shape4((1,) * (rank - len(t1.shape)) + t1.shape)
        s2 = shape4((1,) * (rank - len(t2.shape)) + t2.shape)
        run, mode = qz.broadcast_vector_run(t1.shape, t2.shape)
        if kind == "ADD":
            p = AddParams(**qz.add_params(t1.s, t1.z, t2.s, t2.z, tout.s, tout.z), act_min=lo, act_max=hi,
                          vector_run=run, vector_mode=mode)
            fn = lib.lkws_add_s8
        else:
            p = MulParams(**qz.mul_params(t1.s, t1.z, t2.s, t2.z, tout.s, tout.z), act_min=lo, act_max=hi,
                          vector_run=run, vector_mode=mode)
            fn = lib.lkws_mul_s8
        a, b = np.ascontiguousarray(vals[0], np.int8), np.ascontiguousarray(vals[1], np.int8)
        rc = fn(ctypes.byref(p), ctypes.byref(s1), ptr(a), ctypes.byref(s2), ptr(b),
                ctypes.byref(shape4(tout.shape)), ptr(out))
    elif kind in ("PAD", "PADV2"):
        tin = tins[0]
        pads = np.asarray(vals[1]).reshape(-1, 2)
        pads = np.concatenate([np.zeros((4 - len(pads), 2), pads.dtype), pads])
        before = np.ascontiguousarray(pads[:, 0], np.int32)
        after = np.ascontiguousarray(pads[:, 1], np.int32)
        value = int(np.asarray(vals[2]).reshape(-1)[0]) if kind == "PADV2" else tout.z
        x = np.ascontiguousarray(vals[0])
        rc = lib.lkws_pad_s8(ctypes.byref(shape4(tin.shape)), ptr(x), ptr(before), ptr(after),
                             ctypes.c_int8(value), ptr(out))
    elif kind == "RESHAPE":
        out[...] = np.asarray(vals[0]).reshape(tout.shape)
        rc = 0
    elif kind == "QUANTIZE":
        tin = tins[0]
        x = np.ascontiguousarray(vals[0])
        if tin.type == np.float32:
            rc = lib.lkws_quantize_f32_s8(x.size, ptr(x), ctypes.c_float(tout.s), tout.z,
                                          qz.quantize_vector_count(x.size), ptr(out))
        else:
            m, s = qz.requantize_params(tin.s, tout.s)
            rc = lib.lkws_requantize_s8(x.size, ptr(x), tin.z, m, s, tout.z, qz.requantize_half_up_count(x.size),
                                        ptr(out))
    elif kind == "DEQUANTIZE":
        tin = tins[0]
        x = np.ascontiguousarray(vals[0])
        rc = lib.lkws_dequantize_s8_f32(x.size, ptr(x), ctypes.c_float(tin.s), tin.z,
                                        qz.dequantize_vector_count(x.size), ptr(out))
    else:
        raise AssertionError(f"no int8 kernel for {kind}")
    assert rc == 0, f"{kind} returned {rc}"
    return out


def run_graph(lib, fb, x):
    """Run the flatbuffer's graph on the kernels for each sample of x; returns {tensor: array}."""
    tensors, ops, inputs, outputs = read_graph(fb)
    results = []
    for sample in x:
        vals = {inputs[0]: sample[None]}
        for kind, ins, outs, opts in ops:
            tins = [tensors[i] if i >= 0 else None for i in ins]
            ivals = [(vals[i] if i in vals else tensors[i].data) if i >= 0 else None for i in ins]
            vals[outs[0]] = run_op(lib, kind, tins, tensors[outs[0]], opts, ivals)
        results.append([vals[o] for o in outputs])
    return [np.concatenate(r) for r in zip(*results)], ops, tensors, outputs


# ---------------------------------------------------------------- models

@pytest.fixture(scope="module")
def tf():
    from lossykws.tf import import_tensorflow

    return import_tensorflow()


def fq(tf, lo, hi):
    return tf.keras.layers.Lambda(lambda t: tf.quantization.fake_quant_with_min_max_vars(t, lo, hi))


def convert(tf, model, io_type=None):
    import larq_compute_engine as lce

    io_type = io_type or tf.int8
    return lce.convert_keras_model(model, inference_input_type=io_type, inference_output_type=io_type)


def check(lib, tf, model, n=8, seed=0, expect_ops=(), patch=None, x=None):
    """Convert, run the interpreter and the kernels on n random int8 inputs (or on float inputs x,
    for a float32-interface model), compare every output. `patch` rewrites the flatbuffer."""
    import larq_compute_engine as lce

    fb = convert(tf, model, None if x is None else tf.float32)
    if patch is not None:
        fb = patch(fb)
    if x is None:
        shape = model.inputs[0].shape[1:]
        rng = np.random.default_rng(seed)
        x = rng.integers(-128, 128, size=(n, *shape)).astype(np.int8)
        x[0].flat[: min(4, x[0].size)] = [-128, 127, -128, 127][: min(4, x[0].size)]  # extremes
        if n > 1:
            x[1] = 127
        if n > 2:
            x[2] = -128
    ref = lce.testing.Interpreter(fb, num_threads=1).predict(x)
    ref = ref if isinstance(ref, list) else [ref]
    got, ops, tensors, outputs = run_graph(lib, fb, x)
    kinds = [k for k, *_ in ops]
    for k in expect_ops:
        assert k in kinds, f"converter did not emit {k}: {kinds}"
    producer = {outs[0]: f"op {j} {k}" for j, (k, _, outs, _) in enumerate(ops)}
    for i, (r, g) in enumerate(zip(ref, got)):
        diff = np.argwhere(r != g)
        assert diff.size == 0, (
            f"output {i} (tensor {outputs[i]}, {producer.get(outputs[i])}) of {kinds}: {len(diff)} of {r.size} "
            f"differ, first at "
            f"{tuple(diff[0])}: interpreter {r[tuple(diff[0])]} kernels {g[tuple(diff[0])]}")
    return kinds


def chain(tf, input_shape, in_range, layers):
    """A model: input -> fake quant -> (layer -> fake quant)* with every fake quant an output."""
    inp = tf.keras.Input(input_shape, batch_size=1)
    x = fq(tf, *in_range)(inp)
    outs = []
    for layer, rng in layers:
        x = fq(tf, *rng)(layer(x))
        outs.append(x)
    return tf.keras.Model(inp, outs)


# ---------------------------------------------------------------- tests

FIXEDPOINT_SHIM = """
#include "lkws/fixedpoint.h"
int32_t shim_double(int32_t x, int32_t m, int32_t s) { return lkws_mul_qm_double(x, m, s); }
int32_t shim_half_up(int32_t x, int32_t m, int32_t s) { return lkws_mul_qm_half_up(x, m, s); }
int32_t shim_srdhm(int32_t a, int32_t b) { return lkws_srdhm(a, b); }
int32_t shim_rdbpot(int32_t x, int32_t e) { return lkws_rounding_divide_by_pot(x, (int)e); }
"""


def _round_div_pot(x, e, halves_up):
    """x / 2^e to nearest, halves away from zero or up, in Python integers."""
    q, r = divmod(x, 1 << e)  # floor division
    twice = 2 * r
    if twice > (1 << e) or (twice == (1 << e) and (halves_up or x >= 0)):
        q += 1
    return q


def _wrap32(v):
    return (v + (1 << 31)) % (1 << 32) - (1 << 31)


def test_fixedpoint_against_integers(tmp_path):
    """The two multiplier roundings against a model in Python integers: high product rounded half
    up (gemmlowp's nudge and NEON's vqrdmulh agree), then the right shift rounded away from zero
    (TFLite's scalar code) or half up (ruy, NEON)."""
    from hypothesis import given, settings
    from hypothesis import strategies as st

    src = tmp_path / "shim.c"
    src.write_text(FIXEDPOINT_SHIM)
    so = tmp_path / "shim.so"
    subprocess.run(["cc", *CFLAGS, "-fPIC", "-shared", "-fsanitize=undefined", "-fno-sanitize-recover=all",
                    str(src), "-o", str(so)], check=True, capture_output=True)
    shim = ctypes.CDLL(str(so))
    for name in ("shim_double", "shim_half_up", "shim_srdhm", "shim_rdbpot"):
        getattr(shim, name).restype = ctypes.c_int32

    def model(x, m, s, halves_up):
        left, right = max(s, 0), max(-s, 0)
        high = _round_div_pot(_wrap32(x << left) * m, 31, True)
        return _round_div_pot(high, right, halves_up) if right else high

    @settings(max_examples=3000, deadline=None)
    @given(x=st.one_of(st.integers(-(1 << 31), (1 << 31) - 1), st.integers(-5000, 5000)),
           m=st.integers(1 << 30, (1 << 31) - 1) | st.just(1 << 30), s=st.integers(-31, 7))
    def check_one(x, m, s):
        assert shim.shim_double(x, m, s) == model(x, m, s, False)
        assert shim.shim_half_up(x, m, s) == model(x, m, s, True)

    check_one()
    assert shim.shim_srdhm(-(1 << 31), -(1 << 31)) == (1 << 31) - 1
    assert [shim.shim_rdbpot(v, 1) for v in (-3, -1, 1, 3)] == [-2, -1, 1, 2]


@pytest.mark.parametrize("real", [0.0, 1e-12, 2.0 ** -31, 0.5, 0.75, 1.0, 1.9999999999, 3.5, 2.0 ** 40])
def test_quantize_multiplier(real):
    m, s = qz.quantize_multiplier(real)
    if real == 0.0 or real < 2.0 ** -32:
        assert (m, s) == (0, 0)
    elif real >= 2.0 ** 31:
        assert (m, s) == ((1 << 31) - 1, 30)
    else:
        assert (1 << 30) <= m < (1 << 31)
        assert abs(m * 2.0 ** (s - 31) - real) <= 2.0 ** (s - 32)

def test_conv2d(lib, tf):
    L = tf.keras.layers
    model = chain(tf, (7, 9, 3), (-3.0, 2.5), [
        (L.Conv2D(5, 3, strides=2, padding="same", activation="relu"), (-1.0, 4.0)),
        (L.Conv2D(4, (2, 3), padding="valid"), (-2.0, 1.5)),
        (L.Conv2D(6, 3, padding="same", dilation_rate=2), (-0.5, 0.5)),  # narrow: saturates
        (L.Conv2D(3, 1, activation="relu6"), (-6.0, 6.0)),
    ])
    check(lib, tf, model, expect_ops=["CONV_2D"])


def test_depthwise_conv2d(lib, tf):
    L = tf.keras.layers
    model = chain(tf, (8, 7, 3), (-2.0, 3.0), [
        (L.DepthwiseConv2D(3, padding="same", depth_multiplier=2, activation="relu"), (-1.0, 3.0)),
        (L.DepthwiseConv2D((3, 2), strides=2, padding="valid"), (-1.5, 1.5)),
        (L.DepthwiseConv2D(3, padding="same", dilation_rate=2), (-0.3, 0.2)),
    ])
    check(lib, tf, model, expect_ops=["DEPTHWISE_CONV_2D"])


def test_depthwise_conv2d_vector_channels(lib, tf):
    """20 output channels: the interpreter rounds channels 0-15 halves up (vector loop) and 16-19
    as TFLite's scalar code; enough outputs that negative ties occur in both parts."""
    L = tf.keras.layers
    model = chain(tf, (12, 12, 10), (-2.0, 2.0), [
        (L.DepthwiseConv2D(3, padding="same", depth_multiplier=2), (-1.0, 1.0)),
        (L.DepthwiseConv2D(1, padding="valid"), (-2.0, 2.0)),
    ])
    check(lib, tf, model, n=16, expect_ops=["DEPTHWISE_CONV_2D"])


def test_fully_connected(lib, tf):
    L = tf.keras.layers
    model = chain(tf, (13,), (-4.0, 4.0), [
        (L.Dense(7, activation="relu"), (-2.0, 5.0)),
        (L.Dense(9), (-0.5, 0.4)),
        (L.Dense(3, use_bias=False), (-8.0, 8.0)),
    ])
    check(lib, tf, model, n=32, expect_ops=["FULLY_CONNECTED"])


def test_pooling(lib, tf):
    L = tf.keras.layers
    model = chain(tf, (9, 11, 4), (-3.0, 3.0), [
        (L.MaxPooling2D(3, strides=2, padding="same"), (-3.0, 3.0)),
        (L.AveragePooling2D(2, padding="valid"), (-3.0, 3.0)),
    ])
    check(lib, tf, model, expect_ops=["MAX_POOL_2D", "AVERAGE_POOL_2D"])
    model = chain(tf, (7, 6, 3), (-1.0, 2.0), [
        (L.AveragePooling2D((3, 2), strides=(2, 1), padding="same"), (-1.0, 2.0)),
        (L.MaxPooling2D((2, 3), strides=1, padding="valid"), (-1.0, 2.0)),
    ])
    check(lib, tf, model, seed=1, expect_ops=["MAX_POOL_2D", "AVERAGE_POOL_2D"])


def test_channel_counts(lib, tf):
    """Channel counts 1, 4, 31, 32, 33, 64, 65 through CONV_2D, DEPTHWISE_CONV_2D (vector blocks of
    8 plus remainders), pools and FULLY_CONNECTED, with strides and both paddings."""
    L = tf.keras.layers
    model = chain(tf, (9, 8, 3), (-2.0, 2.0), [
        (L.Conv2D(1, 3, padding="same"), (-1.0, 1.0)),
        (L.Conv2D(4, 2, padding="valid"), (-1.0, 1.0)),
        (L.Conv2D(31, 3, strides=2, padding="same", activation="relu"), (0.0, 2.0)),
        (L.DepthwiseConv2D(3, padding="same"), (-1.0, 1.0)),
        (L.Conv2D(33, 1), (-1.5, 1.5)),
        (L.DepthwiseConv2D(2, padding="valid", depth_multiplier=2), (-1.0, 1.0)),
        (L.Conv2D(65, 1), (-1.0, 1.0)),
        (L.DepthwiseConv2D(3, padding="same"), (-1.0, 1.0)),
        (L.MaxPooling2D(2, padding="same"), (-1.0, 1.0)),
        (L.Conv2D(32, 1), (-1.0, 1.0)),
        (L.Flatten(), (-1.0, 1.0)),
        (L.Dense(65), (-2.0, 2.0)),
        (L.Dense(64), (-2.0, 2.0)),
    ])
    kinds = check(lib, tf, model, n=12, seed=2, expect_ops=["CONV_2D", "DEPTHWISE_CONV_2D", "FULLY_CONNECTED"])
    assert kinds.count("DEPTHWISE_CONV_2D") == 3


def _mean(tf, axes, keepdims):
    return tf.keras.layers.Lambda(lambda t: tf.reduce_mean(t, axis=axes, keepdims=keepdims))


@pytest.mark.parametrize("shape", [(5, 7, 6), (1, 9, 3), (4, 4, 16), (3, 5, 37), (16, 16, 2)])
def test_mean(lib, tf, shape):
    """Every MEAN path of the interpreter. Each case reads its own requantized copy of the input
    (the converter merges identical MEANs and would keep a shared one in float)."""
    L = tf.keras.layers
    inp = tf.keras.Input(shape, batch_size=1)
    x0 = fq(tf, -2.0, 3.0)(inp)
    cases = [
        (L.GlobalAveragePooling2D(), (-1.0, 1.5)),               # axes {1,2}: reference, requantize
        (L.GlobalAveragePooling2D(), None),                      # same params: integer division
        (L.GlobalAveragePooling2D(keepdims=True), (-0.8, 0.6)),  # optimized, rescaled
        (L.GlobalAveragePooling2D(keepdims=True), None),         # optimized, ordinary mean
        (_mean(tf, [2, 1], True), (-0.5, 0.5)),                  # optimized, narrow range (wraps)
        (_mean(tf, [1], False), (-1.0, 2.0)),
        (_mean(tf, [3], True), (-1.0, 2.0)),
        (_mean(tf, [-1, 2], False), None),
    ]
    outs = [x0]
    for i, (layer, rng) in enumerate(cases):
        lo, hi = -2.0 - 0.25 * i, 3.0 + 0.1 * i
        x = fq(tf, lo, hi)(x0)
        outs.append(fq(tf, *(rng or (lo, hi)))(layer(x)))
    kinds = check(lib, tf, tf.keras.Model(inp, outs), n=6, seed=sum(shape), expect_ops=["MEAN"])
    assert kinds.count("MEAN") == len(cases)


def test_mean_rank3(lib, tf):
    """MEAN of a rank-3 tensor (over time, over channels, both), reference path."""
    inp = tf.keras.Input((7, 12), batch_size=1)
    x0 = fq(tf, -2.0, 3.0)(inp)
    outs = []
    for i, (axes, keep, rng) in enumerate([([1], False, (-1.0, 1.0)), ([2], True, (-0.5, 2.0)),
                                           ([1, 2], False, None)]):
        lo, hi = -2.0 - 0.3 * i, 3.0
        x = fq(tf, lo, hi)(x0)
        outs.append(fq(tf, *(rng or (lo, hi)))(_mean(tf, axes, keep)(x)))
    kinds = check(lib, tf, tf.keras.Model(inp, outs), n=6, expect_ops=["MEAN"])
    assert kinds.count("MEAN") == 3


def test_mean_constant_input_extremes(lib, tf):
    """All -128 / all 127 inputs through the optimized MEAN with a narrower output range."""
    inp = tf.keras.Input((3, 5, 4), batch_size=1)
    x = fq(tf, -4.0, 4.0)(inp)
    outs = [fq(tf, lo, hi)(tf.keras.layers.GlobalAveragePooling2D(keepdims=k)(fq(tf, -4.0 - i, 4.0)(x)))
            for i, (lo, hi) in enumerate([(-1.0, 1.0), (-0.1, 3.0), (-3.0, 0.2)]) for k in (True, False)]
    check(lib, tf, tf.keras.Model(inp, outs), n=3, expect_ops=["MEAN"])


def set_softmax_beta(fb, beta):
    """Rewrite every SOFTMAX's beta in the flatbuffer (the converter folds no multiply into beta,
    but other producers write betas other than 1)."""
    import tflite

    buf = bytearray(fb)
    model = tflite.Model.GetRootAsModel(buf, 0)
    sg = model.Subgraphs(0)
    for i in range(sg.OperatorsLength()):
        op = sg.Operators(i)
        if op.BuiltinOptionsType() != tflite.BuiltinOptions.SoftmaxOptions:
            continue
        table = op.BuiltinOptions()
        field = table.Offset(4)
        assert field, "beta is stored"
        pos = table.Pos + field
        buf[pos:pos + 4] = np.float32(beta).tobytes()
    return bytes(buf)


@pytest.mark.parametrize("depth,rows,beta,lo,hi", [
    (4, 1, 1.0, -3.0, 3.0), (10, 1, 1.0, -8.0, 8.0), (33, 1, 2.0, -1.0, 2.0), (7, 3, 0.37, -20.0, 10.0),
    (1, 2, 1.0, -1.0, 1.0), (300, 1, 1.0, -4.0, 4.0),
])
def test_softmax(lib, tf, depth, rows, beta, lo, hi):
    shape = (depth,) if rows == 1 else (rows, depth)
    inp = tf.keras.Input(shape, batch_size=1)
    x = fq(tf, lo, hi)(inp)
    y = fq(tf, 0.0, 1.0)(tf.keras.layers.Softmax()(x))
    patch = None if beta == 1.0 else (lambda fb: set_softmax_beta(fb, beta))
    kinds = check(lib, tf, tf.keras.Model(inp, [y]), n=16, seed=depth, expect_ops=["SOFTMAX"], patch=patch)
    assert "QUANTIZE" in kinds  # 1/256 softmax output requantized to the fake-quant range


def test_add_mul(lib, tf):
    L = tf.keras.layers
    inp = tf.keras.Input((5, 6, 4), batch_size=1)
    x = fq(tf, -2.0, 2.0)(inp)
    a = fq(tf, -3.0, 1.0)(L.Conv2D(4, 1)(x))
    b = fq(tf, -0.5, 0.7)(L.DepthwiseConv2D(3, padding="same")(x))
    m = fq(tf, -0.4, 0.9)(L.GlobalAveragePooling2D(keepdims=True)(x))
    c = np.linspace(-1.0, 1.5, 4).astype(np.float32)
    outs = [
        fq(tf, -3.0, 2.0)(L.Add()([a, b])),
        fq(tf, -0.3, 0.3)(L.Add()([a, x])),                      # saturates
        fq(tf, 0.0, 2.0)(L.ReLU()(L.Add()([b, x]))),             # fused RELU
        fq(tf, -2.0, 2.0)(L.Add()([x, m])),                      # broadcast [1,1,1,C]
        fq(tf, -2.0, 2.0)(L.Lambda(lambda t: t + c)(x)),         # constant operand
        fq(tf, -1.5, 1.0)(L.Multiply()([a, b])),
        fq(tf, -0.2, 0.2)(L.Multiply()([a, x])),                 # saturates
        fq(tf, -1.0, 1.0)(L.Multiply()([x, m])),                 # broadcast
        fq(tf, -3.0, 3.0)(L.Lambda(lambda t: t * c)(x)),         # constant operand
    ]
    kinds = check(lib, tf, tf.keras.Model(inp, outs), n=8, expect_ops=["ADD", "MUL"])
    assert kinds.count("ADD") >= 4 and kinds.count("MUL") >= 3


def test_pad_reshape(lib, tf):
    L = tf.keras.layers
    model = chain(tf, (4, 5, 3), (-1.0, 3.0), [
        (L.ZeroPadding2D(((1, 2), (0, 3))), (-1.0, 3.0)),
        (L.Lambda(lambda t: tf.pad(t, [[0, 0], [2, 0], [1, 1], [0, 2]], constant_values=1.5)), (-1.0, 3.0)),
        (L.Flatten(), (-1.0, 3.0)),
        (L.Reshape((3, -1)), (-1.0, 3.0)),
    ])
    kinds = check(lib, tf, model, expect_ops=["PAD", "RESHAPE"])
    assert "PADV2" in kinds or kinds.count("PAD") == 2


@pytest.mark.parametrize("n,out_range", [(5, None), (16, None), (21, None), (40, None), (37, (-0.01, 0.01))])
def test_requantize_ties(lib, tf, n, out_range):
    """int8 -> int8 QUANTIZE with multiplier 1/4 (shift -1): inputs 2 mod 4 tie in the final
    shift; the vector blocks of 16 round negative ties up, the scalar rest away from zero. (The
    converter requantizes a tensor that is both an output and, reshaped, another output with a
    different range.)"""
    L = tf.keras.layers
    inp = tf.keras.Input((n,), batch_size=1)
    x = fq(tf, -1.28, 1.27)(inp)
    d = fq(tf, -1.28, 1.27)(L.Dense(n)(x))
    y = fq(tf, *(out_range or (-5.12, 5.08)))(L.Reshape((1, n))(d))  # a narrow range: multiplier > 1
    kinds = check(lib, tf, tf.keras.Model(inp, [d, y]), n=6, seed=n, expect_ops=["QUANTIZE"])
    assert "QUANTIZE" in kinds, kinds


@pytest.mark.parametrize("n", [3, 8, 11, 29])
def test_quantize_dequantize_float(lib, tf, n):
    """float32 -> int8 QUANTIZE (vector blocks of 8: multiply by 1/scale, ties to even; the rest:
    divide, ties away from zero) and int8 -> float32 DEQUANTIZE, fed exact ties and random values."""
    inp = tf.keras.Input((n,), batch_size=1)
    x = fq(tf, -1.0, 127.0 / 128.0)(inp)  # scale 2^-7, zero point 0
    y = fq(tf, -2.0, 1.5)(tf.keras.layers.Dense(n)(x))
    rng = np.random.default_rng(n)
    ties = ((rng.integers(-140, 140, size=(6, n)) + 0.5) / 128.0).astype(np.float32)
    rand = rng.uniform(-1.2, 1.2, size=(6, n)).astype(np.float32)
    extreme = np.resize(np.array([np.inf, -np.inf, np.nan, 3e9, -3e9, 1e30, 2.0 ** 24, -0.0], np.float32), (1, n))
    kinds = check(lib, tf, tf.keras.Model(inp, [x, y]), x=np.concatenate([ties, rand, extreme, extreme[:, ::-1]]),
                  expect_ops=["QUANTIZE", "DEQUANTIZE"])
    assert kinds[0] == "QUANTIZE" and kinds[-1] == "DEQUANTIZE", kinds


# ---------------------------------------------------------------- through the generator

def export_case_chain(tf):
    """conv (per-channel, RELU), depthwise with 20 channels, both pools, PAD and PADV2, MEAN both ways,
    FULLY_CONNECTED, SOFTMAX and its requantize: int8 in and out."""
    L = tf.keras.layers
    inp = tf.keras.Input((9, 10, 3), batch_size=1)
    x = fq(tf, -2.0, 3.0)(inp)
    x = fq(tf, 0.0, 4.0)(L.Conv2D(10, 3, padding="same", activation="relu")(x))
    x = fq(tf, -1.0, 1.5)(L.DepthwiseConv2D(3, padding="same", depth_multiplier=2)(x))
    x = fq(tf, -1.0, 1.5)(L.MaxPooling2D(2, padding="same")(x))
    x = fq(tf, -1.0, 1.5)(L.ZeroPadding2D(1)(x))
    pad_v2 = L.Lambda(lambda t: tf.pad(t, [[0, 0], [1, 0], [0, 2], [0, 0]], constant_values=0.5))
    x = fq(tf, -1.0, 1.5)(pad_v2(x))
    a = fq(tf, -1.0, 1.5)(L.AveragePooling2D(3, strides=2)(x))
    m = fq(tf, -0.5, 0.7)(L.GlobalAveragePooling2D(keepdims=True)(a))
    g = fq(tf, -0.6, 0.9)(L.GlobalAveragePooling2D()(x))
    f = fq(tf, -4.0, 4.0)(L.Dense(6)(L.Concatenate()([L.Flatten()(m), g])))
    s = fq(tf, 0.0, 1.0)(L.Softmax()(f))
    return tf.keras.Model(inp, [s, m]), {"CONV_2D", "DEPTHWISE_CONV_2D", "MAX_POOL_2D", "AVERAGE_POOL_2D", "PAD",
                                         "PADV2", "MEAN", "FULLY_CONNECTED", "SOFTMAX", "QUANTIZE"}, None


def export_case_elementwise(tf):
    """ADD and MUL, elementwise and broadcast, with a constant operand and a fused RELU; float32 in
    and out (QUANTIZE and DEQUANTIZE at the ends)."""
    L = tf.keras.layers
    inp = tf.keras.Input((6, 7, 20), batch_size=1)
    x = fq(tf, -2.0, 2.0)(inp)
    a = fq(tf, -3.0, 1.0)(L.Conv2D(20, 1)(x))
    m = fq(tf, -0.4, 0.9)(L.GlobalAveragePooling2D(keepdims=True)(a))
    c = np.linspace(-1.0, 1.5, 20).astype(np.float32)
    y = fq(tf, -3.0, 2.0)(L.Add()([a, x]))
    y = fq(tf, 0.0, 2.0)(L.ReLU()(L.Add()([y, m])))
    y = fq(tf, -1.5, 1.0)(L.Multiply()([y, a]))
    y = fq(tf, -2.0, 2.0)(L.Multiply()([y, m]))
    y = fq(tf, -3.0, 3.0)(L.Lambda(lambda t: t * c)(y))
    return tf.keras.Model(inp, [y]), {"QUANTIZE", "ADD", "MUL", "MEAN", "DEQUANTIZE"}, tf.float32


def export_case_default_range(tf):
    """A mixed float/int8/binary model as LCE converts it with experimental_default_int8_range:
    QUANTIZE, int8 CONV_2D (RELU), DEPTHWISE_CONV_2D, ADD, LceQuantize of int8, a binary conv to
    float, then QUANTIZE, MEAN, FULLY_CONNECTED, SOFTMAX and DEQUANTIZE."""
    import larq as lq

    L = tf.keras.layers
    i = L.Input((12, 12, 3), batch_size=1)
    x = L.ReLU()(L.BatchNormalization()(L.Conv2D(16, 3, padding="same")(i)))
    x = L.Add()([x, L.DepthwiseConv2D(3, padding="same")(x)])
    x = lq.layers.QuantConv2D(32, 3, padding="same", pad_values=1.0, input_quantizer="ste_sign",
                              kernel_quantizer="ste_sign", kernel_constraint="weight_clip", use_bias=False)(x)
    x = L.BatchNormalization()(x)
    x = L.Softmax()(L.Dense(10)(L.GlobalAveragePooling2D()(x)))
    model = tf.keras.Model(i, x)
    rng = np.random.default_rng(11)
    for layer in model.layers:
        if isinstance(layer, L.BatchNormalization):
            n = layer.gamma.shape[0]
            layer.set_weights([rng.uniform(0.3, 1.5, n) * rng.choice([-1.0, 1.0], n), rng.normal(0, 1, n),
                               rng.normal(0, 2, n), rng.uniform(0.5, 3.0, n)])
    expect = {"QUANTIZE", "CONV_2D", "DEPTHWISE_CONV_2D", "ADD", "LceBconv2d", "MEAN", "FULLY_CONNECTED",
              "SOFTMAX", "DEQUANTIZE"}
    return model, expect, {"experimental_default_int8_range": (-3.0, 3.0)}


@pytest.mark.parametrize("case", ["chain", "elementwise", "default_range"])
def test_export_parity(tf, case, tmp_path):
    """The int8 emitters through the generator: export a host project, build it with ASan and
    UBSan, and compare every tensor with the interpreter's (integers bit-exact)."""
    import shutil

    from lossykws.codegen.project import export_project
    from lossykws.codegen.reader import read_model
    from lossykws.emulation.host import build_host, compare_run, read_manifest, run_host
    from lossykws.emulation.reference import run_all_tensors

    if shutil.which("make") is None:
        pytest.skip("make missing")
    tf.keras.utils.set_random_seed(7)
    model, expect, io_type = globals()[f"export_case_{case}"](tf)
    if isinstance(io_type, dict):  # converter options instead of an int8/float32 interface
        import larq_compute_engine as lce

        fb = lce.convert_keras_model(model, **io_type)
    else:
        fb = convert(tf, model, io_type)
    kinds = {op.kind for op in read_model(fb).ops}
    assert expect <= kinds, f"the converted model lacks {expect - kinds}: {kinds}"
    src = tmp_path / "model.tflite"
    src.write_bytes(fb)
    export_project(src, tmp_path / "proj", "host")
    program = build_host(tmp_path / "proj", sanitize=True)
    manifest = read_manifest(tmp_path / "proj")
    rng = np.random.default_rng(3)
    for k in range(3):
        xs, files = [], []
        for n, spec in enumerate(manifest["inputs"]):
            if spec["dtype"] == "int8":
                x = rng.integers(-128, 128, spec["shape"]).astype(np.int8)
                x.flat[:2] = [-128, 127]
            else:
                x = rng.uniform(-2.5, 2.5, spec["shape"]).astype(np.float32)
            files.append(tmp_path / f"x{k}_{n}.bin")
            x.tofile(files[-1])
            xs.append(x)
        _, dumps = run_host(program, files, tmp_path / f"dump{k}")
        first, _ = compare_run(manifest, dumps, run_all_tensors(fb, xs))
        assert first is None, f"{case}, input {k}: {first}"


@pytest.mark.parametrize("case", ["chain", "elementwise"])
def test_export_qemu_int8(tf, case, tmp_path):
    """The int8 cases on Cortex-M4 (qemu-m4): every tensor equals the interpreter's, SOFTMAX
    included (its exp table is computed at export, so no libm runs on the device), and the float
    QUANTIZE/DEQUANTIZE ends (single-precision arithmetic and rintf/roundf give the same bits)."""
    import shutil

    from lossykws.emulation import qemu
    from lossykws.codegen.project import export_project
    from lossykws.emulation.reference import run_all_tensors

    for tool in ("arm-none-eabi-gcc", "qemu-system-arm", "make"):
        if shutil.which(tool) is None:
            pytest.skip(f"{tool} not installed (tools/bootstrap installs it)")
    tf.keras.utils.set_random_seed(7)
    model, _, io_type = globals()[f"export_case_{case}"](tf)
    fb = convert(tf, model, io_type)
    (tmp_path / "model.tflite").write_bytes(fb)
    manifest = export_project(tmp_path / "model.tflite", tmp_path / "m4", target="qemu-m4")
    rng = np.random.default_rng(5)
    spec = manifest["inputs"][0]
    if spec["dtype"] == "int8":
        x = rng.integers(-128, 128, spec["shape"]).astype(np.int8)
    else:
        x = rng.uniform(-2.5, 2.5, spec["shape"]).astype(np.float32)
    (tmp_path / "x.bin").write_bytes(x.tobytes())
    result = qemu.run_project(tmp_path / "m4", [tmp_path / "x.bin"], tmp_path / "out", dump_dir=tmp_path / "dump")
    assert result["status"] == 0, result["stderr"]
    reference = run_all_tensors(fb, [x])
    compared = 0
    for op in manifest["ops"]:
        for t in op["outputs"]:
            got = np.fromfile(tmp_path / "dump" / f"t{t['tensor']}.bin", dtype=t["dtype"])
            want = reference[t["tensor"]].reshape(-1)
            assert got.tobytes() == want.tobytes(), f"op {op['index']} {op['kind']}"
            compared += 1
    assert compared == len(manifest["ops"])


# ---------------------------------------------------------------- emitter checks (no TensorFlow)

def _graph(op_kind, options, tensors, inputs, outputs):
    from lossykws.codegen.ir import Graph, Op

    return Graph(tensors=tensors, ops=[Op(0, op_kind, inputs, outputs, options)], inputs=[0], outputs=outputs)


def _t(index, shape, dtype="int8", scale=(0.1,), zp=(0,), data=None):
    from lossykws.codegen.ir import Tensor

    return Tensor(index, f"t{index}", tuple(shape), dtype, None if scale is None else np.array(scale, np.float32),
                  None if zp is None else np.array(zp, np.int64), 0, data)


CONV_OPTS = dict(padding="SAME", stride_h=1, stride_w=1, dilation_h_factor=1, dilation_w_factor=1,
                 fused_activation_function="NONE")


@pytest.mark.parametrize("change,message", [
    (dict(), None),
    (dict(filter_zp=(3,)), "filter zero point"),
    (dict(act="TANH"), "fused_activation_function=TANH"),
    (dict(padding="EXPLICIT"), "option padding=EXPLICIT"),
    (dict(in_scales=(0.1, 0.2)), "input per-channel quantization"),
    (dict(out_dtype="int16"), "output dtype"),
    (dict(filter_const=False), "filter (constant expected)"),
])
def test_conv_emitter_checks(change, message):
    """The int8 CONV_2D emitter accepts a well-formed op and refuses the rest with one line naming
    the op, the option and the tensor."""
    from lossykws.codegen.ops.base import UnsupportedOp, emitter_for

    opts = dict(CONV_OPTS, padding=change.get("padding", "SAME"),
                fused_activation_function=change.get("act", "NONE"))
    w = np.ones((4, 3, 3, 2), np.int8)
    tensors = [
        _t(0, (1, 5, 5, 2), scale=change.get("in_scales", (0.1,))),
        _t(1, (4, 3, 3, 2), scale=(0.01,) * 4, zp=change.get("filter_zp", (0,)),
           data=w if change.get("filter_const", True) else None),
        _t(2, (4,), "int32", scale=None, zp=None, data=np.zeros(4, np.int32)),
        _t(3, (1, 5, 5, 4), change.get("out_dtype", "int8"), scale=(0.05,), zp=(-3,)),
    ]
    g = _graph("CONV_2D", opts, tensors, [0, 1, 2], [3])
    em = emitter_for(g.ops[0], g)
    assert type(em).__name__ == "Conv2dS8"
    if message is None:
        em.check(g.ops[0], g)
    else:
        with pytest.raises(UnsupportedOp) as e:
            em.check(g.ops[0], g)
        text = str(e.value)
        assert text.startswith("op 0 (CONV_2D): ") and message in text and "\n" not in text, text


def test_mean_and_softmax_emitters_refuse():
    from lossykws.codegen.ops.base import UnsupportedOp, emitter_for

    axes = _t(1, (2,), "int32", scale=None, zp=None, data=np.array([1, 2], np.int32))
    g = _graph("MEAN", {"keep_dims": False}, [_t(0, (1, 4, 4, 8)), axes, _t(2, (1, 4, 8))], [0, 1], [2])
    with pytest.raises(UnsupportedOp, match="output shape"):
        emitter_for(g.ops[0], g).check(g.ops[0], g)
    g = _graph("SOFTMAX", {"beta": 1.0}, [_t(0, (1, 10)), _t(1, (1, 10), "int16")], [0], [1])
    with pytest.raises(UnsupportedOp, match="output dtype"):
        emitter_for(g.ops[0], g).check(g.ops[0], g)


@pytest.mark.parametrize("input_scale,beta", [(0.0235, 1.0), (0.125, 0.37), (1e-3, 2.0)])
def test_softmax_table_c_and_python(lib, input_scale, beta):
    """The C table helper and the generator's table agree (both use this platform's expf)."""
    table = np.zeros(256, np.float32)
    lib.lkws_softmax_s8_table(ctypes.c_float(input_scale), ctypes.c_float(beta), ptr(table))
    assert table.tobytes() == qz.softmax_exp_table(input_scale, beta).tobytes()
    assert table[255] == 1.0 and np.all(np.diff(table) >= 0)


@pytest.mark.parametrize("rows,cols", [(3, 37), (2, 47)])
def test_add_mul_int16_wrap(lib, tf, rows, cols):
    """Outputs far beyond the output range: the interpreter's vector loops narrow to int16 with
    wrap-around before saturating (so a huge positive sum can come out as -128), its scalar loops
    saturate. Rows of 37 and 47 tell blocks of 8 from blocks of 16."""
    L = tf.keras.layers
    inp = tf.keras.Input((rows, cols), batch_size=1)
    x = fq(tf, -2.0, 2.0)(inp)
    a = fq(tf, -2.0, 2.0)(L.Dense(cols)(x))
    row = fq(tf, -2.0, 2.0)(L.Lambda(lambda t: tf.reduce_mean(t, axis=1, keepdims=True))(a))
    col = fq(tf, -2.0, 2.0)(L.Dense(1)(x))  # [1, rows, 1]: a scalar per row
    outs = [
        fq(tf, -0.01, 0.01)(L.Add()([a, x])),
        fq(tf, -0.01, 0.01)(L.Add()([a, row])),  # broadcast rows: runs of 37
        fq(tf, -0.01, 0.01)(L.Add()([a, col])),  # scalar broadcast: runs of 37, the 8-wide loop
        fq(tf, -3.0, 2.5)(L.Add()([x, col])),
        fq(tf, -0.004, 0.004)(L.Multiply()([a, x])),
        fq(tf, -0.004, 0.004)(L.Multiply()([a, row])),
        fq(tf, -0.004, 0.004)(L.Multiply()([a, col])),
        fq(tf, -2.0, 3.0)(L.Multiply()([x, col])),
    ]
    kinds = check(lib, tf, tf.keras.Model(inp, outs), n=8, expect_ops=["ADD", "MUL"])
    assert kinds.count("ADD") == 4 and kinds.count("MUL") == 4
