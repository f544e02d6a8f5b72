"""Run a generated project and compare it, tensor by tensor, with the LCE interpreter.

Host part: `build_host` (make with the host cc), `run_host` (the harness on raw input files, every
op output dumped), `compare_tensors` (the parity rule), and `emulate_project`, which does it all
for `lossykws emulate`. The qemu-m4 part (`run_qemu_target`) drives lossykws.emulation.qemu.

Inputs are .npy files (an array of the input's shape, with or without the batch dimension, of its
dtype or one that casts safely to it; float64 is accepted for float32) or raw .bin files holding
exactly the input's bytes (little-endian). A model with n inputs takes INPUTS in groups of n. A
project exported with packed inputs still takes the original float inputs: they are bitpacked
for the C (`pack_bits`, LceQuantize's rule, or `pack_dense` for the dense layout) and given as
they are to the interpreter.

Parity rule: float32 tensors |c - ref| <= 1e-5 * max(1, |ref|); every other dtype bit-exact.

# Example
```python
report = emulate_project(Path("proj"), [Path("x.npy")])
report["label_agreement"], report["first_difference"]
```
"""
import json
import shutil
import subprocess
import tempfile
from pathlib import Path

import numpy as np

from lossykws.codegen.reader import read_model
from lossykws.errors import LossykwsError, reason

FLOAT_RTOL = 1e-5


TARGETS = ("host", "qemu-m4", "cortex-m")
MAX_ELEMENTS = 1 << 28


def _tensor_problem(t):
    """What is wrong with a manifest's tensor entry ({tensor, name, shape, dtype}), or None."""
    if not isinstance(t, dict):
        return "a tensor entry is not an object"
    shape, dtype = t.get("shape"), t.get("dtype")
    if type(t.get("tensor")) is not int or not isinstance(t.get("name"), str):
        return "a tensor entry without its index and name"
    if not (isinstance(shape, list) and all(type(d) is int and d >= 0 for d in shape)
            and np.prod(shape, dtype=np.float64) <= MAX_ELEMENTS):
        return f"tensor {t['tensor']}'s shape {shape!r:.40} is not a list of sizes"
    try:
        ok = isinstance(dtype, str) and np.dtype(dtype).kind in "biuf" and np.dtype(dtype).itemsize <= 8
    except TypeError:
        ok = False
    return None if ok else f"tensor {t['tensor']}'s dtype {str(dtype)[:20]!r} is not a numeric type"


def _manifest_problem(m):
    """What is wrong with a manifest's structure (what emulate and the firmware tools read), or None."""
    if not isinstance(m, dict):
        return "not a JSON object"
    if m.get("target", "host") not in TARGETS:
        return f"target {str(m.get('target'))[:20]!r} is not one of {', '.join(TARGETS)}"
    for key in ("board", "firmware_input", "model_sha256"):
        if key in m and not isinstance(m[key], str):
            return f"{key} is not a string"
    if not isinstance(m.get("settings", {}), dict) or not isinstance(m.get("settings", {}).get("codec", {}), dict):
        return "settings is not an object"
    for key in ("inputs", "outputs"):
        if not isinstance(m.get(key), list) or not m[key]:
            return f"no {key}"
        for t in m[key]:
            problem = _tensor_problem(t)
            if problem is None and key == "inputs" and "packed_from" in t:
                problem = _tensor_problem(t["packed_from"])
            if problem:
                return problem
    ops = m.get("ops")
    if not isinstance(ops, list):
        return "no ops"
    for op in ops:
        if not (isinstance(op, dict) and type(op.get("index")) is int and isinstance(op.get("kind"), str)
                and isinstance(op.get("outputs"), list)):
            return "an op without its index, kind and outputs"
        problem = next(filter(None, map(_tensor_problem, op["outputs"])), None)
        if problem:
            return problem
    return None


def read_manifest(project_dir):
    """lossykws.json of a generated project, its structure checked; a one-line error otherwise."""
    path = Path(project_dir) / "lossykws.json"
    if not path.is_file():
        raise LossykwsError(f"{project_dir}: not a lossykws project (no lossykws.json; make one with lossykws export)")
    try:
        manifest = json.loads(path.read_text())
    except (OSError, ValueError) as e:
        raise LossykwsError(f"{path}: not readable JSON ({reason(e)})") from None
    problem = _manifest_problem(manifest)
    if problem:
        raise LossykwsError(f"{path}: damaged project manifest ({problem}); export the project again")
    return manifest


