"""RESHAPE (and Flatten) for any element type: the bytes do not change, so it is a copy between
arena slots."""
from .base import OpEmitter, register


@register
class Reshape(OpEmitter):
    kinds = ("RESHAPE",)

    def check(self, op, graph):
        x, y = graph.tensor(op.inputs[0]), graph.tensor(op.outputs[0])
        if x.dtype != y.dtype or x.num_elements != y.num_elements:
            self.unsupported(op, graph, "shape", f"{list(x.shape)}->{list(y.shape)}", y)

    def emit(self, op, graph, ctx):
        x = graph.tensor(op.inputs[0])
        return f"memcpy({ctx.ref(op.outputs[0])}, {ctx.ref(x.index)}, {x.nbytes});"
