"""export(packed_input="dense"): the input LceQuantize leaves the schedule and the first
LceBconv2d reads densely packed rows (bit x*C + c of a row's words, lkws/bconv2d.h). Small
random Larq models, converted with LCE, exported to host projects built under ASan/UBSan, every
tensor compared with the LCE interpreter (lossykws.emulation.host packs the float inputs densely);
models the dense kernel cannot take are refused with one line naming the op, or keep the word-per-
pixel layout under packed_input="auto"."""
import shutil

import numpy as np
import pytest

import lossykws  # noqa: F401  (before TensorFlow)
from lossykws.errors import LossykwsError

from test_codegen_parity import _qconv, _randomize, _stack

pytestmark = pytest.mark.skipif(shutil.which("cc") is None or shutil.which("make") is None,
                                reason="host C compiler or make missing")


def model_vq_like(tf, lq):
    """The vq-bnn first layer in small: 16x16x4 codes, 4x4 stride 4 VALID, bitpacked output."""
    L = tf.keras.layers
    i = L.Input((16, 16, 4))
    x = _qconv(lq, 16, 4, strides=4, padding="valid")(i)
    x = L.BatchNormalization()(x)
    x = _qconv(lq, 8, 2, padding="valid")(x)
    x = L.BatchNormalization()(x)
    x = L.GlobalAveragePooling2D()(x)
    return tf.keras.Model(i, L.Softmax()(L.Dense(5)(x)))


def model_same_float(tf, lq):
    """3 channels, odd width (row tails), SAME with pad_values 1, strides (2, 3), float output
    with a fused RELU."""
    L = tf.keras.layers
    i = L.Input((9, 11, 3))
    x = _qconv(lq, 33, (3, 5), 1.0, padding="same", strides=(2, 3), activation="relu")(i)
    x = L.GlobalAveragePooling2D()(x)
    return tf.keras.Model(i, L.Dense(4)(x))


def model_wide_rows(tf, lq):
    """8 channels, a 3x4 filter: 32-bit filter rows, VALID, dilation_h 2, then a float-output bconv."""
    L = tf.keras.layers
    i = L.Input((7, 13, 8))
    x = _qconv(lq, 7, (3, 4), padding="valid", dilation_rate=(2, 1))(i)
    x = L.BatchNormalization()(x)
    x = lq.layers.QuantConv2D(5, 2, input_quantizer="ste_sign", kernel_quantizer="ste_sign", use_bias=False,
                              padding="valid")(x)
    return tf.keras.Model(i, L.Flatten()(x))


def model_too_wide(tf, lq):
    """9 channels x filter width 4 = 36 bits per filter row: no dense input."""
    L = tf.keras.layers
    i = L.Input((8, 8, 9))
    x = _qconv(lq, 4, 4, padding="valid")(i)
    return tf.keras.Model(i, L.Flatten()(x))


def _convert(build, tmp_path, seed):
    tf, lq, lce = _stack()
    tf.keras.utils.set_random_seed(seed)
    model = build(tf, lq)
    _randomize(model, np.random.default_rng(seed))
    src = tmp_path / f"{build.__name__}.tflite"
    src.write_bytes(lce.convert_keras_model(model))
    return src


@pytest.mark.parametrize("build", [model_vq_like, model_same_float, model_wide_rows], ids=lambda f: f.__name__)
def test_dense_input_matches_the_interpreter(build, tmp_path):
    from lossykws.codegen.project import export_project
    from lossykws.emulation.host import emulate_project

    src = _convert(build, tmp_path, seed=7)
    manifest = export_project(src, tmp_path / "p", "host", packed_input="dense")
    spec = manifest["inputs"][0]
    n, h, w, c = spec["packed_from"]["shape"]
    assert spec["layout"] == "dense" and spec["shape"] == [n, h, (w * c + 31) // 32]
    assert manifest["ops"][0]["kind"] == "LceBconv2d" and "lkws_bconv2d_dense_opt.c" in manifest["sources"]
    rng = np.random.default_rng(11)
    xs = []
    for k in range(3):
        x = rng.normal(size=(n, h, w, c)).astype(np.float32)
        x[0, 0, :, 0] = 0.0  # ste_sign(0) = +1: a clear bit
        xs.append(tmp_path / f"x{k}.npy")
        np.save(xs[-1], x)
    report = emulate_project(tmp_path / "p", xs, sanitize=True)
    assert report["first_difference"] is None and report["label_agreement"] == 1.0, report["first_difference"]
    # Word per pixel, the same model takes h*w words; dense, h*ceil(w*c/32).
    words = export_project(src, tmp_path / "w", "host", packed_input=True)
    assert words["inputs"][0]["layout"] == "words" and words["inputs"][0]["shape"] == [n, h, w, 1]
    assert manifest["arena_bytes"] <= words["arena_bytes"]


def test_dense_input_refused_with_one_line_or_words_under_auto(tmp_path):
    from lossykws.codegen.project import export_project
    from lossykws.emulation.host import emulate_project

    src = _convert(model_too_wide, tmp_path, seed=3)
    with pytest.raises(LossykwsError) as e:
        export_project(src, tmp_path / "d", "host", packed_input="dense")
    msg = str(e.value)
    assert "\n" not in msg and "(LceBconv2d)" in msg and "36 bits per filter row" in msg, msg
    assert not (tmp_path / "d").exists()
    manifest = export_project(src, tmp_path / "a", "host", packed_input="auto")
    spec = manifest["inputs"][0]
    assert spec["layout"] == "words" and "36 bits" in spec["dense_refused"] and spec["shape"] == [1, 8, 8, 1]
    x = np.random.default_rng(2).normal(size=(1, 8, 8, 9)).astype(np.float32)
    np.save(tmp_path / "x.npy", x)
    report = emulate_project(tmp_path / "a", [tmp_path / "x.npy"])
    assert report["first_difference"] is None


def test_pack_dense_is_the_nibble_packed_code_row():
    """4 bit planes of codes (bit 1 -> -1): each row's words are the codes two per byte, code x in
    the low nibble of byte x/2 for even x, as the firmware's code ring keeps them."""
    from lossykws.features.codecs import vq
    from lossykws.emulation.host import pack_dense

    codes = np.random.default_rng(0).integers(0, 16, size=(3, 10), dtype=np.uint8)
    words = pack_dense(vq.bits(codes, 4)[None].astype(np.float32))
    assert words.shape == (1, 3, 2) and words.dtype == np.int32
    nibbles = np.zeros((3, 8), dtype=np.uint8)
    nibbles[:, :5] = codes[:, 0::2] | codes[:, 1::2] << 4
    assert words[0].view(np.uint8).tolist() == nibbles.tolist()
