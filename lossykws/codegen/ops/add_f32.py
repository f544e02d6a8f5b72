"""ADD in float32 with broadcasting (rank <= 4) and a fused activation."""
from ._float_common import FloatEmitter
from .base import c_int_array, checked, dims4, float_activation, register


@register
class AddF32(FloatEmitter):
    kinds = ("ADD",)
    sources = ("lkws_add_f32.c",)
    headers = ("lkws/elementwise.h",)
    function = "lkws_add_f32"

    def check(self, op, graph):
        self.require_dtype(op, graph, op.inputs[1], ("float32",))
        self.require_dtype(op, graph, op.outputs[0], ("float32",), "output")
        a, b, y = graph.tensor(op.inputs[0]), graph.tensor(op.inputs[1]), graph.tensor(op.outputs[0])
        if max(len(a.shape), len(b.shape), len(y.shape)) > 4:
            self.unsupported(op, graph, "rank > 4", None, y)
        for da, db, dy in zip(dims4(a.shape), dims4(b.shape), dims4(y.shape)):
            if da not in (1, dy) or db not in (1, dy) or dy != max(da, db):
                self.unsupported(op, graph, "broadcast", f"{list(a.shape)},{list(b.shape)}->{list(y.shape)}", y)
        float_activation(op, graph, op.options.get("fused_activation_function", "NONE"))

    def emit(self, op, graph, ctx):
        a, b, y = graph.tensor(op.inputs[0]), graph.tensor(op.inputs[1]), graph.tensor(op.outputs[0])
        lo, hi = float_activation(op, graph, op.options.get("fused_activation_function", "NONE"))
        return (f"static const int32_t ad[4] = {c_int_array(dims4(a.shape))};\n"
                f"static const int32_t bd[4] = {c_int_array(dims4(b.shape))};\n"
                f"static const int32_t yd[4] = {c_int_array(dims4(y.shape))};\n"
                + checked(ctx, f"{self.function}({ctx.ref(a.index)}, ad, {ctx.ref(b.index)}, bd, {ctx.ref(y.index)}, yd, {lo}, {hi})"))
