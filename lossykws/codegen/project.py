"""Turn a Graph into a C project: model.c/.h, model_data.c/.h, model_settings.h, the runtime
sources the ops need, and the target's harness (host: main.c and a Makefile). Each model file
is its template in firmware/templates/model/ (the fixed C) with ${placeholders} filled by one
function (model_h, model_c, ...) from the variable parts: the emitters' op calls, the constant
arrays, the arena plan.

Every op is checked before anything is generated, and the project is written through
`atomic_dir`, so an unsupported op or a bad model leaves nothing behind.

# Example
```python
summary = export_project(Path("model.tflite"), Path("proj"), target="host")
summary["arena_bytes"], summary["const_bytes"]
```
"""
import hashlib
import json
import re
import string
from pathlib import Path
from typing import NamedTuple

import numpy as np

from lossykws import __version__
from lossykws import c_runtime
from lossykws.errors import LossykwsError
from lossykws.fsutil import atomic_dir, check_output_dir
from lossykws.codegen.ir import CTYPES
from lossykws.codegen.ops.base import UnsupportedOp, describe_unsupported, emitter_for, load_emitters
from lossykws.codegen.planner import plan_arena
from lossykws.codegen.reader import read_model

FIRMWARE = c_runtime.FIRMWARE
_CTYPE_NP = {"float": np.float32, "int32_t": np.int32, "int8_t": np.int8, "int16_t": np.int16,
             "uint8_t": np.uint8, "int64_t": np.int64, "bool": np.bool_}


def _ident(text):
    s = re.sub(r"[^0-9A-Za-z]+", "_", text).strip("_").lower()
    return s[:40] or "x"


def c_array_body(arr, ctype):
    """The initializer list of a flat numpy array, exact for every element type."""
    from lossykws.codegen.ops.base import c_float

    flat = np.asarray(arr).reshape(-1)
    if ctype == "float":
        items = [c_float(v) for v in flat.astype(np.float32)]
    elif ctype == "bool":
        items = ["true" if v else "false" for v in flat]
    else:
        vals = flat.astype(_CTYPE_NP[ctype])
        lo = {"int32_t": "(-2147483647 - 1)", "int64_t": "(-9223372036854775807LL - 1)"}
        items = []
        for v in vals:
            v = int(v)
            if ctype == "int32_t" and v == -(1 << 31):
                items.append(lo["int32_t"])
            elif ctype == "int64_t":
                items.append(lo["int64_t"] if v == -(1 << 63) else f"{v}LL")
            else:
                items.append(str(v))
    if not items:
        items = ["0"]
    lines = []
    for i in range(0, len(items), 12):
        lines.append("    " + ", ".join(items[i:i + 12]) + ",")
    return "\n".join(lines)


class EmitContext:
    """What an emitter may ask of the writer (see ops/base.py)."""

    def __init__(self, graph, plan):
        self.graph = graph
        self.plan = plan
        self.op_index = -1
        self.consts = {}  # C name -> (ctype, flat numpy array, comment)
        self._tensor_names = {}

    @property
    def fail_code(self):
        return self.op_index + 1

    def ref(self, tensor_index):
        t = self.graph.tensors[tensor_index]
        if t.is_const:
            if tensor_index not in self._tensor_names:
                name = f"t{tensor_index}_{_ident(t.name.split(';')[0].split('/')[-1])}"
                self._tensor_names[tensor_index] = name
                self.consts[name] = (t.ctype, t.data, f"tensor {tensor_index} '{t.name[:60]}' {t.dtype}{list(t.shape)}")
            return self._tensor_names[tensor_index]
        return f"(({t.ctype} *)(arena + {self.plan.offsets[tensor_index]}))"

    def const(self, name_hint, array, ctype):
        name = f"k{self.op_index}_{_ident(name_hint)}"
        base, n = name, 1
        while name in self.consts:
            n += 1
            name = f"{base}_{n}"
        arr = np.asarray(array).astype(_CTYPE_NP[ctype])
        self.consts[name] = (ctype, arr, f"op {self.op_index} {name_hint}")
        return name

    def scratch(self):
        return f"(arena + {self.plan.scratch_offsets[self.op_index]})"


