"""Quantization parameters of TFLite's int8 kernels, derived exactly as their Prepare functions do.

The generated C must give the LCE interpreter's bits, so every multiplier, shift, clamp range and
float constant the int8 kernels (firmware/include/lkws/, a header per op family) take is computed
way TFLite computes it: doubles where TFLite uses doubles, float32 where it uses floats (numpy
float32 scalars round after every operation, as C does without fused multiply-add).

No TensorFlow: the generator reads scales from the flatbuffer and calls these functions.

# Example
```python
mult, shift = quantize_multiplier(0.0123)        # TFLite's QuantizeMultiplier
lo, hi = activation_range("RELU6", 0.05, -128)    # fused activation clamp in the int8 domain
```
"""
import ctypes
import ctypes.util
import math

import numpy as np

f32 = np.float32

# Which multiplier rounding the interpreter applies per op (lkws/fixedpoint.h).
# The interpreter's x86 build runs TFLite's NEON code paths (emulated over SSE): the vectorized
# part of a tensor rounds halves up, the scalar remainder as TFLite's scalar code. These give the
# kernels' split counts (see firmware/include/lkws/fixedpoint.h).


def conv_half_up_channels(out_channels):
    """CONV_2D: every channel (ruy's GEMM kernels round halves up)."""
    return int(out_channels)


def depthwise_half_up_channels(out_channels):
    """DEPTHWISE_CONV_2D: whole blocks of 8 channels (optimized_ops::Quantize's vector loop)."""
    return int(out_channels) // 8 * 8


def fully_connected_half_up_outputs(out_depth):
    """FULLY_CONNECTED: every output (ruy)."""
    return int(out_depth)


def mean_half_up_channels(out_channels, optimized):
    """MEAN: the optimized path's vector loop covers whole blocks of 16 channels; the reference
    path is scalar."""
    return int(out_channels) // 16 * 16 if optimized else 0


def requantize_half_up_count(n):
    """QUANTIZE int8 -> int8: whole blocks of 16 elements (optimized_ops::Requantize)."""
    return int(n) // 16 * 16


def broadcast_vector_run(shape1, shape2):
    """TFLite's ProcessBroadcastShapes for ADD/MUL: (vector_run, mode) of the interpreter's loops.

    mode 0: generic broadcast, all scalar (run 0); 1: runs of elementwise work (the whole tensor
    when the shapes match, else the innermost non-broadcast stretch y4); 2: runs where one input is
    a broadcast scalar (y4 == 1: the stretch y3).
    """
    rank = max(len(shape1), len(shape2))
    a = [1] * (rank - len(shape1)) + [int(d) for d in shape1]
    b = [1] * (rank - len(shape2)) + [int(d) for d in shape2]
    if a == b:
        n = 1
        for d in a:
            n *= d
        return n, 1
    category = None
    for i in range(rank - 1, -1, -1):
        if a[i] == b[i]:
            continue
        if a[i] == 1:
            category = "first"
        elif b[i] == 1:
            category = "second"
        else:
            return 0, 0
        break
    sa, sb = (b, a) if category == "second" else (a, b)
    y = [1, 1, 1, 1, 1]
    i = rank - 1
    while i >= 0 and sa[i] == sb[i]:
        y[4] *= sb[i]
        i -= 1
    while i >= 0 and sa[i] == 1:
        y[3] *= sb[i]
        i -= 1
    while i >= 0 and sa[i] == sb[i]:
        y[2] *= sa[i]
        i -= 1
    while i >= 0 and sb[i] == 1:
        y[1] *= sa[i]
        i -= 1
    while i >= 0 and sa[i] == sb[i]:
        y[0] *= sb[i]
        i -= 1
    if i >= 0:
        return 0, 0
    return (y[4], 1) if y[4] > 1 else (y[3], 2)


def dequantize_vector_count(n):
    """DEQUANTIZE int8 -> float32: whole blocks of 8 elements (optimized_ops::Dequantize)."""
    return int(n) // 8 * 8


def quantize_vector_count(n):
    """QUANTIZE float32 -> int8: whole blocks of 8 elements (optimized_ops::AffineQuantize)."""
    return int(n) // 8 * 8


def _round_half_away(x):
    """std::round on a double: halves away from zero."""
    return math.floor(x + 0.5) if x >= 0 else -math.floor(-x + 0.5)


