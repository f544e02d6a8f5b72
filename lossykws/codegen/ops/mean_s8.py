"""MEAN in int8 over constant axes (GlobalAveragePooling2D): lkws_mean_s8, with the interpreter's
optimized path (4-D, axes {1, 2}, keep_dims) or reference path as quantization.mean_params picks."""
from .. import quantization as qz
from . import _s8_common as s8
from .base import checked, register


@register
class MeanS8(s8.Int8Emitter):
    kinds = ("MEAN",)
    sources = ("lkws_mean_s8.c",)
    headers = ("lkws/reduce.h",)

    def _parts(self, op, graph):
        x, y = self.input_output(op, graph)
        axes = graph.tensor(op.inputs[1])
        if axes is None or not axes.is_const or axes.dtype not in ("int32", "int64"):
            self.unsupported(op, graph, "non-constant axes", None, axes)
        rank = len(x.shape)
        if not 1 <= rank <= 4:
            self.unsupported(op, graph, "rank", rank, x)
        try:
            p = qz.mean_params(rank, axes.data.reshape(-1).tolist(), bool(op.options.get("keep_dims")), x.shape,
                               s8.scale(x), s8.zero_point(x), s8.scale(y), s8.zero_point(y))
        except ValueError as e:
            self.unsupported(op, graph, "axes", str(e), axes)
        kept = 1
        for d, n in enumerate(s8.dims4(x.shape)):
            kept *= 1 if (p["axis_mask"] >> d) & 1 else n
        if y.num_elements != kept:
            self.unsupported(op, graph, "output shape", list(y.shape), y)
        s8.check_shift_range(self, op, graph, [p["shift"]], y)
        return x, y, p

    def emit(self, op, graph, ctx):
        x, y, p = self._parts(op, graph)
        fields = ", ".join(str(p[k]) for k in ("axis_mask", "multiplier", "shift", "sum_offset", "output_offset",
                                               "half_up_channels"))
        return "\n".join([
            f"static const lkws_mean_s8_params p = {{{fields}}};",
            s8.c_shape("xs", x.shape),
            checked(ctx, f"lkws_mean_s8(&p, &xs, {ctx.ref(x.index)}, {ctx.ref(y.index)})"),
        ])
