"""SOFTMAX in int8 (int8 output): lkws_softmax_s8 with the exp table computed at export by the C
library's expf, as the interpreter's Prepare computes it."""
from lossykws.codegen import quantization as qz
from lossykws.codegen.ops import _s8_common as s8
from lossykws.codegen.ops.base import c_float, register


@register
class SoftmaxS8(s8.Int8Emitter):
    kinds = ("SOFTMAX",)
    sources = ("softmax_s8.c",)

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
            s8.call(ctx, f"lkws_softmax_s8(&p, {x.num_elements // depth}, {depth}, {ctx.ref(x.index)}, "
                         f"{ctx.ref(y.index)})"),
        ])
