"""LOGISTIC (sigmoid) in float32."""
from lossykws.codegen.ops._float_common import ElementwiseF32Emitter
from lossykws.codegen.ops.base import register


@register
class LogisticF32(ElementwiseF32Emitter):
    kinds = ("LOGISTIC",)
    sources = ("logistic_f32.c",)

    def emit(self, op, graph, ctx):
        x = graph.tensor(op.inputs[0])
        return f"lkws_logistic_f32({ctx.ref(x.index)}, {ctx.ref(op.outputs[0])}, {x.num_elements}u);"