def build_host(project_dir, sanitize=False, cc=None):
    """make -C project_dir [SANITIZE=1]; returns the program's path. One-line error on failure."""
    if shutil.which("make") is None:
        raise LossykwsError("make not found: install the Debian package make")
    cmd = ["make", "-s", "-C", str(project_dir)] + (["SANITIZE=1"] if sanitize else [])
    if cc:
        cmd.append(f"CC={cc}")
    r = subprocess.run(cmd, capture_output=True, text=True)
    if r.returncode != 0:
        lines = [l for l in (r.stderr + r.stdout).splitlines() if "error" in l.lower()] or (r.stderr + r.stdout).splitlines()
        raise LossykwsError(f"{project_dir}: host build failed: {lines[0].strip() if lines else r.returncode}")
    return Path(project_dir) / "model"


def run_host(program, input_files, dump_dir=None, timeout=120):
    """Run the host harness; returns (stdout, {tensor index: raw bytes}) with dump_dir set."""
    cmd = [str(program)]
    if dump_dir is not None:
        Path(dump_dir).mkdir(parents=True, exist_ok=True)
        cmd += ["--dump", str(dump_dir)]
    cmd += [str(p) for p in input_files]
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    if r.returncode != 0:
        msg = (r.stderr.strip().splitlines() or [f"exit status {r.returncode}"])[-1]
        raise LossykwsError(f"{program}: {msg}")
    dumps = {}
    if dump_dir is not None:
        for p in Path(dump_dir).glob("t*.bin"):
            dumps[int(p.stem[1:])] = p.read_bytes()
    return r.stdout, dumps


def load_input(path, spec):
    """An input file (.npy or raw .bin) as a numpy array of spec's shape and dtype."""
    path = Path(path)
    shape, dtype = tuple(spec["shape"]), np.dtype(spec["dtype"])
    if not path.is_file():
        raise LossykwsError(f"{path}: no such file")
    if path.suffix == ".npy":
        try:  # read_array, not np.load: an .npz or a pickle under a .npy name is no array
            with open(path, "rb") as f:
                a = np.lib.format.read_array(f, allow_pickle=False)
        except Exception as e:  # noqa: BLE001  (numpy raises many kinds for a damaged file)
            raise LossykwsError(f"{path}: not a readable .npy file ({type(e).__name__})") from None
        if a.shape != shape and (1,) + a.shape != shape:
            raise LossykwsError(f"{path}: shape {a.shape}, the model input {spec['name']!r} needs {shape}")
        ok = a.dtype == dtype or np.can_cast(a.dtype, dtype, "safe") or (a.dtype == np.float64 and dtype == np.float32)
        if not ok:
            raise LossykwsError(f"{path}: dtype {a.dtype}, the model input needs {dtype}")
        return np.ascontiguousarray(a.astype(dtype).reshape(shape))
    raw = path.read_bytes()
    need = int(np.prod(shape)) * dtype.itemsize
    if len(raw) != need:
        raise LossykwsError(f"{path}: {len(raw)} bytes, the model input {spec['name']!r} needs {need} ({dtype} {list(shape)})")
    return np.frombuffer(raw, dtype=dtype.newbyteorder("<")).astype(dtype).reshape(shape)


def pack_bits(x):
    """LceQuantize in numpy: int32 words along the last axis, bit i set where x < 0."""
    x = np.asarray(x)
    channels = x.shape[-1]
    words = (channels + 31) // 32
    neg = np.zeros(x.shape[:-1] + (words * 32,), dtype=np.uint64)
    neg[..., :channels] = x < 0
    weights = (np.uint64(1) << np.arange(32, dtype=np.uint64))
    packed = (neg.reshape(x.shape[:-1] + (words, 32)) * weights).sum(axis=-1)
    return packed.astype(np.uint32).view(np.int32)


