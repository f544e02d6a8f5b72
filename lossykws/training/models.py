"""The talk's three models: a float CNN baseline and two Larq BNNs on lossy codes.

    >>> model = models.build("vq-bnn", input_shape=(64, 64, 4), classes=8)
    >>> models.summary_figures(model)   # binary/float parameters, memory, binary MACs (lq.models.summary)

- `tf-cnn`: full-precision CNN on the 128x128 log-STFT (input [128, 128, 1]).
- `vq-bnn`: BNN on the VQ bit planes [64, 64, 4] holding +-1 (bit set -> -1). Every convolution is
  binary. The first one has an input quantizer (LCE emits LceQuantize of the model input, then
  LceBconv2d); every binary convolution but the last is followed by batch norm and feeds a binary
  one, and uses VALID or SAME with pad_values=1.0, so LCE writes bitpacked INT32 output between
  them. Sized for a Cortex-M4: the first convolution takes non-overlapping 4x4 patches (stride 4),
  the others are 3x3 on 16x16 and 8x8 maps; the last one writes float into a max over time and a
  small Dense head.
- `encodec-bnn`: BNN on the EnCodec bits [codebooks, frames, bits]: the first binary convolution
  spans every codebook (VALID, kernel [codebooks, 3]); the rest are 1-D over frames.
- `ds-cnn`: MLPerf Tiny's int8 keyword-spotting DS-CNN on the 128x128 log-STFT, pooled in the
  graph to a 42x10 map (MLPerf: 49x10 MFCC): the comparison for the BNNs' device costs.

`taps`: named identity points (Activation "linear") where int8 conversion puts fake-quant nodes;
`build(..., fake_quant={name: (min, max)})` rebuilds the same model with
`tf.quantization.fake_quant_with_min_max_args` there (lossykws.training.conversion does this).
"""
from lossykws.errors import LossykwsError
from lossykws.features import codecs
from lossykws.tf import import_tensorflow

MODELS = ("tf-cnn", "vq-bnn", "encodec-bnn", "ds-cnn")
FEATURES_OF = {"tf-cnn": "tf", "vq-bnn": "vq", "encodec-bnn": "encodec", "ds-cnn": "tf"}   # the codec of each
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


def _dropout(x, rate, name):
    """Dropout that resumes exactly from a checkpoint (lossykws.training.dropout); identity at inference. Its
    mask seed comes from Python's generator, which training seeds with the run's seed before it
    builds the model (also on resume)."""
    import random

    from lossykws.training.dropout import SeededDropout

    return SeededDropout(rate, seed=random.getrandbits(31), name=name)(x)


def vq_bnn(input_shape=(64, 64, 4), classes=8, channels=(16, 32, 16, 16), fake_quant=None):
    """BNN on +-1 VQ bit planes; `channels` are the four binary convolutions' widths.

    The first binary convolution takes non-overlapping 4x4 patches of codes (stride 4: a 16x16
    map), the second is 3x3 stride 2 (8x8), and the last two are 3x3 on that 8x8 map: rows are
    time (8 x 125 ms), columns frequency (8 bands). The last one writes float (batch norm folded
    into LCE's multiplier and bias); a max over time (MaxPool2D over all 8 rows) leaves one value
    per band and channel, so the head is a Dense layer on 8 x 16 values that sees where in
    frequency a feature fired, not when (with dropout 0.3 before it while training). On words8 this
    layout lifted test accuracy from 51.2 to 67.9 % (5 seeds) over a flatten of a pooled 4x4 map
    (docs/accuracy.md): with 1,874 training clips, a head that must learn every position of the
    word in the window overfits. The dropout, with 4 augmented copies, added about 5 points on
    kws12 and with the synthesized corpus, none on words8's real speech (67.7 %).

    On a Cortex-M the binary convolutions cost about 50-150 instructions per output value, so the
    output sizes decide the budget: measured on Cortex-M4F in QEMU (exact counts, dense first
    layer), about 0.88M instructions per inference for the network (the first convolution 0.22M).
    Binary word operations with LCE's one word per pixel: 65,536 + 18,432 + 9,216 + 9,216.
    """
    tf = import_tensorflow()
    c1, c2, c3, c4 = channels
    inp = tf.keras.Input(shape=input_shape, name="codes")
    x = _bconv(inp, c1, 4, strides=4, padding="valid", name="bconv1")          # 16x16; LceQuantize + LceBconv2d
    x = _bn(x, "bn1")
    x = _bconv(x, c2, 3, strides=2, name="bconv2")                               # 8x8
    x = _bn(x, "bn2")
    x = _bconv(x, c3, 3, name="bconv3")
    x = _bn(x, "bn3")
    x = _bconv(x, c4, 3, name="bconv4")                                          # last: float output
    x = _bn(x, "bn4")
    return _head(inp, x, classes, fake_quant, "vq-bnn", time_max=True, dropout=0.3)


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


