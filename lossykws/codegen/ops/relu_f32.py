"""RELU, RELU6 and RELU_N1_TO_1 in float32 as standalone ops (after a batch norm, say)."""
from lossykws.codegen.ops._float_common import ElementwiseF32Emitter
from lossykws.codegen.ops.base import FLOAT_ACTIVATIONS, register


@register
class ReluF32(ElementwiseF32Emitter):
    kinds = ("RELU", "RELU6", "RELU_N1_TO_1")
    sources = ("elementwise_f32.c",)

    def emit(self, op, graph, ctx):
        lo, hi = FLOAT_ACTIVATIONS[op.kind]
        x = graph.tensor(op.inputs[0])
        return f"lkws_clamp_f32({ctx.ref(x.index)}, {ctx.ref(op.outputs[0])}, {x.num_elements}u, {lo}, {hi});"
