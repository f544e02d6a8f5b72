"""lkws_bconv2d_opt.c (what generated projects use) against its reference twin lkws_bconv2d_ref.c: float,
int8 and bitpacked outputs bit-identical over channels {1,4,31,32,33,64,65,100} x output channels
x SAME/VALID x strides x dilations x filter sizes, under AddressSanitizer and UBSan."""
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.skipif(shutil.which("cc") is None, reason="no host C compiler")
def test_bconv2d_twins_bit_identical(tmp_path):
    exe = tmp_path / "twins"
    fw = ROOT / "firmware"
    cmd = ["cc", "-std=c99", "-Wall", "-Wextra", "-Werror", "-ffp-contract=off", "-O1", "-g",
           "-fsanitize=address,undefined", "-fno-sanitize-recover=all", f"-I{fw / 'include'}",
           str(ROOT / "tests" / "fixtures" / "codegen" / "bconv2d_twins.c"),
           str(fw / "src" / "lkws_bconv2d_ref.c"), str(fw / "src" / "lkws_bconv2d_opt.c"), "-o", str(exe), "-lm"]
    subprocess.run(cmd, check=True, capture_output=True)
    r = subprocess.run([str(exe)], capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr
    assert int(r.stdout.split()[1]) > 400
