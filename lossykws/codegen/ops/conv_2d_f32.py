"""CONV_2D in float32: filter [Cout, kh, kw, Cin] (OHWI), optional bias."""
from lossykws.codegen.ops._float_common import FloatEmitter, require_const_float, window_params
from lossykws.codegen.ops.base import register


@register
class Conv2dF32(FloatEmitter):
    kinds = ("CONV_2D",)
    sources = ("conv2d_f32.c", "fully_connected_f32.c")  # the latter: the GEMV dot product

    def check(self, op, graph):
        self.require_dtype(op, graph, op.outputs[0], ("float32",), "output")
        w = require_const_float(self, op, graph, op.inputs[1], "filter")
        if len(op.inputs) > 2 and op.inputs[2] >= 0:
            require_const_float(self, op, graph, op.inputs[2], "bias")
        x = graph.tensor(op.inputs[0])
        if len(w.shape) != 4 or len(x.shape) != 4 or w.shape[3] != x.shape[3]:
            self.unsupported(op, graph, "filter shape (grouped convolution?)", list(w.shape), w)
        window_params(op, graph, self, (w.shape[1], w.shape[2]), w.shape[0])

    def scratch_bytes(self, op, graph):
        w, y = graph.tensor(op.inputs[1]), graph.tensor(op.outputs[0])
        single = len(y.shape) == 4 and y.shape[0] * y.shape[1] * y.shape[2] == 1
        return 4 * w.shape[1] * w.shape[2] * w.shape[3] if single else 0

    def emit(self, op, graph, ctx):
        w = graph.tensor(op.inputs[1])
        p = window_params(op, graph, self, (w.shape[1], w.shape[2]), w.shape[0])
        bias = ctx.ref(op.inputs[2]) if len(op.inputs) > 2 and op.inputs[2] >= 0 else "NULL"
        scratch = f"(float *){ctx.scratch()}" if self.scratch_bytes(op, graph) else "NULL"
        return (f"static const lkws_window_params p = {p};\n"
                f"lkws_conv2d_f32(&p, {ctx.ref(op.inputs[0])}, {ctx.ref(w.index)}, {bias}, {ctx.ref(op.outputs[0])}, {scratch});")
