"""FULLY_CONNECTED in int8 (int8 weights, per-tensor or per-output scales, int32 bias):
lkws_fully_connected_s8. The input is flattened to [batches, depth]."""
import numpy as np

from .. import quantization as qz
from . import _s8_common as s8
from .base import checked, register


@register
class FullyConnectedS8(s8.Int8Emitter):
    kinds = ("FULLY_CONNECTED",)
    sources = ("lkws_fully_connected_s8.c",)
    headers = ("lkws/fully_connected.h",)

    def _parts(self, op, graph):
        x, y = self.input_output(op, graph)
        w = s8.quantized(self, op, graph, op.inputs[1], "weights", per_tensor=False)
        if not w.is_const or len(w.shape) != 2 or w.shape[1] == 0 or x.num_elements % w.shape[1]:
            self.unsupported(op, graph, "weights (constant [units, depth] expected)", list(w.shape), w)
        if w.zero_point is not None and np.any(np.asarray(w.zero_point) != 0):
            self.unsupported(op, graph, "weights zero point (0 expected)", list(w.zero_point), w)
        if op.options.get("weights_format", 0) not in (0, "DEFAULT"):
            self.unsupported(op, graph, "option weights_format", op.options.get("weights_format"))
        units, depth = w.shape
        s8.check_bias(self, op, graph, units)
        if y.num_elements != x.num_elements // depth * units:
            self.unsupported(op, graph, "output shape", list(y.shape), y)
        if len(w.scale) == 1:
            m, s = qz.fully_connected_multiplier(s8.scale(x), float(w.scale[0]), s8.scale(y))
            mult, shift, per_channel = np.array([m]), np.array([s]), 0
        elif len(w.scale) == units:
            mult, shift = qz.conv_multipliers(s8.scale(x), w.scale, s8.scale(y))
            per_channel = 1
        else:
            self.unsupported(op, graph, "weights scales", len(w.scale), w)
        s8.check_shift_range(self, op, graph, shift, w)
        lo, hi = s8.activation(self, op, graph, y)
        return x, w, y, mult, shift, per_channel, lo, hi

    def emit(self, op, graph, ctx):
        x, w, y, mult, shift, per_channel, lo, hi = self._parts(op, graph)
        units, depth = w.shape
        bias = s8.bias_ref(op, ctx)
        m, s = s8.requantize_consts(ctx, mult, shift)
        return "\n".join([
            f"static const lkws_fc_s8_params p = {{{-s8.zero_point(x)}, {s8.zero_point(y)}, {lo}, {hi}, {per_channel}, "
            f"{qz.fully_connected_half_up_outputs(units)}}};",
            checked(ctx, f"lkws_fully_connected_s8(&p, {x.num_elements // depth}, {depth}, {units}, "
                         f"{ctx.ref(x.index)}, {ctx.ref(w.index)}, {bias}, {m}, {s}, {ctx.ref(y.index)})"),
        ])
