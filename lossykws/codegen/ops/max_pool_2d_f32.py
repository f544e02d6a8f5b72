"""MAX_POOL_2D in float32 (taps outside the image are skipped)."""
from ._float_common import FloatEmitter, window_params
from .base import checked, register


@register
class MaxPool2dF32(FloatEmitter):
    kinds = ("MAX_POOL_2D",)
    sources = ("lkws_max_pool2d_f32.c",)
    headers = ("lkws/pool2d.h",)
    function = "lkws_max_pool2d_f32"

    def _params(self, op, graph):
        o = op.options
        x = graph.tensor(op.inputs[0])
        return window_params(op, graph, self, (o.get("filter_height", 0), o.get("filter_width", 0)),
                             x.shape[3] if len(x.shape) == 4 else -1)

    def check(self, op, graph):
        self.require_dtype(op, graph, op.outputs[0], ("float32",), "output")
        self._params(op, graph)

    def emit(self, op, graph, ctx):
        return (f"static const lkws_window_params p = {self._params(op, graph)};\n"
                + checked(ctx, f"{self.function}(&p, {ctx.ref(op.inputs[0])}, {ctx.ref(op.outputs[0])})"))
