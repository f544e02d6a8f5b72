"""LceQuantize: float32 or int8 -> bitpacked int32 along the last axis (bit set where x < 0, or
x < zero point for int8)."""
from .base import OpEmitter, checked, register


@register
class LceQuantize(OpEmitter):
    kinds = ("LceQuantize",)
    sources = ("lkws_lce_quantize_f32.c", "lkws_lce_quantize_s8.c")
    headers = ("lkws/lce_quantize.h",)

    def check(self, op, graph):
        self.require_dtype(op, graph, op.inputs[0], ("float32", "int8"))
        self.require_dtype(op, graph, op.outputs[0], ("int32",), "output")
        x, y = graph.tensor(op.inputs[0]), graph.tensor(op.outputs[0])
        if not x.shape or y.shape[:-1] != x.shape[:-1] or y.shape[-1] != (x.shape[-1] + 31) // 32:
            self.unsupported(op, graph, "shape", f"{list(x.shape)}->{list(y.shape)}", y)

    def emit(self, op, graph, ctx):
        x = graph.tensor(op.inputs[0])
        channels = x.shape[-1]
        rows = x.num_elements // channels if channels else 0
        if x.dtype == "float32":
            return checked(ctx, f"lkws_lce_quantize_f32({ctx.ref(x.index)}, {ctx.ref(op.outputs[0])}, {rows}, {channels})")
        zp = int(x.zero_point[0]) if x.is_quantized else 0
        return checked(ctx, f"lkws_lce_quantize_s8({ctx.ref(x.index)}, {ctx.ref(op.outputs[0])}, {rows}, {channels}, {zp})")
