"""CONV_2D in int8 (per-channel filter scales, int32 bias): lkws_conv2d_s8."""
import numpy as np

from .. import quantization as qz
from . import _s8_common as s8
from .base import checked, register, same_or_valid


def conv_geometry(emitter, op, graph, k_h, k_w, out_c):
    """(stride_h, stride_w, dilation_h, dilation_w, pad_top, pad_left); checks the output shape."""
    o = op.options
    x, y = graph.tensor(op.inputs[0]), graph.tensor(op.outputs[0])
    if len(x.shape) != 4 or len(y.shape) != 4:
        emitter.unsupported(op, graph, "rank", len(x.shape), x)
    pad = o.get("padding")
    if pad not in ("SAME", "VALID"):
        emitter.unsupported(op, graph, "option padding", pad)
    sh, sw = o.get("stride_h"), o.get("stride_w")
    dh, dw = o.get("dilation_h_factor", 1), o.get("dilation_w_factor", 1)
    for key, v in (("stride_h", sh), ("stride_w", sw), ("dilation_h_factor", dh), ("dilation_w_factor", dw)):
        if not isinstance(v, int) or v < 1:
            emitter.unsupported(op, graph, f"option {key}", v)
    oh, pt = same_or_valid(pad, x.shape[1], k_h, sh, dh)
    ow, pl = same_or_valid(pad, x.shape[2], k_w, sw, dw)
    if tuple(y.shape) != (x.shape[0], oh, ow, out_c):
        emitter.unsupported(op, graph, "output shape", list(y.shape), y)
    return sh, sw, dh, dw, pt, pl


def filter_and_bias(emitter, op, graph, out_c):
    """Check the constant int8 filter (symmetric, per-tensor or per-output-channel) and int32 bias."""
    w = s8.quantized(emitter, op, graph, op.inputs[1], "filter", per_tensor=False)
    if not w.is_const:
        emitter.unsupported(op, graph, "filter (constant expected)", None, w)
    if len(w.scale) not in (1, out_c):
        emitter.unsupported(op, graph, "filter scales", len(w.scale), w)
    if w.zero_point is not None and np.any(np.asarray(w.zero_point) != 0):
        emitter.unsupported(op, graph, "filter zero point (0 expected)", list(w.zero_point), w)
    s8.check_bias(emitter, op, graph, out_c)
    return w


def multipliers(emitter, op, graph, x, w, y, out_c):
    mult, shift = qz.conv_multipliers(s8.scale(x), w.scale, s8.scale(y))
    if len(mult) == 1:
        mult, shift = np.repeat(mult, out_c), np.repeat(shift, out_c)
    s8.check_shift_range(emitter, op, graph, shift, w)
    return mult, shift


@register
class Conv2dS8(s8.Int8Emitter):
    """Also the base of DepthwiseConv2dS8: the two kernels take the same arguments."""
    kinds = ("CONV_2D",)
    sources = ("lkws_conv2d_s8.c",)
    headers = ("lkws/conv2d.h",)
    function = "lkws_conv2d_s8"

    def _parts(self, op, graph):
        x, y = self.input_output(op, graph)
        wt = graph.tensor(op.inputs[1])
        if wt is None or len(wt.shape) != 4 or len(x.shape) != 4 or wt.shape[3] != x.shape[3]:
            shape = None if wt is None else list(wt.shape)
            self.unsupported(op, graph, "filter shape (grouped convolution?)", shape, wt)
        out_c = wt.shape[0]
        w = filter_and_bias(self, op, graph, out_c)
        geo = conv_geometry(self, op, graph, w.shape[1], w.shape[2], out_c)
        lo, hi = s8.activation(self, op, graph, y)
        mult, shift = multipliers(self, op, graph, x, w, y, out_c)
        return x, w, y, geo, 1, lo, hi, mult, shift, qz.conv_half_up_channels(out_c)

    def emit(self, op, graph, ctx):
        x, w, y, (sh, sw, dh, dw, pt, pl), dm, lo, hi, mult, shift, half_up = self._parts(op, graph)
        bias = s8.bias_ref(op, ctx)
        m, s = s8.requantize_consts(ctx, mult, shift)
        return "\n".join([
            f"static const lkws_conv_s8_params p = {{{sh}, {sw}, {dh}, {dw}, {pt}, {pl}, {dm}, {-s8.zero_point(x)}, "
            f"{s8.zero_point(y)}, {lo}, {hi}, {half_up}}};",
            s8.c_shape("xs", x.shape), s8.c_shape("ws", w.shape), s8.c_shape("ys", y.shape),
            checked(ctx, f"{self.function}(&p, &xs, {ctx.ref(x.index)}, &ws, {ctx.ref(w.index)}, {bias}, {m}, {s}, "
                         f"&ys, {ctx.ref(y.index)})"),
        ])
