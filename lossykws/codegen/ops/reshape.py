"""RESHAPE (and Flatten) for any element type: the bytes do not change. The planner gives the
output the input's arena slot (project.reshape_aliases), so nothing runs; a copy remains only
where the two differ (a constant input)."""
from lossykws.codegen.ops.base import OpEmitter, register


@register
class Reshape(OpEmitter):
    kinds = ("RESHAPE",)

    def check(self, op, graph):
        x, y = graph.tensor(op.inputs[0]), graph.tensor(op.outputs[0])
        if x.dtype != y.dtype or x.num_elements != y.num_elements:
            self.unsupported(op, graph, "shape", f"{list(x.shape)}->{list(y.shape)}", y)

    def emit(self, op, graph, ctx):
        x = graph.tensor(op.inputs[0])
        src, dst = ctx.ref(x.index), ctx.ref(op.outputs[0])
        if src == dst:
            return "/* in place: the output shares the input's bytes */"
        return f"memcpy({dst}, {src}, {x.nbytes});"
