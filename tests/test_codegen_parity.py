"""Parity matrix: small Larq/Keras models over the op options, converted with LCE, exported to a
host project, built under AddressSanitizer and UndefinedBehaviorSanitizer, and every op output
compared with the LCE interpreter's: bit-exact for bitpacked and integer tensors,
|c - ref| <= 1e-5 * max(1, |ref|) for float tensors.

Each case is one model chaining several options (one conversion and one build per case keeps the
matrix fast); `expect` lists op kinds (and LceBconv2d variants) the case must contain, so a
converter change that stops exercising an option fails loudly instead of silently passing.
"""
import shutil

import numpy as np
import pytest

import lossykws  # noqa: F401  (before TensorFlow)

pytestmark = pytest.mark.skipif(shutil.which("cc") is None or shutil.which("make") is None,
                                reason="host C compiler or make missing")


def _stack():
    from lossykws.tf import import_tensorflow

    tf = import_tensorflow()
    import larq as lq
    import larq_compute_engine as lce

    return tf, lq, lce


BIN = dict(input_quantizer="ste_sign", kernel_quantizer="ste_sign", kernel_constraint="weight_clip",
           use_bias=False)


def _qconv(lq, filters, k, pad_values=None, **kw):
    if pad_values is not None:
        kw["pad_values"] = pad_values
    return lq.layers.QuantConv2D(filters, k, **BIN, **kw)


def case_binary_chain(tf, lq):
    """Channels 4 -> 33 -> 32 -> 65: SAME pad_values=1, VALID, stride 2; bitpacked then float output."""
    L = tf.keras.layers
    i = L.Input((8, 8, 4))
    x = _qconv(lq, 33, 3, 1.0, padding="same")(i)
    x = L.BatchNormalization()(x)
    x = _qconv(lq, 32, 3, padding="valid")(x)
    x = L.BatchNormalization()(x)
    x = _qconv(lq, 65, 3, 1.0, padding="same", strides=2)(x)
    x = L.BatchNormalization()(x)
    x = L.GlobalAveragePooling2D()(x)
    x = L.Dense(4)(x)
    x = L.Softmax()(x)
    return tf.keras.Model(i, x), {"LceQuantize", "LceBconv2d:int32", "LceBconv2d:float32", "MEAN", "FULLY_CONNECTED", "SOFTMAX"}


def case_zero_padding(tf, lq):
    """SAME with pad_values=0 (zero padding corrected at the borders), channels 31 -> 64 -> 1, stride 2."""
    L = tf.keras.layers
    i = L.Input((8, 8, 31))
    x = _qconv(lq, 64, 3, 0.0, padding="same")(i)
    x = L.BatchNormalization()(x)
    x = _qconv(lq, 1, 3, 0.0, padding="same", strides=2)(x)
    x = L.BatchNormalization()(x)
    x = _qconv(lq, 5, (2, 3), 0.0, padding="same")(x)
    x = L.Flatten()(x)
    x = L.Dense(3)(x)
    return tf.keras.Model(i, x), {"LceBconv2d:float32:zero", "RESHAPE", "FULLY_CONNECTED"}


def case_dilation(tf, lq):
    """Dilation 2 with SAME pad 1, VALID and SAME pad 0; channels 32 -> 33 -> 31 -> 4."""
    L = tf.keras.layers
    i = L.Input((9, 9, 32))
    x = _qconv(lq, 33, 3, 1.0, padding="same", dilation_rate=2)(i)
    x = L.BatchNormalization()(x)
    x = _qconv(lq, 31, 3, padding="valid", dilation_rate=2)(x)
    x = L.BatchNormalization()(x)
    x = _qconv(lq, 4, 3, 0.0, padding="same", dilation_rate=(1, 2))(x)
    x = L.GlobalAveragePooling2D()(x)
    return tf.keras.Model(i, x), {"LceBconv2d:int32", "LceBconv2d:float32:zero", "MEAN"}


