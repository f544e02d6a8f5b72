"""notebooks/lossy_learning.ipynb executed end to end in fast mode (tiny settings), so that it never rots.

Real parts throughout: the C front end, the VQ codec, a local codec of the EnCodec architecture,
Larq training and LCE conversion, the host C build and the Cortex-M4F build under QEMU.
"""
import importlib.util
import re
from pathlib import Path

import pytest

from conftest import ROOT, SHARED_CLIPS, require_tool

pytest.importorskip("nbclient", reason="nbclient not installed (tools/bootstrap installs the test extra)")
pytest.importorskip("ipykernel", reason="ipykernel not installed (tools/bootstrap installs the test extra)")

from lossykws.errors import LossykwsError  # noqa: E402

FIGURES = ("vq_reconstruction", "vq_codebook", "round_trips", "accuracy_vs_bits", "instructions_by_op")


def _executor():
    spec = importlib.util.spec_from_file_location("notebook_execute", ROOT / "notebooks" / "execute.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _outputs(cell):
    return cell.get("outputs", [])


def _source_has(cell, text):
    return cell.cell_type == "code" and text in cell.source


def _markdown_tables(cell):
    """Rows (lists of cells) of every Markdown table the cell displayed."""
    rows = []
    for o in _outputs(cell):
        md = o.get("data", {}).get("text/markdown", "")
        for line in md.splitlines():
            if line.startswith("|") and not line.startswith("|---"):
                rows.append([c.strip() for c in line.strip("|").split("|")])
    return rows


@pytest.fixture(scope="module")
def executed(tmp_path_factory):
    """The notebook in fast mode: on the real clips where they are, else on its synthesized fallback."""
    tools = ("make", "cc", "arm-none-eabi-gcc", "qemu-system-arm")
    for tool in tools + (() if SHARED_CLIPS.is_dir() else ("espeak-ng", "flite")):
        require_tool(tool)
    out = tmp_path_factory.mktemp("notebook")
    nb = _executor().execute(out_dir=out / "executed", fast=True, work=out / "work", figures=out / "figures")
    return nb, out


def test_every_cell_runs_and_the_executed_copy_is_written(executed):
    nb, out = executed
    assert (out / "executed" / "lossy_learning.ipynb").is_file()
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert code and all(c.get("execution_count") for c in code)
    assert not [o for c in code for o in _outputs(c) if o.output_type == "error"]
    first = "".join(o.get("text", "") for o in _outputs(code[0]))
    assert "FAST mode" in first


def test_figures_are_drawn_and_saved(executed):
    nb, out = executed
    images = [c for c in nb.cells if any("image/png" in o.get("data", {}) for o in _outputs(c))]
    saved = {name: (ROOT / "docs" / "results" / f"{name}.json").is_file() for name in ("firmware", "learning_curve")}
    for name in FIGURES + tuple(name for name in saved if saved[name]):
        assert any(_source_has(c, f'show(fig, "{name}")') for c in images), name
        png = out / "figures" / f"{name}.png"
        assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        assert png.stat().st_size < 150_000


def test_audio_players_for_the_three_versions_of_each_clip(executed):
    nb, _ = executed
    cell = next(c for c in nb.cells if _source_has(c, "round_trip(ENCODEC_CACHE"))
    html = "".join(o.get("data", {}).get("text/html", "") for o in _outputs(cell))
    assert html.count("<audio") == 9          # 3 clips x original, VQ, EnCodec
    assert "local codec" in html or "EnCodec pretrained" in html


def test_parity_of_interpreter_host_c_and_qemu(executed):
    nb, _ = executed
    cell = next(c for c in nb.cells if _source_has(c, "emulate.emulate_project"))
    rows = _markdown_tables(cell)
    assert rows[0][:4] == ["clip", "interpreter", "host C", "QEMU (Cortex-M4F)"]
    assert len(rows) == 4
    for clip, interpreter, host, qemu, host_equal, qemu_equal in rows[1:]:
        assert interpreter == host == qemu
        assert host_equal == qemu_equal == "yes"
    text = "".join(o.get("text", "") for o in _outputs(cell))
    instructions = int(re.search(r"Cortex-M4F: ([\d,]+) instructions", text).group(1).replace(",", ""))
    assert instructions > 10_000


def test_feature_memory_table(executed):
    nb, _ = executed
    cell = next(c for c in nb.cells if _source_has(c, "ENCODEC_6KBPS_BITS = "))
    rows = _markdown_tables(cell)
    words8 = next(r for r in rows if r[0].endswith("words8, train"))
    clips = int(words8[1].replace(",", ""))
    # float32 128x128 is 64 KiB a clip; VQ 64x64x4 bits 2 KiB a clip
    assert float(words8[2]) == pytest.approx(clips * 65536 / 2 ** 20, abs=0.01)
    assert float(words8[3]) == pytest.approx(clips * 2048 / 2 ** 20, abs=0.01)


def test_a_failing_cell_is_one_line_and_leaves_no_copy(tmp_path):
    import nbformat
    from nbformat.v4 import new_code_cell, new_notebook

    bad = tmp_path / "bad.ipynb"
    nbformat.write(new_notebook(cells=[new_code_cell("x = 1"), new_code_cell("raise ValueError('no such clip')")]),
                   bad)
    with pytest.raises(LossykwsError) as e:
        _executor().execute(bad, out_dir=tmp_path / "out", fast=True)
    assert str(e.value).endswith("bad.ipynb: cell 2 failed: ValueError: no such clip")
    assert "\n" not in str(e.value)
    assert not (tmp_path / "out" / "bad.ipynb").exists()
