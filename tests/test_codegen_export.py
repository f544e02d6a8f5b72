"""Export without TensorFlow: the reader on good and bad flatbuffers (fuzzed), unsupported ops
and options, the output folder rules, the arena plan, and the host project building with
-Wall -Wextra -Werror and running."""
import json
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import lossykws  # noqa: F401
from lossykws.codegen.ir import Graph, Op, Tensor
from lossykws.codegen.planner import plan_arena
from lossykws.codegen.project import check_graph, export_project, fuse_bconv_quantize, generate
from lossykws.codegen.reader import read_model
from lossykws.errors import LossykwsError

TINY = Path(__file__).parent / "fixtures" / "codegen" / "tiny_lce.tflite"
needs_cc = pytest.mark.skipif(shutil.which("cc") is None or shutil.which("make") is None, reason="no host cc/make")


def _one_line(e):
    msg = str(e.value)
    assert "\n" not in msg and msg
    return msg


def test_reader_reads_lce_ops():
    g = read_model(TINY.read_bytes())
    assert [op.kind for op in g.ops] == ["LceQuantize", "LceBconv2d", "LceBconv2d", "LceQuantize", "LceBMaxPool2d",
                                         "LceBconv2d", "MEAN", "FULLY_CONNECTED", "SOFTMAX"]
    bconv = g.ops[1]
    assert bconv.options["channels_in"] == 4 and bconv.options["pad_values"] == 1
    assert g.tensors[bconv.inputs[1]].data.dtype == np.int32  # filter stays bitpacked
    assert g.ops[7].options["fused_activation_function"] == "NONE"


@pytest.mark.parametrize("data, words", [
    (b"", "not a .tflite"),
    (b"hello world, not a model at all", "not a .tflite"),
    (TINY.read_bytes()[:2000], "truncated"),
    (TINY.read_bytes()[:40], "truncated"),
])
def test_bad_flatbuffers(tmp_path, data, words):
    src = tmp_path / "bad.tflite"
    src.write_bytes(data)
    out = tmp_path / "proj"
    with pytest.raises(LossykwsError) as e:
        export_project(src, out, "host")
    assert words in _one_line(e) or "corrupt" in _one_line(e)
    assert not out.exists()
    assert [p.name for p in tmp_path.iterdir()] == ["bad.tflite"]  # no temporary left behind


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_reader_fuzz(data):
    """Mutated and truncated models: a Graph or a LossykwsError, never another exception; what the
    reader accepts goes through the checks and the generator the same way."""
    raw = bytearray(TINY.read_bytes())
    cut = data.draw(st.integers(8, len(raw)))
    raw = raw[:cut]
    for _ in range(data.draw(st.integers(0, 8))):
        i = data.draw(st.integers(0, len(raw) - 1))
        raw[i] = data.draw(st.integers(0, 255))
    try:
        g = read_model(bytes(raw))
        check_graph(g)
        generate(fuse_bconv_quantize(g), bytes(raw), "fuzz.tflite")
    except LossykwsError as e:
        assert "\n" not in str(e)


def _schema():
    pytest.importorskip("tensorflow")
    from lossykws.tf import import_tensorflow

    import_tensorflow()
    from tensorflow.lite.python import schema_py_generated as schema

    return schema


def _edit(tmp_path, fn):
    """Rewrite the tiny model through TFLite's schema object API."""
    import flatbuffers

    schema = _schema()
    m = schema.ModelT.InitFromObj(schema.Model.GetRootAsModel(bytearray(TINY.read_bytes()), 0))
    fn(m, schema)
    b = flatbuffers.Builder(0)
    b.Finish(m.Pack(b), file_identifier=b"TFL3")
    p = tmp_path / "edited.tflite"
    p.write_bytes(bytes(b.Output()))
    return p


def _export_fails(tmp_path, src):
    out = tmp_path / "proj"
    with pytest.raises(LossykwsError) as e:
        export_project(src, out, "host")
    assert not out.exists()
    return _one_line(e)


