"""The LCE interpreter as the reference for every tensor of a model.

`lce.testing.Interpreter` only has `predict`, so intermediate tensors are reached by rewriting
the flatbuffer so that every op output is also a graph output (TFLite's schema object API, from
TensorFlow's bundled `schema_py_generated`). This module imports TensorFlow and LCE; codegen never
imports it.

# Example
```python
tensors = run_all_tensors(Path("model.tflite").read_bytes(), [x])
tensors[17]  # numpy array of tensor 17 as the interpreter computed it
```
"""

import numpy as np

from lossykws.errors import LossykwsError
from lossykws.tf import quiet_native_stderr


def interpreter(model_bytes, source="model.tflite"):
    """An `lce.testing.Interpreter` of `model_bytes` as canonical_flatbuffer rebuilt it: the
    interpreter trusts its input, and a truncated or corrupt flatbuffer crashed it (a segmentation
    fault, no message) where this says what is wrong in one line naming `source`. Every path that
    hands a flatbuffer to the interpreter goes through here."""
    model_bytes = canonical_flatbuffer(model_bytes, source)
    import lossykws  # noqa: F401  (TF_USE_LEGACY_KERAS before TensorFlow loads)

    try:
        with quiet_native_stderr():
            import larq_compute_engine as lce
    except ImportError as e:
        raise LossykwsError(f"the LCE interpreter is needed for the reference run: {e}") from None
    try:
        with quiet_native_stderr():
            return lce.testing.Interpreter(bytes(model_bytes), num_threads=1)
    except (RuntimeError, ValueError) as e:   # a model the reader takes but TFLite cannot prepare
        detail = (str(e).strip().splitlines() or [type(e).__name__])[-1][:160]
        raise LossykwsError(f"{source}: the LCE interpreter cannot prepare this model ({detail})") from None


def canonical_flatbuffer(model_bytes, source="model.tflite", edit=None):
    """The model read and checked by the project's reader, as export checks it (a one-line error
    for anything it refuses), then unpacked with TFLite's schema object API and packed again by a fresh flatbuffers builder.

    The interpreter does not verify the flatbuffer it is given: a byte changed in a table it reads
    but the reader does not (metadata, a vtable, an operator code) sends it through a wild offset.
    A buffer built anew has every offset made by the builder, so what remains wrong is a value,
    which TFLite's own preparation checks. `edit(model_t, schema)`, when given, changes the
    unpacked model before it is packed again."""
    import flatbuffers

    from lossykws.codegen.project import check_graph
    from lossykws.codegen.reader import read_model
    from lossykws.tf import import_tensorflow

    try:
        check_graph(read_model(model_bytes, source=str(source)))   # what export checks: ops, options, data flow
    except LossykwsError as e:
        message = str(e)
        raise LossykwsError(message if message.startswith(str(source)) else f"{source}: {message}") from None
    with quiet_native_stderr():
        import_tensorflow()
        from tensorflow.lite.python import schema_py_generated as schema
    try:
        model = schema.ModelT.InitFromObj(schema.Model.GetRootAsModel(bytearray(model_bytes), 0))
    except Exception as e:  # a corrupt table surfaces as any of struct's, numpy's or flatbuffers' errors
        raise LossykwsError(f"{source}: corrupt .tflite flatbuffer ({type(e).__name__})") from None
    if edit is not None:
        edit(model, schema)
    builder = flatbuffers.Builder(len(model_bytes) + 4096)
    builder.Finish(model.Pack(builder), file_identifier=b"TFL3")
    return bytes(builder.Output())


def expose_all_tensors(model_bytes, source="model.tflite"):
    """Return (new flatbuffer bytes, list of output tensor indices in the interpreter's order)."""
    order = []

    def expose(model, schema):
        sg = model.subgraphs[0]
        order.extend(int(i) for i in sg.outputs)
        for op in sg.operators:
            for i in op.outputs:
                if int(i) >= 0 and int(i) not in order:
                    order.append(int(i))
        sg.outputs = np.asarray(order, dtype=np.int32)

    return canonical_flatbuffer(model_bytes, source, edit=expose), order


def run_all_tensors(model_bytes, inputs, source="model.tflite"):
    """{tensor index: numpy array} of every op output (and the graph outputs) for `inputs` (one
    array per graph input, with the batch dimension). `source` names the model in errors."""
    fb, order = expose_all_tensors(model_bytes, source)
    interp = interpreter(fb, source)
    out = predict(interp, inputs[0] if len(inputs) == 1 else list(inputs), source)
    if not isinstance(out, (list, tuple)):
        out = [out]
    if len(out) != len(order):
        raise LossykwsError(f"interpreter returned {len(out)} outputs, expected {len(order)}")
    return {i: np.asarray(a) for i, a in zip(order, out)}


def predict(interp, x, source="model.tflite"):
    """interp.predict(x); inputs the model cannot take are a one-line error naming `source`."""
    try:
        return interp.predict(x, verbose=0) if _accepts_verbose(interp) else interp.predict(x)
    except (RuntimeError, ValueError) as e:
        detail = (str(e).strip().splitlines() or [type(e).__name__])[-1][:160]
        raise LossykwsError(f"{source}: the LCE interpreter refused the input ({detail})") from None


def interpreter_predict(model_bytes, x, source="model.tflite"):
    """Scores of the LCE interpreter for inputs x [n, ...] (one clip at a time: the flatbuffer's
    batch is 1), as float (int8 outputs dequantized are not needed: labels use argmax). The
    flatbuffer is read by the project's reader first: a corrupt one is a one-line error naming
    `source`, not a crash of the interpreter."""
    interp = interpreter(model_bytes, source)
    outs = []
    for i in range(len(x)):
        outs.append(np.asarray(predict(interp, x[i:i + 1], source)).reshape(1, -1))
    return np.concatenate(outs) if outs else np.zeros((0, 0))




def _accepts_verbose(interp):
    import inspect

    try:
        return "verbose" in inspect.signature(interp.predict).parameters
    except (TypeError, ValueError):
        return False
