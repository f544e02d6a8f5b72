"""The qemu-m4 subset of the parity matrix: small Larq/Keras models converted by LCE, exported with
--target qemu-m4, run on mps2-an386 in QEMU. Every op output must match the LCE interpreter
(bit-exact on bitpacked and integer tensors, |a-b| <= 1e-5 * max(1, |b|) on float ones) and the
host build of the same project bit for bit; the instruction count must repeat exactly."""
import subprocess

import numpy as np
import pytest

from conftest import require_tool

pytestmark = [pytest.mark.filterwarnings("ignore::DeprecationWarning"),
              # Lambda (fake-quant) layers: LCE falls back to its graphdef converter
              pytest.mark.filterwarnings("ignore:Saved-model conversion failed:UserWarning")]


def _binary(**extra):
    return dict(input_quantizer="ste_sign", kernel_quantizer="ste_sign",
                kernel_constraint="weight_clip", use_bias=False, **extra)


def _randomise_batch_norms(model, seed):
    import tensorflow as tf

    rng = np.random.default_rng(seed)
    for layer in model.layers:
        if isinstance(layer, tf.keras.layers.BatchNormalization):
            shape = layer.get_weights()[0].shape
            layer.set_weights([rng.uniform(0.5, 1.5, shape), rng.normal(0, 1, shape),
                               rng.normal(0, 2, shape), rng.uniform(0.5, 2, shape)])


def _bnn_same_then_valid():
    """LceQuantize, LceBconv2d SAME pad 1 with bitpacked output, LceBMaxPool2d, LceBconv2d VALID
    with float output, MEAN, FULLY_CONNECTED, SOFTMAX."""
    import larq as lq
    import tensorflow as tf

    x = inputs = tf.keras.Input((16, 16, 4))
    x = lq.layers.QuantConv2D(32, 3, padding="same", pad_values=1.0, **_binary())(x)
    x = tf.keras.layers.BatchNormalization()(x)
    x = tf.keras.layers.MaxPool2D(2)(x)
    x = lq.layers.QuantConv2D(40, 3, padding="valid", **_binary())(x)
    x = tf.keras.layers.BatchNormalization()(x)
    x = tf.keras.layers.GlobalAveragePooling2D()(x)
    x = tf.keras.layers.Dense(8)(x)
    x = tf.keras.layers.Softmax()(x)
    return tf.keras.Model(inputs, x), (16, 16, 4)


def _bnn_odd_channels_strided():
    """Channel counts that are not multiples of 32 (33, 65), stride 2, a dilated VALID conv."""
    import larq as lq
    import tensorflow as tf

    x = inputs = tf.keras.Input((12, 12, 6))
    x = lq.layers.QuantConv2D(33, 3, strides=2, padding="same", pad_values=1.0, **_binary())(x)
    x = tf.keras.layers.BatchNormalization()(x)
    x = lq.layers.QuantConv2D(65, 3, padding="valid", dilation_rate=2, **_binary())(x)
    x = tf.keras.layers.BatchNormalization()(x)
    x = tf.keras.layers.Flatten()(x)
    x = tf.keras.layers.Dense(5)(x)
    return tf.keras.Model(inputs, x), (12, 12, 6)


def _bnn_int8_head():
    """LceBconv2d with int8 output, then int8 MEAN and FULLY_CONNECTED (fake-quant ranges)."""
    import larq as lq
    import tensorflow as tf

    def fake_quant(low, high):
        return tf.keras.layers.Lambda(
            lambda t: tf.quantization.fake_quant_with_min_max_vars(t, low, high))

    x = inputs = tf.keras.Input((16, 16, 4))
    x = lq.layers.QuantConv2D(32, 3, padding="same", pad_values=1.0, **_binary())(x)
    x = tf.keras.layers.BatchNormalization()(x)
    x = lq.layers.QuantConv2D(32, 3, padding="valid", **_binary())(x)
    x = tf.keras.layers.BatchNormalization()(x)
    x = fake_quant(-8.0, 8.0)(x)
    x = tf.keras.layers.GlobalAveragePooling2D()(x)
    x = fake_quant(-4.0, 4.0)(x)
    x = tf.keras.layers.Dense(8)(x)
    x = fake_quant(-8.0, 8.0)(x)
    return tf.keras.Model(inputs, x), (16, 16, 4)


