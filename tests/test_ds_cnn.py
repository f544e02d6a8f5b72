"""ds-cnn, MLPerf Tiny's keyword-spotting DS-CNN in int8: its shape, then one pipeline through the
real parts: `lossykws train --features tf --model ds-cnn --int8` on a tiny tf feature cache (the
CLI, training, calibrated fake-quant conversion by LCE), every op of the flatbuffer int8, the LCE
interpreter, and the run exported to a host C project (ASan/UBSan) that matches the interpreter
on every tensor, bit for bit."""
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import lossykws  # noqa: F401
from lossykws.features import cache, codecs
from lossykws.training import conversion, models, run as training
from lossykws.errors import LossykwsError
from lossykws.emulation.reference import interpreter_predict

from tiny_corpus import tiny_corpus  # noqa: F401  (fixture)

LOSSYKWS = str(Path(sys.executable).parent / "lossykws")
# Narrow widths with remainders after whole blocks of 8 channels (the depthwise kernel's split).
NARROW = (12, 20, 12, 16, 12)


def test_mlperf_shape_on_the_tf_features():
    model = models.build("ds-cnn", models.input_shape_for([128, 128], "ds-cnn"), 8)
    layer = {l.name: l for l in model.layers}
    assert model.input_shape == (None, 128, 128, 1)
    assert layer["input_pool"].output_shape == (None, 42, 10, 1)           # MLPerf: 49x10 MFCC
    conv1 = layer["conv1"]
    assert conv1.kernel_size == (10, 4) and conv1.strides == (2, 2) and conv1.output_shape == (None, 21, 5, 64)
    for i in range(1, 5):
        assert layer[f"dw{i}"].kernel_size == (3, 3) and layer[f"dw{i}"].output_shape == (None, 21, 5, 64)
        assert layer[f"pw{i}"].kernel_size == (1, 1) and layer[f"pw{i}"].filters == 64
    assert layer["pool"].output_shape == (None, 1, 1, 64) and layer["logits"].units == 8
    taps = [l.name for l in model.layers if l.name.startswith(models.TAP_PREFIX)]
    assert taps == ["tap_input", "tap_conv1"] + [f"tap_{k}{i}" for i in range(1, 5) for k in ("dw", "pw")] \
        + ["tap_logits"]
    names = ["conv1", "logits"] + [f"{k}{i}" for i in range(1, 5) for k in ("dw", "pw")]
    weights = sum(int(np.prod(w.shape)) for n in names for w in layer[n].get_weights())
    assert weights == 10 * 4 * 64 + 4 * (9 * 64 + 64 * 64) + 64 * 8 + 8
    # MACs per inference: 21x5 output positions (MLPerf: 25x5 = 2.66M MACs)
    assert models.summary_figures(model)["float_macs"] == 21 * 5 * 64 * (10 * 4 + 4 * (9 + 64)) + 64 * 8 == 2_231_552


def test_bad_shapes_and_widths():
    with pytest.raises(LossykwsError, match="ds-cnn takes a time-frequency map"):
        models.build("ds-cnn", (64, 64, 4, 1), 8)
    with pytest.raises(LossykwsError, match="ds-cnn takes 5 widths"):
        models.build("ds-cnn", (128, 128, 1), 8, channels=(64, 64))
    models.check_features("ds-cnn", "tf")
    with pytest.raises(LossykwsError, match="model ds-cnn takes --features tf, not vq"):
        models.check_features("ds-cnn", "vq")
    assert codecs.codec("tf").default_model == "tf-cnn"


@pytest.fixture(scope="module")
def int8_run(tiny_corpus, tmp_path_factory):  # noqa: F811
    root = tmp_path_factory.mktemp("ds-cnn")
    tf_cache = root / "cache-tf"
    cache.encode_corpus([tiny_corpus], "tf", tf_cache, task="words8", progress=False)
    out = root / "run"
    # one epoch over the 18 training clips, no augmented copies, narrow widths
    training.train_run(tf_cache, out, model_name="ds-cnn", int8=True, epochs=1, batch_size=8, channels=NARROW,
                       augment_copies=0, progress=False)
    return tf_cache, out


