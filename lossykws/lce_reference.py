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

from .errors import LossykwsError
from .tf import quiet_native_stderr


def expose_all_tensors(model_bytes):
    """Return (new flatbuffer bytes, list of output tensor indices in the interpreter's order)."""
    import flatbuffers

    from .tf import import_tensorflow

    with quiet_native_stderr():
        import_tensorflow()
        from tensorflow.lite.python import schema_py_generated as schema

    model = schema.ModelT.InitFromObj(schema.Model.GetRootAsModel(bytearray(model_bytes), 0))
    sg = model.subgraphs[0]
    outputs = [int(i) for i in sg.outputs]
    for op in sg.operators:
        for i in op.outputs:
            if int(i) >= 0 and int(i) not in outputs:
                outputs.append(int(i))
    sg.outputs = np.asarray(outputs, dtype=np.int32)
    builder = flatbuffers.Builder(len(model_bytes) + 4096)
    builder.Finish(model.Pack(builder), file_identifier=b"TFL3")
    return bytes(builder.Output()), outputs


def run_all_tensors(model_bytes, inputs):
    """{tensor index: numpy array} of every op output (and the graph outputs) for `inputs` (one
    array per graph input, with the batch dimension)."""
    import lossykws  # noqa: F401

    try:
        with quiet_native_stderr():
            import larq_compute_engine as lce
    except ImportError as e:
        raise LossykwsError(f"the LCE interpreter is needed for the reference run: {e}") from None
    fb, order = expose_all_tensors(model_bytes)
    with quiet_native_stderr():
        interp = lce.testing.Interpreter(fb, num_threads=1)
    x = inputs[0] if len(inputs) == 1 else list(inputs)
    out = interp.predict(x, verbose=0) if _accepts_verbose(interp) else interp.predict(x)
    if not isinstance(out, (list, tuple)):
        out = [out]
    if len(out) != len(order):
        raise LossykwsError(f"interpreter returned {len(out)} outputs, expected {len(order)}")
    return {i: np.asarray(a) for i, a in zip(order, out)}


def _accepts_verbose(interp):
    import inspect

    try:
        return "verbose" in inspect.signature(interp.predict).parameters
    except (TypeError, ValueError):
        return False
