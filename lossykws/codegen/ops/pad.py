"""PAD and PADV2 for any element type (rank <= 4). PAD fills with 0 (int8: the zero point);
PADV2 with its constant value tensor."""
import numpy as np

from .base import OpEmitter, another_emitter_handles, c_int_array, checked, dims4, register


@register
class Pad(OpEmitter):
    kinds = ("PAD", "PADV2")
    sources = ("lkws_pad_bytes.c",)
    headers = ("lkws/pad.h",)

    def handles(self, op, graph):
        # Generic over element types; for int8 an int8-specific PAD emitter, if one is registered,
        # takes precedence.
        x = graph.tensor(op.inputs[0]) if op.inputs else None
        return not (x is not None and x.dtype == "int8" and another_emitter_handles(self, op, graph))

    def _pads(self, op, graph):
        x, p = graph.tensor(op.inputs[0]), graph.tensor(op.inputs[1])
        if p is None or not p.is_const or p.dtype not in ("int32", "int64") or p.shape != (len(x.shape), 2):
            self.unsupported(op, graph, "paddings (constant [rank,2] expected)", None, p)
        if len(x.shape) > 4:
            self.unsupported(op, graph, "rank > 4", len(x.shape), x)
        pads = [[0, 0]] * (4 - len(x.shape)) + [[int(a), int(b)] for a, b in p.data]
        if any(v < 0 for pr in pads for v in pr):
            self.unsupported(op, graph, "negative padding", pads, p)
        return [v for pr in pads for v in pr]

    def _value(self, op, graph):
        x = graph.tensor(op.inputs[0])
        if op.kind == "PADV2" and len(op.inputs) > 2 and op.inputs[2] >= 0:
            v = graph.tensor(op.inputs[2])
            if not v.is_const or v.dtype != x.dtype or v.num_elements != 1:
                self.unsupported(op, graph, "constant_values", None, v)
            return v.data.reshape(-1)
        zero = int(x.zero_point[0]) if x.is_quantized and x.dtype in ("int8", "uint8", "int16") else 0
        return np.array([zero])

    def check(self, op, graph):
        x, y = graph.tensor(op.inputs[0]), graph.tensor(op.outputs[0])
        if y.dtype != x.dtype or x.dtype == "bool":
            self.unsupported(op, graph, "dtype", x.dtype, x)
        pads = self._pads(op, graph)
        exp = [d + pads[2 * i] + pads[2 * i + 1] for i, d in enumerate(dims4(x.shape))]
        if dims4(y.shape) != exp:
            self.unsupported(op, graph, "output shape", list(y.shape), y)
        self._value(op, graph)

    def emit(self, op, graph, ctx):
        x = graph.tensor(op.inputs[0])
        value = ctx.const("pad_value", self._value(op, graph), x.ctype)
        return (f"static const int32_t dims[4] = {c_int_array(dims4(x.shape))};\n"
                f"static const int32_t pads[8] = {c_int_array(self._pads(op, graph))};\n"
                + checked(ctx, f"lkws_pad_bytes({ctx.ref(x.index)}, dims, pads, {ctx.ref(op.outputs[0])}, {value}, sizeof({x.ctype}))"))
