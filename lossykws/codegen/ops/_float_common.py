"""Helpers shared by the float32 builtin emitters (not an emitter module itself)."""
from lossykws.codegen.ops.base import OpEmitter, c_struct, float_activation, same_or_valid


def is_float_op(op, graph):
    t = graph.tensor(op.inputs[0]) if op.inputs else None
    return t is not None and t.dtype == "float32"


class FloatEmitter(OpEmitter):
    """Base of the float32 builtin emitters: takes the ops whose first input is float32."""

    def handles(self, op, graph):
        return is_float_op(op, graph)


class ElementwiseF32Emitter(FloatEmitter):
    """A one-input elementwise float32 op: checks that the output is float32 with as many elements."""

    def check(self, op, graph):
        self.require_dtype(op, graph, op.outputs[0], ("float32",), "output")
        x, y = graph.tensor(op.inputs[0]), graph.tensor(op.outputs[0])
        if x.num_elements != y.num_elements:
            self.unsupported(op, graph, "shape", list(y.shape), y)


def window_params(op, graph, emitter, filter_hw, out_c, depth_multiplier=1):
    """C initializer of lkws_window_params for a conv/pool op; checks the output shape."""
    o = op.options
    x, y = graph.tensor(op.inputs[0]), graph.tensor(op.outputs[0])
    if len(x.shape) != 4 or len(y.shape) != 4:
        emitter.unsupported(op, graph, "rank", len(x.shape), x)
    pad = o.get("padding")
    if pad not in ("SAME", "VALID"):
        emitter.unsupported(op, graph, "option padding", pad)
    keys = ["stride_h", "stride_w"]
    if op.kind in ("CONV_2D", "DEPTHWISE_CONV_2D"):
        keys += ["dilation_h_factor", "dilation_w_factor"]
    for key in keys:
        if not isinstance(o.get(key), int):
            emitter.unsupported(op, graph, f"option {key}", o.get(key))
    sh, sw = o["stride_h"], o["stride_w"]
    dh, dw = o.get("dilation_h_factor", 1), o.get("dilation_w_factor", 1)
    if min(sh, sw, dh, dw, *filter_hw) < 1:
        emitter.unsupported(op, graph, "stride/dilation/filter", f"{sh},{sw},{dh},{dw},{filter_hw}")
    oh, pt = same_or_valid(pad, x.shape[1], filter_hw[0], sh, dh)
    ow, pl = same_or_valid(pad, x.shape[2], filter_hw[1], sw, dw)
    if tuple(y.shape) != (x.shape[0], oh, ow, out_c):
        emitter.unsupported(op, graph, "output shape", list(y.shape), y)
    lo, hi = float_activation(op, graph, o.get("fused_activation_function", "NONE"))
    names = ("batches", "in_h", "in_w", "in_c", "out_h", "out_w", "out_c", "filter_h", "filter_w", "stride_h",
             "stride_w", "dilation_h", "dilation_w", "pad_top", "pad_left", "depth_multiplier")
    values = [str(int(v)) for v in (x.shape[0], x.shape[1], x.shape[2], x.shape[3], oh, ow, out_c, filter_hw[0],
                                    filter_hw[1], sh, sw, dh, dw, pt, pl, depth_multiplier)]
    return c_struct(list(zip(names, values)) + [("act_min", lo), ("act_max", hi)])


def require_const_float(emitter, op, graph, index, role):
    t = graph.tensor(index)
    if t is None or not t.is_const or t.dtype != "float32":
        emitter.unsupported(op, graph, f"{role} (constant float32 expected)", None if t is None else t.dtype, t)
    return t
