"""LOGISTIC (sigmoid) in float32."""
from ._float_common import ElementwiseF32Emitter
from .base import checked, register


@register
class LogisticF32(ElementwiseF32Emitter):
    kinds = ("LOGISTIC",)
    sources = ("lkws_logistic_f32.c",)
    headers = ("lkws/elementwise.h",)

    def emit(self, op, graph, ctx):
        x = graph.tensor(op.inputs[0])
        return checked(ctx, f"lkws_logistic_f32({ctx.ref(x.index)}, {ctx.ref(op.outputs[0])}, {x.num_elements}u)")