def case_one_channel_stride(tf, lq):
    """One input channel, VALID stride 2 (bitpacked 65 channels), then stride (2,1) and a 1x1."""
    L = tf.keras.layers
    i = L.Input((8, 8, 1))
    x = _qconv(lq, 65, 3, padding="valid", strides=2)(i)
    x = L.BatchNormalization()(x)
    x = _qconv(lq, 64, 2, 1.0, padding="same", strides=(2, 1))(x)
    x = L.BatchNormalization()(x)
    x = _qconv(lq, 7, 1, padding="valid")(x)
    x = L.GlobalAveragePooling2D()(x)
    return tf.keras.Model(i, x), {"LceBconv2d:int32", "LceBconv2d:float32", "MEAN"}


def case_activations(tf, lq):
    """Fused RELU, RELU6 and a clip to [-1, 1] on float output; standalone RELU and RELU6 after a
    batch norm."""
    L = tf.keras.layers
    i = L.Input((8, 8, 4))
    a = _qconv(lq, 8, 3, 1.0, padding="same", activation="relu")(i)
    b = _qconv(lq, 8, 3, 1.0, padding="same", activation=tf.nn.relu6)(i)
    c = _qconv(lq, 8, 3, 1.0, padding="same", activation=lambda t: tf.clip_by_value(t, -1.0, 1.0))(i)
    d = _qconv(lq, 8, 3, padding="valid")(i)
    d = L.BatchNormalization()(d)
    d = L.ReLU()(d)
    e = _qconv(lq, 8, 3, padding="valid")(i)
    e = L.BatchNormalization()(e)
    e = L.ReLU(6.0)(e)
    x = L.Add()([a, b])
    x = L.Add()([x, c])
    y = L.Add()([d, e])
    x = L.GlobalAveragePooling2D()(x)
    y = L.GlobalAveragePooling2D()(y)
    x = L.Concatenate()([x, y]) if False else L.Add()([x, y])
    return tf.keras.Model(i, x), {"LceBconv2d:float32:relu", "RELU", "RELU6", "ADD"}


def case_binary_maxpool(tf, lq):
    """LceBMaxPool2d: 2x2 VALID and 3x3 stride 2 SAME, on 33 and 16 channels."""
    L = tf.keras.layers
    i = L.Input((8, 8, 4))
    x = _qconv(lq, 33, 3, 1.0, padding="same")(i)
    x = L.BatchNormalization()(x)
    x = L.MaxPool2D(2)(x)
    x = _qconv(lq, 16, 3, 1.0, padding="same")(x)
    x = L.BatchNormalization()(x)
    x = L.MaxPool2D(3, strides=2, padding="same")(x)
    x = _qconv(lq, 8, 2, padding="valid")(x)
    x = L.BatchNormalization()(x)
    x = L.Flatten()(x)
    x = L.Dense(5)(x)
    x = L.Softmax()(x)
    return tf.keras.Model(i, x), {"LceBMaxPool2d", "SOFTMAX"}


def case_float_ops(tf, lq):
    """Float builtins: PADV2 + CONV_2D (first binary-weight conv without input quantizer), CONV_2D
    with RELU, DEPTHWISE_CONV_2D (multiplier 2, dilation 2), PAD, AVERAGE_POOL_2D (SAME, stride 2),
    MAX_POOL_2D, ADD,
    MUL (broadcast), RESHAPE, FULLY_CONNECTED, SOFTMAX."""
    L = tf.keras.layers
    i = L.Input((8, 8, 3))
    x = lq.layers.QuantConv2D(6, 3, padding="same", pad_values=1.0, input_quantizer=None,
                              kernel_quantizer="ste_sign", use_bias=False)(i)
    x = L.Conv2D(8, 3, padding="same", activation="relu")(x)
    x = L.DepthwiseConv2D(3, padding="same", depth_multiplier=2, dilation_rate=2)(x)
    x = L.ZeroPadding2D(((1, 0), (2, 1)))(x)
    x = L.AveragePooling2D(3, strides=2, padding="same")(x)
    x = L.MaxPool2D(2)(x)
    y = L.Conv2D(16, 1, strides=1)(x)
    x = L.Add()([x, y])
    z = L.Conv2D(1, 1)(x)
    x = L.Multiply()([x, z])
    x = L.Flatten()(x)
    x = L.Dense(6)(x)
    x = L.Softmax()(x)
    return tf.keras.Model(i, x), {"PADV2", "CONV_2D", "DEPTHWISE_CONV_2D", "PAD", "AVERAGE_POOL_2D",
                                  "MAX_POOL_2D", "ADD", "MUL", "RESHAPE", "FULLY_CONNECTED", "SOFTMAX"}


