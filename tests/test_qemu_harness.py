"""The qemu-m4 harness on mps2-an386, with a hand-written stand-in model (tests/fixtures/qemu_model):
builds with -Werror and without a heap, moves tensors through semihosting bit for bit, passes the
model's status out, and counts instructions exactly."""
import shutil
import struct
from pathlib import Path

import numpy as np
import pytest

from lossykws.emulation import qemu
from lossykws.errors import LossykwsError

from conftest import require_tool

FIXTURE = Path(__file__).parent / "fixtures" / "qemu_model"


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    for tool in ("arm-none-eabi-gcc", "qemu-system-arm", "make", "cc"):
        require_tool(tool)
    root = tmp_path_factory.mktemp("qemu_project")
    qemu.write_qemu_m4_files(root)
    for name in ("model.c", "model.h", "model_settings.h"):
        shutil.copyfile(FIXTURE / name, root / name)
    elf = qemu.build_firmware(root)
    plugin = qemu.build_plugin(root)
    return root, elf, plugin


def _inputs(folder, n, status=0, x=(1.0, 2.5, -3.25, 1e-3)):
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "in0.bin").write_bytes(struct.pack("<ii", n, status))
    (folder / "in1.bin").write_bytes(np.asarray(x, dtype="<f4").tobytes())
    return [folder / "in0.bin", folder / "in1.bin"]


def _count(project, tmp_path, n):
    _, elf, plugin = project
    run = qemu.run_qemu(elf, [str(p) for p in _inputs(tmp_path / f"n{n}", n)], plugin=plugin)
    assert run.returncode == 0, run.stderr
    assert len(run.instructions) == 1
    return run.instructions[0]


def test_no_heap_linked(project):
    _, elf, _ = project
    assert qemu.check_no_heap(elf) == []
    assert qemu.marker_addresses(elf)[0] % 2 == 0


def test_elf_sizes(project):
    _, elf, _ = project
    sizes = qemu.elf_sizes(elf)
    assert set(sizes) == {"text", "data", "bss"}
    assert 0 < sizes["text"] < 16 * 1024
    assert sizes["bss"] >= 64 * 1024  # the stack reserve


def test_warning_fails_the_build(tmp_path):
    require_tool("arm-none-eabi-gcc")
    qemu.write_qemu_m4_files(tmp_path)
    for name in ("model.c", "model.h", "model_settings.h"):
        shutil.copyfile(FIXTURE / name, tmp_path / name)
    (tmp_path / "extra.c").write_text("int extra(int unused_argument) { return 0; }\n")
    with pytest.raises(LossykwsError, match="unused"):
        qemu.build_firmware(tmp_path)


def test_outputs_and_dump_are_bit_exact(project, tmp_path):
    root, _, _ = project
    x = np.array([1.0, 2.5, -3.25, 1e-3], dtype=np.float32)
    inputs = _inputs(tmp_path, 3, x=x)
    result = qemu.run_project(root, inputs, tmp_path / "out", dump_dir=tmp_path / "dump")
    assert result["status"] == 0
    assert result["stdout"].splitlines()[0] == "label 0 loop"
    assert 0 < result["stack_bytes"] < 2048
    assert [Path(p).name for p in result["outputs"]] == ["output0.bin", "output1.bin"]
    assert struct.unpack("<i", Path(result["outputs"][0]).read_bytes()) == (3,)
    # x * 0.5f + 1.0f in single precision, computed on the Cortex-M4F FPU
    expected = (x * np.float32(0.5) + np.float32(1.0)).astype("<f4").tobytes()
    assert Path(result["outputs"][1]).read_bytes() == expected
    assert (tmp_path / "dump" / "t3.bin").read_bytes() == expected
    assert (tmp_path / "dump" / "t2.bin").read_bytes() == struct.pack("<i", 3)
    assert result["instructions"] == 2 * 3 + _count(project, tmp_path, 0) + 1
    assert result["sizes"] == qemu.elf_sizes(root / "build" / "fw.elf")