MODELS = {
    "bnn_same_then_valid": _bnn_same_then_valid,
    "bnn_odd_channels_strided": _bnn_odd_channels_strided,
    "bnn_int8_head": _bnn_int8_head,
}
INT8_OUTPUT = {"bnn_int8_head"}


@pytest.fixture(scope="module")
def toolchain():
    for tool in ("arm-none-eabi-gcc", "qemu-system-arm", "make", "cc"):
        require_tool(tool)


def _convert(name):
    from lossykws.tf import import_tensorflow

    tf = import_tensorflow()
    import larq_compute_engine as lce

    tf.keras.utils.set_random_seed(0)
    model, shape = MODELS[name]()
    _randomise_batch_norms(model, seed=1)
    options = {"inference_output_type": tf.int8} if name in INT8_OUTPUT else {}
    return lce.convert_keras_model(model, **options), shape


# Ops whose C calls libm on float data (expf), so that host and Cortex-M differ in the last bit.
LIBM_OPS = {"SOFTMAX"}


def _close(got, want, dtype):
    if np.issubdtype(dtype, np.floating):
        return bool(np.all(np.abs(got - want) <= 1e-5 * np.maximum(1.0, np.abs(want))))
    return np.array_equal(got, want)


def _check_on_qemu(tmp_path, flatbuffer, xs):
    """Export for qemu-m4, run in QEMU on the inputs `xs` (one array per graph input, with the
    batch dimension) with every tensor dumped; compare with the interpreter and with the host
    build; returns run_project's result."""
    from lossykws.emulation import qemu
    from lossykws.codegen.ops.base import UnsupportedOp
    from lossykws.codegen.project import export_project
    from lossykws.emulation.reference import run_all_tensors

    (tmp_path / "model.tflite").write_bytes(flatbuffer)
    input_files = [tmp_path / f"x{k}.bin" for k in range(len(xs))]
    for path, x in zip(input_files, xs):
        path.write_bytes(x.tobytes())
    reference = run_all_tensors(flatbuffer, xs)
    try:
        manifest = export_project(tmp_path / "model.tflite", tmp_path / "m4", target="qemu-m4")
    except UnsupportedOp as e:  # the generator's op coverage grows; the subset follows it
        pytest.skip(f"not supported by the generator yet: {e}")
    result = qemu.run_project(tmp_path / "m4", input_files, tmp_path / "out",
                              dump_dir=tmp_path / "dump")
    assert result["status"] == 0, result["stderr"]
    assert qemu.check_no_heap(tmp_path / "m4" / "build" / "fw.elf") == []

    compared = 0
    for op in manifest["ops"]:
        for tensor in op["outputs"]:
            got = np.fromfile(tmp_path / "dump" / f"t{tensor['tensor']}.bin", dtype=tensor["dtype"])
            want = reference[tensor["tensor"]].reshape(-1)
            assert got.shape == want.shape, (op, tensor)
            assert _close(got, want, got.dtype), f"op {op['index']} {op['kind']} tensor {tensor}"
            compared += 1
    assert compared == sum(len(op["outputs"]) for op in manifest["ops"])
    label = int(np.argmax(reference[manifest["outputs"][0]["tensor"]].reshape(-1)))
    assert result["stdout"].split()[:2] == ["label", str(label)]

    # The host build of the same project gives the same bits for every tensor, except where the
    # C calls libm (glibc's expf and newlib's differ in the last bit): there the parity tolerance.
    export_project(tmp_path / "model.tflite", tmp_path / "host", target="host")
    subprocess.run(["make", "-s", "-C", str(tmp_path / "host")], check=True, capture_output=True)
    (tmp_path / "host_dump").mkdir()
    subprocess.run([str(tmp_path / "host" / "model"), "--dump", str(tmp_path / "host_dump"),
                    *map(str, input_files)], check=True, capture_output=True)
    for op in manifest["ops"]:
        for tensor in op["outputs"]:
            name = f"t{tensor['tensor']}.bin"
            host = np.fromfile(tmp_path / "host_dump" / name, dtype=tensor["dtype"])
            m4 = np.fromfile(tmp_path / "dump" / name, dtype=tensor["dtype"])
            if op["kind"] in LIBM_OPS:
                assert _close(m4, host, m4.dtype), f"op {op['index']} {op['kind']}: M4 vs host"
            else:
                assert m4.tobytes() == host.tobytes(), f"op {op['index']} {op['kind']}: M4 vs host"

    # Exact and repeatable: a second run counts the same instructions.
    again = qemu.run_project(tmp_path / "m4", input_files, tmp_path / "out2")
    assert again["instructions"] == result["instructions"] > 0
    return result