def case_dequantize(tf, lq):
    """A binary activation read by float layers: LceDequantize; float max pool (3x3, stride 2, SAME)
    after a float bconv."""
    L = tf.keras.layers
    i = L.Input((8, 8, 4))
    x = _qconv(lq, 33, 3, padding="valid")(i)
    x = lq.quantizers.SteSign()(x)
    a = L.Flatten()(x)
    a = L.Dense(3)(a)
    y = _qconv(lq, 8, 3, 1.0, padding="same")(i)
    y = L.BatchNormalization()(y)
    y = L.MaxPool2D(3, strides=2, padding="same")(y)
    y = L.GlobalAveragePooling2D()(y)
    y = L.Dense(3)(y)
    x = L.Add()([a, y])
    return tf.keras.Model(i, x), {"LceDequantize", "MAX_POOL_2D", "LceBconv2d:int32"}


def case_int8_io(tf, lq):
    """int8 model input (LceQuantize compares with the zero point) and LceBconv2d with int8 output
    (scale and zero point folded into the output transform, round half away, saturate)."""
    L = tf.keras.layers

    def fake_quant(lo, hi):
        return L.Lambda(lambda v: tf.quantization.fake_quant_with_min_max_vars(v, lo, hi))

    i = L.Input((8, 8, 4))
    x = fake_quant(-3.0, 2.0)(i)
    x = _qconv(lq, 33, 3, 1.0, padding="same")(x)
    x = L.BatchNormalization()(x)
    x = _qconv(lq, 16, 3, 1.0, padding="same", strides=2)(x)
    x = L.BatchNormalization()(x)
    x = fake_quant(-6.0, 10.0)(x)
    convert = {"inference_input_type": tf.int8, "inference_output_type": tf.int8}
    return tf.keras.Model(i, x), {"LceQuantize", "LceBconv2d:int8"}, convert


def case_two_inputs_two_outputs(tf, lq):
    """Two graph inputs (a binary and a float branch) and two graph outputs."""
    L = tf.keras.layers
    i = L.Input((8, 8, 4))
    j = L.Input((8, 8, 2))
    a = _qconv(lq, 8, 3, 1.0, padding="same")(i)
    a = L.BatchNormalization()(a)
    b = L.Conv2D(8, 3, padding="same")(j)
    x = L.Add()([a, b])
    y = L.GlobalAveragePooling2D()(x)
    z = L.Softmax()(L.Dense(3)(y))
    return tf.keras.Model([i, j], [z, y]), {"LceBconv2d:float32", "CONV_2D", "ADD", "SOFTMAX"}


def case_pooling_heads(tf, lq):
    """GlobalMaxPooling2D (REDUCE_MAX) and global average concatenated (CONCATENATION), a sigmoid
    head (LOGISTIC), and a QuantDense (LceQuantize on rank 2, LceDequantize, FULLY_CONNECTED)."""
    L = tf.keras.layers
    i = L.Input((8, 8, 4))
    x = _qconv(lq, 32, 3, 1.0, padding="same")(i)
    x = L.BatchNormalization()(x)
    a = L.GlobalMaxPooling2D()(x)
    b = L.GlobalAveragePooling2D()(x)
    x = L.Concatenate()([a, b])
    x = lq.layers.QuantDense(16, input_quantizer="ste_sign", kernel_quantizer="ste_sign",
                             kernel_constraint="weight_clip", use_bias=False)(x)
    x = L.Dense(3, activation="sigmoid")(x)
    return tf.keras.Model(i, x), {"REDUCE_MAX", "CONCATENATION", "LOGISTIC", "LceDequantize"}