def quantize_multiplier(real):
    """TFLite's QuantizeMultiplier: real = mult * 2^(shift - 31), mult in [2^30, 2^31).

    # Arguments
    real: the multiplier, a Python float (double), >= 0.

    # Returns
    (mult, shift): int32 fixed-point multiplier and power-of-two exponent (positive = left).
    """
    real = float(real)
    if real == 0.0:
        return 0, 0
    q, shift = math.frexp(real)
    q_fixed = int(_round_half_away(q * (1 << 31)))
    if q_fixed == (1 << 31):
        q_fixed //= 2
        shift += 1
    if shift < -31:
        return 0, 0
    if shift > 30:
        return (1 << 31) - 1, 30
    return q_fixed, shift


def quantize_multiplier_smaller_than_one(real):
    """TFLite's QuantizeMultiplierSmallerThanOneExp: as quantize_multiplier, for 0 < real < 1."""
    if not 0.0 < float(real) < 1.0:
        raise ValueError(f"multiplier {real} is not in (0, 1)")
    return quantize_multiplier(real)


def activation_range(activation, scale, zero_point, qmin=-128, qmax=127):
    """TFLite's CalculateActivationRangeQuantized: the fused activation's int8 clamp range.

    `activation` is the options' name ('NONE', 'RELU', 'RELU6', 'RELU_N1_TO_1'); quantizing 0, 6, +-1
    rounds f / scale in float32 with halves away from zero.
    """
    act = (activation or "NONE").upper()
    s, zp = f32(scale), int(zero_point)

    def quantize(v):
        return zp + int(_round_half_away(float(f32(v) / s)))

    if act == "NONE":
        return qmin, qmax
    if act == "RELU":
        return max(qmin, quantize(0.0)), qmax
    if act == "RELU6":
        return max(qmin, quantize(0.0)), min(qmax, quantize(6.0))
    if act == "RELU_N1_TO_1":
        return max(qmin, quantize(-1.0)), min(qmax, quantize(1.0))
    raise ValueError(f"fused activation {activation} has no int8 range")


def conv_output_size(padding, in_size, filter_size, stride, dilation=1):
    """TFLite's ComputeOutSize for 'SAME' or 'VALID'."""
    eff = (filter_size - 1) * dilation + 1
    if padding == "SAME":
        return (in_size + stride - 1) // stride
    if padding == "VALID":
        return (in_size + stride - eff) // stride
    raise ValueError(f"padding {padding}")


def conv_padding(padding, in_size, filter_size, stride, dilation=1):
    """TFLite's ComputePaddingWithOffset: (output size, padding before) on one spatial axis."""
    out = conv_output_size(padding, in_size, filter_size, stride, dilation)
    eff = (filter_size - 1) * dilation + 1
    total = max((out - 1) * stride + eff - in_size, 0)
    return out, total // 2


def conv_multipliers(input_scale, filter_scales, output_scale):
    """Per-channel multipliers of CONV_2D / DEPTHWISE_CONV_2D (PopulateConvolutionQuantizationParams).

    Each channel's real multiplier is double(input_scale) * double(filter_scale) / double(output_scale).
    Returns two int32 numpy arrays (multipliers, shifts), one entry per filter scale.
    """
    mults, shifts = [], []
    for fs in np.asarray(filter_scales, dtype=np.float32).reshape(-1):
        real = float(f32(input_scale)) * float(fs) / float(f32(output_scale))
        m, s = quantize_multiplier(real)
        mults.append(m)
        shifts.append(s)
    return np.array(mults, dtype=np.int32), np.array(shifts, dtype=np.int32)


def fully_connected_multiplier(input_scale, filter_scale, output_scale):
    """FULLY_CONNECTED's per-tensor multiplier (GetQuantizedConvolutionMultipler): the input and
    filter scales are multiplied in float32 first, then divided by the output scale in double."""
    product = float(f32(input_scale) * f32(filter_scale))
    return quantize_multiplier(product / float(f32(output_scale)))


def add_params(s1, zp1, s2, zp2, so, zpo):
    """ADD's int8 parameters (add.cc Prepare, general path): a dict of lkws_add_s8_params fields
    except the activation range."""
    left_shift = 20
    twice_max = 2.0 * max(float(f32(s1)), float(f32(s2)))
    m1, sh1 = quantize_multiplier_smaller_than_one(float(f32(s1)) / twice_max)
    m2, sh2 = quantize_multiplier_smaller_than_one(float(f32(s2)) / twice_max)
    mo, sho = quantize_multiplier_smaller_than_one(twice_max / ((1 << left_shift) * float(f32(so))))
    return dict(
        input1_offset=-int(zp1), input2_offset=-int(zp2), left_shift=left_shift,
        input1_multiplier=m1, input1_shift=sh1, input2_multiplier=m2, input2_shift=sh2,
        output_multiplier=mo, output_shift=sho, output_offset=int(zpo),
    )


