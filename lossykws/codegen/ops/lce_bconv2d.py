"""LceBconv2d: binary convolution of a bitpacked input with bitpacked weights (kept packed).

Inputs: 0 input int32 [N,H,W,ceil(Cin/32)], 1 filter int32 [Cout,kh,kw,ceil(Cin/32)],
2 post_activation_multiplier float [Cout], 3 post_activation_bias float [Cout] (float and int8
outputs), 4 output_threshold int32 [Cout] (bitpacked output). Options (flexbuffer): channels_in,
stride_*, dilation_*_factor, padding (0 SAME, 1 VALID), pad_values (1: pad with +1; 0: zero
padding, which LCE supports for float output without activation and corrects at the borders),
fused_activation_function (0 NONE, 1 RELU, 2 RELU_N1_TO_1, 3 RELU6).

fused_quantize (set by project.fuse_bconv_quantize, not by LCE): the op's float output is
packed to signs on the fly (bit set where the float result < 0), its output tensor being the
LceQuantize's int32 one.

Channels_in below 32 (a first layer on a few bit planes): the filter is emitted with each tap's
channels back to back (dense_filter), still bitpacked, so a 3x3 filter on 4 channels costs 2
xor-popcount words per output channel instead of 9; the kernel packs the window the same way.

The float/int8 output transform is fused at export time exactly as LCE's kernel does it (in
double, then rounded to float): multiplier = -m / scale, bias = (b + K*m) / scale + zero_point,
clamp on 2*accum = [K - act_max, K - act_min] with the activation range clipped to [-K, K].
"""
import numpy as np

from ..runtime import macro_value, scratch_check
from .base import OpEmitter, c_struct, checked, register, same_or_valid

INT32_MIN, INT32_MAX = -(1 << 31), (1 << 31) - 1


def dense_filter(filt, channels_in):
    """Filter rows with each tap's channels_in (< 32) bits back to back (LSB first), as the
    optimized kernel's dense_taps mode reads them: int32 [Cout, ceil(kh*kw*Cin/32)]."""
    cout = filt.shape[0]
    taps = filt.shape[1] * filt.shape[2]
    words = filt.reshape(cout, taps).astype(np.uint32)
    bits = np.unpackbits(words.astype("<u4").view(np.uint8).reshape(cout, taps, 4), axis=2, bitorder="little")
    stream = bits[:, :, :channels_in].reshape(cout, taps * channels_in)
    n = (taps * channels_in + 31) // 32
    stream = np.pad(stream, ((0, 0), (0, n * 32 - stream.shape[1])))
    packed = np.packbits(stream.reshape(cout, n, 32), axis=2, bitorder="little")
    return packed.reshape(cout, n * 4).view("<u4").astype(np.uint32).view(np.int32).reshape(cout, n)


def use_dense_taps(filt, channels_in):
    """Dense rows pay off when the channels of a tap fill less than a word and there are taps."""
    taps = filt.shape[1] * filt.shape[2]
    return channels_in < 32 and (taps * channels_in + 31) // 32 < taps
ACTIVATIONS = {0: ("NONE", INT32_MIN, INT32_MAX), 1: ("RELU", 0, INT32_MAX), 2: ("RELU_N1_TO_1", -1, 1), 3: ("RELU6", 0, 6)}
_INT_OPTIONS = ("channels_in", "stride_height", "stride_width", "dilation_height_factor", "dilation_width_factor",
                "padding", "pad_values", "fused_activation_function")


def clamp_bounds(options, k):
    """[clamp_min, clamp_max] on 2*accum of the fused activation, its range clipped to [-K, K]."""
    _, act_min, act_max = ACTIVATIONS[options["fused_activation_function"]]
    act_min, act_max = max(act_min, -k), min(act_max, k)
    return k - act_max, k - act_min


