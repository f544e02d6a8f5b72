"""The emitter interface: one class per op kind, each reads options, checks shapes, emits C.

An emitter is a subclass of `OpEmitter` decorated with `@register`. Every module in
`lossykws.codegen.ops` is imported by `load_emitters()`, so adding an op is adding one file.

# Contract (stable: other modules code against it)
- `kinds`: tuple of op kinds the class handles (builtin names like 'CONV_2D', or LCE custom codes
  like 'LceBconv2d'). One instance is registered per kind.
- `sources`: runtime C files (basenames under firmware/src/, `lkws_<op>[_<variant>][_<dtype>].c`) the
  emitted code calls; the project writer copies exactly the union of these (plus all of
  firmware/include/lkws/).
- `headers`: headers (paths under firmware/include/, e.g. 'lkws/bconv2d.h', one per op family)
  model.c must include.
- `handles(op, graph) -> bool`: several emitters may register the same kind (e.g. CONV_2D in
  float32 and in int8, in different files); the first whose `handles` is true is used. Default:
  true. Typically tests the dtype of the op's first input or output.
- `check(op, graph)`: raise `UnsupportedOp` (via `self.unsupported(...)`) for any option, dtype or
  shape the emitter cannot handle. Called for every op before any file is written. Must not
  depend on `ctx`.
- `emit(op, graph, ctx) -> str`: C statements (one or more lines, no trailing function) placed in
  `model_invoke`'s body, in schedule order. In scope there: `uint8_t *arena`. Every kernel returns
  an lkws_status_t: wrap each call in `checked(ctx, call)`, which returns `ctx.fail_code` from
  model_invoke when the kernel refuses its arguments.

`ctx` (an `EmitContext`, built by the project writer) gives:
- `ctx.ref(tensor_index)`: a C pointer expression of the tensor's element type, e.g.
  `((float *)(arena + 1024))` for an arena tensor or `t12_weights` (a `static const float[]`
  defined in model_data.c, declared in model_data.h) for a constant.
- `ctx.const(name_hint, array, ctype)`: registers an extra 16-byte aligned const array (e.g.
  per-channel multipliers computed at export time) and returns its C name. `array` is any numpy
  array; it is cast to `ctype` ('float', 'int32_t', 'int8_t', 'int16_t', 'uint8_t', 'int64_t').
- `ctx.op_index`: the schedule index of the op being emitted; `ctx.fail_code` = op_index + 1.

Emitted code must be C99, warning-free under -Wall -Wextra -Werror, with no malloc and no mutable
globals: scratch memory, if a kernel needs it, is a tensor-like arena region requested with
`scratch_bytes(op, graph)` (the planner allocates it for the op's lifetime) and reached in emit
with `ctx.scratch()` (a `uint8_t *` expression). Its size is the kernel's `*_SCRATCH_BYTES` macro
(firmware/include/lkws/), evaluated with `scratch_macro` (codegen/c_macros.py), never a formula of
its own; `scratch_check` puts a compile-time check of the same macro in the emitted code.
"""
import importlib
import pkgutil

from lossykws.errors import LossykwsError

REGISTRY = {}


class UnsupportedOp(LossykwsError):
    """An op, option, dtype or shape the generator cannot emit; one line naming op, option, tensor."""


class OpEmitter:
    kinds = ()
    sources = ()
    headers = ()

    def handles(self, op, graph):
        """Whether this emitter is the one for `op` (when several register its kind)."""
        return True

    def check(self, op, graph):
        """Raise UnsupportedOp for what emit cannot handle. Default: accept."""

    def emit(self, op, graph, ctx):
        raise NotImplementedError

    def scratch_bytes(self, op, graph):
        """Bytes of arena scratch the op needs while it runs (0: none)."""
        return 0

    # Helpers shared by emitters.
    def unsupported(self, op, graph, option, value=None, tensor=None):
        """Raise UnsupportedOp: 'op 3 (LceBconv2d): option X=Y not supported (tensor 'name')'."""
        raise UnsupportedOp(describe_unsupported(op, graph, option, value, tensor))

    def require_dtype(self, op, graph, tensor_index, allowed, role="input"):
        t = graph.tensor(tensor_index)
        if t is None or t.dtype not in allowed:
            dt = None if t is None else t.dtype
            self.unsupported(op, graph, f"{role} dtype", dt, t)


