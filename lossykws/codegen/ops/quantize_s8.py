"""QUANTIZE to int8, from float32 (lkws_quantize_f32_s8) or from int8 (requantize,
lkws_requantize_s8)."""
from .. import quantization as qz
from . import _s8_common as s8
from .base import OpEmitter, c_float, checked, register


@register
class QuantizeS8(OpEmitter):
    kinds = ("QUANTIZE",)
    sources = ("lkws_quantize_f32_s8.c", "lkws_requantize_s8.c")
    headers = ("lkws/quantize.h",)

    def _parts(self, op, graph):
        x = graph.tensor(op.inputs[0])
        y = s8.quantized(self, op, graph, op.outputs[0], "output")
        if x is None or x.dtype not in ("float32", "int8"):
            self.unsupported(op, graph, "input dtype", None if x is None else x.dtype, x)
        if x.dtype == "int8":
            s8.quantized(self, op, graph, op.inputs[0], "input")
        if x.num_elements != y.num_elements:
            self.unsupported(op, graph, "output shape", list(y.shape), y)
        return x, y

    def check(self, op, graph):
        x, y = self._parts(op, graph)
        if x.dtype == "int8":
            s8.check_shift_range(self, op, graph, [qz.requantize_params(s8.scale(x), s8.scale(y))[1]], y)

    def emit(self, op, graph, ctx):
        x, y = self._parts(op, graph)
        n = y.num_elements
        if x.dtype == "float32":
            expr = (f"lkws_quantize_f32_s8({n}, {ctx.ref(x.index)}, {c_float(s8.scale(y))}, {s8.zero_point(y)}, "
                    f"{qz.quantize_vector_count(n)}, {ctx.ref(y.index)})")
        else:
            m, s = qz.requantize_params(s8.scale(x), s8.scale(y))
            expr = (f"lkws_requantize_s8({n}, {ctx.ref(x.index)}, {s8.zero_point(x)}, {m}, {s}, {s8.zero_point(y)}, "
                    f"{qz.requantize_half_up_count(n)}, {ctx.ref(y.index)})")
        return checked(ctx, expr)
