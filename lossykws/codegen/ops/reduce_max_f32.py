"""REDUCE_MAX in float32 over constant axes (GlobalMaxPooling2D)."""
from lossykws.codegen.ops.base import register
from lossykws.codegen.ops.mean_f32 import MeanF32


@register
class ReduceMaxF32(MeanF32):
    kinds = ("REDUCE_MAX",)
    sources = ("lkws_reduce_max_f32.c",)
    function = "lkws_reduce_max_f32"