def describe_unsupported(op, graph, option, value=None, tensor=None):
    if tensor is None and op.outputs:
        tensor = graph.tensor(op.outputs[0])
    what = option if value is None else f"{option}={value}"
    where = f" (tensor {tensor.index} '{tensor.name}')" if tensor is not None else ""
    return f"op {op.index} ({op.kind}): {what} not supported{where}"


def register(cls):
    """Class decorator: register one instance of `cls` for each of its kinds (REGISTRY maps a
    kind to a list of emitters, tried in order with `handles`)."""
    inst = cls()
    for kind in cls.kinds:
        REGISTRY.setdefault(kind, []).append(inst)
    return cls


_loaded = False


def load_emitters():
    """Import every module of lossykws.codegen.ops (each registers its emitters); return REGISTRY."""
    global _loaded
    if not _loaded:
        from lossykws.codegen import ops as package

        for mod in pkgutil.iter_modules(package.__path__):
            if mod.name != "base":
                importlib.import_module(f"{package.__name__}.{mod.name}")
        _loaded = True
    return REGISTRY


def emitter_for(op, graph):
    """The emitter for `op`, or UnsupportedOp naming the op kind."""
    reg = load_emitters()
    if op.kind not in reg:
        raise UnsupportedOp(describe_unsupported(op, graph, "op kind"))
    for em in reg[op.kind]:
        if em.handles(op, graph):
            return em
    dtypes = ",".join(t.dtype for t in graph.op_inputs(op)[:1] + graph.op_outputs(op)[:1] if t is not None)
    raise UnsupportedOp(describe_unsupported(op, graph, "dtype", dtypes))


def another_emitter_handles(emitter, op, graph):
    """Whether an emitter other than `emitter` registered for op.kind accepts op: generic
    (any-dtype) emitters yield to a dtype-specific one with this in their `handles`."""
    return any(em is not emitter and em.handles(op, graph) for em in REGISTRY.get(op.kind, []))


# Geometry and activation helpers shared by emitters.

def dims4(shape):
    """A shape of rank <= 4 padded with leading 1s."""
    return [1] * (4 - len(shape)) + [int(d) for d in shape]


def same_or_valid(padding, in_size, filter_size, stride, dilation):
    """(out_size, pad_before) as TFLite computes them; padding is 'SAME' or 'VALID'."""
    eff = (filter_size - 1) * dilation + 1
    if padding == "SAME":
        out = (in_size + stride - 1) // stride
    else:
        out = (in_size - eff + stride) // stride
    total = max((out - 1) * stride + eff - in_size, 0)
    return out, total // 2


FLOAT_ACTIVATIONS = {
    "NONE": ("-INFINITY", "INFINITY"),
    "RELU": ("0.0f", "INFINITY"),
    "RELU6": ("0.0f", "6.0f"),
    "RELU_N1_TO_1": ("-1.0f", "1.0f"),
}


def float_activation(op, graph, name):
    """C expressions (min, max) of a fused activation on float output, or UnsupportedOp."""
    if name not in FLOAT_ACTIVATIONS:
        raise UnsupportedOp(describe_unsupported(op, graph, "fused_activation_function", name))
    return FLOAT_ACTIVATIONS[name]


def c_float(x):
    """An exact C literal for a float32 value."""
    import math

    x = float(x)
    if math.isnan(x):
        return "NAN"
    if math.isinf(x):
        return "INFINITY" if x > 0 else "-INFINITY"
    if x == int(x) and abs(x) < 1 << 24:
        return f"{x:.1f}f"
    mantissa, exponent = x.hex().split("p")
    return f"{mantissa.rstrip('0').rstrip('.')}p{exponent}f"  # 0x1.96a3b6p-2f


def c_struct(fields):
    """A C99 designated initializer from (name, value) pairs: {.batches = 1, .in_h = 8, ...}."""
    return "{" + ", ".join(f".{k} = {v}" for k, v in fields) + "}"


def checked(ctx, call):
    """A kernel call (C expression, no semicolon) that makes model_invoke return the op's failure
    code when the kernel returns anything but LKWS_OK."""
    return f"if ({call} != LKWS_OK) {{\n    return {ctx.fail_code};\n}}"


def c_int_array(values):
    return "{" + ", ".join(str(int(v)) for v in values) + "}"
