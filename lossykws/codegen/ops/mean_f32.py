"""MEAN in float32 over constant axes (GlobalAveragePooling2D converts to MEAN over H, W)."""
from ._float_common import FloatEmitter
from .base import c_int_array, checked, dims4, register


@register
class MeanF32(FloatEmitter):
    kinds = ("MEAN",)
    sources = ("lkws_mean_f32.c",)
    headers = ("lkws/reduce.h",)
    function = "lkws_mean_f32"

    def _reduce(self, op, graph):
        x, axes = graph.tensor(op.inputs[0]), graph.tensor(op.inputs[1])
        if axes is None or not axes.is_const or axes.dtype not in ("int32", "int64"):
            self.unsupported(op, graph, "non-constant axes", None, axes)
        rank = len(x.shape)
        if rank > 4 or rank == 0:
            self.unsupported(op, graph, "rank", rank, x)
        flags = [0] * 4
        for a in axes.data.reshape(-1):
            a = int(a)
            if not -rank <= a < rank:
                self.unsupported(op, graph, "axis", a, axes)
            flags[(a % rank) + 4 - rank] = 1
        return flags

    def check(self, op, graph):
        self.require_dtype(op, graph, op.outputs[0], ("float32",), "output")
        flags = self._reduce(op, graph)
        x, y = graph.tensor(op.inputs[0]), graph.tensor(op.outputs[0])
        kept = 1
        for f, d in zip(flags, dims4(x.shape)):
            kept *= 1 if f else d
        if y.num_elements != kept:
            self.unsupported(op, graph, "output shape", list(y.shape), y)

    def emit(self, op, graph, ctx):
        x = graph.tensor(op.inputs[0])
        return (f"static const int32_t dims[4] = {c_int_array(dims4(x.shape))};\n"
                f"static const int32_t reduce[4] = {c_int_array(self._reduce(op, graph))};\n"
                + checked(ctx, f"{self.function}({ctx.ref(x.index)}, {ctx.ref(op.outputs[0])}, dims, reduce)"))
