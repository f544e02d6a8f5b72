"""LceBconv2d reading a densely packed input: the first binary convolution of a model whose input
LceQuantize was dropped (project.pack_inputs with layout "dense"), fed few-bit codes as they are.

The op carries option dense_input = {"width": W} (set by project.dense_inputs, not by LCE); its
input tensor is int32 [N, H, ceil(W*C/32)], pixel x's channel c at bit x*C + c of its row's word
stream (firmware/include/lkws/bconv2d.h), instead of LCE's [N, H, W, ceil(C/32)]. The filter
is repacked at export time into the dense tap order (lce_bconv2d.dense_filter), so one filter row
is one bit field of an input row. Every other option, and the output stage, is LceBconv2d's:
check() runs LceBconv2d's checks on the op with its input at the word-per-pixel shape, then the
dense ones (check_dense).
"""
from dataclasses import replace

from lossykws.codegen.ops.base import c_struct, describe_unsupported, register, UnsupportedOp
from lossykws.codegen.ops.lce_bconv2d import LceBconv2d, clamp_bounds, dense_filter, output_constants

DENSE_OPTION = "dense_input"


def dense_shape(shape, channels):
    """[N, H, W, *] (the unpacked image) -> [N, H, ceil(W*channels/32)] (its dense rows)."""
    return (int(shape[0]), int(shape[1]), (int(shape[2]) * int(channels) + 31) // 32)


def check_dense(op, graph):
    """Raise UnsupportedOp unless LceBconv2d `op` (already valid word per pixel) can read its input
    densely: a filter row of at most 32 bits (filter_w * channels_in), dilation_width 1, padding
    VALID or SAME with +1 (pad_values 1)."""
    o = op.options
    w = graph.tensor(op.inputs[1])
    cin, kw = int(o["channels_in"]), int(w.shape[2])

    def refuse(what):
        raise UnsupportedOp(describe_unsupported(op, graph, f"dense input with {what}", None, graph.tensor(op.inputs[0])))

    if kw * cin > 32:
        refuse(f"filter width {kw} x {cin} channels ({kw * cin} bits per filter row, at most 32)")
    if o["dilation_width_factor"] != 1:
        refuse(f"dilation_width {o['dilation_width_factor']}")
    if o["padding"] == 0 and o["pad_values"] == 0:
        refuse("zero padding (SAME, pad_values 0)")


@register
class LceBconv2dDense(LceBconv2d):
    kinds = ("LceBconv2d",)
    sources = ("lkws_bconv2d_dense_opt.c",)  # its reference twin: LCE packing + lkws_bconv2d_ref.c
    headers = ("lkws/bconv2d.h",)
    kernel = "lkws_bconv2d_dense_opt"
    scratch_macro = "LKWS_BCONV2D_DENSE_OPT_SCRATCH_BYTES"  # of (filter_h, filter_w, channels_in)

    def handles(self, op, graph):
        return bool(op.options.get(DENSE_OPTION))

    def _word_per_pixel(self, op, graph):
        """The graph with the op's input at LCE's shape [N, H, W, 1], for LceBconv2d's checks."""
        x = graph.tensor(op.inputs[0])
        tensors = list(graph.tensors)
        tensors[x.index] = replace(x, shape=(x.shape[0], x.shape[1], int(op.options[DENSE_OPTION]["width"]), 1))
        return replace(graph, tensors=tensors)

    def check(self, op, graph):
        x = graph.tensor(op.inputs[0])
        spec = op.options.get(DENSE_OPTION)
        if not isinstance(spec, dict) or not isinstance(spec.get("width"), int) or len(x.shape) != 3:
            self.unsupported(op, graph, "dense input layout", list(x.shape), x)
        logical = self._word_per_pixel(op, graph)
        super().check(op, logical)
        check_dense(op, logical)
        if tuple(x.shape) != dense_shape(logical.tensor(x.index).shape, op.options["channels_in"]):
            self.unsupported(op, graph, "dense input shape", list(x.shape), x)

    def emit(self, op, graph, ctx):
        o = op.options
        x, w, y = graph.tensor(op.inputs[0]), graph.tensor(op.inputs[1]), graph.tensor(op.outputs[0])
        oh, pt, ow, pl = self._geometry(op, self._word_per_pixel(op, graph))
        cout, kh, kw = w.shape[0], w.shape[1], w.shape[2]
        cin = o["channels_in"]
        k = kh * kw * cin
        clamp_min, clamp_max = clamp_bounds(o, k)
        names = ("batches", "in_h", "in_w", "channels_in", "out_h", "out_w", "channels_out", "filter_h", "filter_w",
                 "stride_h", "stride_w", "dilation_h", "dilation_w", "pad_top", "pad_left", "clamp_min", "clamp_max")
        values = (x.shape[0], x.shape[1], o[DENSE_OPTION]["width"], cin, oh, ow, cout, kh, kw, o["stride_height"],
                  o["stride_width"], o["dilation_height_factor"], 1, pt, pl, clamp_min, clamp_max)
        params = f"static const lkws_bconv2d_params p = {c_struct(zip(names, (int(v) for v in values)))};\n"
        src, dst = ctx.ref(x.index), ctx.ref(y.index)
        filt = ctx.const("dense_filter", dense_filter(w.data, cin), "int32_t")
        fused = bool(o.get("fused_quantize"))
        if y.dtype == "int32" and not fused:
            return self.call(op, graph, ctx, params, "bitpacked", (src, filt, ctx.ref(op.inputs[4]), dst))
        mul, bias = output_constants(op, graph, ctx, k)
        kind = "s8" if y.dtype == "int8" else "signs" if fused else "f32"
        return self.call(op, graph, ctx, params, kind, (src, filt, mul, bias, dst))