def test_several_subgraphs(tmp_path):
    src = _edit(tmp_path, lambda m, s: m.subgraphs.append(m.subgraphs[0]))
    assert "2 subgraphs" in _export_fails(tmp_path, src)


def test_dynamic_shape(tmp_path):
    def dyn(m, s):
        t = m.subgraphs[0].tensors[m.subgraphs[0].inputs[0]]
        t.shapeSignature = np.array([-1, 8, 8, 4], dtype=np.int32)
    assert "dynamic shape" in _export_fails(tmp_path, _edit(tmp_path, dyn))


def test_unsupported_op(tmp_path):
    def tanh(m, s):
        code = s.OperatorCodeT()
        code.builtinCode = code.deprecatedBuiltinCode = s.BuiltinOperator.TANH
        m.operatorCodes.append(code)
        m.subgraphs[0].operators[8].opcodeIndex = len(m.operatorCodes) - 1
    msg = _export_fails(tmp_path, _edit(tmp_path, tanh))
    assert msg.startswith(f"{tmp_path / 'edited.tflite'}: op 8 (TANH): op kind not supported (tensor 19 ")


def test_unsupported_option(tmp_path):
    def act(m, s):
        m.subgraphs[0].operators[7].builtinOptions.fusedActivationFunction = s.ActivationFunctionType.TANH
    msg = _export_fails(tmp_path, _edit(tmp_path, act))
    assert msg.startswith(f"{tmp_path / 'edited.tflite'}: op 7 (FULLY_CONNECTED): fused_activation_function=TANH not supported (tensor 18 ")


def test_output_folder_rules(tmp_path):
    out = tmp_path / "proj"
    out.mkdir()
    (out / "keep.txt").write_text("x")
    with pytest.raises(LossykwsError) as e:
        export_project(TINY, out, "host")
    assert "--force" in _one_line(e)
    assert (out / "keep.txt").exists()
    export_project(TINY, out, "host", force=True)
    assert not (out / "keep.txt").exists() and (out / "model.c").exists()


def test_stamp_and_api(tmp_path):
    out = tmp_path / "proj"
    manifest = export_project(TINY, out, "host")
    import hashlib

    sha = hashlib.sha256(TINY.read_bytes()).hexdigest()
    for name in ("model.h", "model.c", "model_data.c", "model_data.h", "model_settings.h"):
        text = (out / name).read_text()
        assert sha in text and f"lossykws {lossykws.__version__}" in text
        # filled from its template (firmware/templates/model/), every placeholder replaced
        assert text.startswith(f"/* Generated from firmware/templates/model/{name}.in and tiny_lce.tflite ")
        assert "${" not in text
    h = (out / "model.h").read_text()
    for decl in ("#define MODEL_ARENA_BYTES", "#define MODEL_NUM_INPUTS 1", "#define MODEL_NUM_OUTPUTS 1",
                 "#define MODEL_NUM_TENSORS 20", "typedef void (*model_observer)(void *user, int op_index, "
                 "int tensor_index, const void *data, size_t bytes);",
                 "void *model_input(uint8_t *arena, int i);", "size_t model_input_bytes(int i);",
                 "const void *model_output(const uint8_t *arena, int i);", "size_t model_output_bytes(int i);",
                 "int model_invoke(uint8_t *arena, model_observer observe, void *user);"):
        assert decl in h
    assert (out / "model.tflite").read_bytes() == TINY.read_bytes()
    assert json.loads((out / "lossykws.json").read_text())["arena_bytes"] == manifest["arena_bytes"]
    # Bitpacked weights stay packed: the 16x3x3 filter on 33 channels is 16*9*2 words; the first
    # layer's (33 filters, 3x3 on 4 channels) goes dense: 36 bits, 2 words per filter.
    data = (out / "model_data.c").read_text()
    assert "const int32_t t2_arith_constant1[288]" in data and "const int32_t k1_dense_filter[66]" in data
    assert "malloc" not in (out / "model.c").read_text()