def check_graph(graph):
    """Every op has an emitter that accepts it; every tensor read is written first. Raises."""
    produced = set(graph.inputs)
    emitters = []
    for op in graph.ops:
        for i in op.inputs:
            if i >= 0 and not graph.tensors[i].is_const and i not in produced:
                t = graph.tensors[i]
                raise LossykwsError(f"op {op.index} ({op.kind}) reads tensor {i} '{t.name}' that no earlier op writes")
        try:
            em = emitter_for(op, graph)
            em.check(op, graph)
        except LossykwsError:
            raise
        except Exception as e:  # a malformed op (wrong arity, odd shapes) the checks did not foresee
            raise UnsupportedOp(describe_unsupported(op, graph, f"malformed op ({type(e).__name__})")) from None
        produced.update(op.outputs)
        emitters.append(em)
    for i in graph.outputs:
        if i not in produced:
            raise LossykwsError(f"graph output tensor {i} '{graph.tensors[i].name}' is never written")
    return emitters


def reshape_aliases(graph):
    """{output: input} of RESHAPE ops whose input is not a constant: the same bytes, so the output
    shares the input's arena slot (see planner) and the op emits no copy."""
    return {op.outputs[0]: op.inputs[0] for op in graph.ops
            if op.kind == "RESHAPE" and op.inputs and op.inputs[0] >= 0 and not graph.tensors[op.inputs[0]].is_const
            and graph.tensors[op.inputs[0]].nbytes == graph.tensors[op.outputs[0]].nbytes}


def packed_channels(graph):
    """{tensor index: true channel count} for bitpacked int32 tensors (LCE ops' outputs)."""
    out = {}
    for op in graph.ops:
        if op.kind == "LceQuantize":
            out[op.outputs[0]] = graph.tensors[op.inputs[0]].shape[-1]
        elif op.kind == "LceBconv2d" and graph.tensors[op.outputs[0]].dtype == "int32":
            out[op.outputs[0]] = graph.tensors[op.inputs[1]].shape[0]
        elif op.kind == "LceBMaxPool2d" and op.inputs[0] in out:
            out[op.outputs[0]] = out[op.inputs[0]]
    return out


def _readers(graph):
    """{tensor index: the ops that read it, in schedule order}."""
    readers = {}
    for op in graph.ops:
        for i in op.inputs:
            readers.setdefault(i, []).append(op)
    return readers


def fuse_bconv_quantize(graph):
    """LceBconv2d with float output whose only reader is an LceQuantize (what LCE emits for SAME
    convolutions with zero padding, Larq's default) becomes one op that writes the bitpacked
    signs directly: the float tensor, 32x larger than the bits, never takes arena space. The
    bits are the same by construction (same float arithmetic, then x < 0). The fused op keeps the
    bconv's index and the quantize's output; the dropped float tensor is not observable."""
    from dataclasses import replace

    readers = _readers(graph)
    fused, dropped = {}, set()
    for op in graph.ops:
        if op.kind != "LceBconv2d" or graph.tensors[op.outputs[0]].dtype != "float32":
            continue
        t = op.outputs[0]
        rs = readers.get(t, [])
        if t in graph.outputs or len(rs) != 1 or rs[0].kind != "LceQuantize":
            continue
        q = rs[0]
        fused[op.index] = replace(op, outputs=list(q.outputs), options=dict(op.options, fused_quantize=True))
        dropped.add(q.index)
    if not fused:
        return graph
    ops = [fused.get(op.index, op) for op in graph.ops if op.index not in dropped]
    return replace(graph, ops=ops)


