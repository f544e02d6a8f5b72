"""The wheel is the product: built from a copy of the checkout, installed (not editable) into a
fresh virtual environment, the copy deleted, it exports and builds a host project from a .tflite
and a cortex-m project from a run directory, with the C runtime it carries as package data."""
import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

from conftest import ROOT, require_tool
from tiny_corpus import tiny_corpus, tiny_vq_cache, tiny_vq_run  # noqa: F401  (fixtures)

TINY = ROOT / "tests" / "fixtures" / "codegen" / "tiny_lce.tflite"
# The fresh environment finds its own lossykws: no PYTHONPATH into a checkout.
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}


def _tracked_files():
    out = subprocess.run(["git", "-C", str(ROOT), "ls-files", "-z"], capture_output=True, check=True)
    return [p for p in out.stdout.decode().split("\0") if p]


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    """(the fresh environment's python, its lossykws command, a scratch folder outside the checkout)."""
    if shutil.which("git") is None or not (ROOT / ".git").exists():
        pytest.skip("the wheel is built from the checkout's tracked files (git)")
    tmp = tmp_path_factory.mktemp("wheel")
    copy = tmp / "checkout"
    for rel in _tracked_files():
        if (ROOT / rel).is_file():
            (copy / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / rel, copy / rel)
    dist = tmp / "dist"
    r = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
                        "-w", str(dist), str(copy)], capture_output=True, text=True, cwd=tmp, env=ENV)
    assert r.returncode == 0, r.stderr[-3000:]
    shutil.rmtree(copy)                                     # the checkout moved away
    wheel = next(dist.glob("lossykws-*.whl"))
    env = tmp / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(env)], check=True, env=ENV)
    python = env / "bin" / "python"
    r = subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "install", "-q", "--no-deps",
                        "--no-index", str(wheel)], capture_output=True, text=True, env=ENV)
    assert r.returncode == 0, r.stderr[-3000:]
    # Its dependencies are this environment's (no registry here): a .pth line puts them after its own
    # site-packages, and a .pth file there is not read, so this checkout's editable install stays out.
    site = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                          capture_output=True, text=True, check=True, env=ENV).stdout.strip()
    Path(site, "dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    work = tmp / "work"
    work.mkdir()
    return python, env / "bin" / "lossykws", work


def test_the_wheel_carries_the_c_runtime(installed):
    python, _, work = installed
    r = subprocess.run([str(python), "-c", "import lossykws, lossykws.c_runtime as c; "
                        "print(lossykws.__file__); print(c.INSTALLED); print(c.FIRMWARE)"],
                       capture_output=True, text=True, cwd=work, env=ENV)
    assert r.returncode == 0, r.stderr[-2000:]
    package, flag, firmware = r.stdout.split("\n")[:3]
    assert str(ROOT) not in package and flag == "True" and firmware.startswith(str(Path(package).parent))
    for part in ("src/lkws_bconv2d_opt.c", "include/lkws/bconv2d.h", "templates/cortex-m/main.c",
                 "templates/model/model.c.in", "targets/armv7m/armv7m.mk", "qemu_plugin/insn_count.c"):
        assert (Path(firmware) / part).is_file(), part


def test_the_installed_wheel_exports_and_builds(installed, tiny_vq_run):
    require_tool("make")
    python, lossykws, work = installed
    r = subprocess.run([str(lossykws), "export", str(TINY), "--target", "host", "--out", "host"],
                       capture_output=True, text=True, cwd=work, env=ENV)
    assert r.returncode == 0, r.stderr[-2000:]
    assert subprocess.run(["make", "-C", "host"], capture_output=True, cwd=work, env=ENV).returncode == 0
    x = work / "x.bin"
    x.write_bytes(bytes(4 * 8 * 8 * 4))                     # the tiny model's float input [1, 8, 8, 4], zeros
    r = subprocess.run([str(work / "host" / "model"), str(x)], capture_output=True, text=True, cwd=work, env=ENV)
    assert r.returncode == 0 and r.stdout.splitlines()[-1].startswith("label "), (r.stdout, r.stderr)

    require_tool("arm-none-eabi-gcc")
    r = subprocess.run([str(lossykws), "export", str(tiny_vq_run), "--target", "cortex-m", "--out", "fw"],
                       capture_output=True, text=True, cwd=work, env=ENV)
    assert r.returncode == 0, r.stderr[-2000:]
    r = subprocess.run(["make", "-C", "fw"], capture_output=True, text=True, cwd=work, env=ENV)
    assert r.returncode == 0, r.stderr[-3000:]
    assert (work / "fw" / "build" / "fw.elf").is_file()
