"""LceDequantize: bitpacked int32 -> float32 (+-1.0) or int8 (the codes of +-1: zero point +- the
rounded reciprocal of the scale, saturated, as LCE computes them)."""
import math

from .base import OpEmitter, checked, register


def _round_half_away(x):
    return int(math.floor(x + 0.5)) if x >= 0 else -int(math.floor(-x + 0.5))


@register
class LceDequantize(OpEmitter):
    kinds = ("LceDequantize",)
    sources = ("lkws_lce_dequantize_f32.c", "lkws_lce_dequantize_s8.c")
    headers = ("lkws/lce_quantize.h",)

    def check(self, op, graph):
        self.require_dtype(op, graph, op.inputs[0], ("int32",))
        self.require_dtype(op, graph, op.outputs[0], ("float32", "int8"), "output")
        x, y = graph.tensor(op.inputs[0]), graph.tensor(op.outputs[0])
        if not y.shape or x.shape[:-1] != y.shape[:-1] or x.shape[-1] != (y.shape[-1] + 31) // 32:
            self.unsupported(op, graph, "shape", f"{list(x.shape)}->{list(y.shape)}", y)
        if y.dtype == "int8" and not y.is_quantized:
            self.unsupported(op, graph, "int8 output without quantization", None, y)

    def emit(self, op, graph, ctx):
        y = graph.tensor(op.outputs[0])
        channels = y.shape[-1]
        rows = y.num_elements // channels if channels else 0
        src, dst = ctx.ref(op.inputs[0]), ctx.ref(y.index)
        if y.dtype == "float32":
            return checked(ctx, f"lkws_lce_dequantize_f32({src}, {dst}, {rows}, {channels})")
        import numpy as np

        offset = _round_half_away(float(np.float32(1.0) / np.float32(y.scale[0])))
        zp = int(y.zero_point[0])
        zero_value, one_value = min(127, zp + offset), max(-128, zp - offset)
        return checked(ctx, f"lkws_lce_dequantize_s8({src}, {dst}, {rows}, {channels}, {zero_value}, {one_value})")
