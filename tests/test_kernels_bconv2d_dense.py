"""lkws_bconv2d_dense_opt.c (the first binary convolution reading densely packed codes) against its
reference twin, LCE's word-per-pixel packing + lkws_bconv2d_ref.c: float, int8, bitpacked and fused
signs outputs bit-identical over random shapes, strides, dilation_h, VALID/SAME (pad +1) and
channels_in 1..8, 11, 16, 32, with random tail bits in the dense rows; under ASan and UBSan."""
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.skipif(shutil.which("cc") is None, reason="no host C compiler")
def test_bconv2d_dense_equals_word_per_pixel_reference(tmp_path):
    exe = tmp_path / "dense_twins"
    fw = ROOT / "firmware"
    cmd = ["cc", "-std=c99", "-Wall", "-Wextra", "-Werror", "-ffp-contract=off", "-O1", "-g",
           "-fsanitize=address,undefined", "-fno-sanitize-recover=all", f"-I{fw / 'include'}",
           str(ROOT / "tests" / "fixtures" / "codegen" / "bconv2d_dense_twins.c"),
           str(fw / "src" / "lkws_bconv2d_ref.c"), str(fw / "src" / "lkws_bconv2d_dense_opt.c"), "-o", str(exe), "-lm"]
    subprocess.run(cmd, check=True, capture_output=True)
    r = subprocess.run([str(exe)], capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr
    assert int(r.stdout.split()[1]) > 2000