def _head(inp, x, classes, fake_quant, name, time_max=False, dropout=0.0):
    """The last binary convolution's float output -> one Dense layer -> softmax.

    time_max: first a max over the map's rows, which are time (MaxPool2D, MAX_POOL_2D in the
    flatbuffer), then flatten what is left (frequency x channels): the head sees what fired, not
    when. Without it, flatten the whole map. dropout: rate of a dropout layer before the Dense one
    (training only; the flatbuffer has none). A global-average-pooling head collapsed in the
    prototype (docs/accuracy.md)."""
    tf = import_tensorflow()
    x = _tap(x, "features", fake_quant)
    if time_max:
        x = tf.keras.layers.MaxPool2D((int(x.shape[1]), 1), name="time_max")(x)
    x = tf.keras.layers.Flatten(name="flatten")(x)
    if dropout:
        x = _dropout(x, dropout, "dropout")
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
    x = _dropout(x, 0.2, "dropout")
    x = L.Dense(classes, name="logits")(x)
    x = _tap(x, "logits", fake_quant)
    out = L.Softmax(name="scores")(x)
    return tf.keras.Model(inp, out, name="tf-cnn")


DS_CNN_INPUT_POOL = (3, 12)


def ds_cnn(input_shape=(128, 128, 1), classes=8, channels=(64, 64, 64, 64, 64), fake_quant=None,
           input_pool=DS_CNN_INPUT_POOL):
    """MLPerf Tiny's keyword-spotting DS-CNN (Hello Edge's DS-CNN small), in int8 a baseline for
    the BNNs' costs: conv 10x4 stride 2 + BN + ReLU, four blocks of depthwise 3x3 + BN + ReLU +
    pointwise 1x1 + BN + ReLU, average pooling over the whole map, dense, softmax. `channels`:
    the first convolution's width, then each block's (MLPerf: 64 everywhere).

    Input mapping: MLPerf feeds 49x10 MFCC (20 ms hop, 10 coefficients); here the input is the
    128x128 log-STFT ("tf" features, [time, frequency]) and an in-graph VALID average pooling of
    `input_pool` = 3 frames x 12 bins makes it a 42x10 map: 23.4 ms per row (MLPerf: 20 ms), 10
    bands of 750 Hz covering 0-7.5 kHz (the last 2 frames and the top 8 bins are dropped). The
    first convolution then writes 21x5x64 (MLPerf: 25x5x64), so the network costs about what
    MLPerf's does (2.2M MACs against 2.7M). Differences from MLPerf's keras_model.py: no dropout
    (training.py keeps training deterministic for exact resume) and no convolution biases before
    batch norm (folded into one bias either way); the L2 weight decay of 1e-4 is kept.

    int8: taps on the input (before the pooling, so QUANTIZE is the only op on float data) and
    after every ReLU and the logits; both average poolings keep their input's quantization, as
    TFLite's AVERAGE_POOL_2D requires.
    """
    tf = import_tensorflow()
    L = tf.keras.layers
    if len(channels) != 5:
        raise LossykwsError(f"ds-cnn takes 5 widths (first convolution, then four blocks), got {list(channels)}")
    reg = tf.keras.regularizers.l2(1e-4)
    inp = tf.keras.Input(shape=input_shape, name="features")
    x = _tap(inp, "input", fake_quant)
    x = L.AveragePooling2D(input_pool, name="input_pool")(x)
    x = L.Conv2D(channels[0], (10, 4), strides=2, padding="same", use_bias=False, kernel_regularizer=reg,
                 name="conv1")(x)
    x = L.BatchNormalization(momentum=0.9, name="bn1")(x)
    x = L.ReLU(name="relu1")(x)
    x = _tap(x, "conv1", fake_quant)
    for i, c in enumerate(channels[1:], start=1):
        x = L.DepthwiseConv2D(3, padding="same", use_bias=False, depthwise_regularizer=reg, name=f"dw{i}")(x)
        x = L.BatchNormalization(momentum=0.9, name=f"dw{i}_bn")(x)
        x = L.ReLU(name=f"dw{i}_relu")(x)
        x = _tap(x, f"dw{i}", fake_quant)
        x = L.Conv2D(c, 1, use_bias=False, kernel_regularizer=reg, name=f"pw{i}")(x)
        x = L.BatchNormalization(momentum=0.9, name=f"pw{i}_bn")(x)
        x = L.ReLU(name=f"pw{i}_relu")(x)
        x = _tap(x, f"pw{i}", fake_quant)
    x = L.AveragePooling2D(tuple(int(d) for d in x.shape[1:3]), name="pool")(x)
    x = L.Flatten(name="flatten")(x)
    x = L.Dense(classes, kernel_regularizer=reg, name="logits")(x)
    x = _tap(x, "logits", fake_quant)
    out = L.Softmax(name="scores")(x)
    return tf.keras.Model(inp, out, name="ds-cnn")