def pack_inputs(graph):
    """Graph inputs read only by an LceQuantize become that op's bitpacked output: the op leaves
    the schedule and the caller writes LCE-packed int32 words (bit set for -1, as the device's VQ
    encoder produces them) instead of 32x larger floats. Returns (graph, {packed tensor index:
    original input Tensor}); op indices keep their .tflite numbering."""
    from dataclasses import replace

    readers = _readers(graph)
    inputs, dropped, packed = [], set(), {}
    for i in graph.inputs:
        ops = readers.get(i, [])
        if len(ops) == 1 and ops[0].kind == "LceQuantize" and graph.tensors[i].dtype == "float32" and i not in graph.outputs:
            out = ops[0].outputs[0]
            inputs.append(out)
            dropped.add(ops[0].index)
            packed[out] = graph.tensors[i]
        else:
            inputs.append(i)
    if not packed:
        raise LossykwsError("packed input: no graph input is read by an LceQuantize alone")
    return replace(graph, ops=[op for op in graph.ops if op.index not in dropped], inputs=inputs), packed


def dense_inputs(graph, packed, strict=True):
    """Packed inputs (pack_inputs) read by one LceBconv2d alone that can read them densely
    (ops/lce_bconv2d_dense.py: a filter row of at most 32 bits, VALID or SAME with +1 padding)
    take LceBconv2dDense's layout: int32 [N, H, ceil(W*C/32)], pixel x's channel c at bit x*C + c
    of its row's words (4-bit codes: 2 KB for 64x64 instead of 16 KB), and the op gets option
    dense_input. strict: an input that cannot is a one-line UnsupportedOp naming the op; otherwise
    it stays word per pixel. Returns (graph, {packed tensor index: None (dense) or the refusal})."""
    from dataclasses import replace

    from lossykws.codegen.ops.lce_bconv2d_dense import DENSE_OPTION, check_dense, dense_shape

    readers = _readers(graph)
    tensors, ops, status = list(graph.tensors), {op.index: op for op in graph.ops}, {}
    for t, original in packed.items():
        rs = readers.get(t, [])
        try:
            if len(rs) != 1 or rs[0].kind != "LceBconv2d" or rs[0].inputs[0] != t or t in graph.outputs:
                kinds = ", ".join(f"op {op.index} ({op.kind})" for op in rs) or "no op"
                raise UnsupportedOp(f"packed input tensor {t} '{original.name}': the dense layout needs one "
                                    f"LceBconv2d reading it alone, it is read by {kinds}")
            op = rs[0]
            if len(original.shape) != 4:
                raise UnsupportedOp(describe_unsupported(op, graph, "dense input of rank", len(original.shape)))
            emitter_for(op, graph).check(op, graph)
            check_dense(op, graph)
        except UnsupportedOp as e:
            if strict:
                raise
            status[t] = str(e)
            continue
        tensors[t] = replace(tensors[t], shape=dense_shape(original.shape, original.shape[-1]))
        ops[op.index] = replace(op, options=dict(op.options, **{DENSE_OPTION: {"width": int(original.shape[2])}}))
        status[t] = None
    return replace(graph, tensors=tensors, ops=[ops[op.index] for op in graph.ops]), status


def _settings_defines(settings):
    """#define lines for run-directory settings: strings, numbers, booleans and flat numeric lists;
    nested dicts flatten with underscores (codec parameters: MODEL_CODEC_BITS ...)."""
    lines = []

    def walk(prefix, value):
        name = re.sub(r"[^0-9A-Za-z]+", "_", prefix).strip("_").upper()
        if isinstance(value, dict):
            for k, v in value.items():
                walk(f"{prefix}_{k}", v)
        elif isinstance(value, bool):
            lines.append(f"#define {name} {int(value)}")
        elif isinstance(value, int):
            lines.append(f"#define {name} {value}")
        elif isinstance(value, float) and np.isfinite(value):
            lines.append(f"#define {name} {value!r}")
        elif isinstance(value, str):
            lines.append(f"#define {name} {json.dumps(value)}")
        elif isinstance(value, (list, tuple)) and value and all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in value):
            lines.append(f"#define {name} {{{', '.join(repr(v) for v in value)}}}")
            lines.append(f"#define {name}_LEN {len(value)}")

    for key, value in (settings or {}).items():
        walk(f"MODEL_{key}", value)
    return lines


