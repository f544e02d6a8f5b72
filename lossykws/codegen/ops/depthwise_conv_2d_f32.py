"""DEPTHWISE_CONV_2D in float32: filter [1, kh, kw, Cin*depth_multiplier], optional bias."""
from ._float_common import FloatEmitter, require_const_float, window_params
from .base import checked, register


@register
class DepthwiseConv2dF32(FloatEmitter):
    kinds = ("DEPTHWISE_CONV_2D",)
    sources = ("lkws_depthwise_conv2d_f32.c",)
    headers = ("lkws/conv2d.h",)

    def _multiplier(self, op, graph):
        x, w = graph.tensor(op.inputs[0]), graph.tensor(op.inputs[1])
        if len(w.shape) != 4 or len(x.shape) != 4 or w.shape[0] != 1 or x.shape[3] == 0 or w.shape[3] % x.shape[3]:
            self.unsupported(op, graph, "filter shape", list(w.shape), w)
        return w.shape[3] // x.shape[3]

    def check(self, op, graph):
        self.require_dtype(op, graph, op.outputs[0], ("float32",), "output")
        w = require_const_float(self, op, graph, op.inputs[1], "filter")
        if len(op.inputs) > 2 and op.inputs[2] >= 0:
            require_const_float(self, op, graph, op.inputs[2], "bias")
        window_params(op, graph, self, (w.shape[1], w.shape[2]) if len(w.shape) == 4 else (0, 0),
                      w.shape[-1], self._multiplier(op, graph))

    def emit(self, op, graph, ctx):
        w = graph.tensor(op.inputs[1])
        p = window_params(op, graph, self, (w.shape[1], w.shape[2]), w.shape[3], self._multiplier(op, graph))
        bias = ctx.ref(op.inputs[2]) if len(op.inputs) > 2 and op.inputs[2] >= 0 else "NULL"
        return (f"static const lkws_window_params p = {p};\n"
                + checked(ctx, f"lkws_depthwise_conv2d_f32(&p, {ctx.ref(op.inputs[0])}, {ctx.ref(w.index)}, {bias}, {ctx.ref(op.outputs[0])})"))
