"""LOGISTIC (sigmoid) in float32."""
from ._float_common import is_float_op
from .base import OpEmitter, register


@register
class LogisticF32(OpEmitter):
    kinds = ("LOGISTIC",)
    sources = ("logistic_f32.c",)
    headers = ("lkws/ops_f32.h",)

    def handles(self, op, graph):
        return is_float_op(op, graph)

    def check(self, op, graph):
        self.require_dtype(op, graph, op.outputs[0], ("float32",), "output")
        x, y = graph.tensor(op.inputs[0]), graph.tensor(op.outputs[0])
        if x.num_elements != y.num_elements:
            self.unsupported(op, graph, "shape", list(y.shape), y)

    def emit(self, op, graph, ctx):
        x = graph.tensor(op.inputs[0])
        return f"lkws_logistic_f32({ctx.ref(x.index)}, {ctx.ref(op.outputs[0])}, {x.num_elements}u);"