def generate(graph, model_bytes, source_name, labels=None, packed=None, run_settings=None):
    """{relative path: text} of the model files (model*.c/.h, model_settings.h) and a summary."""
    emitters = check_graph(graph)
    scratch = {op.index: em.scratch_bytes(op, graph) for op, em in zip(graph.ops, emitters)}
    plan = plan_arena(graph, scratch, reshape_aliases(graph))
    ctx = EmitContext(graph, plan)
    op_calls = emit_op_calls(graph, emitters, ctx)  # fills ctx.consts
    ins = [graph.tensors[i] for i in graph.inputs]
    outs = [graph.tensors[i] for i in graph.outputs]
    labels = check_labels(labels, outs)
    const_bytes = sum(np.asarray(a).size * np.dtype(_CTYPE_NP[c]).itemsize for c, a, _ in ctx.consts.values())
    headers = _in_order(h for em in emitters for h in em.headers)
    sources = _in_order(s for em in emitters for s in em.sources)
    origin = ModelOrigin(source_name, hashlib.sha256(model_bytes).hexdigest())
    files = {
        "model.h": model_h(origin, graph, plan, const_bytes),
        "model.c": model_c(origin, plan, ins, outs, headers, op_calls),
        "model_data.h": model_data_h(origin, ctx.consts),
        "model_data.c": model_data_c(origin, ctx.consts),
        "model_settings.h": model_settings_h(origin, ins, outs, labels, run_settings),
    }
    manifest = {
        "generator": f"lossykws {__version__}",
        "model": source_name,
        "model_sha256": origin.sha256,
        "arena_bytes": plan.arena_bytes,
        "const_bytes": const_bytes,
        "tflite_bytes": len(model_bytes),
        "inputs": [_input_spec(t, packed) for t in ins],
        "outputs": [_tensor_spec(t) for t in outs],
        "labels": list(labels),
        "settings": run_settings or {},
        "ops": _op_specs(graph, plan),
        "sources": sources,
    }
    return files, manifest


# ---------------------------------------------------------------- the five model files
MODEL_TEMPLATES = c_runtime.TEMPLATES / "model"  # model.h.in ...: the fixed part of each file


class ModelOrigin(NamedTuple):
    """What every generated file is stamped with: the .tflite's name and sha256."""
    source_name: str
    sha256: str

    def stamp(self, template=None):
        """The first line of a generated file; template: the file under firmware/ it was filled from."""
        model = f"{self.source_name} (sha256 {self.sha256})"
        inputs = f"firmware/{template.relative_to(FIRMWARE).as_posix()} and {model}" if template else model
        return f"/* Generated from {inputs} by lossykws {__version__}. Do not edit. */\n"


def render(origin, name, **values):
    """firmware/templates/model/<name>.in with its ${placeholders} filled, under the stamp."""
    template = MODEL_TEMPLATES / f"{name}.in"
    return origin.stamp(template) + string.Template(template.read_text()).substitute(values)


def model_h(origin, graph, plan, const_bytes):
    return render(origin, "model.h", arena_bytes=plan.arena_bytes, const_bytes=const_bytes,
                  num_inputs=len(graph.inputs), num_outputs=len(graph.outputs),
                  num_tensors=len(graph.tensors), num_ops=len(graph.ops))


def model_c(origin, plan, ins, outs, headers, op_calls):
    offsets = lambda ts: ", ".join(str(plan.offsets[t.index]) for t in ts)
    sizes = lambda ts: ", ".join(f"{t.nbytes}u" for t in ts)
    return render(origin, "model.c", kernel_includes="".join(f'#include "{h}"\n' for h in headers),
                  input_offsets=offsets(ins), input_bytes=sizes(ins),
                  output_offsets=offsets(outs), output_bytes=sizes(outs), op_calls=op_calls)


