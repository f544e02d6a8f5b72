"""The package's imports follow the pipeline: stage packages in one direction, no circles.

Every import of every module is read (module level and inside functions, which is where the heavy
ones are) and resolved to the lossykws module it names. The layers, each importing only its own
package or a lower layer:

    foundation  lossykws (errors, fsutil, progress, tf, c_runtime)
    data, codegen                        (neither imports the other)
    features
    emulation
    training
    pipeline
    cli                                  (nothing imports it)

codegen imports neither TensorFlow, Larq, torch nor lossykws.tf: export reads the flatbuffer alone.
"""
import ast
from collections import defaultdict
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "lossykws"
LAYER = {"": 0, "data": 1, "codegen": 1, "features": 2, "emulation": 3, "training": 4, "pipeline": 5, "cli": 6}
HEAVY = ("tensorflow", "tf_keras", "larq", "larq_compute_engine", "torch", "torchaudio", "encodec")


def module_name(path):
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def modules():
    return {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def imports(name, path, known):
    """(lossykws modules, other top-level packages) that the module at path imports."""
    is_package = path.name == "__init__.py"
    own, other = set(), set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            for a in node.names:
                (own if a.name.split(".")[0] == "lossykws" else other).add(
                    a.name if a.name.split(".")[0] == "lossykws" else a.name.split(".")[0])
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = name.split(".") if is_package else name.split(".")[:-1]
                base = base[:len(base) - (node.level - 1)]
                mod = ".".join(base + ([node.module] if node.module else []))
            else:
                mod = node.module
            if mod.split(".")[0] != "lossykws":
                other.add(mod.split(".")[0])
                continue
            for a in node.names:
                own.add(f"{mod}.{a.name}" if f"{mod}.{a.name}" in known else mod)
    return own, other


def graph():
    known = modules()
    edges, external = {}, {}
    for name, path in known.items():
        own, other = imports(name, path, known)
        edges[name] = {m for m in own if m != name}
        external[name] = other
    return edges, external


def stage(module):
    parts = module.split(".")
    return parts[1] if len(parts) > 2 or (len(parts) == 2 and parts[1] in LAYER) else ""


def cycles(edges):
    """Strongly connected components of more than one module (Tarjan)."""
    index, low, stack, on, out, counter = {}, {}, [], set(), [], [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in edges.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                out.append(sorted(component))

    for v in sorted(edges):
        if v not in index:
            visit(v)
    return out


def test_every_import_resolves_to_a_module():
    edges, _ = graph()
    known = set(edges)
    unknown = {(a, b) for a, targets in edges.items() for b in targets if b not in known}
    assert not unknown, unknown


def test_no_import_circles():
    edges, _ = graph()
    found = cycles(edges)
    print(f"{len(edges)} modules, {sum(map(len, edges.values()))} imports between them, {len(found)} circles")
    assert not found, found


def test_imports_point_down_the_pipeline():
    edges, _ = graph()
    wrong = []
    for a, targets in edges.items():
        for b in targets:
            sa, sb = stage(a), stage(b)
            if sa == sb:
                continue
            if LAYER[sb] >= LAYER[sa]:
                wrong.append(f"{a} -> {b} ({sa or 'foundation'} may not import {sb})")
    assert not wrong, "\n".join(wrong)


def test_nothing_imports_the_cli():
    edges, _ = graph()
    assert not [(a, b) for a, t in edges.items() for b in t if stage(b) == "cli" and stage(a) != "cli"]


def test_codegen_reads_the_flatbuffer_alone():
    edges, external = graph()
    for name in edges:
        if stage(name) == "codegen":
            assert not external[name] & set(HEAVY), (name, external[name] & set(HEAVY))
            assert "lossykws.tf" not in edges[name], name


def test_the_checker_sees_a_circle_and_an_upward_import():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert stage("lossykws.cli") == "cli" and stage("lossykws.emulation.qemu") == "emulation"
    assert stage("lossykws.errors") == "" and LAYER[stage("lossykws.codegen.project")] < LAYER["emulation"]
