"""Nothing reaches the LCE interpreter unread: it does not verify a flatbuffer, and a truncated or
corrupt one crashed it (a segmentation fault, exit 139, no message). lce_reference.interpreter
reads and checks the model as export does and hands the interpreter a buffer built anew."""
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

from lossykws.errors import LossykwsError

TINY = Path(__file__).parent / "fixtures" / "codegen" / "tiny_lce.tflite"

# Mutated models, each run in this one child process: a crash of the interpreter ends it with a
# signal (the parent sees a negative return code) instead of taking the test runner down.
FUZZ = textwrap.dedent("""
    import sys
    import numpy as np
    import lossykws
    from lossykws.codegen.reader import read_model
    from lossykws.errors import LossykwsError
    from lossykws.emulation.reference import interpreter, predict

    raw = open(sys.argv[1], "rb").read()
    rng = np.random.default_rng(int(sys.argv[2]))
    accepted = refused = 0
    for k in range(int(sys.argv[3])):
        b = bytearray(raw)
        if k % 3 == 0:
            b = b[:rng.integers(8, len(b))]
        for _ in range(rng.integers(1, 6)):
            b[rng.integers(0, len(b))] = rng.integers(0, 256)
        try:
            interp = interpreter(bytes(b), "fuzz.tflite")
            t = read_model(bytes(b)).tensors[read_model(bytes(b)).inputs[0]]
            predict(interp, np.zeros(t.shape, dtype=t.dtype), "fuzz.tflite")
            accepted += 1
        except LossykwsError as e:
            assert "\\n" not in str(e) and str(e).startswith("fuzz.tflite"), str(e)
            refused += 1
    print(accepted, refused)
""")


def test_truncated_model_is_one_line_not_a_crash(tmp_path):
    from lossykws.emulation.reference import interpreter_predict

    raw = TINY.read_bytes()
    for cut in (40, len(raw) // 3, len(raw) - 100):
        with pytest.raises(LossykwsError) as e:
            interpreter_predict(raw[:cut], np.zeros((1, 8, 8, 4), np.float32), "cut.tflite")
        assert str(e.value).startswith("cut.tflite: ") and "\n" not in str(e.value)


def test_mutated_models_never_crash_the_interpreter(tmp_path):
    """300 truncated and byte-flipped copies of a real LCE model: each is refused in one line or
    runs; before the guard, a few percent of them crashed the process."""
    r = subprocess.run([sys.executable, "-c", FUZZ, str(TINY), "7", "300"], capture_output=True, text=True,
                       timeout=600)
    assert r.returncode == 0, (r.returncode, r.stderr[-2000:])
    accepted, refused = map(int, r.stdout.split())
    assert accepted + refused == 300 and accepted > 0 and refused > 0
