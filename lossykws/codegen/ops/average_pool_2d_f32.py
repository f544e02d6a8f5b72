"""AVERAGE_POOL_2D in float32 (divides by the taps inside the image, like TFLite)."""
from lossykws.codegen.ops.base import register
from lossykws.codegen.ops.max_pool_2d_f32 import MaxPool2dF32


@register
class AveragePool2dF32(MaxPool2dF32):
    kinds = ("AVERAGE_POOL_2D",)
    sources = ("lkws_avg_pool2d_f32.c",)
    function = "lkws_avg_pool2d_f32"