def case_float_gemm_paths(tf, lq):
    """The interpreter's two float GEMM paths, mirrored for bit-exact sums: a single-pixel CONV_2D
    (custom GEMV: four lanes, tail, bias last; 45 taps) and a FULLY_CONNECTED over several rows
    (ruy: bias first, fused multiply-adds), plus a GEMV FULLY_CONNECTED with depth % 4 == 2."""
    L = tf.keras.layers
    i = L.Input((3, 3, 5))
    x = L.Conv2D(6, 3, padding="valid", bias_initializer="random_normal")(i)
    x = L.Reshape((2, 3))(x)
    x = L.Dense(7, bias_initializer="random_normal")(x)
    x = L.Flatten()(x)
    x = L.Dense(5, bias_initializer="random_normal")(x)
    return tf.keras.Model(i, x), {"CONV_2D", "FULLY_CONNECTED"}


def case_int8_dequantize(tf, lq):
    """LceDequantize to int8 (the codes of +-1 from the output scale and zero point, saturated)."""
    L = tf.keras.layers

    def fake_quant(lo, hi):
        return L.Lambda(lambda v: tf.quantization.fake_quant_with_min_max_vars(v, lo, hi))

    i = L.Input((8, 8, 4))
    x = fake_quant(-3.0, 3.0)(i)
    x = _qconv(lq, 33, 3, padding="valid")(x)
    x = lq.quantizers.SteSign()(x)
    x = fake_quant(-1.5, 1.0)(x)
    convert = {"inference_input_type": tf.int8, "inference_output_type": tf.int8}
    return tf.keras.Model(i, x), {"LceDequantize:int8", "LceBconv2d:int32"}, convert


CASES = {name[len("case_"):]: fn for name, fn in sorted(globals().items()) if name.startswith("case_")}


def _randomize(model, rng):
    """Batch norms with varied (also negative) scales and shifted statistics, so that thresholds,
    multipliers and biases are not trivial."""
    for layer in model.layers:
        if layer.__class__.__name__ == "BatchNormalization":
            n = layer.gamma.shape[0]
            gamma = rng.uniform(0.3, 1.5, n) * rng.choice([-1.0, 1.0], n)
            layer.set_weights([gamma, rng.normal(0, 1, n), rng.normal(0, 2, n), rng.uniform(0.5, 3.0, n)])


def _kinds(graph):
    out = set()
    for op in graph.ops:
        out.add(op.kind)
        if op.kind == "LceDequantize":
            out.add(f"LceDequantize:{graph.tensors[op.outputs[0]].dtype}")
        if op.kind == "LceBconv2d":
            t = graph.tensors[op.outputs[0]]
            out.add(f"LceBconv2d:{t.dtype}")
            if op.options.get("pad_values") == 0 and op.options.get("padding") == 0:
                out.add(f"LceBconv2d:{t.dtype}:zero")
            if op.options.get("fused_activation_function"):
                out.add(f"LceBconv2d:{t.dtype}:relu")
    return out


@pytest.mark.parametrize("case", sorted(CASES))
def test_parity(case, tmp_path):
    from lossykws.codegen.project import export_project, fuse_bconv_quantize
    from lossykws.codegen.reader import read_model

    tf, lq, lce = _stack()
    tf.keras.utils.set_random_seed(sorted(CASES).index(case))
    rng = np.random.default_rng(1234)
    model, expect, *convert = CASES[case](tf, lq)
    _randomize(model, rng)
    fb = lce.convert_keras_model(model, **(convert[0] if convert else {}))
    graph = read_model(fb)
    missing = expect - _kinds(graph)
    assert not missing, f"the converted model lacks {missing}: {_kinds(graph)}"

    src = tmp_path / "model.tflite"
    src.write_bytes(fb)
    # Unfused, every tensor of the .tflite is observable and compared; the default (fused) export
    # is checked too where fusion changes the schedule (LceBconv2d float -> LceQuantize).
    builds = [(tmp_path / "proj", False)]
    if fuse_bconv_quantize(graph) is not graph:
        builds.append((tmp_path / "fused", True))
    for proj, fuse in builds:
        export_project(src, proj, "host", fuse=fuse)
        _run_and_compare(case, proj, fb, graph, rng, tmp_path / f"run_{proj.name}")