def pack_dense(x):
    """The dense layout of lkws/bconv2d_dense.h in numpy: [N, H, W, C] -> int32 [N, H,
    ceil(W*C/32)], pixel w's channel c at bit w*C + c of its row's words, set where x < 0; row
    tails 0. With C = 4 bit planes of VQ codes, a row is the codes two per byte (low nibble first)."""
    x = np.asarray(x)
    n, h, w, c = x.shape
    words = (w * c + 31) // 32
    bits = np.zeros((n, h, words * 32), dtype=np.uint8)
    bits[..., :w * c] = (x < 0).reshape(n, h, w * c)
    packed = np.packbits(bits.reshape(n, h, words, 32), axis=-1, bitorder="little")
    return packed.reshape(n, h, words * 4).view("<u4").astype(np.uint32).view(np.int32)


def pack_input(x, spec):
    """What the C takes for a manifest input spec: x as it is, or packed as the spec's `layout`
    says for an input exported packed (`packed_from`)."""
    if "packed_from" not in spec:
        return x
    return pack_dense(x) if spec.get("layout") == "dense" else pack_bits(x)


def compare_tensors(c, ref):
    """None when c matches ref under the parity rule, else (flat index, c value, ref value)."""
    c, ref = np.asarray(c).reshape(-1), np.asarray(ref).reshape(-1)
    if c.size != ref.size:
        return (-1, c.size, ref.size)
    if ref.dtype.kind == "f":
        bad = ~(np.abs(c.astype(np.float64) - ref) <= FLOAT_RTOL * np.maximum(1.0, np.abs(ref.astype(np.float64))))
        bad &= ~(np.isnan(c) & np.isnan(ref))
    else:
        bad = c != ref
    if not bad.any():
        return None
    i = int(np.argmax(bad))
    return (i, c[i].item(), ref[i].item())


def _tensor_specs(manifest):
    specs = {}
    for op in manifest["ops"]:
        for o in op["outputs"]:
            specs[o["tensor"]] = dict(o, op=op["index"], kind=op["kind"])
    return specs


def compare_run(manifest, dumps, reference):
    """First differing tensor (in schedule order) and element, or None; plus the worst float error."""
    first = None
    worst = 0.0
    for op in manifest["ops"]:
        for o in op["outputs"]:
            t = o["tensor"]
            if t not in dumps or t not in reference:
                continue
            ref = np.asarray(reference[t])
            c = np.frombuffer(dumps[t], dtype=np.dtype(o["dtype"])).reshape(-1)
            if ref.dtype.kind == "f" and c.size == ref.size:
                err = np.abs(c.astype(np.float64) - ref.reshape(-1)) / np.maximum(1.0, np.abs(ref.reshape(-1)))
                if err.size:
                    worst = max(worst, float(np.nanmax(err)))
            d = compare_tensors(c, ref)
            if d is not None and first is None:
                index = d[0]
                multi = list(np.unravel_index(index, o["shape"])) if index >= 0 and o["shape"] else [index]
                first = {"op": op["index"], "kind": op["kind"], "tensor": t, "name": o["name"],
                         "element": [int(v) for v in multi], "c": d[1], "reference": d[2]}
    return first, worst


def printed_label(stdout, source="the program"):
    """The label index of the `label K NAME` line the host program and the qemu-m4 and cortex-m
    harnesses print (firmware/templates/*/main.c); a one-line error when there is none."""
    for line in stdout.splitlines():
        parts = line.split()
        if len(parts) >= 2 and parts[0] == "label" and parts[1].isdigit():
            return int(parts[1])
    raise LossykwsError(f"{source}: printed no 'label K NAME' line")


def _label(values):
    v = np.asarray(values).reshape(-1)
    return int(np.argmax(v)) if v.size else -1