BUILDERS = {"tf-cnn": tf_cnn, "vq-bnn": vq_bnn, "encodec-bnn": encodec_bnn, "ds-cnn": ds_cnn}


def channel_axis(model_name):
    """Whether the model takes its codec's features with a channel axis added (tf: [128, 128, 1])."""
    return model_name in FEATURES_OF and codecs.codec(FEATURES_OF[model_name]).channel_axis


def input_shape_for(features_shape, model_name):
    """The model input shape for a cache's per-clip feature shape (tf: add a channel axis)."""
    shape = tuple(int(d) for d in features_shape)
    return shape + (1,) if channel_axis(model_name) and len(shape) == 2 else shape


def check_features(model_name, codec):
    """Refuse features that do not match the model (tf-cnn on vq bits, vq-bnn on EnCodec codes...)."""
    if model_name not in BUILDERS:
        raise LossykwsError(f"unknown model {model_name!r}: expected one of {', '.join(MODELS)}")
    if FEATURES_OF[model_name] != codec:
        raise LossykwsError(f"model {model_name} takes --features {FEATURES_OF[model_name]}, not {codec} "
                            f"(for {codec} use --model {codecs.codec(codec).default_model})")


def build(name, input_shape, classes, channels=None, fake_quant=None):
    """The named model, built for `input_shape` (without batch) and `classes`."""
    if name not in BUILDERS:
        raise LossykwsError(f"unknown model {name!r}: expected one of {', '.join(MODELS)}")
    kw = {"fake_quant": fake_quant}
    if channels:
        kw["channels"] = tuple(int(c) for c in channels)
    if name == "vq-bnn" and len(input_shape) != 3:
        raise LossykwsError(f"vq-bnn takes bit planes [rows, cols, bits], got input shape {input_shape}")
    if name == "ds-cnn" and (len(input_shape) != 3 or input_shape[0] < 3 * DS_CNN_INPUT_POOL[0]
                             or input_shape[1] < DS_CNN_INPUT_POOL[1]):
        raise LossykwsError(f"ds-cnn takes a time-frequency map [frames, bins, 1] of at least "
                            f"{3 * DS_CNN_INPUT_POOL[0]}x{DS_CNN_INPUT_POOL[1]}, got {input_shape}")
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
