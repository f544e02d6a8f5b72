"""MUL in float32 with broadcasting (rank <= 4) and a fused activation."""
from lossykws.codegen.ops.add_f32 import AddF32
from lossykws.codegen.ops.base import register


@register
class MulF32(AddF32):
    kinds = ("MUL",)
    sources = ("lkws_mul_f32.c",)
    function = "lkws_mul_f32"
