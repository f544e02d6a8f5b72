"""MUL in int8 with broadcasting (rank <= 4) and a fused activation: lkws_mul_s8."""
from .. import quantization as qz
from . import _s8_common as s8
from .add_s8 import broadcast_shapes
from .base import register


@register
class MulS8(s8.Int8Emitter):
    kinds = ("MUL",)
    sources = ("mul_s8.c",)

    def _parts(self, op, graph):
        a = s8.quantized(self, op, graph, op.inputs[0], "input")
        b = s8.quantized(self, op, graph, op.inputs[1], "input 2")
        y = s8.quantized(self, op, graph, op.outputs[0], "output")
        da, db = broadcast_shapes(self, op, graph, a, b, y)
        p = qz.mul_params(s8.scale(a), s8.zero_point(a), s8.scale(b), s8.zero_point(b), s8.scale(y), s8.zero_point(y))
        s8.check_shift_range(self, op, graph, [p["output_shift"]], y)
        p["act_min"], p["act_max"] = s8.activation(self, op, graph, y)
        p["vector_run"], p["vector_mode"] = qz.broadcast_vector_run(a.shape, b.shape)
        return a, b, y, da, db, p

    def emit(self, op, graph, ctx):
        a, b, y, da, db, p = self._parts(op, graph)
        order = ("input1_offset", "input2_offset", "output_multiplier", "output_shift", "output_offset", "act_min",
                 "act_max", "vector_run", "vector_mode")
        return "\n".join([
            "static const lkws_mul_s8_params p = {" + ", ".join(str(p[k]) for k in order) + "};",
            s8.c_shape("as", da), s8.c_shape("bs", db), s8.c_shape("ys", y.shape),
            s8.call(ctx, f"lkws_mul_s8(&p, &as, {ctx.ref(a.index)}, &bs, {ctx.ref(b.index)}, &ys, {ctx.ref(y.index)})"),
        ])
