"""The three models: one training step, LCE conversion, the flatbuffer's op properties, the
interpreter against Keras, int8 with calibrated fake-quant ranges, and lq summary figures."""
import numpy as np
import pytest

import lossykws  # noqa: F401
from lossykws.training import conversion, models
from lossykws.codegen.reader import read_model
from lossykws.errors import LossykwsError
from lossykws.emulation.reference import interpreter_predict

# (model, input shape, narrow widths for speed)
CASES = [
    ("vq-bnn", (64, 64, 4), None),
    ("encodec-bnn", (8, 75, 10), (32, 32, 64, 32)),
    ("tf-cnn", (128, 128, 1), (8, 8, 16, 16)),
]


def tiny_set(shape, n=24, classes=4, seed=0, binary=True):
    """Inputs whose class decides the sign of one block of the input, so one step moves the model."""
    rng = np.random.default_rng(seed)
    y = np.arange(n) % classes
    x = rng.standard_normal((n, *shape)).astype(np.float32)
    for i, c in enumerate(y):
        x[i, ..., c % shape[-1]] += 2.0
    return (np.where(x < 0, -1.0, 1.0).astype(np.float32) if binary else x), y


def one_step(name, shape, channels):
    model = models.build(name, shape, 4, channels=channels)
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    x, y = tiny_set(shape, binary=name != "tf-cnn")
    model.fit(x, y, batch_size=len(x), epochs=1, verbose=0)
    return model, x, y


@pytest.fixture(scope="module", params=CASES, ids=[c[0] for c in CASES])
def trained(request):
    name, shape, channels = request.param
    model, x, y = one_step(name, shape, channels)
    fb, _ = conversion.convert(model)
    return name, model, fb, x


def test_binary_chaining_on_the_flatbuffer(trained):
    name, model, fb, _ = trained
    g = read_model(fb)
    kinds = [op.kind for op in g.ops]
    if name == "tf-cnn":
        assert "LceBconv2d" not in kinds and kinds[0] == "CONV_2D"
        return
    # The model input is quantized by LceQuantize, which feeds the first LceBconv2d directly.
    q, first = g.ops[0], g.ops[1]
    assert q.kind == "LceQuantize" and q.inputs[0] == g.inputs[0]
    assert first.kind == "LceBconv2d" and first.inputs[0] == q.outputs[0]
    assert kinds.count("LceQuantize") == 1, kinds      # no re-quantization between binary convs
    bconvs = [op for op in g.ops if op.kind == "LceBconv2d"]
    assert len(bconvs) == 4
    for op in bconvs[:-1]:
        t = g.tensors[op.outputs[0]]
        assert t.dtype == "int32", (op.index, t.dtype)  # bitpacked output
    assert g.tensors[bconvs[-1].outputs[0]].dtype == "float32"
    for op in g.ops:
        if op.kind == "LceBMaxPool2d":
            assert g.tensors[op.inputs[0]].dtype == "int32"


def test_interpreter_agrees_with_keras(trained):
    _, model, fb, x = trained
    k = conversion.keras_predict(model, x)
    lce = interpreter_predict(fb, x)
    assert conversion.agreement(k, lce) >= conversion.MIN_FLOAT_AGREEMENT
    assert np.allclose(k, lce, atol=1e-3)


@pytest.mark.parametrize("name,shape,channels", [CASES[0], CASES[2]], ids=["vq-bnn", "tf-cnn"])
def test_int8_from_calibrated_ranges(name, shape, channels):
    model, x, _ = one_step(name, shape, channels)
    fb, ranges = conversion.convert(model, int8=True, calibration=x, model_name=name, channels=channels)
    assert ranges and all(lo <= 0 <= hi and hi > lo for lo, hi in ranges.values())
    g = read_model(fb)
    kinds = [(op.kind, g.tensors[op.outputs[0]].dtype) for op in g.ops]
    assert ("FULLY_CONNECTED", "int8") in kinds and ("SOFTMAX", "int8") in kinds, kinds
    if name == "vq-bnn":
        assert kinds[0] == ("LceQuantize", "int32")
        assert [d for k, d in kinds if k == "LceBconv2d"] == ["int32", "int32", "int32", "int8"]
    lce = interpreter_predict(fb, x)
    k = conversion.keras_predict(model, x)
    assert lce.shape == k.shape and 0.0 <= conversion.agreement(k, lce) <= 1.0  # reported, not required


def test_int8_needs_calibration_data():
    model = models.build("vq-bnn", (64, 64, 4), 4)
    with pytest.raises(LossykwsError, match="calibration"):
        conversion.convert(model, int8=True, calibration=None)


def test_summary_figures_of_the_default_models():
    vq = models.summary_figures(models.build("vq-bnn", (64, 64, 4), 8))
    # 4x4x4x16 + 3x3x16x32 + 3x3x32x16 + 3x3x16x16 binary weights
    assert vq["binary_params"] == 1024 + 4608 + 4608 + 2304
    assert vq["binary_macs"] == 16 * 16 * 16 * 64 + 8 * 8 * 32 * 144 + 8 * 8 * 16 * 288 + 8 * 8 * 16 * 144
    assert vq["float_params"] > 0 and vq["float_macs"] == 8 * 16 * 8   # max over time: 8 bands x 16 -> 8
    assert models.binary_word_ops(models.build("vq-bnn", (64, 64, 4), 8)) == 65536 + 18432 + 9216 + 9216
    tf = models.summary_figures(models.build("tf-cnn", (128, 128, 1), 8))
    assert tf["binary_params"] == 0 and tf["float_macs"] > 1_000_000


def test_features_must_match_the_model():
    with pytest.raises(LossykwsError, match="model tf-cnn takes --features tf, not vq"):
        models.check_features("tf-cnn", "vq")
    with pytest.raises(LossykwsError, match="unknown model"):
        models.check_features("resnet", "vq")


def test_seeded_dropout_masks_follow_its_step_counter():
    from lossykws.training.dropout import SeededDropout

    x = np.ones((4, 64), np.float32)
    layer = SeededDropout(0.5, seed=3)
    a, b = (np.asarray(layer(x, training=True)) for _ in range(2))
    assert set(np.unique(a)) <= {0.0, 2.0} and 0.3 < (a == 0).mean() < 0.7   # inverted dropout
    assert not np.array_equal(a, b) and int(layer.draws.numpy()) == 2
    np.testing.assert_array_equal(layer(x, training=False), x)                # identity at inference
    again = SeededDropout(0.5, seed=3)
    again.build(x.shape)
    again.draws.assign(1)                                                      # a restored counter...
    np.testing.assert_array_equal(again(x, training=True), b)                  # ...draws the next mask
    with pytest.raises(ValueError, match="rate"):
        SeededDropout(1.0)