def test_plan_never_overlaps_live_tensors():
    g = read_model(TINY.read_bytes())
    plan = plan_arena(g)
    life = plan.lifetimes
    items = [(plan.offsets[i], g.tensors[i].nbytes, *life[i]) for i in life]
    for a in range(len(items)):
        for b in range(a + 1, len(items)):
            oa, sa, fa, la = items[a]
            ob, sb, fb, lb = items[b]
            if not (la < fb or lb < fa):
                assert oa + sa <= ob or ob + sb <= oa
    assert plan.arena_bytes < sum(g.tensors[i].nbytes for i in life)  # memory is reused
    assert all(o % 16 == 0 for o in plan.offsets.values())


def test_fusion_drops_the_float_tensor(tmp_path):
    fused = export_project(TINY, tmp_path / "a", "host")
    plain = export_project(TINY, tmp_path / "b", "host", fuse=False)
    assert [op["kind"] for op in plain["ops"]][2:4] == ["LceBconv2d", "LceQuantize"]
    assert [op["kind"] for op in fused["ops"]][2:4] == ["LceBconv2d", "LceBMaxPool2d"]
    assert fused["ops"][2]["outputs"][0]["tensor"] == 14 and fused["ops"][2]["index"] == 2
    assert fused["arena_bytes"] < plain["arena_bytes"]
    assert "lkws_bconv2d_opt_signs" in (tmp_path / "a" / "model.c").read_text()


def test_plan_chain_reuses_memory():
    ts = [Tensor(i, f"t{i}", (100,), "float32") for i in range(5)]
    ops = [Op(i, "RELU", [i], [i + 1]) for i in range(4)]
    plan = plan_arena(Graph(ts, ops, [0], [4]))
    assert plan.arena_bytes == 2 * 400  # a chain needs two live buffers at a time