def model_data_h(origin, consts):
    return render(origin, "model_data.h", declarations="\n".join(
        f"extern const {ctype} {name}[{_array_length(arr)}]; /* {comment} */"
        for name, (ctype, arr, comment) in consts.items()))


def model_data_c(origin, consts):
    definitions = [f"/* {comment} */\nconst {ctype} {name}[{_array_length(arr)}] LKWS_ALIGN16 = {{\n"
                   f"{c_array_body(arr, ctype)}\n}};" for name, (ctype, arr, comment) in consts.items()]
    # each after a blank line; the template ends the last one's line
    return render(origin, "model_data.c", definitions="".join(f"\n{d}\n" for d in definitions)[:-1])


def model_settings_h(origin, ins, outs, labels, run_settings):
    tensors = [line for kind, ts in (("INPUT", ins), ("OUTPUT", outs))
               for k, t in enumerate(ts) for line in _tensor_defines(kind, k, t)]
    extra = _settings_defines(run_settings)
    return render(origin, "model_settings.h", tensor_defines="".join(line + "\n" for line in tensors),
                  num_labels=len(labels), labels=", ".join(json.dumps(str(x)) for x in labels),
                  run_settings="\n\n/* From the run directory's config.json. */\n" + "\n".join(extra) if extra else "")


# ---------------------------------------------------------------- the variable parts
def emit_op_calls(graph, emitters, ctx):
    """The body of model_invoke: each op's emitted C in a block, then the observer's calls."""
    lines = []
    for op, em in zip(graph.ops, emitters):
        ctx.op_index = op.index
        lines.extend(_op_call(op, em.emit(op, graph, ctx).rstrip(), graph, ctx.plan))
    return "\n".join(lines)


def _op_call(op, code, graph, plan):
    outs = ", ".join(f"{i} '{graph.tensors[i].name[:50]}'" for i in op.outputs)
    return [f"    /* op {op.index}: {op.kind} -> {outs} */",
            "    {",
            *("        " + line if line.strip() else "" for line in code.splitlines()),
            "    }",
            "    if (observe != NULL) {",
            *(f"        observe(user, {op.index}, {i}, arena + {plan.offsets[i]}, {graph.tensors[i].nbytes});"
              for i in op.outputs),
            "    }"]


def _tensor_defines(kind, k, t):
    """model_settings.h's defines for input or output k (kind "INPUT" or "OUTPUT")."""
    p = f"MODEL_{kind}_{k}"
    lines = [f"/* {kind.lower()} {k}: tensor {t.index} '{t.name[:60]}' */",
             f"#define {p}_RANK {len(t.shape)}",
             f"#define {p}_DIMS {{{', '.join(str(d) for d in t.shape) or '1'}}}",
             f"#define {p}_TYPE_{t.dtype.upper()} 1",
             f"#define {p}_CTYPE {CTYPES[t.dtype]}",
             f"#define {p}_ELEMENTS {t.num_elements}"]
    if t.is_quantized:
        lines += [f"#define {p}_SCALE {float(t.scale[0])!r}f",
                  f"#define {p}_ZERO_POINT {int(t.zero_point[0])}"]
    return lines


def check_labels(labels, outs):
    """The class names, one per score of the first output ("0".."n-1" when None). Raises."""
    n = int(outs[0].shape[-1]) if outs and outs[0].shape else 1
    if labels is None:
        return [str(i) for i in range(n)]
    if len(labels) != n:
        raise LossykwsError(f"{len(labels)} labels for a model whose first output has {n} scores")
    return labels


def _array_length(arr):
    return max(int(np.asarray(arr).size), 1)  # C has no empty arrays


def _in_order(items):
    """items without repeats, first occurrence first."""
    return list(dict.fromkeys(items))


# ---------------------------------------------------------------- the manifest (lossykws.json)
def _tensor_spec(t, **extra):
    return {"tensor": t.index, "name": t.name, "shape": list(t.shape), "dtype": t.dtype, **extra}


