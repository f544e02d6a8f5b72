#!/usr/bin/env python
"""Execute a notebook of this folder with nbclient and keep the executed copy (`make docs`, the tests).

    .venv/bin/python notebooks/execute.py --out build/docs --figures docs/figures          # full mode
    .venv/bin/python notebooks/execute.py --fast --out /tmp/nb --work /tmp/nb/work          # tiny settings

The notebook reads its settings from the environment: LOSSYKWS_NOTEBOOK_FAST=1 (tiny settings),
LOSSYKWS_NOTEBOOK_WORK (its caches, runs and projects; default build/notebook),
LOSSYKWS_NOTEBOOK_FIGURES (where its figures are written as PNG), LOSSYKWS_NOTEBOOK_DATA (a Speech
Commands folder instead of ../shared/data/speech_commands_test_v0.02).

A cell that fails stops the run with one line naming the cell and the error; the executed copy is
written only when every cell ran (under a temporary name, then renamed).
"""
import argparse
import os
import re
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
NOTEBOOK = HERE / "lossy_learning.ipynb"
ANSI = re.compile(r"\x1b\[[0-9;]*m")      # terminal colours in IPython's error names


def execute(notebook=NOTEBOOK, out_dir=None, fast=False, work=None, figures=None, timeout=1800):
    """Run every cell of `notebook` in a fresh kernel; return the executed notebook (nbformat).

    With out_dir, the executed copy is written there under the notebook's name. Raises
    LossykwsError (one line) when a cell fails."""
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError

    from lossykws.errors import LossykwsError
    from lossykws.fsutil import atomic_file

    notebook = Path(notebook)
    try:
        nb = nbformat.read(notebook, as_version=4)
    except (OSError, ValueError) as e:
        raise LossykwsError(f"{notebook}: not a readable notebook ({e})") from None
    settings = {"LOSSYKWS_NOTEBOOK_FAST": "1" if fast else "0"}
    if work:
        settings["LOSSYKWS_NOTEBOOK_WORK"] = str(Path(work).resolve())
    if figures:
        settings["LOSSYKWS_NOTEBOOK_FIGURES"] = str(Path(figures).resolve())
    saved = {k: os.environ.get(k) for k in settings}
    os.environ.update(settings)            # the kernel inherits this process's environment
    try:
        client = NotebookClient(nb, timeout=timeout, kernel_name="python3",
                                resources={"metadata": {"path": str(notebook.parent)}})
        client.execute()
    except CellExecutionError as e:
        failed = next((i for i, c in enumerate(nb.cells)
                       if any(o.get("output_type") == "error" for o in c.get("outputs", []))), None)
        where = f"cell {failed + 1}" if failed is not None else "a cell"
        message = ANSI.sub("", f"{e.ename}: {e.evalue}").splitlines()
        raise LossykwsError(f"{notebook}: {where} failed: {message[0] if message else 'no message'}") from None
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
    if out_dir is not None:
        out = Path(out_dir) / notebook.name
        out.parent.mkdir(parents=True, exist_ok=True)
        with atomic_file(out, "w") as f:
            nbformat.write(nb, f)
    return nb


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("notebook", nargs="?", default=str(NOTEBOOK))
    p.add_argument("--out", default="build/docs", help="where the executed copy goes [build/docs]")
    p.add_argument("--fast", action="store_true", help="tiny settings (what the tests run)")
    p.add_argument("--work", default=None, help="its caches, runs and projects [build/notebook]")
    p.add_argument("--figures", default=None, help="write its figures there as PNG (make docs: docs/figures)")
    p.add_argument("--timeout", type=int, default=1800, help="seconds per cell [1800]")
    a = p.parse_args()
    sys.path.insert(0, str(HERE.parent))
    from lossykws.errors import LossykwsError

    try:
        execute(a.notebook, a.out, a.fast, a.work, a.figures, a.timeout)
    except LossykwsError as e:
        print(f"error: {e}", file=sys.stderr)
        sys.exit(1)
    print(f"executed {a.notebook} -> {Path(a.out) / Path(a.notebook).name}"
          + (f"; figures in {a.figures}" if a.figures else ""))


if __name__ == "__main__":
    main()
