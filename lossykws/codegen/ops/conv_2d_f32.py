"""CONV_2D in float32: filter [Cout, kh, kw, Cin] (OHWI), optional bias."""
from ..runtime import macro_value, scratch_check
from ._float_common import FloatEmitter, require_const_float, window_params
from .base import checked, register

SCRATCH = "LKWS_CONV2D_F32_SCRATCH_BYTES"


@register
class Conv2dF32(FloatEmitter):
    kinds = ("CONV_2D",)
    sources = ("lkws_conv2d_f32.c", "lkws_dot_gemv4_f32.c")  # the latter: the GEMV dot product
    headers = ("lkws/conv2d.h",)

    def check(self, op, graph):
        self.require_dtype(op, graph, op.outputs[0], ("float32",), "output")
        w = require_const_float(self, op, graph, op.inputs[1], "filter")
        if len(op.inputs) > 2 and op.inputs[2] >= 0:
            require_const_float(self, op, graph, op.inputs[2], "bias")
        x = graph.tensor(op.inputs[0])
        if len(w.shape) != 4 or len(x.shape) != 4 or w.shape[3] != x.shape[3]:
            self.unsupported(op, graph, "filter shape (grouped convolution?)", list(w.shape), w)
        window_params(op, graph, self, (w.shape[1], w.shape[2]), w.shape[0])

    def _scratch_args(self, op, graph):
        """The scratch macro's arguments when the kernel takes its single-pixel path, else None."""
        w, y = graph.tensor(op.inputs[1]), graph.tensor(op.outputs[0])
        single = len(y.shape) == 4 and y.shape[0] * y.shape[1] * y.shape[2] == 1
        return (w.shape[1], w.shape[2], w.shape[3]) if single else None

    def scratch_bytes(self, op, graph):
        args = self._scratch_args(op, graph)
        return macro_value(SCRATCH, *args) if args else 0

    def emit(self, op, graph, ctx):
        w = graph.tensor(op.inputs[1])
        p = window_params(op, graph, self, (w.shape[1], w.shape[2]), w.shape[0])
        bias = ctx.ref(op.inputs[2]) if len(op.inputs) > 2 and op.inputs[2] >= 0 else "NULL"
        args = self._scratch_args(op, graph)
        scratch = f"(float *){ctx.scratch()}" if args else "NULL"
        check = scratch_check(SCRATCH, args, self.scratch_bytes(op, graph)) + "\n" if args else ""
        return (f"static const lkws_window_params p = {p};\n" + check
                + checked(ctx, f"lkws_conv2d_f32(&p, {ctx.ref(op.inputs[0])}, {ctx.ref(w.index)}, {bias}, "
                               f"{ctx.ref(op.outputs[0])}, {scratch})"))
