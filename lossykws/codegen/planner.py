"""Static memory plan: every non-constant tensor gets an offset in one arena, by lifetime.

A tensor lives from the op that writes it (graph inputs: from the start) to the last op that
reads it (graph outputs: to the end). Two tensors may share bytes only if their lifetimes do not
overlap; an op's outputs therefore never alias its inputs (kernels are not in place). Placement is
greedy by size, largest first, each at the lowest 16-byte aligned offset free for its lifetime
(TFLite's "greedy by size" strategy), which is optimal or near it for the chains of a CNN.

Op scratch (see OpEmitter.scratch_bytes) is planned like a tensor alive during its op only.

Aliases ({tensor: tensor it shares bytes with}, e.g. a RESHAPE's output and input) place a group
of tensors at one offset, alive over the union of their lifetimes: tensors are never written
after the op that produces them, so sharing is safe and the copy disappears.

# Example
```python
plan = plan_arena(graph, scratch={3: 256})
plan.offsets[tensor_index], plan.arena_bytes, plan.const_bytes
```
"""
from dataclasses import dataclass, field

ALIGN = 16


def _align(n):
    return (n + ALIGN - 1) // ALIGN * ALIGN


@dataclass
class Plan:
    offsets: dict  # tensor index -> byte offset in the arena
    scratch_offsets: dict  # op index -> byte offset of its scratch
    arena_bytes: int
    const_bytes: int
    lifetimes: dict = field(default_factory=dict)  # tensor index -> (first op, last op)


def tensor_lifetimes(graph):
    """{tensor index: (first, last)} for every non-constant tensor the schedule touches."""
    end = len(graph.ops)
    life = {}
    for i in graph.inputs:
        life[i] = (-1, -1)
    for op in graph.ops:
        for i in op.outputs:
            first, last = life.get(i, (op.index, op.index))
            life[i] = (min(first, op.index), max(last, op.index))
        for i in op.inputs:
            if i < 0 or graph.tensors[i].is_const:
                continue
            first, last = life.get(i, (op.index, op.index))
            life[i] = (min(first, op.index), max(last, op.index))
    for i in graph.outputs:
        first, _ = life.get(i, (end, end))
        life[i] = (first, end)
    return life


def plan_arena(graph, scratch=None, aliases=None):
    """Place tensors (and per-op scratch byte counts) in one arena; return a Plan."""
    life = tensor_lifetimes(graph)
    aliases = {a: b for a, b in (aliases or {}).items() if a in life and b in life}

    def root(i):
        while i in aliases:
            i = aliases[i]
        return i

    groups = {}
    for i, (first, last) in life.items():
        r = root(i)
        f, l, n = groups.get(r, (first, last, 0))
        groups[r] = (min(f, first), max(l, last), max(n, graph.tensors[i].nbytes))
    items = [(("t", r), n, (f, l)) for r, (f, l, n) in groups.items()]
    for op_index, nbytes in (scratch or {}).items():
        if nbytes > 0:
            items.append((("s", op_index), nbytes, (op_index, op_index)))
    # Largest first; ties by first use, then key, so the plan is deterministic.
    items.sort(key=lambda it: (-it[1], it[2][0], it[0]))
    placed = []  # (offset, size, first, last)
    where = {}
    for key, size, (first, last) in items:
        size = max(_align(size), ALIGN)
        overlapping = sorted((o, s) for o, s, f, l in placed if not (l < first or f > last))
        offset = 0
        for o, s in overlapping:
            if offset + size <= o:
                break
            offset = max(offset, _align(o + s))
        placed.append((offset, size, first, last))
        where[key] = offset
    arena = max((o + s for o, s, _, _ in placed), default=0)
    const_bytes = sum(t.nbytes for t in graph.tensors if t.is_const)
    return Plan(
        offsets={i: where[("t", root(i))] for i in life},
        scratch_offsets={k[1]: v for k, v in where.items() if k[0] == "s"},
        arena_bytes=max(arena, ALIGN),
        const_bytes=const_bytes,
        lifetimes=life,
    )
