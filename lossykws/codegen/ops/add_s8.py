"""ADD in int8 with broadcasting (rank <= 4) and a fused activation: lkws_add_s8. BroadcastS8,
the part ADD and MUL share, is defined here too."""
from .. import quantization as qz
from . import _s8_common as s8
from .base import checked, register


def broadcast_shapes(emitter, op, graph, a, b, y):
    """The two input shapes as rank-4 views aligned to the output, or UnsupportedOp."""
    if max(len(a.shape), len(b.shape), len(y.shape)) > 4:
        emitter.unsupported(op, graph, "rank > 4", None, y)
    da, db, dy = s8.dims4(a.shape), s8.dims4(b.shape), s8.dims4(y.shape)
    for p, q, r in zip(da, db, dy):
        if p not in (1, r) or q not in (1, r) or r != max(p, q):
            emitter.unsupported(op, graph, "broadcast", f"{list(a.shape)},{list(b.shape)}->{list(y.shape)}", y)
    return da, db


class BroadcastS8(s8.Int8Emitter):
    """ADD and MUL: two broadcast int8 inputs and a `<function>_params` struct, whose fields in
    `order` come from `_params` (plus the activation range and vector split)."""
    headers = ("lkws/elementwise.h",)
    function = ""
    order = ()

    def _params(self, op, graph, a, b, y):
        raise NotImplementedError

    def _parts(self, op, graph):
        a = s8.quantized(self, op, graph, op.inputs[0], "input")
        b = s8.quantized(self, op, graph, op.inputs[1], "input 2")
        y = s8.quantized(self, op, graph, op.outputs[0], "output")
        da, db = broadcast_shapes(self, op, graph, a, b, y)
        p = self._params(op, graph, a, b, y)
        p["act_min"], p["act_max"] = s8.activation(self, op, graph, y)
        p["vector_run"], p["vector_mode"] = qz.broadcast_vector_run(a.shape, b.shape)
        return a, b, y, da, db, p

    def emit(self, op, graph, ctx):
        a, b, y, da, db, p = self._parts(op, graph)
        return "\n".join([
            f"static const {self.function}_params p = {{" + ", ".join(str(p[k]) for k in self.order) + "};",
            s8.c_shape("as", da), s8.c_shape("bs", db), s8.c_shape("ys", y.shape),
            checked(ctx, f"{self.function}(&p, &as, {ctx.ref(a.index)}, &bs, {ctx.ref(b.index)}, &ys, "
                         f"{ctx.ref(y.index)})"),
        ])


@register
class AddS8(BroadcastS8):
    kinds = ("ADD",)
    sources = ("lkws_add_s8.c",)
    function = "lkws_add_s8"
    order = ("input1_offset", "input2_offset", "left_shift", "input1_multiplier", "input1_shift", "input2_multiplier",
             "input2_shift", "output_multiplier", "output_shift", "output_offset", "act_min", "act_max", "vector_run",
             "vector_mode")

    def _params(self, op, graph, a, b, y):
        try:
            return qz.add_params(s8.scale(a), s8.zero_point(a), s8.scale(b), s8.zero_point(b), s8.scale(y),
                                 s8.zero_point(y))
        except ValueError as e:
            self.unsupported(op, graph, "scales", str(e), y)
