#!/usr/bin/env python3
"""Cost of generated models: host C time per inference against the LCE interpreter (one thread),
measured in one run; arena and constant bytes against the .tflite size; and, where the ARM
toolchain and QEMU are installed, Cortex-M4F instructions per inference (mps2-an386, counted
exactly) with the share of each op kind.

    .venv/bin/python tools/bench_codegen.py [--repeat N] [--no-qemu] [--models vq_bnn,...]

Models (random weights, randomised batch norms; cost does not depend on training):
  vq_bnn        VQ-shaped BNN on a 64x64x4 +-1 input, pad_values=1 throughout (bitpacked chain):
                4 binary convs 32-64-128-128 with binary max pools, global pooling, dense, softmax
  vq_bnn_zero   the same with larq's default pad_values=0 (float outputs, LCE re-quantizes)
  float_cnn     a small float CNN on a 32x32x1 input (CONV_2D, DEPTHWISE, pools, dense)
"""
import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import lossykws  # noqa: E402,F401  (before TensorFlow)
from lossykws.codegen.project import export_project  # noqa: E402
from lossykws.emulation.host import build_host  # noqa: E402

# Runtime function -> the op kind it implements (for reading `make profile` output).
FUNCTION_OPS = {
    "lkws_bconv2d": "LceBconv2d", "accumulate": "LceBconv2d", "clamp2": "LceBconv2d", "gather": "LceBconv2d",
    "xor_popcount_n": "LceBconv2d", "zero_pad_correction": "LceBconv2d", "round_saturate": "LceBconv2d",
    "lkws_bmaxpool2d": "LceBMaxPool2d", "lkws_lce_quantize": "LceQuantize", "lkws_lce_dequantize": "LceDequantize",
    "lkws_conv2d": "CONV_2D", "lkws_depthwise": "DEPTHWISE_CONV_2D", "lkws_fully_connected": "FULLY_CONNECTED",
    "lkws_max_pool": "MAX_POOL_2D", "lkws_avg_pool": "AVERAGE_POOL_2D", "lkws_pool2d": "POOL_2D",
    "lkws_mean": "MEAN", "lkws_softmax": "SOFTMAX", "expf": "SOFTMAX", "lkws_add": "ADD", "lkws_mul": "MUL",
    "lkws_broadcast": "ADD/MUL", "lkws_dot_gemv4": "FULLY_CONNECTED/CONV_2D", "lkws_pad": "PAD", "memcpy": "RESHAPE (memcpy)",
    "lkws_clamp": "RELU",
}


def _stack():
    from lossykws.tf import import_tensorflow

    tf = import_tensorflow()
    import larq as lq
    import larq_compute_engine as lce

    return tf, lq, lce


def _randomize(model, rng):
    for layer in model.layers:
        if layer.__class__.__name__ == "BatchNormalization":
            n = layer.gamma.shape[0]
            layer.set_weights([rng.uniform(0.5, 1.5, n), rng.normal(0, 1, n), rng.normal(0, 2, n), rng.uniform(0.5, 2, n)])


def model_vq_bnn(tf, lq, pad_values=1.0):
    L = tf.keras.layers
    kw = dict(input_quantizer="ste_sign", kernel_quantizer="ste_sign", kernel_constraint="weight_clip",
              use_bias=False, padding="same", pad_values=pad_values)
    i = L.Input((64, 64, 4))
    x = i
    for n in (32, 64, 128):
        x = lq.layers.QuantConv2D(n, 3, **kw)(x)
        x = L.BatchNormalization()(x)
        x = L.MaxPool2D(2)(x)
    x = lq.layers.QuantConv2D(128, 3, **kw)(x)
    x = L.BatchNormalization()(x)
    x = L.GlobalAveragePooling2D()(x)
    x = L.Dense(8)(x)
    x = L.Softmax()(x)
    return tf.keras.Model(i, x), "pm1"


def model_vq_bnn_zero(tf, lq):
    return model_vq_bnn(tf, lq, pad_values=0.0)


def model_float_cnn(tf, lq):
    L = tf.keras.layers
    i = L.Input((32, 32, 1))
    x = L.Conv2D(16, 3, padding="same", activation="relu")(i)
    x = L.MaxPool2D(2)(x)
    x = L.DepthwiseConv2D(3, padding="same", activation="relu")(x)
    x = L.Conv2D(32, 1, activation="relu")(x)
    x = L.AveragePooling2D(2)(x)
    x = L.Flatten()(x)
    x = L.Dense(8)(x)
    x = L.Softmax()(x)
    return tf.keras.Model(i, x), "normal"