def test_output_file_holds_output_0(project, tmp_path):
    _, elf, _ = project
    inputs = [str(p) for p in _inputs(tmp_path, 42)]
    run = qemu.run_qemu(elf, ["--output", str(tmp_path / "o.bin"), *inputs])
    assert run.returncode == 0
    assert (tmp_path / "o.bin").read_bytes() == struct.pack("<i", 42)


def test_instruction_count_is_repeatable(project, tmp_path):
    assert _count(project, tmp_path, 500) == _count(project, tmp_path, 500)


def test_instruction_count_does_not_depend_on_icount(project, tmp_path):
    _, elf, plugin = project
    inputs = [str(p) for p in _inputs(tmp_path, 300)]
    plain = qemu.run_qemu(elf, inputs, plugin=plugin)
    icount = qemu.run_qemu(elf, inputs, plugin=plugin, icount=True)
    assert plain.returncode == icount.returncode == 0
    assert plain.instructions == icount.instructions == [_count(project, tmp_path, 300)]


def test_instruction_count_is_linear_with_the_loop_slope(project, tmp_path):
    # The stand-in model's loop is `subs; bne`: exactly 2 instructions per iteration.
    counts = {n: _count(project, tmp_path, n) for n in (1, 10, 1000)}
    assert counts[10] - counts[1] == 2 * 9
    assert counts[1000] - counts[10] == 2 * 990


def test_model_status_is_the_exit_status(project, tmp_path):
    root, elf, _ = project
    run = qemu.run_qemu(elf, [str(p) for p in _inputs(tmp_path, 1, status=7)])
    assert run.returncode == 7
    assert "model_invoke failed" in run.stderr
    result = qemu.run_project(root, _inputs(tmp_path, 1, status=5), tmp_path / "out", count=False)
    assert result["status"] == 5 and result["instructions"] is None


def test_fault_is_reported_and_exits_70(project, tmp_path):
    _, elf, _ = project
    run = qemu.run_qemu(elf, [str(p) for p in _inputs(tmp_path, 1, status=-1)], timeout=20)
    assert run.returncode == 70
    assert run.stderr.strip() == "error: fault, exception 3"  # UsageFault escalated to HardFault


def test_harness_errors(project, tmp_path):
    _, elf, _ = project
    inputs = [str(p) for p in _inputs(tmp_path, 1)]
    run = qemu.run_qemu(elf, inputs[:1])
    assert run.returncode == 64 and "usage" in run.stderr
    run = qemu.run_qemu(elf, [str(tmp_path / "missing.bin"), inputs[1]])
    assert run.returncode == 66 and "cannot open input" in run.stderr
    (tmp_path / "short.bin").write_bytes(b"\0" * 3)
    run = qemu.run_qemu(elf, [str(tmp_path / "short.bin"), inputs[1]])
    assert run.returncode == 66 and "exactly 8 bytes" in run.stderr
    run = qemu.run_qemu(elf, ["--outputs", str(tmp_path / "no" / "such" / "dir"), *inputs])
    assert run.returncode == 73 and "cannot create" in run.stderr
    run = qemu.run_qemu(elf, ["--bogus", *inputs])
    assert run.returncode == 64 and "unknown option --bogus" in run.stderr
    run = qemu.run_qemu(elf, [*inputs, "--dump"])
    assert run.returncode == 64 and "missing path after --dump" in run.stderr


def test_run_project_raises_on_harness_failure(project, tmp_path):
    root, _, _ = project
    (tmp_path / "short.bin").write_bytes(b"\0")
    with pytest.raises(LossykwsError, match="exit 66"):
        qemu.run_project(root, [tmp_path / "short.bin", tmp_path / "short.bin"], tmp_path / "o",
                         count=False)