def mul_params(s1, zp1, s2, zp2, so, zpo):
    """MUL's int8 parameters (mul.cc Prepare): real multiplier s1 * s2 / so, computed in float32
    (the three scales are floats; only the result is widened to double)."""
    real = float(f32(f32(f32(s1) * f32(s2)) / f32(so)))
    m, s = quantize_multiplier(real)
    return dict(input1_offset=-int(zp1), input2_offset=-int(zp2), output_multiplier=m, output_shift=s,
                output_offset=int(zpo))


def requantize_params(input_scale, output_scale):
    """QUANTIZE int8 -> int8 (quantize.cc Prepare): multiplier for input_scale / output_scale."""
    return quantize_multiplier(float(f32(input_scale)) / float(f32(output_scale)))


def mean_params(rank, axes, keep_dims, in_shape, in_scale, in_zp, out_scale, out_zp):
    """How the interpreter computes an int8 MEAN (reduce.cc EvalMean) and the kernel's constants.

    # Arguments
    rank: the input's rank (lower ranks are given to the kernel as [1, ..., dims]).
    axes: the reduction axes (negative allowed), as stored in the axis tensor.
    keep_dims: the op's option.
    in_shape: the input's shape (the reduced element count enters the constants).

    # Returns
    dict of lkws_mean_s8_params fields: axis_mask (over the 4-D [N, H, W, C] view), multiplier,
    shift, sum_offset, output_offset, half_up_channels.
    """
    resolved = []
    for a in axes:
        a = int(a) + rank if int(a) < 0 else int(a)
        if not 0 <= a < rank:
            raise ValueError(f"axis {a} out of range for rank {rank}")
        if a not in resolved:
            resolved.append(a)
    mask = 0
    count = 1
    for a in resolved:
        mask |= 1 << (a + 4 - rank)
        count *= int(in_shape[a])
    si, so = f32(in_scale), f32(out_scale)
    raw = [int(a) for a in axes]
    if keep_dims and rank == 4 and len(raw) == 2 and sorted(raw) == [1, 2]:
        # optimized_integer_ops::Mean: float32 bias and multiplier; the sum is not offset.
        temp = f32(f32(f32(int(in_zp)) * si) / so)
        temp = f32(temp + f32(0.5)) if temp > 0 else f32(temp - f32(0.5))
        bias = int(out_zp) - int(temp)  # static_cast<int32_t> truncates toward zero
        real = f32(si / f32(f32(count) * so))
        mult, shift = quantize_multiplier(float(real))
        return dict(axis_mask=mask, multiplier=mult, shift=shift, sum_offset=0, output_offset=bias,
                    half_up_channels=mean_half_up_channels(in_shape[3], True))
    # reference_ops::QuantizedMeanOrSum: 1/count folded into the multiplier by integer division.
    mult, shift = quantize_multiplier(float(si) / float(so))
    n = min(count.bit_length() - 1, 32, 31 + shift)
    mult = (mult << n) // count
    shift -= n
    return dict(axis_mask=mask, multiplier=mult, shift=shift, sum_offset=-int(in_zp) * count,
                output_offset=int(out_zp), half_up_channels=0)


_libm = None


def _expf():
    """The C library's expf (glibc's, like the interpreter's), or None where it cannot be loaded."""
    global _libm
    if _libm is None:
        name = ctypes.util.find_library("m") or "libm.so.6"
        try:
            lib = ctypes.CDLL(name)
            lib.expf.restype = ctypes.c_float
            lib.expf.argtypes = [ctypes.c_float]
            _libm = lib
        except OSError:
            _libm = False
    return _libm.expf if _libm else None


def softmax_exp_table(input_scale, beta):
    """SOFTMAX's 256-entry float32 table (optimized_ops::PopulateSoftmaxLookupTable):
    table[255 - d] = expf(-input_scale * beta * d), products in float32, expf from the C library."""
    scale = f32(-f32(input_scale) * f32(beta))
    expf = _expf()
    table = np.empty(256, dtype=np.float32)
    for d in range(256):
        x = f32(scale * f32(d))
        table[255 - d] = expf(float(x)) if expf else np.exp(x, dtype=np.float32)
    return table