def test_cli_accepts_ds_cnn(tiny_corpus, tmp_path):  # noqa: F811
    """The CLI's --model choice and the features check: ds-cnn on a vq feature request is refused
    in one line before anything is written."""
    env = dict(os.environ, OMP_NUM_THREADS="1")
    out = tmp_path / "run"
    r = subprocess.run([LOSSYKWS, "train", str(tiny_corpus), "--features", "vq", "--model", "ds-cnn", "--out",
                        str(out)], capture_output=True, text=True, env=env, timeout=120)
    assert r.returncode == 1 and "Traceback" not in r.stderr
    assert "model ds-cnn takes --features tf, not vq" in r.stderr.strip().splitlines()[-1]
    assert not out.exists() and not Path(str(out) + ".partial").exists()


def test_every_op_is_int8(int8_run):
    from lossykws.codegen.reader import read_model

    _, run = int8_run
    config = json.loads((run / "config.json").read_text())
    assert config["model"] == "ds-cnn" and config["int8"] and config["input_shape"] == [128, 128, 1]
    metrics = json.loads((run / "metrics.json").read_text())
    assert set(metrics["int8_ranges"]) == {"tap_input", "tap_conv1", "tap_logits"} | {
        f"tap_{k}{i}" for i in range(1, 5) for k in ("dw", "pw")}
    g = read_model((run / "model.tflite").read_bytes())
    kinds = [op.kind for op in g.ops]
    assert kinds == ["QUANTIZE", "AVERAGE_POOL_2D", "CONV_2D"] + ["DEPTHWISE_CONV_2D", "CONV_2D"] * 4 \
        + ["AVERAGE_POOL_2D", "FULLY_CONNECTED", "SOFTMAX"], kinds
    assert g.tensors[g.ops[0].inputs[0]].dtype == "float32"
    for op in g.ops:
        assert [g.tensors[i].dtype for i in op.outputs] == ["int8"], (op.kind, op.index)
        if op.kind != "QUANTIZE":
            assert g.tensors[op.inputs[0]].dtype == "int8", (op.kind, op.index)
    conv_weights = [g.tensors[op.inputs[1]] for op in g.ops if op.kind in ("CONV_2D", "DEPTHWISE_CONV_2D",
                                                                           "FULLY_CONNECTED")]
    assert len(conv_weights) == 10 and all(t.dtype == "int8" for t in conv_weights)


def test_interpreter_scores(int8_run):
    tf_cache, run = int8_run
    x, _, _ = training.load_features(tf_cache, "test", "ds-cnn")
    scores = interpreter_predict((run / "model.tflite").read_bytes(), x)
    assert scores.shape == (len(x), 8)
    probs = (scores + 128) / 256                       # int8 softmax output: scale 1/256, zero point -128
    assert np.all(np.abs(probs.sum(-1) - 1) < 0.05), probs.sum(-1)
    metrics = json.loads((run / "metrics.json").read_text())
    assert metrics["test"]["clips"] == len(x) and 0.0 <= metrics["test"]["agreement"] <= 1.0


def test_host_c_matches_the_interpreter(int8_run, tmp_path):
    from lossykws.pipeline.export import export_run
    from lossykws.emulation.host import emulate_project

    tf_cache, run = int8_run
    proj = tmp_path / "proj"
    export_run(str(run), "host", str(proj))
    assert '"tf"' in (proj / "model_settings.h").read_text()
    x, _, _ = training.load_features(tf_cache, "test", "ds-cnn")
    files = []
    for i in range(len(x)):
        files.append(tmp_path / f"x{i}.npy")
        np.save(files[-1], x[i])
    report = emulate_project(proj, files, sanitize=True)
    assert report["first_difference"] is None and report["label_agreement"] == 1.0
    assert len(report["samples"]) == len(x)