def _input_spec(t, packed):
    if packed and t.index in packed:
        return _tensor_spec(t, packed_from=_tensor_spec(packed[t.index]))
    return _tensor_spec(t)


def _op_specs(graph, plan):
    pc = packed_channels(graph)
    return [{"index": op.index, "kind": op.kind, "outputs": [
                _tensor_spec(graph.tensors[i], offset=plan.offsets[i],
                             **({"packed_channels": int(pc[i])} if i in pc else {}))
                for i in op.outputs]}
            for op in graph.ops]


def _runtime_files(sources):
    files = {}
    for h in sorted((FIRMWARE / "include" / "lkws").glob("*.h")):
        files[f"include/lkws/{h.name}"] = h.read_bytes()
    for s in sources:
        files[f"src/{s}"] = (FIRMWARE / "src" / s).read_bytes()
    return files


# Each target's harness: files added to the project root beside the generated model. They include
# model.h and model_settings.h and compile model.c, model_data.c and src/*.c with -I. -Iinclude.
# cortex-m: the whole keyword-spotting firmware for a board (codegen/kws_app.py).
TARGETS = ("host", "qemu-m4", "cortex-m")
_QEMU_M4_BOARD = c_runtime.TARGETS / "mps2-an386"
_ARMV7M = c_runtime.TARGETS / "armv7m"  # the build every ARMv7-M board shares
_QEMU_M4_TEMPLATE = c_runtime.TEMPLATES / "qemu-m4"
# Where each file of a qemu-m4 project (the mps2-an386 harness) comes from, relative to the project root.
_QEMU_M4_FILES = {
    "main.c": _QEMU_M4_TEMPLATE / "main.c",
    "Makefile": _QEMU_M4_TEMPLATE / "Makefile",
    **{f"target/{name}": _ARMV7M / name for name in ("startup.c", "semihost.c", "semihost.h", "probe.c", "probe.h",
                                                     "crt.c", "crt.h", "board.h", "armv7m.mk")},
    "target/board.mk": _QEMU_M4_BOARD / "board.mk",
    "target/mps2-an386.ld": _QEMU_M4_BOARD / "mps2-an386.ld",
    "qemu_plugin/insn_count.c": c_runtime.QEMU_PLUGIN / "insn_count.c",
    "qemu_plugin/qemu_plugin_api.h": c_runtime.QEMU_PLUGIN / "qemu_plugin_api.h",
}



def _unknown_target(target):
    return LossykwsError(f"target {target}: not available in this version of lossykws (use {' or '.join(TARGETS)})")


def target_files(target):
    """{relative path: bytes} of a target's own files (harness, Makefile, board files, plugin)."""
    if target == "host":
        root = FIRMWARE / "templates" / "host"
        return {p.name: p.read_bytes() for p in sorted(root.iterdir()) if p.is_file()}
    if target == "qemu-m4":
        return {relative: source.read_bytes() for relative, source in _QEMU_M4_FILES.items()}
    raise _unknown_target(target)


