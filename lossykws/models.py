"""The talk's three models: a float CNN baseline and two Larq BNNs on lossy codes.

    >>> model = models.build("vq-bnn", input_shape=(64, 64, 4), classes=8)
    >>> models.summary_figures(model)   # binary/float parameters, memory, binary MACs (lq.models.summary)

- `tf-cnn`: full-precision CNN on the 128x128 log-STFT (input [128, 128, 1]).
- `vq-bnn`: BNN on the VQ bit planes [64, 64, 4] holding +-1 (bit set -> -1). Every convolution is
  binary. The first one has an input quantizer (LCE emits LceQuantize of the model input, then
  LceBconv2d); every binary convolution but the last is followed by batch norm and feeds a binary
  one (or a binary max pool), and uses VALID or SAME with pad_values=1.0, so LCE writes bitpacked
  INT32 output between them. Sized for a Cortex-M4: the first convolution takes non-overlapping
  4x4 patches (stride 4), the others are 3x3 on 8x8 and 4x4 maps; the last one writes float (batch
  norm folded into LCE's multiplier and bias) into a small flatten + Dense head.
- `encodec-bnn`: BNN on the EnCodec bits [codebooks, frames, bits]: the first binary convolution
  spans every codebook (VALID, kernel [codebooks, 3]); the rest are 1-D over frames.

`taps`: named identity points (Activation "linear") where int8 conversion puts fake-quant nodes;
`build(..., fake_quant={name: (min, max)})` rebuilds the same model with
`tf.quantization.fake_quant_with_min_max_args` there (lossykws.conversion does this).
"""
from .errors import LossykwsError
from .tf import import_tensorflow

MODELS = ("tf-cnn", "vq-bnn", "encodec-bnn")
FEATURES_OF = {"tf-cnn": "tf", "vq-bnn": "vq", "encodec-bnn": "encodec"}
DEFAULT_MODEL = {v: k for k, v in FEATURES_OF.items()}
TAP_PREFIX = "tap_"


def _binary_kwargs():
    return dict(kernel_quantizer="ste_sign", kernel_constraint="weight_clip", use_bias=False,
                input_quantizer="ste_sign")


def _tap(x, name, fake_quant):
    """An identity layer named tap_<name>, or a fake-quant node when fake_quant has its range."""
    tf = import_tensorflow()
    full = TAP_PREFIX + name
    if fake_quant and full in fake_quant:
        lo, hi = (float(v) for v in fake_quant[full])
        return tf.keras.layers.Lambda(
            lambda t, lo=lo, hi=hi: tf.quantization.fake_quant_with_min_max_args(t, min=lo, max=hi, num_bits=8),
            name=full)(x)
    return tf.keras.layers.Activation("linear", name=full)(x)


def _bconv(x, filters, kernel, strides=1, padding="same", name=None):
    import larq as lq

    extra = {"pad_values": 1.0} if padding == "same" else {}
    return lq.layers.QuantConv2D(filters, kernel, strides=strides, padding=padding, name=name,
                                 **extra, **_binary_kwargs())(x)


def _bn(x, name=None):
    tf = import_tensorflow()
    return tf.keras.layers.BatchNormalization(momentum=0.9, epsilon=1e-3, scale=True, name=name)(x)


def vq_bnn(input_shape=(64, 64, 4), classes=8, channels=(16, 32, 32, 32), fake_quant=None):
    """BNN on +-1 VQ bit planes; `channels` are the four binary convolutions' widths.

    The first binary convolution takes non-overlapping 4x4 patches of codes (stride 4: a 16x16
    map): on a Cortex-M the binary convolutions cost about 150 instructions per output value (more
    with more input words), so the first layer's output size decides the budget. The others are
    3x3 on 8x8 and 4x4 maps. Binary word operations (XNOR-popcount of 32-bit words, LCE packing)
    with the default widths: 65,536 + 18,432 + 4,608 + 4,608 = 93,184. Measured on Cortex-M4F in
    QEMU (exact counts, bconv2d with dense taps): 0.96M instructions per inference for the
    network, 0.45M of them in the first convolution; 8-16-32-32 takes 0.63M, 32-64-64-64 2.2M.
    """
    tf = import_tensorflow()
    c1, c2, c3, c4 = channels
    inp = tf.keras.Input(shape=input_shape, name="codes")
    x = _bconv(inp, c1, 4, strides=4, padding="valid", name="bconv1")          # 16x16; LceQuantize + LceBconv2d
    x = _bn(x, "bn1")
    x = _bconv(x, c2, 3, strides=2, name="bconv2")                               # 8x8
    x = _bn(x, "bn2")
    x = tf.keras.layers.MaxPool2D(2, name="bpool2")(x)                           # 4x4
    x = _bconv(x, c3, 3, name="bconv3")
    x = _bn(x, "bn3")
    x = _bconv(x, c4, 3, name="bconv4")                                          # last: float output
    x = _bn(x, "bn4")
    return _head(inp, x, classes, fake_quant, "vq-bnn")


def encodec_bnn(input_shape=(8, 75, 10), classes=8, channels=(64, 64, 128, 64), fake_quant=None):
    """BNN on +-1 EnCodec bits [codebooks, frames, bits per code]."""
    tf = import_tensorflow()
    c1, c2, c3, c4 = channels
    books = input_shape[0]
    inp = tf.keras.Input(shape=input_shape, name="codes")
    x = _bconv(inp, c1, (books, 3), padding="valid", name="bconv1")             # [1, T-2, c1]
    x = _bn(x, "bn1")
    x = tf.keras.layers.MaxPool2D((1, 2), name="bpool1")(x)
    x = _bconv(x, c2, (1, 3), name="bconv2")
    x = _bn(x, "bn2")
    x = tf.keras.layers.MaxPool2D((1, 2), name="bpool2")(x)
    x = _bconv(x, c3, (1, 3), name="bconv3")
    x = _bn(x, "bn3")
    x = tf.keras.layers.MaxPool2D((1, 2), name="bpool3")(x)
    x = _bconv(x, c4, (1, 3), name="bconv4")
    x = _bn(x, "bn4")
    return _head(inp, x, classes, fake_quant, "encodec-bnn")


