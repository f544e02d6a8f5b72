"""MAX_POOL_2D and AVERAGE_POOL_2D in int8 (input and output share scale and zero point):
lkws_max_pool2d_s8, lkws_avg_pool2d_s8."""
from . import _s8_common as s8
from .base import checked, register, same_or_valid


class _PoolS8(s8.Int8Emitter):
    headers = ("lkws/pool2d.h",)
    function = ""

    def _parts(self, op, graph):
        x, y = self.input_output(op, graph)
        if s8.scale(x) != s8.scale(y) or s8.zero_point(x) != s8.zero_point(y):
            self.unsupported(op, graph, "output quantization differs from the input's", None, y)
        o = op.options
        if len(x.shape) != 4 or len(y.shape) != 4:
            self.unsupported(op, graph, "rank", len(x.shape), x)
        pad = o.get("padding")
        if pad not in ("SAME", "VALID"):
            self.unsupported(op, graph, "option padding", pad)
        vals = [o.get(k) for k in ("stride_h", "stride_w", "filter_height", "filter_width")]
        if not all(isinstance(v, int) and v >= 1 for v in vals):
            self.unsupported(op, graph, "strides/filter", vals)
        sh, sw, fh, fw = vals
        oh, pt = same_or_valid(pad, x.shape[1], fh, sh, 1)
        ow, pl = same_or_valid(pad, x.shape[2], fw, sw, 1)
        if tuple(y.shape) != (x.shape[0], oh, ow, x.shape[3]):
            self.unsupported(op, graph, "output shape", list(y.shape), y)
        lo, hi = s8.activation(self, op, graph, y)
        return x, y, (sh, sw, fh, fw, pt, pl, lo, hi)

    def emit(self, op, graph, ctx):
        x, y, params = self._parts(op, graph)
        return "\n".join([
            "static const lkws_pool_s8_params p = {" + ", ".join(str(v) for v in params) + "};",
            s8.c_shape("xs", x.shape), s8.c_shape("ys", y.shape),
            checked(ctx, f"{self.function}(&p, &xs, {ctx.ref(x.index)}, &ys, {ctx.ref(y.index)})"),
        ])


@register
class MaxPool2dS8(_PoolS8):
    kinds = ("MAX_POOL_2D",)
    sources = ("lkws_max_pool2d_s8.c",)
    function = "lkws_max_pool2d_s8"


@register
class AveragePool2dS8(_PoolS8):
    kinds = ("AVERAGE_POOL_2D",)
    sources = ("lkws_avg_pool2d_s8.c",)
    function = "lkws_avg_pool2d_s8"
