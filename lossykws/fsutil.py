"""Output that appears whole or not at all: write to a temporary name beside the target, then rename."""
import contextlib
import hashlib
import json
import os
import shutil
import tempfile
from pathlib import Path

from lossykws.errors import LossykwsError


def _umask():
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _default_mode(path, directory):
    """mkdtemp/mkstemp create 0700/0600; give the final output the mode a plain mkdir/open would."""
    os.chmod(path, (0o777 if directory else 0o666) & ~_umask())


def check_output_dir(out, force=False):
    """Refuse an existing non-empty folder unless force; check that its parent can be written."""
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise LossykwsError(f"{out}: exists and is not a folder")
    if out.is_dir() and any(out.iterdir()) and not force:
        raise LossykwsError(f"{out}: folder is not empty (use --force to replace it)")
    parent = out.absolute().parent
    probe = parent
    while not probe.exists():
        probe = probe.parent
    if not os.access(probe, os.W_OK | os.X_OK):
        raise LossykwsError(f"{out}: cannot write in {probe}")


@contextlib.contextmanager
def atomic_dir(out, force=False):
    """Yield a temporary folder that replaces `out` only if the block completes."""
    out = Path(out)
    check_output_dir(out, force)
    try:
        out.absolute().parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.tmp-", dir=out.absolute().parent))
        _default_mode(tmp, directory=True)
    except OSError as e:
        raise LossykwsError(f"{out}: cannot create ({e.strerror})") from None
    try:
        yield tmp
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    if out.exists():
        shutil.rmtree(out)
    os.replace(tmp, out)


@contextlib.contextmanager
def atomic_file(path, mode="wb"):
    """Yield a file object whose content replaces `path` only if the block completes."""
    path = Path(path)
    try:
        path.absolute().parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.tmp-", dir=path.absolute().parent)
        _default_mode(tmp, directory=False)
    except OSError as e:
        raise LossykwsError(f"{path}: cannot write ({e.strerror})") from None
    try:
        with os.fdopen(fd, mode) as f:
            yield f
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    os.replace(tmp, path)


def sha256_file(path, chunk=1 << 20):
    """SHA-256 of a file's bytes, as hex, read in chunks."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(chunk), b""):
            h.update(block)
    return h.hexdigest()


def read_json(path):
    """The JSON value in a file, or None when it is missing or not JSON (callers say what they
    expected of it in their own one-line error)."""
    try:
        return json.loads(Path(path).read_text())
    except (OSError, ValueError):
        return None


def write_json(path, data):
    """Write `data` as indented JSON, atomically (a temporary name, then a rename)."""
    with atomic_file(path, "w") as f:
        f.write(json.dumps(data, indent=1) + "\n")