@pytest.mark.parametrize("name", sorted(MODELS))
def test_qemu_matches_interpreter_and_host(toolchain, tmp_path, name):
    flatbuffer, shape = _convert(name)
    x = np.random.default_rng(0).normal(size=(1, *shape)).astype(np.float32)
    result = _check_on_qemu(tmp_path, flatbuffer, [x])
    print(f"{name}: {result['instructions']} instructions per inference, sizes {result['sizes']}")


# Cases of the host parity matrix (tests/test_codegen_parity.py) that also run under QEMU: the
# options the models above do not cover.
MATRIX_SUBSET = ("zero_padding", "activations", "float_ops", "dequantize", "int8_io",
                 "two_inputs_two_outputs")


def _matrix():
    try:
        import test_codegen_parity as matrix
    except ImportError:
        return None
    return matrix


def _matrix_inputs(flatbuffer, rng):
    """Random inputs for every graph input of the flatbuffer (float32 or int8, batch of 1), with
    exact zeros in channel 0 of float ones: ste_sign(0) = +1 must agree."""
    from lossykws.codegen.reader import read_model

    graph = read_model(flatbuffer)
    xs = []
    for index in graph.inputs:
        tensor = graph.tensors[index]
        if tensor.dtype == "int8":
            x = rng.integers(-128, 128, tensor.shape).astype(np.int8)
        else:
            x = rng.normal(0, 1, tensor.shape).astype(np.float32)
            x[..., 0] = 0.0
        xs.append(x)
    return xs


@pytest.mark.parametrize("case", MATRIX_SUBSET)
def test_parity_matrix_subset_on_qemu(toolchain, tmp_path, case):
    matrix = _matrix()
    if matrix is None or case not in matrix.CASES:
        pytest.skip(f"parity matrix case {case} not available")
    from lossykws.tf import import_tensorflow

    tf = import_tensorflow()
    import larq as lq
    import larq_compute_engine as lce

    tf.keras.utils.set_random_seed(sorted(matrix.CASES).index(case))
    rng = np.random.default_rng(1234)
    model, _, *convert = matrix.CASES[case](tf, lq)
    matrix._randomize(model, rng)
    flatbuffer = lce.convert_keras_model(model, **(convert[0] if convert else {}))
    result = _check_on_qemu(tmp_path, flatbuffer, _matrix_inputs(flatbuffer, rng))
    print(f"matrix {case}: {result['instructions']} instructions per inference")


def test_emulate_command_reports_instructions_and_sizes(toolchain, tmp_path):
    import json

    from click.testing import CliRunner

    from lossykws.cli import main

    flatbuffer, shape = _convert("bnn_odd_channels_strided")
    (tmp_path / "model.tflite").write_bytes(flatbuffer)
    np.save(tmp_path / "x.npy", np.random.default_rng(3).normal(size=shape).astype(np.float32))
    runner = CliRunner()
    result = runner.invoke(main, ["export", str(tmp_path / "model.tflite"), "--target", "qemu-m4",
                                  "--out", str(tmp_path / "proj")])
    assert result.exit_code == 0, result.output
    result = runner.invoke(main, ["emulate", str(tmp_path / "proj"), str(tmp_path / "x.npy"),
                                  "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output[result.output.index("{"):])
    assert report["target"] == "qemu-m4"
    assert report["label_agreement"] == 1.0 and report["first_difference"] is None
    assert report["instructions"] > 0
    assert 0 < report["stack_bytes"] < 64 * 1024
    ops = report["op_instructions"]
    assert [op["kind"] for op in ops][:2] == ["LceQuantize", "LceBconv2d"]
    assert 0 <= sum(op["instructions"] for op in ops) - report["instructions"] < 20 * len(ops)
    assert report["sizes"]["text"] > 0 and report["sizes"]["bss"] > 0
    result = runner.invoke(main, ["emulate", str(tmp_path / "proj"), str(tmp_path / "x.npy")])
    assert "instructions per inference:" in result.output and "ELF text" in result.output
