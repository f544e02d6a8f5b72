"""The graph IR the generator works on: tensors and ops read from a .tflite flatbuffer.

Produced by `lossykws.codegen.reader.read_model`; consumed by the planner and the op emitters. It
holds plain Python and numpy values only (no flatbuffer objects), so emitters and tests can build
graphs by hand.

# Example
```python
g = read_model(Path("model.tflite").read_bytes())
for op in g.ops:
    print(op.index, op.kind, [g.tensors[i].shape for i in op.inputs if i >= 0])
```
"""
from dataclasses import dataclass, field

import numpy as np

# numpy dtype and C type of each tensor element type the generator knows.
NUMPY_DTYPES = {
    "float32": np.float32,
    "int8": np.int8,
    "uint8": np.uint8,
    "int16": np.int16,
    "int32": np.int32,
    "int64": np.int64,
    "bool": np.bool_,
}
CTYPES = {
    "float32": "float",
    "int8": "int8_t",
    "uint8": "uint8_t",
    "int16": "int16_t",
    "int32": "int32_t",
    "int64": "int64_t",
    "bool": "bool",
}


@dataclass
class Tensor:
    """One tensor of the subgraph.

    # Arguments
    index: position in the subgraph's tensor list (the id used everywhere else).
    name: the converter's name (usually the Keras layer path).
    shape: static shape, a tuple of ints (NHWC for images; bitpacked tensors are int32
        [N, H, W, ceil(C/32)]).
    dtype: one of NUMPY_DTYPES' keys.
    scale, zero_point: per-tensor (length 1) or per-channel numpy arrays, or None.
    quantized_dimension: the axis of per-channel quantization.
    data: numpy array of `shape` and `dtype` for constants, else None.
    """

    index: int
    name: str
    shape: tuple
    dtype: str
    scale: object = None
    zero_point: object = None
    quantized_dimension: int = 0
    data: object = None

    @property
    def is_const(self):
        return self.data is not None

    @property
    def num_elements(self):
        n = 1
        for d in self.shape:
            n *= int(d)
        return n

    @property
    def itemsize(self):
        return np.dtype(NUMPY_DTYPES[self.dtype]).itemsize

    @property
    def nbytes(self):
        return self.num_elements * self.itemsize

    @property
    def ctype(self):
        return CTYPES[self.dtype]

    @property
    def is_quantized(self):
        return self.scale is not None and len(self.scale) > 0


@dataclass
class Op:
    """One operator, in schedule order.

    # Arguments
    index: position in the subgraph's operator list (= schedule position).
    kind: the builtin name ('CONV_2D') or, for custom ops, the custom code ('LceBconv2d').
    inputs, outputs: tensor indices; -1 marks an absent optional input.
    options: builtin options as a dict of snake_case fields (enums as their names, e.g.
        padding='SAME', fused_activation_function='RELU'); LCE custom options as decoded from the
        flexbuffer (e.g. {'stride_height': 1, 'padding': 0, 'pad_values': 1, ...}).
    """

    index: int
    kind: str
    inputs: list
    outputs: list
    options: dict = field(default_factory=dict)


@dataclass
class Graph:
    """The single subgraph of a model: tensors, ops in schedule order, graph inputs and outputs."""

    tensors: list
    ops: list
    inputs: list
    outputs: list
    description: str = ""

    def tensor(self, index):
        """The Tensor at `index`, or None for an absent optional input (-1)."""
        return None if index is None or index < 0 else self.tensors[index]

    def op_inputs(self, op):
        """The op's input Tensors (None where absent)."""
        return [self.tensor(i) for i in op.inputs]

    def op_outputs(self, op):
        return [self.tensor(i) for i in op.outputs]
