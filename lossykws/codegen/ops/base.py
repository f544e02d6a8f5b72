"""The emitter interface: one class per op kind, each reads options, checks shapes, emits C.

An emitter is a subclass of `OpEmitter` decorated with `@register`. Every module in
`lossykws.codegen.ops` is imported by `load_emitters()`, so adding an op is adding one file.

# Contract (stable: other modules code against it)
- `kinds`: tuple of op kinds the class handles (builtin names like 'CONV_2D', or LCE custom codes
  like 'LceBconv2d'). One instance is registered per kind.
- `sources`: runtime C files (basenames under firmware/src/) the emitted code calls; the project
  writer copies exactly the union of these (plus their headers, all of firmware/include/lkws/).
- `check(op, graph)`: raise `UnsupportedOp` (via `self.unsupported(...)`) for any option, dtype or
  shape the emitter cannot handle. Called for every op before any file is written. Must not
  depend on `ctx`.
- `emit(op, graph, ctx) -> str`: C statements (one or more lines, no trailing function) placed in
  `model_invoke`'s body, in schedule order. In scope there: `uint8_t *arena`. A statement may
  `return <nonzero>;` on a runtime error (use `ctx.fail_code`).

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
with `ctx.scratch()` (a `uint8_t *` expression).
"""
import importlib
import pkgutil

from ...errors import LossykwsError

REGISTRY = {}


class UnsupportedOp(LossykwsError):
    """An op, option, dtype or shape the generator cannot emit; one line naming op, option, tensor."""


class OpEmitter:
    kinds = ()
    sources = ()

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
    """Class decorator: register one instance of `cls` for each of its kinds."""
    inst = cls()
    for kind in cls.kinds:
        if kind in REGISTRY:
            raise RuntimeError(f"two emitters for {kind}: {REGISTRY[kind]!r} and {cls!r}")
        REGISTRY[kind] = inst
    return cls


_loaded = False


def load_emitters():
    """Import every module of lossykws.codegen.ops (each registers its emitters); return REGISTRY."""
    global _loaded
    if not _loaded:
        from .. import ops as package

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
    return reg[op.kind]
