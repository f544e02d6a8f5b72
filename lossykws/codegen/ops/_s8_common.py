"""Helpers shared by the int8 builtin emitters (not an emitter module itself).

The int8 kernels are firmware/src/lkws_*_s8.c (one header per op family); their parameters come from
lossykws.codegen.quantization, which derives them exactly as the interpreter's kernels do.
"""
from lossykws.codegen import quantization as qz
from lossykws.codegen.ops.base import OpEmitter, UnsupportedOp, describe_unsupported, dims4

def is_int8_op(op, graph):
    """The op reads an int8 tensor first (the dtype H1's float emitters leave to these)."""
    t = graph.tensor(op.inputs[0]) if op.inputs else None
    return t is not None and t.dtype == "int8"


class Int8Emitter(OpEmitter):
    """Base of the int8 builtin emitters: takes the ops whose first input is int8, and checks an op
    by building what emit needs (`_parts(op, graph)`, defined by each subclass)."""

    def handles(self, op, graph):
        return is_int8_op(op, graph)

    def check(self, op, graph):
        self._parts(op, graph)

    def _parts(self, op, graph):
        raise NotImplementedError

    def input_output(self, op, graph):
        """The op's first input and first output, each a per-tensor quantized int8 tensor."""
        return (quantized(self, op, graph, op.inputs[0], "input"),
                quantized(self, op, graph, op.outputs[0], "output"))


def c_shape(name, shape):
    """A `static const lkws_s8_shape` declaration for a shape of rank <= 4."""
    n, h, w, c = dims4(shape)
    return f"static const lkws_s8_shape {name} = {{{n}, {h}, {w}, {c}}};"


def quantized(emitter, op, graph, index, role, per_tensor=True):
    """The int8 tensor at index with (per-tensor) scale and zero point, or UnsupportedOp."""
    t = graph.tensor(index)
    if t is None or t.dtype != "int8":
        emitter.unsupported(op, graph, f"{role} dtype (int8 expected)", None if t is None else t.dtype, t)
    if not t.is_quantized:
        emitter.unsupported(op, graph, f"{role} quantization (none)", None, t)
    if per_tensor and len(t.scale) != 1:
        emitter.unsupported(op, graph, f"{role} per-channel quantization", len(t.scale), t)
    if not all(float(s) > 0 for s in t.scale):
        emitter.unsupported(op, graph, f"{role} scale", list(t.scale), t)
    return t


def scale(t):
    return float(t.scale[0])


def zero_point(t):
    return int(t.zero_point[0]) if t.zero_point is not None and len(t.zero_point) else 0


def activation(emitter, op, graph, out):
    """(act_min, act_max) of the op's fused activation in the output's int8 domain."""
    name = op.options.get("fused_activation_function", "NONE") or "NONE"
    try:
        return qz.activation_range(name, scale(out), zero_point(out))
    except ValueError:
        raise UnsupportedOp(describe_unsupported(op, graph, "fused_activation_function", name)) from None


def has_bias(op):
    return len(op.inputs) > 2 and op.inputs[2] >= 0


def check_bias(emitter, op, graph, n):
    """The optional third input: a constant int32 bias of n elements, or UnsupportedOp."""
    if has_bias(op):
        b = graph.tensor(op.inputs[2])
        if not b.is_const or b.dtype != "int32" or b.num_elements != n:
            emitter.unsupported(op, graph, "bias (constant int32 expected)", b.dtype, b)


def bias_ref(op, ctx):
    return ctx.ref(op.inputs[2]) if has_bias(op) else "NULL"


def requantize_consts(ctx, mult, shift):
    """C names of the per-channel multiplier and shift arrays."""
    return ctx.const("multiplier", mult, "int32_t"), ctx.const("shift", shift, "int32_t")


def check_shift_range(emitter, op, graph, shifts, tensor):
    for s in shifts:
        if not -31 <= int(s) <= 30:
            emitter.unsupported(op, graph, "rescale multiplier out of range (shift)", int(s), tensor)
