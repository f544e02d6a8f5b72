"""LCE conversion of a trained Keras model, float or int8, and the interpreter checks.

    >>> fb = conversion.convert(model)                            # float non-binary layers
    >>> fb = conversion.convert(model, int8=True, calibration=x)  # int8, ranges from real data
    >>> conversion.agreement(keras_scores, lce_scores)            # Keras vs LCE interpreter labels

Int8: `convert_keras_model` takes no representative dataset, so the ranges are calibrated here:
the float model runs on `calibration` (real training features), the min and max at each of the
model's taps (models.TAP_PREFIX layers: the last binary convolution's batch-normed output, the
logits, and for tf-cnn every block) are recorded, and the model is rebuilt with
`tf.quantization.fake_quant_with_min_max_args` nodes at those points and the same weights. LCE then
makes the non-binary layers int8. The dummy `experimental_default_int8_range` is never used.
"""
import numpy as np

from lossykws.training import models
from lossykws.errors import LossykwsError
from lossykws.tf import import_tensorflow

MIN_FLOAT_AGREEMENT = 0.995


def _lce():
    import lossykws  # noqa: F401

    import_tensorflow()
    import larq_compute_engine as lce

    return lce


def calibrate(model, x, batch_size=256):
    """{tap layer name: (min, max)} of the model's taps over the inputs x (nudged to contain 0)."""
    tf = import_tensorflow()
    taps = [layer for layer in model.layers if layer.name.startswith(models.TAP_PREFIX)]
    if not taps:
        raise LossykwsError(f"model {model.name} has no calibration points ({models.TAP_PREFIX}* layers)")
    probe = tf.keras.Model(model.inputs, [t.output for t in taps])
    lo = {t.name: np.inf for t in taps}
    hi = {t.name: -np.inf for t in taps}
    for s in range(0, len(x), batch_size):
        outs = probe(x[s:s + batch_size], training=False)
        outs = outs if isinstance(outs, (list, tuple)) else [outs]
        for t, o in zip(taps, outs):
            o = np.asarray(o)
            lo[t.name] = min(lo[t.name], float(o.min()))
            hi[t.name] = max(hi[t.name], float(o.max()))
    # A quantized range must contain 0 (zero point) and have some width.
    return {n: (min(lo[n], 0.0), max(hi[n], 0.0, min(lo[n], 0.0) + 1e-3)) for n in lo}


def with_fake_quant(model, model_name, ranges, channels=None):
    """The same model rebuilt with fake-quant nodes at its taps, carrying the trained weights."""
    classes = int(model.output_shape[-1])
    q = models.build(model_name, model.input_shape[1:], classes, channels=channels, fake_quant=ranges)
    q.set_weights(model.get_weights())
    return q


def convert(model, int8=False, calibration=None, model_name=None, channels=None):
    """LCE flatbuffer bytes of `model`; int8 needs `calibration` inputs (real training features).

    Returns (bytes, ranges): ranges is the calibration table for int8, None for float."""
    lce = _lce()
    tf = import_tensorflow()
    if not int8:
        return bytes(lce.convert_keras_model(model)), None
    if calibration is None or len(calibration) == 0:
        raise LossykwsError("int8 conversion needs calibration data (the training split's features)")
    ranges = calibrate(model, calibration)
    q = with_fake_quant(model, model_name or model.name, ranges, channels)
    fb = lce.convert_keras_model(q, inference_input_type=tf.float32, inference_output_type=tf.int8)
    return bytes(fb), {k: [float(a), float(b)] for k, (a, b) in ranges.items()}


def keras_predict(model, x, batch_size=256):
    return np.asarray(model.predict(x, batch_size=batch_size, verbose=0))


def agreement(keras_scores, lce_scores):
    """Fraction of clips where Keras and the interpreter give the same label."""
    if len(keras_scores) == 0:
        return None
    return float(np.mean(np.argmax(keras_scores, -1) == np.argmax(lce_scores, -1)))


def op_kinds(model_bytes):
    """[(kind, [output dtypes])] of the flatbuffer's operators, in order (codegen's reader)."""
    from lossykws.codegen.reader import read_model

    g = read_model(model_bytes, source="model.tflite")
    return [(op.kind, [g.tensors[i].dtype for i in op.outputs]) for op in g.ops]