def test_qemu_failure_is_one_line(project, tmp_path):
    root, _, _ = project
    with pytest.raises(LossykwsError, match="QEMU failed") as error:
        qemu.run_project(root, _inputs(tmp_path, 1), tmp_path / "out", count=False, machine="no-such-board")
    assert "\n" not in str(error.value)


def test_path_with_space_is_refused(project, tmp_path):
    _, elf, _ = project
    with pytest.raises(LossykwsError, match="spaces"):
        qemu.run_qemu(elf, [str(tmp_path / "a b.bin")])


@pytest.mark.parametrize("tool, package", [("qemu-system-arm", "qemu-system-arm"),
                                           ("arm-none-eabi-gcc", "gcc-arm-none-eabi")])
def test_missing_tool_names_the_debian_package(monkeypatch, tool, package):
    real_which = shutil.which
    monkeypatch.setattr(shutil, "which", lambda name: None if name == tool else real_which(name))
    with pytest.raises(LossykwsError, match=f"Debian package {package}") as error:
        qemu.require_tools("make", "arm-none-eabi-gcc", "qemu-system-arm")
    assert "\n" not in str(error.value)


def test_profile_splits_the_count_by_function(project, tmp_path):
    _, elf, plugin = project
    runs = {n: qemu.run_qemu(elf, [str(p) for p in _inputs(tmp_path / f"p{n}", n)], plugin=plugin,
                             profile=True) for n in (10, 20)}
    for run in runs.values():
        assert len(run.profile) == 1
        assert sum(run.profile[0].values()) == run.instructions[0]
        assert "?" not in run.profile[0]
    # The loop is in model_invoke: only its self count grows, by 2 per iteration.
    assert runs[20].profile[0]["model_invoke"] - runs[10].profile[0]["model_invoke"] == 20
    assert {k: v for k, v in runs[20].profile[0].items() if k != "model_invoke"} == \
        {k: v for k, v in runs[10].profile[0].items() if k != "model_invoke"}


def test_op_counts_bracket_each_op(project, tmp_path):
    root, _, _ = project
    results = {n: qemu.run_project(root, _inputs(tmp_path / f"o{n}", n), tmp_path / f"out{n}",
                                   op_counts=True) for n in (10, 30)}
    for result in results.values():
        assert len(result["op_instructions"]) == 2  # the stand-in model reports 2 ops
        assert sum(result["op_instructions"]) > result["instructions"] - 10
    # the loop runs in op 0: 2 instructions per iteration; op 1 does not depend on n
    assert results[30]["op_instructions"][0] - results[10]["op_instructions"][0] == 40
    assert results[30]["op_instructions"][1] == results[10]["op_instructions"][1]
    assert results[30]["instructions"] - results[10]["instructions"] == 40


def test_count_equals_qemu_execution_trace(project, tmp_path):
    """An independent count: with one instruction per translation block and no block chaining,
    QEMU's exec log has one line per executed instruction; the lines between the markers' first
    instructions must number exactly what the plugin reports."""
    import re
    import subprocess

    _, elf, plugin = project
    inputs = [str(p) for p in _inputs(tmp_path, 50)]
    log = tmp_path / "trace.log"
    subprocess.run(["qemu-system-arm", "-M", qemu.BOARD, *qemu.QEMU_OPTIONS, "-singlestep", "-d", "exec,nochain", "-D", str(log),
                    "-kernel", str(elf), "-append", " ".join(inputs)],
                   check=True, capture_output=True, stdin=subprocess.DEVNULL, timeout=60)
    pcs = [int(pc, 16) for pc in
           re.findall(r"^Trace \d+: \S+ \[[0-9a-f]+/([0-9a-f]+)/", log.read_text(), re.M)]
    begin, end = qemu.marker_addresses(elf)
    traced = pcs.index(end) - pcs.index(begin)
    assert qemu.run_qemu(elf, inputs, plugin=plugin).instructions == [traced]