def _head(inp, x, classes, fake_quant, name):
    """Flatten the last binary convolution's float output into one Dense layer, then softmax.

    A global-average-pooling head collapsed in the prototype (PLATFORM.md); a flatten of a small
    final map keeps position and stays small (4x4x32 -> 8: 4,096 weights)."""
    tf = import_tensorflow()
    x = _tap(x, "features", fake_quant)
    x = tf.keras.layers.Flatten(name="flatten")(x)
    x = tf.keras.layers.Dense(classes, name="logits")(x)
    x = _tap(x, "logits", fake_quant)
    out = tf.keras.layers.Softmax(name="scores")(x)
    return tf.keras.Model(inp, out, name=name)


def tf_cnn(input_shape=(128, 128, 1), classes=8, channels=(16, 32, 64, 128), fake_quant=None):
    """The full-precision baseline on the 128x128 time-frequency input."""
    tf = import_tensorflow()
    L = tf.keras.layers
    inp = tf.keras.Input(shape=input_shape, name="features")
    x = _tap(inp, "input", fake_quant)
    for i, c in enumerate(channels):
        x = L.Conv2D(c, 3, strides=2 if i == 0 else 1, padding="same", use_bias=False, name=f"conv{i + 1}")(x)
        x = L.BatchNormalization(momentum=0.9, name=f"bn{i + 1}")(x)
        x = L.ReLU(name=f"relu{i + 1}")(x)
        if i < len(channels) - 1:
            x = L.MaxPool2D(2, name=f"pool{i + 1}")(x)
        x = _tap(x, f"block{i + 1}", fake_quant)
    x = L.GlobalAveragePooling2D(name="gap")(x)
    x = _tap(x, "pooled", fake_quant)
    x = L.Dropout(0.2, name="dropout")(x)
    x = L.Dense(classes, name="logits")(x)
    x = _tap(x, "logits", fake_quant)
    out = L.Softmax(name="scores")(x)
    return tf.keras.Model(inp, out, name="tf-cnn")


BUILDERS = {"tf-cnn": tf_cnn, "vq-bnn": vq_bnn, "encodec-bnn": encodec_bnn}


def input_shape_for(features_shape, model_name):
    """The model input shape for a cache's per-clip feature shape (tf: add a channel axis)."""
    shape = tuple(int(d) for d in features_shape)
    return shape + (1,) if model_name == "tf-cnn" and len(shape) == 2 else shape


def check_features(model_name, codec):
    """Refuse features that do not match the model (tf-cnn on vq bits, vq-bnn on EnCodec codes...)."""
    if model_name not in BUILDERS:
        raise LossykwsError(f"unknown model {model_name!r}: expected one of {', '.join(MODELS)}")
    if FEATURES_OF[model_name] != codec:
        raise LossykwsError(f"model {model_name} takes --features {FEATURES_OF[model_name]}, not {codec} "
                            f"(for {codec} use --model {DEFAULT_MODEL[codec]})")


def build(name, input_shape, classes, channels=None, fake_quant=None):
    """The named model, built for `input_shape` (without batch) and `classes`."""
    if name not in BUILDERS:
        raise LossykwsError(f"unknown model {name!r}: expected one of {', '.join(MODELS)}")
    kw = {"fake_quant": fake_quant}
    if channels:
        kw["channels"] = tuple(int(c) for c in channels)
    if name == "vq-bnn" and len(input_shape) != 3:
        raise LossykwsError(f"vq-bnn takes bit planes [rows, cols, bits], got input shape {input_shape}")
    if name == "encodec-bnn" and len(input_shape) != 3:
        raise LossykwsError(f"encodec-bnn takes EnCodec bits [codebooks, frames, bits], got {input_shape}")
    return BUILDERS[name](input_shape=tuple(input_shape), classes=int(classes), **kw)


def summary_figures(model):
    """lq.models.summary's figures as data: parameters (binary, float), memory, binary/float MACs.

    Counted from the layers the way larq's summary counts them (ModelProfile); the full table is
    `larq.models.summary(model)`."""
    import larq as lq

    profile = lq.models.ModelProfile(model)
    params = {bw: int(profile.weight_count(bw)) for bw in profile.unique_param_bidtwidths}
    macs = {bw: int(profile.op_count("mac", bw)) for bw in profile.unique_op_precisions}
    return {
        "binary_params": params.get(1, 0),
        "float_params": params.get(32, 0),
        "params": int(sum(params.values())),
        "memory_bytes": int(profile.memory // 8),
        "int8_memory_bytes": int(profile.int8_fp_weights_memory // 8),
        "float32_equivalent_bytes": int(profile.fp_equivalent_memory // 8),
        "binary_macs": macs.get(1, 0),
        "float_macs": macs.get(32, 0),
    }


def binary_word_ops(model):
    """XNOR-popcount 32-bit word operations per inference of the binary convolutions (LCE packing:
    ceil(C_in / 32) words per input pixel): the figure that decides their cost on a Cortex-M."""
    import larq as lq

    total = 0
    for layer in model.layers:
        if isinstance(layer, lq.layers.QuantConv2D) and layer.input_quantizer is not None:
            _, h, w, cout = layer.output_shape
            cin = layer.input_shape[-1]
            kh, kw = layer.kernel_size
            total += h * w * cout * kh * kw * -(-cin // 32)
    return int(total)
