"""DEQUANTIZE from int8 to float32: lkws_dequantize_s8_f32."""
from .. import quantization as qz
from . import _s8_common as s8
from .base import OpEmitter, c_float, checked, register


@register
class DequantizeS8(OpEmitter):
    kinds = ("DEQUANTIZE",)
    sources = ("lkws_dequantize_s8_f32.c",)
    headers = ("lkws/quantize.h",)

    def _parts(self, op, graph):
        x = s8.quantized(self, op, graph, op.inputs[0], "input")
        self.require_dtype(op, graph, op.outputs[0], ("float32",), "output")
        y = graph.tensor(op.outputs[0])
        if x.num_elements != y.num_elements:
            self.unsupported(op, graph, "output shape", list(y.shape), y)
        return x, y

    def check(self, op, graph):
        self._parts(op, graph)

    def emit(self, op, graph, ctx):
        x, y = self._parts(op, graph)
        n = x.num_elements
        return checked(ctx, f"lkws_dequantize_s8_f32({n}, {ctx.ref(x.index)}, {c_float(s8.scale(x))}, "
                            f"{s8.zero_point(x)}, {qz.dequantize_vector_count(n)}, {ctx.ref(y.index)})")
