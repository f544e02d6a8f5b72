"""The C runtime as the code generator sees it: where it is (lossykws.c_runtime's FIRMWARE: sources,
headers, templates, board files), and the sizes it defines, read from its headers, so Python never repeats a C formula.

A kernel that needs scratch memory declares its size as a function-like macro in its header
(firmware/include/lkws/, e.g. `LKWS_BCONV2D_OPT_SCRATCH_BYTES(filter_h, filter_w, channels_in)`).
The arena planner needs that number at export time, so `macro_value` evaluates the macro's own
text: parameters substituted, other lkws macros expanded, then the integer arithmetic (+ - * / %
and parentheses on non-negative operands, where C's division is Python's floor division). No
compiler is needed, and the emitted code checks the same macro at compile time (`scratch_check`).

# Example
```python
macro_value("LKWS_BCONV2D_OPT_SCRATCH_BYTES", 3, 3, 4)  # 36
```
"""
import ast
import functools
import re
from pathlib import Path

from .. import c_runtime
from ..errors import LossykwsError

FIRMWARE = c_runtime.FIRMWARE
HEADERS = c_runtime.INCLUDE
_DEFINE = re.compile(r"^#define\s+(LKWS_\w+)\(([^)]*)\)\s+(.*)$")


@functools.lru_cache(maxsize=None)
def function_macros(headers=HEADERS):
    """{name: (parameter names, body)} of the function-like LKWS_ macros of the runtime's headers."""
    macros = {}
    for h in sorted(Path(headers).glob("*.h")):
        text = h.read_text().replace("\\\n", " ")
        for line in text.splitlines():
            m = _DEFINE.match(line.strip())
            if m:
                params = tuple(p.strip() for p in m.group(2).split(",") if p.strip())
                macros[m.group(1)] = (params, m.group(3).split("/*")[0].strip())
    return macros


def _expand(text, macros, depth=0):
    """text with every call of a known macro replaced by its body (arguments substituted)."""
    if depth > 16:
        raise LossykwsError(f"C macro expansion too deep: {text}")
    out, i = [], 0
    for m in re.finditer(r"\b(LKWS_\w+)\s*\(", text):
        if m.start() < i or m.group(1) not in macros:
            continue
        level, j = 1, m.end()
        while level:
            level += {"(": 1, ")": -1}.get(text[j], 0)
            j += 1
        args = [a.strip() for a in _split_args(text[m.end():j - 1])]
        params, body = macros[m.group(1)]
        if len(args) != len(params):
            raise LossykwsError(f"C macro {m.group(1)} takes {len(params)} arguments, given {len(args)}")
        for p, a in zip(params, args):
            body = re.sub(rf"\b{p}\b", f"({a})", body)
        out.append(text[i:m.start()])
        out.append(f"({_expand(body, macros, depth + 1)})")
        i = j
    out.append(text[i:])
    return "".join(out)


def _split_args(text):
    args, level, start = [], 0, 0
    for k, ch in enumerate(text):
        level += {"(": 1, ")": -1}.get(ch, 0)
        if ch == "," and level == 0:
            args.append(text[start:k])
            start = k + 1
    args.append(text[start:])
    return args


def _eval(node):
    if isinstance(node, ast.Expression):
        return _eval(node.body)
    if isinstance(node, ast.Constant) and isinstance(node.value, int):
        return node.value
    if isinstance(node, ast.BinOp):
        a, b = _eval(node.left), _eval(node.right)
        if min(a, b) < 0 and isinstance(node.op, (ast.Div, ast.Mod)):
            raise LossykwsError("C macro: division of a negative number")
        ops = {ast.Add: lambda: a + b, ast.Sub: lambda: a - b, ast.Mult: lambda: a * b,
               ast.Div: lambda: a // b, ast.Mod: lambda: a % b}
        if type(node.op) in ops:
            return ops[type(node.op)]()
    raise LossykwsError(f"C macro: unsupported expression {ast.dump(node)}")


def macro_value(name, *args):
    """The integer value of the runtime's macro `name` applied to integer args."""
    macros = function_macros()
    if name not in macros:
        raise LossykwsError(f"C macro {name} not found in {HEADERS}")
    expr = _expand(f"{name}({', '.join(str(int(a)) for a in args)})", macros)
    return _eval(ast.parse(expr, mode="eval"))


def scratch_check(name, args, nbytes):
    """A C statement that fails to compile unless macro `name`(args) <= nbytes: the arena region
    the planner reserved from macro_value still holds what the compiled runtime asks for."""
    call = f"{name}({', '.join(str(int(a)) for a in args)})"
    return f"(void)sizeof(char[({call}) <= {int(nbytes)} ? 1 : -1]); /* scratch fits */"
