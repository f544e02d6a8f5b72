"""SOFTMAX in int8 (int8 output): lkws_softmax_s8 with the exp table computed at export by the C
library's expf, as the interpreter's Prepare computes it."""
from .. import quantization as qz
from . import _s8_common as s8
from .base import c_float, checked, register


@register
class SoftmaxS8(s8.Int8Emitter):
    kinds = ("SOFTMAX",)
    sources = ("lkws_softmax_s8.c",)
    headers = ("lkws/softmax.h",)

    def _parts(self, op, graph):
        x, y = self.input_output(op, graph)
        if tuple(x.shape) != tuple(y.shape) or not x.shape or x.shape[-1] < 1:
            self.unsupported(op, graph, "shape", list(y.shape), y)
        beta = op.options.get("beta", 1.0)
        if not isinstance(beta, (int, float)):
            self.unsupported(op, graph, "option beta", beta)
        return x, y, float(beta)

    def emit(self, op, graph, ctx):
        x, y, beta = self._parts(op, graph)
        table = ctx.const("exp_table", qz.softmax_exp_table(s8.scale(x), beta), "float")
        depth = x.shape[-1]
        return "\n".join([
            f"static const lkws_softmax_s8_params p = {{{table}, {c_float(s8.scale(y))}, {s8.zero_point(y)}}};",
            checked(ctx, f"lkws_softmax_s8(&p, {x.num_elements // depth}, {depth}, {ctx.ref(x.index)}, "
                         f"{ctx.ref(y.index)})"),
        ])
