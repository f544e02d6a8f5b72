"""PAD and PADV2 in int8: lkws_pad_s8 (PAD fills with the zero point, PADV2 with its constant)."""
from . import _s8_common as s8
from .base import checked, register


@register
class PadS8(s8.Int8Emitter):
    kinds = ("PAD", "PADV2")
    sources = ("lkws_pad_s8.c",)
    headers = ("lkws/pad.h",)

    def _parts(self, op, graph):
        x, y = self.input_output(op, graph)
        p = graph.tensor(op.inputs[1])
        if len(x.shape) > 4:
            self.unsupported(op, graph, "rank > 4", len(x.shape), x)
        if p is None or not p.is_const or p.dtype not in ("int32", "int64") or tuple(p.shape) != (len(x.shape), 2):
            self.unsupported(op, graph, "paddings (constant [rank, 2] expected)", None, p)
        pads = [[0, 0]] * (4 - len(x.shape)) + [[int(a), int(b)] for a, b in p.data]
        if any(v < 0 for pr in pads for v in pr):
            self.unsupported(op, graph, "negative padding", pads, p)
        if s8.scale(x) != s8.scale(y) or s8.zero_point(x) != s8.zero_point(y):
            self.unsupported(op, graph, "output quantization differs from the input's", None, y)
        if [d + a + b for d, (a, b) in zip(s8.dims4(x.shape), pads)] != s8.dims4(y.shape):
            self.unsupported(op, graph, "output shape", list(y.shape), y)
        value = s8.zero_point(y)
        if op.kind == "PADV2" and len(op.inputs) > 2 and op.inputs[2] >= 0:
            v = graph.tensor(op.inputs[2])
            if not v.is_const or v.dtype != "int8" or v.num_elements != 1:
                self.unsupported(op, graph, "constant_values", None, v)
            value = int(v.data.reshape(-1)[0])
        return x, y, pads, value

    def emit(self, op, graph, ctx):
        x, y, pads, value = self._parts(op, graph)
        before = ", ".join(str(a) for a, _ in pads)
        after = ", ".join(str(b) for _, b in pads)
        return "\n".join([
            s8.c_shape("xs", x.shape),
            f"static const int32_t before[4] = {{{before}}};",
            f"static const int32_t after[4] = {{{after}}};",
            checked(ctx, f"lkws_pad_s8(&xs, {ctx.ref(x.index)}, before, after, {value}, {ctx.ref(y.index)})"),
        ])
