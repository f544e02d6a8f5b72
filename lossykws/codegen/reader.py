"""Read a .tflite flatbuffer (LCE or stock TFLite) into the graph IR, without TensorFlow.

Uses the `tflite` schema package and `flatbuffers.flexbuffers` for LCE's custom options. Every
malformed input (not a flatbuffer, truncated, several subgraphs, dynamic shapes, buffers that do
not match their tensors) raises LossykwsError with one line; nothing else escapes (the reader is
fuzzed in tests/test_codegen_reader.py).

# Example
```python
graph = read_model(Path("model.tflite").read_bytes())
```
"""
import re

import numpy as np

from lossykws.errors import LossykwsError
from lossykws.codegen.ir import NUMPY_DTYPES, Graph, Op, Tensor


class BadModel(LossykwsError):
    """The file is not a usable single-subgraph static-shape .tflite model."""


_TFLITE_TYPES = {0: "float32", 2: "int32", 9: "int8", 3: "uint8", 7: "int16", 4: "int64", 6: "bool"}


def _enum_names(enum_cls):
    return {v: k for k, v in vars(enum_cls).items() if not k.startswith("_") and isinstance(v, int)}


def _snake(name):
    # DilationHFactor -> dilation_h_factor, StrideW -> stride_w, KeepNumDims -> keep_num_dims
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", "_", name).lower()


def _printable(text, limit=80):
    """A name from the file as one line of text for messages: controls escaped, long names cut."""
    text = text if text.isprintable() else text.encode("unicode_escape").decode("ascii")
    return text if len(text) <= limit else text[:limit] + "..."


def read_model(data, source="model"):
    """Parse flatbuffer bytes into a Graph. `source` names the file in error messages."""
    data = bytes(data)
    if len(data) < 8:
        raise BadModel(f"{source}: not a .tflite flatbuffer (only {len(data)} bytes)")
    if data[4:8] != b"TFL3":
        raise BadModel(f"{source}: not a .tflite flatbuffer (no TFL3 identifier)")
    try:
        return _read(data, source)
    except LossykwsError:
        raise
    except Exception as e:  # a corrupt or truncated buffer surfaces as any of many exceptions
        raise BadModel(f"{source}: corrupt or truncated .tflite flatbuffer ({type(e).__name__})") from None