def emulate_project(project_dir, inputs, sanitize=False):
    """Build and run the project on inputs, run the interpreter on the same inputs, compare.

    Returns {"target", "samples": [{"inputs", "label", "reference_label", "agree",
    "first_difference"}], "label_agreement" (fraction), "first_difference" (the first over all
    samples, or None), "max_float_error", plus "instructions" and "sizes" for qemu-m4}."""
    from lossykws.emulation.reference import run_all_tensors

    project_dir = Path(project_dir)
    manifest = read_manifest(project_dir)
    model_path = project_dir / "model.tflite"
    if not model_path.is_file():
        raise LossykwsError(f"{project_dir}: model.tflite is missing; export the project again")
    model_bytes = model_path.read_bytes()
    read_model(model_bytes, source=str(model_path))   # a corrupt model fails here, before any build
    n_in = len(manifest["inputs"])
    if not inputs or len(inputs) % n_in:
        raise LossykwsError(f"the model takes {n_in} input(s) per sample; got {len(inputs)} file(s)")
    specs = manifest["inputs"]
    loaded = [load_input(p, specs[i % n_in].get("packed_from", specs[i % n_in])) for i, p in enumerate(inputs)]
    target = manifest.get("target", "host")   # the inputs are read first: a bad one fails before the build
    program = build_host(project_dir, sanitize=sanitize) if target == "host" else None
    out_tensor = manifest["outputs"][0]["tensor"]
    samples, first, worst = [], None, 0.0
    extra = {}
    with tempfile.TemporaryDirectory(prefix="lossykws-emulate-") as tmp:
        for s in range(0, len(inputs), n_in):
            group, arrays = inputs[s:s + n_in], loaded[s:s + n_in]
            raw = []
            for k, (a, spec) in enumerate(zip(arrays, specs)):
                f = Path(tmp) / f"in{s}_{k}.bin"
                c_input = pack_input(a, spec)
                c_input.astype(c_input.dtype.newbyteorder("<")).tofile(f)
                raw.append(f)
            dump = Path(tmp) / f"dump{s}"
            if target == "host":
                _, dumps = run_host(program, raw, dump)
            else:
                dumps, info = run_qemu_target(project_dir, raw, dump, Path(tmp) / f"out{s}")
                extra.update(info)
            reference = run_all_tensors(model_bytes, arrays, model_path)
            diff, w = compare_run(manifest, dumps, reference)
            worst = max(worst, w)
            spec = _tensor_specs(manifest).get(out_tensor, {"dtype": manifest["outputs"][0]["dtype"]})
            c_out = np.frombuffer(dumps.get(out_tensor, b""), dtype=np.dtype(spec["dtype"]))
            label, ref_label = _label(c_out), _label(reference[out_tensor])
            samples.append({"inputs": [str(p) for p in group], "label": label, "reference_label": ref_label,
                            "agree": label == ref_label, "first_difference": diff})
            if first is None and diff is not None:
                first = dict(diff, sample=len(samples) - 1)
    agree = sum(x["agree"] for x in samples) / len(samples)
    return dict({"target": target, "samples": samples, "label_agreement": agree, "first_difference": first,
                 "max_float_error": worst}, **extra)


def run_qemu_target(project_dir, raw_inputs, dump_dir, out_dir):
    """qemu-m4: run the ELF in QEMU through lossykws.emulation.qemu; returns (dumps, {"instructions",
    "op_instructions" ([{"op", "kind", "instructions"}] in schedule order), "stack_bytes",
    "sizes"}).

    The harness runs the model twice: once between the counting markers (its outputs written to
    out_dir), once with the observer (every tensor dumped). Both runs must give the same outputs,
    or the count would belong to a different computation than the one compared."""
    from lossykws.emulation import qemu

    result = qemu.run_project(project_dir, raw_inputs, out_dir, dump_dir=dump_dir, count=True,
                              op_counts=True)
    if result["status"] != 0:
        raise LossykwsError(f"{project_dir}: model_invoke failed in QEMU (status {result['status']})")
    dumps = {int(p.stem[1:]): p.read_bytes() for p in Path(dump_dir).glob("t*.bin")}
    manifest = read_manifest(project_dir)
    for i, (spec, path) in enumerate(zip(manifest["outputs"], result["outputs"])):
        if spec["tensor"] in dumps and Path(path).read_bytes() != dumps[spec["tensor"]]:
            raise LossykwsError(f"{project_dir}: output {i} differs between the counted run and the "
                                "dumping run in QEMU (the model reads memory it did not write?)")
    per_op = [{"op": op["index"], "kind": op["kind"], "instructions": n}
              for op, n in zip(manifest["ops"], result["op_instructions"])]
    return dumps, {"instructions": result["instructions"], "op_instructions": per_op,
                   "stack_bytes": result["stack_bytes"], "sizes": result["sizes"]}
