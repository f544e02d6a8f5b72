"""RELU, RELU6 and RELU_N1_TO_1 in float32 as standalone ops (after a batch norm, say)."""
from ._float_common import ElementwiseF32Emitter
from .base import FLOAT_ACTIVATIONS, checked, register


@register
class ReluF32(ElementwiseF32Emitter):
    kinds = ("RELU", "RELU6", "RELU_N1_TO_1")
    sources = ("lkws_clamp_f32.c",)
    headers = ("lkws/elementwise.h",)

    def emit(self, op, graph, ctx):
        lo, hi = FLOAT_ACTIVATIONS[op.kind]
        x = graph.tensor(op.inputs[0])
        return checked(ctx, f"lkws_clamp_f32({ctx.ref(x.index)}, {ctx.ref(op.outputs[0])}, {x.num_elements}u, {lo}, {hi})")
