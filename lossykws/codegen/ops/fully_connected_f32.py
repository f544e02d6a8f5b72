"""FULLY_CONNECTED in float32: weights [units, depth], optional bias; input flattened to
[batches, depth]."""
from ._float_common import FloatEmitter, require_const_float
from .base import checked, float_activation, register


@register
class FullyConnectedF32(FloatEmitter):
    kinds = ("FULLY_CONNECTED",)
    sources = ("lkws_fully_connected_f32.c", "lkws_dot_gemv4_f32.c")
    headers = ("lkws/fully_connected.h",)

    def check(self, op, graph):
        self.require_dtype(op, graph, op.outputs[0], ("float32",), "output")
        w = require_const_float(self, op, graph, op.inputs[1], "weights")
        if len(op.inputs) > 2 and op.inputs[2] >= 0:
            require_const_float(self, op, graph, op.inputs[2], "bias")
        if op.options.get("weights_format", 0) not in (0, "DEFAULT"):
            self.unsupported(op, graph, "option weights_format", op.options.get("weights_format"))
        x, y = graph.tensor(op.inputs[0]), graph.tensor(op.outputs[0])
        if len(w.shape) != 2 or w.shape[1] == 0 or x.num_elements % w.shape[1]:
            self.unsupported(op, graph, "weights shape", list(w.shape), w)
        if y.num_elements != x.num_elements // w.shape[1] * w.shape[0]:
            self.unsupported(op, graph, "output shape", list(y.shape), y)
        float_activation(op, graph, op.options.get("fused_activation_function", "NONE"))

    def emit(self, op, graph, ctx):
        x, w = graph.tensor(op.inputs[0]), graph.tensor(op.inputs[1])
        units, depth = w.shape
        lo, hi = float_activation(op, graph, op.options.get("fused_activation_function", "NONE"))
        bias = ctx.ref(op.inputs[2]) if len(op.inputs) > 2 and op.inputs[2] >= 0 else "NULL"
        return checked(ctx, f"lkws_fully_connected_f32({ctx.ref(x.index)}, {ctx.ref(w.index)}, {bias}, "
                            f"{ctx.ref(op.outputs[0])}, {x.num_elements // depth}, {depth}, {units}, {lo}, {hi})")