MODELS = {"vq_bnn": model_vq_bnn, "vq_bnn_zero": model_vq_bnn_zero, "float_cnn": model_float_cnn}


def interpreter_us(lce, fb, x, repeat):
    interp = lce.testing.Interpreter(fb, num_threads=1)
    interp.predict(x)
    best = float("inf")
    for _ in range(3):  # the best of three rounds: the machine is shared
        start = time.perf_counter()
        for _ in range(repeat):
            interp.predict(x)
        best = min(best, (time.perf_counter() - start) / repeat)
    return 1e6 * best


def host_us(project, x_file, repeat):
    program = build_host(project)
    best = float("inf")
    for _ in range(3):
        out = subprocess.run([str(program), "--repeat", str(repeat), str(x_file)], capture_output=True, text=True, check=True)
        line = next(l for l in out.stdout.splitlines() if l.startswith("time_per_inference_us"))
        best = min(best, float(line.split()[1]))
    return best


def graph_has_input_quantize(fb):
    from lossykws.codegen.reader import read_model

    g = read_model(fb)
    return any(op.kind == "LceQuantize" and op.inputs[0] in g.inputs for op in g.ops)


def op_share(profile):
    share = {}
    for fn, n in profile.items():
        kind = next((k for prefix, k in FUNCTION_OPS.items() if fn.startswith(prefix)), "other")
        share[kind] = share.get(kind, 0) + n
    total = sum(share.values()) or 1
    return sorted(((k, v / total) for k, v in share.items()), key=lambda kv: -kv[1])


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--repeat", type=int, default=50)
    ap.add_argument("--no-qemu", action="store_true")
    ap.add_argument("--models", default=",".join(MODELS))
    args = ap.parse_args()
    tf, lq, lce = _stack()
    use_qemu = not args.no_qemu and shutil.which("arm-none-eabi-gcc") and shutil.which("qemu-system-arm")
    rng = np.random.default_rng(0)
    with tempfile.TemporaryDirectory(prefix="bench-codegen-") as tmp:
        tmp = Path(tmp)
        for name in args.models.split(","):
            tf.keras.utils.set_random_seed(0)
            model, kind = MODELS[name](tf, lq)
            _randomize(model, rng)
            fb = lce.convert_keras_model(model)
            src = tmp / f"{name}.tflite"
            src.write_bytes(fb)
            shape = model.input_shape[1:]
            if kind == "pm1":
                x = np.where(rng.random((1, *shape)) < 0.5, -1.0, 1.0).astype(np.float32)
            else:
                x = rng.normal(size=(1, *shape)).astype(np.float32)
            x_file = tmp / f"{name}.bin"
            x.tofile(x_file)
            manifest = export_project(src, tmp / name, "host")
            c_us = host_us(tmp / name, x_file, args.repeat)
            i_us = interpreter_us(lce, fb, x, args.repeat)
            print(f"{name}: host C {c_us:.1f} us/inference, LCE interpreter (1 thread) {i_us:.1f} us "
                  f"-> ratio C/interpreter {c_us / i_us:.2f}")
            print(f"  arena {manifest['arena_bytes']} B, constants {manifest['const_bytes']} B, "
                  f".tflite {manifest['tflite_bytes']} B")
            if graph_has_input_quantize(fb):
                packed = export_project(src, tmp / f"{name}_packed", "host", packed_input=True)
                print(f"  with packed input (the device feeds LCE words): arena {packed['arena_bytes']} B")
            if use_qemu:
                from lossykws.emulation import qemu

                m4 = export_project(src, tmp / f"{name}_m4", "qemu-m4")
                r = qemu.run_project(tmp / f"{name}_m4", [x_file], tmp / f"{name}_out", op_counts=True)
                per_kind = {}
                for op, n in zip(m4["ops"], r["op_instructions"] or []):
                    per_kind[op["kind"]] = per_kind.get(op["kind"], 0) + n
                total = sum(per_kind.values()) or 1
                shares = ", ".join(f"{k} {100 * v / total:.1f}%" for k, v in sorted(per_kind.items(), key=lambda kv: -kv[1]))
                print(f"  Cortex-M4F: {r['instructions']} instructions/inference; by op: {shares}")
                print(f"  ELF {r['sizes']}, stack {r.get('stack_bytes')} B")


if __name__ == "__main__":
    main()