def export_project(model_path, out_dir, target="host", force=False, labels=None, packed_input=False,
                   fuse=True, settings=None, board=None, codebook=None):
    """Read `model_path` (.tflite), generate the project for `target` into `out_dir`; return the
    manifest (also written as out_dir/lossykws.json). Nothing is written on error.

    fuse: apply fuse_bconv_quantize (the float output of a bconv read only by an LceQuantize is
    never stored); False keeps every tensor of the .tflite observable, for parity checks.
    labels: class names (default "0".."n-1"); settings: {name: value} written to
    model_settings.h as MODEL_<NAME>... defines (a run directory's task, model and codec).
    packed_input: float inputs that only feed an LceQuantize are taken already bitpacked, bit set
    for negative values; see pack_inputs. True or "words": LCE's layout, int32 [..., ceil(C/32)]
    (one word per pixel below 33 channels); "dense": rows of densely packed pixels read by the
    first LceBconv2d directly (see dense_inputs; a model it cannot take is a one-line error).
    The manifest's input then records `packed_from`, the original float input, and `layout`
    ("words" or "dense"); `lossykws emulate` still takes the float inputs (it packs them for the C).
    cortex-m: board (default mps2-an386, see kws_app.BOARDS) and codebook (the run's
    codecs.vq.Codebook) are required by the firmware; the input is always packed, dense where
    the first convolution allows it (else word per pixel, the reason in the manifest's
    `dense_refused`)."""
    model_path = Path(model_path)
    board = _check_target(target, board, codebook)
    if target == "cortex-m":
        packed_input = "auto"
    if not model_path.is_file():
        raise LossykwsError(f"{model_path}: no such file")
    check_output_dir(out_dir, force)
    data = model_path.read_bytes()
    graph = read_model(data, source=str(model_path))
    load_emitters()
    graph, packed, layouts = prepare_graph(graph, packed_input, fuse)
    try:
        files, manifest = generate(graph, data, model_path.name, labels, packed, settings)
        _record_layouts(manifest, layouts)
        manifest["target"] = target
        files.update(_runtime_files(manifest["sources"]))
        files.update(_harness_files(target, manifest, model_path.name, board, codebook))
    except LossykwsError as e:
        raise LossykwsError(f"{model_path}: {e}") from None
    if target == "cortex-m":
        manifest["board"] = board
    files["model.tflite"] = data
    files["lossykws.json"] = json.dumps(manifest, indent=1) + "\n"
    _write_project(out_dir, force, files)
    return manifest


def _check_target(target, board, codebook):
    """The board to build for (None but for cortex-m, default kws_app.DEFAULT_BOARD). Raises."""
    if target not in TARGETS:
        raise _unknown_target(target)
    if target != "cortex-m":
        if board is not None:
            raise LossykwsError(f"--board applies to --target cortex-m, not {target}")
        return None
    from lossykws.codegen import kws_app

    board = board or kws_app.DEFAULT_BOARD
    kws_app.check_board(board)
    if codebook is None:
        raise LossykwsError("the cortex-m target needs the run's VQ codebook: export a vq-bnn run directory")
    return board


def prepare_graph(graph, packed_input, fuse):
    """The graph as export_project generates it: inputs packed (pack_inputs, then dense_inputs for
    "dense" and "auto"), bconv + quantize fused. Returns (graph, {packed tensor: original input},
    {packed tensor: None (dense) or why not}); the dicts are empty without packed_input."""
    if packed_input not in (False, True, "words", "dense", "auto"):
        raise LossykwsError(f"packed input layout {packed_input!r}: use words or dense")
    packed, layouts = None, {}
    if packed_input:
        graph, packed = pack_inputs(graph)
        if packed_input in ("dense", "auto"):
            graph, layouts = dense_inputs(graph, packed, strict=packed_input == "dense")
    if fuse:
        graph = fuse_bconv_quantize(graph)
    return graph, packed, layouts


def _record_layouts(manifest, layouts):
    """Each packed input's layout in the manifest ("dense" or "words"), and why not dense."""
    for spec in manifest["inputs"]:
        if "packed_from" in spec:
            refused = layouts.get(spec["tensor"])
            spec["layout"] = "dense" if spec["tensor"] in layouts and refused is None else "words"
            if refused:
                spec["dense_refused"] = refused


def _harness_files(target, manifest, source_name, board, codebook):
    """The target's files beside the model: the host or qemu-m4 harness, or the cortex-m firmware."""
    if target != "cortex-m":
        return target_files(target)
    from lossykws.codegen import kws_app

    stamp = ModelOrigin(source_name, manifest["model_sha256"]).stamp()
    return kws_app.app_files(manifest, board, codebook, stamp)


def _write_project(out_dir, force, files):
    """{relative path: text or bytes} into out_dir, all or nothing (atomic_dir)."""
    with atomic_dir(out_dir, force) as tmp:
        for rel, content in files.items():
            p = Path(tmp) / rel
            p.parent.mkdir(parents=True, exist_ok=True)
            p.write_bytes(content if isinstance(content, bytes) else content.encode())
