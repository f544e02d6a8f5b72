"""SOFTMAX in float32 along the last axis, with beta."""
from ._float_common import FloatEmitter
from .base import c_float, checked, register


@register
class SoftmaxF32(FloatEmitter):
    kinds = ("SOFTMAX",)
    sources = ("lkws_softmax_f32.c",)
    headers = ("lkws/softmax.h",)

    def check(self, op, graph):
        self.require_dtype(op, graph, op.outputs[0], ("float32",), "output")
        x, y = graph.tensor(op.inputs[0]), graph.tensor(op.outputs[0])
        if not x.shape or x.shape[-1] < 1 or y.shape != x.shape:
            self.unsupported(op, graph, "shape", list(x.shape), x)

    def emit(self, op, graph, ctx):
        x = graph.tensor(op.inputs[0])
        depth = x.shape[-1]
        beta = c_float(op.options.get("beta", 1.0))
        return checked(ctx, f"lkws_softmax_f32({ctx.ref(x.index)}, {ctx.ref(op.outputs[0])}, {x.num_elements // depth}, {depth}, {beta})")
