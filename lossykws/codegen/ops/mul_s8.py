"""MUL in int8 with broadcasting (rank <= 4) and a fused activation: lkws_mul_s8."""
from lossykws.codegen import quantization as qz
from lossykws.codegen.ops import _s8_common as s8
from lossykws.codegen.ops.add_s8 import BroadcastS8
from lossykws.codegen.ops.base import register


@register
class MulS8(BroadcastS8):
    kinds = ("MUL",)
    sources = ("lkws_mul_s8.c",)
    function = "lkws_mul_s8"
    order = ("input1_offset", "input2_offset", "output_multiplier", "output_shift", "output_offset", "act_min",
             "act_max", "vector_run", "vector_mode")

    def _params(self, op, graph, a, b, y):
        p = qz.mul_params(s8.scale(a), s8.zero_point(a), s8.scale(b), s8.zero_point(b), s8.scale(y), s8.zero_point(y))
        s8.check_shift_range(self, op, graph, [p["output_shift"]], y)
        return p