@needs_cc
def test_host_project_builds_and_runs(tmp_path):
    out = tmp_path / "proj"
    export_project(TINY, out, "host")
    r = subprocess.run(["make", "-s", "-C", str(out)], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    x = np.random.default_rng(0).normal(size=(1, 8, 8, 4)).astype(np.float32)
    x.tofile(tmp_path / "x.bin")
    r = subprocess.run([str(out / "model"), "--dump", str(tmp_path / "d"), str(tmp_path / "x.bin")],
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    assert len(lines) == 6 and lines[-1].startswith("label ")
    scores = [float(line.split()[-1]) for line in lines[:5]]
    assert abs(sum(scores) - 1) < 1e-5
    # Every op output, except tensor 13: the float output of op 2 (zero-padded bconv) read only by
    # the LceQuantize of op 3, fused away by default.
    assert sorted(p.name for p in (tmp_path / "d").iterdir()) == sorted(f"t{i}.bin" for i in range(11, 20) if i != 13)
    (tmp_path / "short.bin").write_bytes(b"\0" * 10)
    r = subprocess.run([str(out / "model"), str(tmp_path / "short.bin")], capture_output=True, text=True)
    assert r.returncode == 1 and "expected exactly 1024 bytes" in r.stderr


def test_cli_export(tmp_path):
    from click.testing import CliRunner

    from lossykws.cli import main

    runner = CliRunner()
    r = runner.invoke(main, ["export", str(TINY), "--target", "host", "--out", str(tmp_path / "p")])
    assert r.exit_code == 0, r.output
    assert "arena" in r.output
    (tmp_path / "bad.tflite").write_bytes(b"nope")
    r = runner.invoke(main, ["export", str(tmp_path / "bad.tflite"), "--out", str(tmp_path / "q")])
    assert r.exit_code != 0 and "not a .tflite flatbuffer" in r.output
    assert "Traceback" not in r.output and not (tmp_path / "q").exists()


def test_export_never_imports_tensorflow(tmp_path):
    """Exporting reads the flatbuffer alone: fast, and possible where TensorFlow is not installed."""
    import sys

    code = ("import sys; from lossykws.codegen.project import export_project; "
            f"export_project({str(TINY)!r}, {str(tmp_path / 'p')!r}, 'host'); "
            f"export_project({str(TINY)!r}, {str(tmp_path / 'q')!r}, 'qemu-m4'); "
            "bad = [m for m in sys.modules if m.split('.')[0] in ('tensorflow', 'larq', 'larq_compute_engine', 'keras', 'tf_keras')]; "
            "assert not bad, bad")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr


@needs_cc
def test_export_run_directory(tmp_path):
    """A run directory: its model.tflite, with the run's labels and codec in model_settings.h."""
    from click.testing import CliRunner

    from lossykws.cli import main
    from lossykws.training.run import RUN_FORMAT, RUN_VERSION

    run = tmp_path / "run"
    run.mkdir()
    shutil.copy(TINY, run / "model.tflite")
    config = {"format": RUN_FORMAT, "version": RUN_VERSION, "task": "tiny", "model": "vq-bnn",
              "labels": ["yes", "no", "up", "down", "go"],
              "codec": {"codec": "vq", "bits": 4, "shape": [64, 64, 4], "scale": 0.5}}
    (run / "config.json").write_text(json.dumps(config))
    r = CliRunner().invoke(main, ["export", str(run), "--out", str(tmp_path / "p")])
    assert r.exit_code == 0, r.output
    settings = (tmp_path / "p" / "model_settings.h").read_text()
    for line in ('#define MODEL_LABELS {"yes", "no", "up", "down", "go"}', '#define MODEL_CODEC_CODEC "vq"',
                 "#define MODEL_CODEC_BITS 4", "#define MODEL_CODEC_SHAPE {64, 64, 4}", '#define MODEL_TASK "tiny"'):
        assert line in settings
    subprocess.run(["make", "-s", "-C", str(tmp_path / "p")], check=True, capture_output=True)
    np.zeros((1, 8, 8, 4), np.float32).tofile(tmp_path / "x.bin")
    out = subprocess.run([str(tmp_path / "p" / "model"), str(tmp_path / "x.bin")], capture_output=True, text=True)
    assert out.stdout.splitlines()[-1].split()[2] in config["labels"]
    config["labels"] = ["a", "b"]
    (run / "config.json").write_text(json.dumps(config))
    r = CliRunner().invoke(main, ["export", str(run), "--out", str(tmp_path / "q")])
    assert r.exit_code != 0 and "2 labels for a model whose first output has 5 scores" in r.output


def test_plan_reshape_shares_bytes():
    """A RESHAPE's output takes its input's slot; the group lives over both lifetimes."""
    ts = [Tensor(i, f"t{i}", (100,), "float32") for i in range(5)]
    ops = [Op(0, "RELU", [0], [1]), Op(1, "RESHAPE", [1], [2]), Op(2, "RELU", [2], [3]), Op(3, "ADD", [1, 3], [4])]
    plan = plan_arena(Graph(ts, ops, [0], [4]), aliases={2: 1})
    assert plan.offsets[2] == plan.offsets[1]
    assert len({plan.offsets[i] for i in (1, 3, 4)}) == 3  # 1 (and 2) still live when 3 and 4 are


@needs_cc
@pytest.mark.parametrize("flags", [["--packed-input"], ["--no-fuse"]])
def test_cli_export_options_then_emulate(tmp_path, flags):
    from click.testing import CliRunner

    from lossykws.cli import main

    runner = CliRunner()
    r = runner.invoke(main, ["export", str(TINY), "--out", str(tmp_path / "p"), *flags])
    assert r.exit_code == 0, r.output
    manifest = json.loads((tmp_path / "p" / "lossykws.json").read_text())
    kinds = [op["kind"] for op in manifest["ops"]]
    if flags == ["--packed-input"]:
        assert "LceQuantize" not in kinds[:1]
    graph = read_model(TINY.read_bytes())
    x = np.sign(np.random.default_rng(0).normal(size=graph.tensors[graph.inputs[0]].shape)).astype(np.float32)
    np.save(tmp_path / "x.npy", x)
    r = runner.invoke(main, ["emulate", str(tmp_path / "p"), str(tmp_path / "x.npy"), "--json"])
    assert r.exit_code == 0, r.output
    report = json.loads(r.output[r.output.index("{"):])
    assert report["first_difference"] is None and all(s["agree"] for s in report["samples"])