def _run_and_compare(case, proj, fb, graph, rng, tmp_path):
    from lossykws.emulation.host import build_host, compare_run, read_manifest, run_host
    from lossykws.emulation.reference import run_all_tensors

    tmp_path.mkdir(exist_ok=True)
    program = build_host(proj, sanitize=True)
    manifest = read_manifest(proj)
    for k in range(2):
        xs, files = [], []
        for n, spec in enumerate(manifest["inputs"]):
            if spec["dtype"] == "int8":
                x = rng.integers(-128, 128, spec["shape"]).astype(np.int8)
            else:
                x = rng.normal(0, 1, spec["shape"]).astype(np.float32)
            if k == 1:
                x[..., 0] = 0  # exact zeros: ste_sign(0) = +1, LceQuantize must agree
            files.append(tmp_path / f"x{k}_{n}.bin")
            x.tofile(files[-1])
            xs.append(x)
        _, dumps = run_host(program, files, tmp_path / f"dump{k}")
        reference = run_all_tensors(fb, xs)
        written = {o["tensor"] for op in manifest["ops"] for o in op["outputs"]}
        assert written <= set(dumps) and written <= set(reference)
        if proj.name == "proj":
            assert set(reference) <= set(dumps) | set(graph.inputs)
        first, worst = compare_run(manifest, dumps, reference)
        assert first is None, f"{case} ({proj.name}), input {k}: {first}"


def test_emulate_cli(tmp_path):
    """`lossykws emulate P x.npy --json` on an exported project: labels agree, every tensor matches;
    a wrong input is a one-line error."""
    import json
    from pathlib import Path

    from click.testing import CliRunner

    from lossykws.cli import main

    tiny = Path(__file__).parent / "fixtures" / "codegen" / "tiny_lce.tflite"
    runner = CliRunner()
    r = runner.invoke(main, ["export", str(tiny), "--out", str(tmp_path / "p")])
    assert r.exit_code == 0, r.output
    rng = np.random.default_rng(5)
    np.save(tmp_path / "a.npy", rng.normal(size=(8, 8, 4)))  # float64, no batch dimension
    rng.normal(size=(1, 8, 8, 4)).astype(np.float32).tofile(tmp_path / "b.bin")
    r = runner.invoke(main, ["emulate", str(tmp_path / "p"), str(tmp_path / "a.npy"), str(tmp_path / "b.bin"), "--json"])
    assert r.exit_code == 0, r.output
    report = json.loads(r.output[r.output.index("{"):])
    assert report["label_agreement"] == 1.0 and report["first_difference"] is None
    assert len(report["samples"]) == 2
    np.save(tmp_path / "bad.npy", np.zeros((3, 3)))
    r = runner.invoke(main, ["emulate", str(tmp_path / "p"), str(tmp_path / "bad.npy")])
    assert r.exit_code != 0 and "needs (1, 8, 8, 4)" in r.output and "Traceback" not in r.output


def test_packed_input(tmp_path):
    """export(packed_input=True): the first LceQuantize leaves the schedule, the model takes packed
    int32 words (4x smaller here: 1 word for 4 float channels), and every tensor still matches."""
    from pathlib import Path

    from lossykws.codegen.project import export_project
    from lossykws.emulation.host import emulate_project, pack_bits

    tiny = Path(__file__).parent / "fixtures" / "codegen" / "tiny_lce.tflite"
    manifest = export_project(tiny, tmp_path / "p", "host", packed_input=True)
    spec = manifest["inputs"][0]
    assert spec["dtype"] == "int32" and spec["shape"] == [1, 8, 8, 1]
    assert spec["packed_from"]["shape"] == [1, 8, 8, 4]
    assert [op["kind"] for op in manifest["ops"]][0] == "LceBconv2d"
    x = np.random.default_rng(3).normal(size=(1, 8, 8, 4)).astype(np.float32)
    x[0, 0, 0, :2] = [0.0, -0.0]
    np.save(tmp_path / "x.npy", x)
    report = emulate_project(tmp_path / "p", [tmp_path / "x.npy"], sanitize=True)
    assert report["first_difference"] is None and report["label_agreement"] == 1.0
    assert pack_bits(np.array([[-1.0, 1, 0, -0.0] + [-1] * 30]))[0].tolist() == [-15, 3]  # 0xFFFFFFF1: channels 0, 4..31
