"""Running the installed `lossykws` command as a user would, and what its errors must look like."""
import os
import subprocess
import sys
from pathlib import Path

LOSSYKWS = str(Path(sys.executable).parent / "lossykws")


def run(*args, env=None):
    """Run `lossykws ARGS...` with one thread for torch and TensorFlow's pools."""
    e = dict(os.environ, OMP_NUM_THREADS="1", **(env or {}))
    return subprocess.run([LOSSYKWS, *map(str, args)], capture_output=True, text=True, env=e, timeout=600)


def assert_one_line_error(result, *fragments):
    """A non-zero exit with exactly one line on stderr, containing each fragment, no traceback."""
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    for f in fragments:
        assert f in lines[0], lines[0]