def output_constants(op, graph, ctx, k):
    """C names of the float/int8 output transform's multiplier and bias, fused in double as LCE's
    kernel does (int8: the output scale and zero point folded in)."""
    y = graph.tensor(op.outputs[0])
    m = graph.tensor(op.inputs[2]).data.astype(np.float64)
    b = graph.tensor(op.inputs[3]).data.astype(np.float64)
    scale, zp = (float(y.scale[0]), float(y.zero_point[0])) if y.dtype == "int8" else (1.0, 0.0)
    mul = ctx.const("multiplier", (-1.0 * m / scale).astype(np.float32), "float")
    bias = ctx.const("bias", ((b + float(k) * m) / scale + zp).astype(np.float32), "float")
    return mul, bias


@register
class LceBconv2d(OpEmitter):
    kinds = ("LceBconv2d",)
    sources = ("lkws_bconv2d_opt.c",)  # the optimized twin; lkws_bconv2d_ref.c is its bit-exact reference
    headers = ("lkws/bconv2d.h",)
    kernel = "lkws_bconv2d_opt"  # + _f32, _s8, _bitpacked, _signs
    scratch_macro = "LKWS_BCONV2D_OPT_SCRATCH_BYTES"  # of (filter_h, filter_w, channels_in)

    def handles(self, op, graph):
        return not op.options.get("dense_input")  # lce_bconv2d_dense.py reads a dense input

    def check(self, op, graph):
        o = op.options
        for key in _INT_OPTIONS:
            if not isinstance(o.get(key), int) or isinstance(o.get(key), bool):
                self.unsupported(op, graph, f"option {key}", o.get(key))
        if len(op.inputs) != 5:
            self.unsupported(op, graph, "number of inputs", len(op.inputs))
        self.require_dtype(op, graph, op.inputs[0], ("int32",))
        self.require_dtype(op, graph, op.inputs[1], ("int32",), "filter")
        self.require_dtype(op, graph, op.outputs[0], ("float32", "int32", "int8"), "output")
        x, w, y = graph.tensor(op.inputs[0]), graph.tensor(op.inputs[1]), graph.tensor(op.outputs[0])
        if not w.is_const:
            self.unsupported(op, graph, "non-constant filter", None, w)
        if len(x.shape) != 4 or len(w.shape) != 4 or len(y.shape) != 4:
            self.unsupported(op, graph, "rank", f"{len(x.shape)}/{len(w.shape)}/{len(y.shape)}", x)
        cin = o["channels_in"]
        words = (cin + 31) // 32
        if cin < 1 or x.shape[3] != words:
            self.unsupported(op, graph, "option channels_in", cin, x)
        if w.shape[3] != words:
            self.unsupported(op, graph, "groups", words // max(w.shape[3], 1), w)
        if min(o["stride_height"], o["stride_width"], o["dilation_height_factor"], o["dilation_width_factor"]) < 1:
            self.unsupported(op, graph, "stride/dilation", f"{o['stride_height']},{o['stride_width']},{o['dilation_height_factor']},{o['dilation_width_factor']}")
        if o["padding"] not in (0, 1):
            self.unsupported(op, graph, "option padding", o["padding"])
        if o["pad_values"] not in (0, 1):
            self.unsupported(op, graph, "option pad_values", o["pad_values"])
        if o["fused_activation_function"] not in ACTIVATIONS:
            self.unsupported(op, graph, "option fused_activation_function", o["fused_activation_function"])
        cout = w.shape[0]
        fused = bool(o.get("fused_quantize"))
        if y.dtype == "int32" and not fused:
            th = graph.tensor(op.inputs[4])
            if th is None or not th.is_const or th.dtype != "int32" or th.shape != (cout,):
                self.unsupported(op, graph, "output_threshold", None if th is None else list(th.shape), th or y)
        else:
            for k, role in ((2, "post_activation_multiplier"), (3, "post_activation_bias")):
                t = graph.tensor(op.inputs[k])
                if t is None or not t.is_const or t.dtype != "float32" or t.shape != (cout,):
                    self.unsupported(op, graph, role, None if t is None else list(t.shape), t or y)
            if y.dtype == "int8" and not y.is_quantized:
                self.unsupported(op, graph, "int8 output without quantization", None, y)
        zero_pad = o["padding"] == 0 and o["pad_values"] == 0
        if zero_pad and ((y.dtype != "float32" and not fused) or o["fused_activation_function"] != 0):
            act = ACTIVATIONS[o["fused_activation_function"]][0]
            self.unsupported(op, graph, "option pad_values=0 (zero padding) with", f"{y.dtype} output and activation {act}", y)
        oh, _, ow, _ = self._geometry(op, graph)
        ych = (cout + 31) // 32 if y.dtype == "int32" else cout
        if fused and y.dtype != "int32":
            self.unsupported(op, graph, "fused_quantize with output dtype", y.dtype, y)
        if y.shape != (x.shape[0], oh, ow, ych):
            self.unsupported(op, graph, "output shape", list(y.shape), y)

    def _scratch_args(self, op, graph):
        w = graph.tensor(op.inputs[1])
        return w.shape[1], w.shape[2], op.options["channels_in"]

    def scratch_bytes(self, op, graph):
        return macro_value(self.scratch_macro, *self._scratch_args(op, graph))

    def call(self, op, graph, ctx, params, kind, args):
        """The params declaration, the compile-time scratch check and the checked kernel call
        <kernel>_<kind>(&p, args..., scratch)."""
        check = scratch_check(self.scratch_macro, self._scratch_args(op, graph), self.scratch_bytes(op, graph))
        return (params + check + "\n"
                + checked(ctx, f"{self.kernel}_{kind}(&p, {', '.join(args)}, (uint32_t *){ctx.scratch()})"))

    def _geometry(self, op, graph):
        o = op.options
        x, w = graph.tensor(op.inputs[0]), graph.tensor(op.inputs[1])
        pad = "SAME" if o["padding"] == 0 else "VALID"
        oh, pt = same_or_valid(pad, x.shape[1], w.shape[1], o["stride_height"], o["dilation_height_factor"])
        ow, pl = same_or_valid(pad, x.shape[2], w.shape[2], o["stride_width"], o["dilation_width_factor"])
        return oh, pt, ow, pl

    def emit(self, op, graph, ctx):
        o = op.options
        x, w, y = graph.tensor(op.inputs[0]), graph.tensor(op.inputs[1]), graph.tensor(op.outputs[0])
        oh, pt, ow, pl = self._geometry(op, graph)
        cout, kh, kw = w.shape[0], w.shape[1], w.shape[2]
        cin = o["channels_in"]
        k = kh * kw * cin
        clamp_min, clamp_max = clamp_bounds(o, k)
        dense = use_dense_taps(w.data, cin)
        names = ("batches", "in_h", "in_w", "channels_in", "out_h", "out_w", "channels_out", "filter_h", "filter_w",
                 "stride_h", "stride_w", "dilation_h", "dilation_w", "pad_top", "pad_left", "clamp_min", "clamp_max",
                 "dense_taps")
        values = (x.shape[0], x.shape[1], x.shape[2], cin, oh, ow, cout, kh, kw, o["stride_height"], o["stride_width"],
                  o["dilation_height_factor"], o["dilation_width_factor"], pt, pl, clamp_min, clamp_max, int(dense))
        params = f"static const lkws_bconv2d_params p = {c_struct(zip(names, (int(v) for v in values)))};\n"
        src, dst = ctx.ref(x.index), ctx.ref(y.index)
        filt = ctx.const("dense_filter", dense_filter(w.data, cin), "int32_t") if dense else ctx.ref(w.index)
        fused = bool(o.get("fused_quantize"))
        if y.dtype == "int32" and not fused:
            return self.call(op, graph, ctx, params, "bitpacked", (src, filt, ctx.ref(op.inputs[4]), dst))
        mul, bias = output_constants(op, graph, ctx, k)
        if y.dtype == "int8":
            return self.call(op, graph, ctx, params, "s8", (src, filt, mul, bias, dst))
        pad_mul = "NULL"
        if o["padding"] == 0 and o["pad_values"] == 0:
            pad_mul = ctx.const("pad_multiplier", -graph.tensor(op.inputs[2]).data.astype(np.float32), "float")
        return self.call(op, graph, ctx, params, "signs" if fused else "f32", (src, filt, mul, bias, pad_mul, dst))
