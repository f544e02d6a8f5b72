"""The cortex-m feature provider's model input (firmware/templates/cortex-m/feature_provider.c,
feature_provider_write_input), compiled for the host with the kws_settings.h the generator
writes: for 4-bit codes (dense rows copied from the ring), 3- and 2-bit codes (dense rows packed
code by code) and the word-per-code layout, the input written from a ring of random codes equals
lossykws.emulation.host's packing (pack_dense / pack_bits) of the same window's +-1 bit planes, oldest
row first. Under ASan and UBSan."""
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

from lossykws.features.codecs import vq
from lossykws.codegen import kws_app
from lossykws.emulation.host import pack_bits, pack_dense

ROOT = Path(__file__).resolve().parents[1]
FW = ROOT / "firmware"

HARNESS = r"""
#include <stdio.h>
#include <string.h>

#include "feature_provider.h"
#include "model_input_words.h"

static feature_provider fp;
static int32_t input[INPUT_WORDS];

/* usage: harness RING.bin NEXT_ROW OUT.bin: the ring's bytes in, the model input's bytes out. */
int main(int argc, char **argv)
{
    if (argc != 4) {
        return 2;
    }
    FILE *f = fopen(argv[1], "rb");
    if (f == NULL || fread(fp.ring, 1, sizeof fp.ring, f) != sizeof fp.ring) {
        return 3;
    }
    fclose(f);
    feature_provider_reset(&fp);
    fp.next_row = (int32_t)atoi(argv[2]);
    fp.rows = KWS_CODE_ROWS + fp.next_row;
    memset(input, 0xA5, sizeof input); /* stale bytes: every word must be written */
    feature_provider_write_input(&fp, input);
    f = fopen(argv[3], "wb");
    if (f == NULL || fwrite(input, 1, sizeof input, f) != sizeof input) {
        return 4;
    }
    fclose(f);
    return 0;
}
"""


@pytest.mark.skipif(shutil.which("cc") is None, reason="no host C compiler")
@pytest.mark.parametrize("bits,layout", [(4, "dense"), (3, "dense"), (2, "dense"), (4, "words")])
def test_write_input_equals_python_packing(bits, layout, tmp_path):
    codebook = vq.Codebook(codewords=np.arange(4 << bits, dtype=np.float32).reshape(1 << bits, 4))
    rows = cols = 64
    stamp = "/* test */\n"
    (tmp_path / "kws_settings.h").write_text(kws_app.settings_header(stamp, codebook, rows, cols, layout=layout))
    header, source = kws_app.codebook_files(stamp, codebook)
    (tmp_path / "kws_codebook.h").write_text(header)
    (tmp_path / "kws_codebook.c").write_text(source)
    words = rows * ((cols * bits + 31) // 32 if layout == "dense" else cols)
    (tmp_path / "model_input_words.h").write_text(f"#include <stdlib.h>\n#define INPUT_WORDS {words}\n")
    (tmp_path / "harness.c").write_text(HARNESS)
    exe = tmp_path / "harness"
    sources = [tmp_path / "harness.c", tmp_path / "kws_codebook.c", FW / "templates" / "cortex-m" / "feature_provider.c"]
    sources += [FW / "src" / n for n in kws_app.FEATURE_SOURCES]
    cmd = ["cc", "-std=c99", "-Wall", "-Wextra", "-Werror", "-ffp-contract=off", "-O1", "-g",
           "-fsanitize=address,undefined", "-fno-sanitize-recover=all", f"-I{tmp_path}",
           f"-I{FW / 'templates' / 'cortex-m'}", f"-I{FW / 'include'}", *map(str, sources), "-o", str(exe), "-lm"]
    r = subprocess.run(cmd, capture_output=True, text=True)
    assert r.returncode == 0, r.stderr[-3000:]

    rng = np.random.default_rng(bits)
    ring = rng.integers(0, 1 << bits, size=(rows, cols), dtype=np.uint8)
    ring_bytes = ring[:, 0::2] | ring[:, 1::2] << 4  # KWS_CODES_PER_BYTE 2: low nibble first
    ring_bytes.astype(np.uint8).tofile(tmp_path / "ring.bin")
    next_row = 21
    r = subprocess.run([str(exe), str(tmp_path / "ring.bin"), str(next_row), str(tmp_path / "input.bin")],
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    got = np.fromfile(tmp_path / "input.bin", dtype="<i4")
    window = np.roll(ring, -next_row, axis=0)  # oldest row (the slot next_row overwrites) first
    planes = vq.bits(window, bits)[None]
    want = pack_dense(planes) if layout == "dense" else pack_bits(planes)
    assert got.tolist() == want.reshape(-1).tolist()
