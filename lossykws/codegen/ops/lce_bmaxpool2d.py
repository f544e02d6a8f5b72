"""LceBMaxPool2d: max pooling on bitpacked tensors (AND of the window's words)."""
from .base import OpEmitter, c_struct, checked, register, same_or_valid


@register
class LceBMaxPool2d(OpEmitter):
    kinds = ("LceBMaxPool2d",)
    sources = ("lkws_bmaxpool2d_ref.c",)  # no optimized twin (lkws/bmaxpool2d.h)
    headers = ("lkws/bmaxpool2d.h",)

    def check(self, op, graph):
        self.require_dtype(op, graph, op.inputs[0], ("int32",))
        self.require_dtype(op, graph, op.outputs[0], ("int32",), "output")
        o = op.options
        for key in ("filter_height", "filter_width", "stride_height", "stride_width", "padding"):
            if not isinstance(o.get(key), int):
                self.unsupported(op, graph, f"option {key}", o.get(key))
        if o["padding"] not in (0, 1):
            self.unsupported(op, graph, "option padding", o["padding"])
        if min(o["filter_height"], o["filter_width"], o["stride_height"], o["stride_width"]) < 1:
            self.unsupported(op, graph, "filter/stride", f"{o['filter_height']}x{o['filter_width']}/{o['stride_height']}x{o['stride_width']}")
        x, y = graph.tensor(op.inputs[0]), graph.tensor(op.outputs[0])
        if len(x.shape) != 4 or len(y.shape) != 4:
            self.unsupported(op, graph, "rank", len(x.shape), x)
        exp = self._geometry(op, graph)
        if (y.shape[0], y.shape[1], y.shape[2], y.shape[3]) != (x.shape[0], exp[0], exp[2], x.shape[3]):
            self.unsupported(op, graph, "output shape", list(y.shape), y)

    def _geometry(self, op, graph):
        o = op.options
        x = graph.tensor(op.inputs[0])
        pad = "SAME" if o["padding"] == 0 else "VALID"
        oh, pt = same_or_valid(pad, x.shape[1], o["filter_height"], o["stride_height"], 1)
        ow, pl = same_or_valid(pad, x.shape[2], o["filter_width"], o["stride_width"], 1)
        return oh, pt, ow, pl

    def emit(self, op, graph, ctx):
        o = op.options
        x = graph.tensor(op.inputs[0])
        oh, pt, ow, pl = self._geometry(op, graph)
        names = ("batches", "in_h", "in_w", "words", "out_h", "out_w", "filter_h", "filter_w", "stride_h", "stride_w",
                 "pad_top", "pad_left")
        values = (x.shape[0], x.shape[1], x.shape[2], x.shape[3], oh, ow, o["filter_height"], o["filter_width"],
                  o["stride_height"], o["stride_width"], pt, pl)
        return (
            f"static const lkws_bmaxpool2d_params p = {c_struct(zip(names, (int(v) for v in values)))};\n"
            + checked(ctx, f"lkws_bmaxpool2d_ref_bitpacked(&p, {ctx.ref(x.index)}, {ctx.ref(op.outputs[0])})")
        )