def _read(data, source):
    import tflite
    from flatbuffers import flexbuffers

    builtin_names = _enum_names(tflite.BuiltinOperator)
    options_names = _enum_names(tflite.BuiltinOptions)
    model = tflite.Model.GetRootAsModel(data, 0)
    if model.SubgraphsLength() != 1:
        raise BadModel(f"{source}: {model.SubgraphsLength()} subgraphs; only single-subgraph models are supported")
    sg = model.Subgraphs(0)
    nbuf = model.BuffersLength()

    tensors = []
    for ti in range(sg.TensorsLength()):
        t = sg.Tensors(ti)
        name = _printable((t.Name() or b"").decode("utf-8", "replace"))
        ttype = t.Type()
        if ttype not in _TFLITE_TYPES:
            raise BadModel(f"{source}: tensor {ti} '{name}': unsupported element type {ttype}")
        dtype = _TFLITE_TYPES[ttype]
        shape = tuple(int(d) for d in t.ShapeAsNumpy()) if t.ShapeLength() else ()
        sig = tuple(int(d) for d in t.ShapeSignatureAsNumpy()) if t.ShapeSignatureLength() else ()
        if any(d < 0 for d in shape) or any(d < 0 for d in sig):
            raise BadModel(f"{source}: tensor {ti} '{name}' has a dynamic shape {sig or shape}; export needs static shapes")
        if any(d > 1 << 24 for d in shape):
            raise BadModel(f"{source}: tensor {ti} '{name}' has an implausible shape {shape}")
        scale = zp = None
        qdim = 0
        q = t.Quantization()
        if q is not None and q.ScaleLength() > 0:
            scale = np.asarray(q.ScaleAsNumpy(), dtype=np.float32)
            zp = np.asarray(q.ZeroPointAsNumpy(), dtype=np.int64) if q.ZeroPointLength() else np.zeros(len(scale), np.int64)
            qdim = int(q.QuantizedDimension())
        arr = None
        b = t.Buffer()
        if b != 0:
            if b >= nbuf:
                raise BadModel(f"{source}: tensor {ti} '{name}' refers to missing buffer {b}")
            buf = model.Buffers(b)
            raw = None
            if buf.Offset() > 1:  # large models keep data outside the flatbuffer proper
                off, size = int(buf.Offset()), int(buf.Size())
                if off + size > len(data):
                    raise BadModel(f"{source}: truncated (buffer {b} of tensor {ti} '{name}' lies past the end)")
                raw = data[off:off + size]
            elif buf.DataLength() > 0:
                raw = buf.DataAsNumpy().tobytes()
            if raw is not None:
                nt = np.dtype(NUMPY_DTYPES[dtype])
                n = 1
                for d in shape:
                    n *= d
                if len(raw) != n * nt.itemsize:
                    raise BadModel(
                        f"{source}: tensor {ti} '{name}': buffer holds {len(raw)} bytes, shape {shape} {dtype} needs {n * nt.itemsize}"
                    )
                arr = np.frombuffer(raw, dtype=nt.newbyteorder("<")).astype(nt).reshape(shape)
        tensors.append(Tensor(ti, name, shape, dtype, scale, zp, qdim, arr))

    def check_index(i, what, opi):
        i = int(i)
        if i < -1 or i >= len(tensors):
            raise BadModel(f"{source}: op {opi} refers to tensor {i} in its {what}, which does not exist")
        return i

    ops = []
    ncodes = model.OperatorCodesLength()
    for oi in range(sg.OperatorsLength()):
        o = sg.Operators(oi)
        ci = o.OpcodeIndex()
        if ci >= ncodes:
            raise BadModel(f"{source}: op {oi} refers to missing operator code {ci}")
        code = model.OperatorCodes(ci)
        bc = max(int(code.BuiltinCode()), int(code.DeprecatedBuiltinCode()))
        kind = builtin_names.get(bc, f"BUILTIN_{bc}")
        options = {}
        if kind == "CUSTOM":
            kind = (code.CustomCode() or b"").decode("utf-8", "replace")
            if not kind.isprintable() or not kind or len(kind) > 64:
                raise BadModel(f"{source}: op {oi}: custom op code {_printable(kind)!r} is not an op name")
            if o.CustomOptionsLength() > 0:
                raw = o.CustomOptionsAsNumpy().tobytes()
                options = _decode_flex(flexbuffers, raw, source, oi, kind)
        else:
            otype = o.BuiltinOptionsType()
            if otype != 0:
                options = _decode_builtin(tflite, o, options_names.get(otype), source, oi, kind)
        inputs = [check_index(i, "inputs", oi) for i in (o.InputsAsNumpy() if o.InputsLength() else [])]
        outputs = [check_index(i, "outputs", oi) for i in (o.OutputsAsNumpy() if o.OutputsLength() else [])]
        if any(i < 0 for i in outputs):
            raise BadModel(f"{source}: op {oi} ({kind}) has an absent output")
        ops.append(Op(oi, kind, inputs, outputs, options))

    gin = [check_index(i, "graph inputs", "-") for i in (sg.InputsAsNumpy() if sg.InputsLength() else [])]
    gout = [check_index(i, "graph outputs", "-") for i in (sg.OutputsAsNumpy() if sg.OutputsLength() else [])]
    if not gin or not gout or any(i < 0 for i in gin + gout):
        raise BadModel(f"{source}: the subgraph has no inputs or outputs")
    desc = (model.Description() or b"").decode("utf-8", "replace")
    return Graph(tensors, ops, gin, gout, desc)


def _decode_flex(flexbuffers, raw, source, oi, kind):
    try:
        value = flexbuffers.Loads(raw)
    except Exception:
        raise BadModel(f"{source}: op {oi} ({kind}): custom options are not a valid flexbuffer") from None
    if not isinstance(value, dict):
        raise BadModel(f"{source}: op {oi} ({kind}): custom options are not a flexbuffer map")
    return {str(k): v for k, v in value.items()}


_ENUM_FIELDS = {"Padding": "Padding", "FusedActivationFunction": "ActivationFunctionType"}


def _decode_builtin(tflite, o, options_name, source, oi, kind):
    if options_name is None or not hasattr(tflite, options_name):
        return {}
    cls = getattr(tflite, options_name)
    table = o.BuiltinOptions()
    if table is None:
        return {}
    opt = cls()
    opt.Init(table.Bytes, table.Pos)
    out = {}
    for attr in dir(cls):
        if attr.startswith("_") or attr in ("Init", "GetRootAs") or attr.startswith("GetRootAs") or "BufferHasIdentifier" in attr:
            continue
        if attr.endswith(("Length", "IsNone", "AsNumpy")):
            continue
        fn = getattr(opt, attr)
        if hasattr(cls, attr + "AsNumpy"):
            value = [int(v) for v in getattr(opt, attr + "AsNumpy")()] if getattr(opt, attr + "Length")() else []
        else:
            try:
                value = fn()
            except TypeError:
                continue
        if attr in _ENUM_FIELDS:
            value = _enum_names(getattr(tflite, _ENUM_FIELDS[attr])).get(value, value)
        out[_snake(attr)] = value
    return out
