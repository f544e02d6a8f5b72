"""CONCATENATION along any axis, any element type (int8 inputs must share the output's scale and
zero point, as Keras models converted with fake-quant ranges have them); no fused activation."""
import numpy as np

from .base import OpEmitter, another_emitter_handles, checked, register


@register
class Concatenation(OpEmitter):
    kinds = ("CONCATENATION",)
    sources = ("lkws_concat_bytes.c",)
    headers = ("lkws/concat.h",)

    def handles(self, op, graph):
        # Generic; an int8-specific CONCATENATION emitter, if one is registered, takes int8.
        y = graph.tensor(op.outputs[0]) if op.outputs else None
        return not (y is not None and y.dtype == "int8" and another_emitter_handles(self, op, graph))

    def _axis(self, op, graph):
        y = graph.tensor(op.outputs[0])
        axis = op.options.get("axis")
        if not isinstance(axis, int) or not -len(y.shape) <= axis < len(y.shape):
            self.unsupported(op, graph, "option axis", axis, y)
        return axis % len(y.shape)

    def check(self, op, graph):
        y = graph.tensor(op.outputs[0])
        act = op.options.get("fused_activation_function", "NONE")
        if act != "NONE":
            self.unsupported(op, graph, "fused_activation_function", act, y)
        axis = self._axis(op, graph)
        total = 0
        for t in graph.op_inputs(op):
            if t is None or t.dtype != y.dtype or len(t.shape) != len(y.shape):
                self.unsupported(op, graph, "input", None if t is None else f"{t.dtype}{list(t.shape)}", t or y)
            if any(a != b for k, (a, b) in enumerate(zip(t.shape, y.shape)) if k != axis):
                self.unsupported(op, graph, "input shape", list(t.shape), t)
            if y.is_quantized and (not t.is_quantized or not np.array_equal(t.scale, y.scale)
                                   or not np.array_equal(t.zero_point, y.zero_point)):
                self.unsupported(op, graph, "input quantization differing from the output's", None, t)
            total += t.shape[axis]
        if total != y.shape[axis]:
            self.unsupported(op, graph, "output shape", list(y.shape), y)

    def emit(self, op, graph, ctx):
        y = graph.tensor(op.outputs[0])
        axis = self._axis(op, graph)
        outer = int(np.prod(y.shape[:axis], dtype=np.int64))
        ins = graph.op_inputs(op)
        inner = [int(np.prod(t.shape[axis:], dtype=np.int64)) * t.itemsize for t in ins]
        ptrs = ", ".join(f"(const void *){ctx.ref(t.index)}" for t in ins)
        return (f"const void *const inputs[{len(ins)}] = {{{ptrs}}};\n"
                f"static const int32_t inner_bytes[{len(ins)}] = {{{', '.join(map(str, inner))}}};\n"
                + checked(ctx, f"lkws_concat_bytes(inputs, inner_bytes, {len(ins)}, {outer}, {ctx.ref(y.index)})"))
