"""DEPTHWISE_CONV_2D in int8 (per-channel filter scales, int32 bias): lkws_depthwise_conv2d_s8."""
from lossykws.codegen import quantization as qz
from lossykws.codegen.ops import _s8_common as s8
from lossykws.codegen.ops.base import register
from lossykws.codegen.ops.conv_2d_s8 import Conv2dS8, conv_geometry, filter_and_bias, multipliers


@register
class DepthwiseConv2dS8(Conv2dS8):
    kinds = ("DEPTHWISE_CONV_2D",)
    sources = ("lkws_depthwise_conv2d_s8.c",)
    function = "lkws_depthwise_conv2d_s8"

    def _parts(self, op, graph):
        x, y = self.input_output(op, graph)
        wt = graph.tensor(op.inputs[1])
        if wt is None or len(wt.shape) != 4 or wt.shape[0] != 1 or len(x.shape) != 4:
            self.unsupported(op, graph, "filter shape", None if wt is None else list(wt.shape), wt)
        out_c = wt.shape[3]
        mult_opt = op.options.get("depth_multiplier", 1) or out_c // max(x.shape[3], 1)
        if out_c != x.shape[3] * mult_opt:
            self.unsupported(op, graph, "option depth_multiplier", mult_opt, wt)
        w = filter_and_bias(self, op, graph, out_c)
        geo = conv_geometry(self, op, graph, w.shape[1], w.shape[2], out_c)
        lo, hi = s8.activation(self, op, graph, y)
        mult, shift = multipliers(self, op, graph, x, w, y, out_c)
        return x, w, y, geo, mult_opt, lo, hi, mult, shift, qz.depthwise_half_up_channels(out_c)
