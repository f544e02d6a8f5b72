"""Where the C runtime is: firmware/ (kernels, front end, VQ encoder, application templates, board
files and the QEMU instruction-counter plugin), copied into every generated project and compiled
for the front end's ctypes library. The one place that knows it.

In an installed wheel it is package data, lossykws/firmware/ (setup.py's build_py copies it in);
in a checkout it is the repository's firmware/ beside the package.
"""
import functools
import os
import re
from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent
_PACKAGED = _PACKAGE / "firmware"
FIRMWARE = _PACKAGED if _PACKAGED.is_dir() else _PACKAGE.parent / "firmware"
INSTALLED = FIRMWARE == _PACKAGED
INCLUDE = FIRMWARE / "include" / "lkws"
SOURCES = FIRMWARE / "src"
TEMPLATES = FIRMWARE / "templates"
TARGETS = FIRMWARE / "targets"
QEMU_PLUGIN = FIRMWARE / "qemu_plugin"


def build_dir():
    """Where host builds of the runtime are cached: $LOSSYKWS_NATIVE_DIR; in a checkout its
    build/native; installed, the user's cache (~/.cache/lossykws/native)."""
    if os.environ.get("LOSSYKWS_NATIVE_DIR"):
        return Path(os.environ["LOSSYKWS_NATIVE_DIR"])
    if INSTALLED:
        cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
        return cache / "lossykws" / "native"
    return _PACKAGE.parent / "build" / "native"


_OBJECT_DEFINE = re.compile(r"^#define\s+(LKWS_\w+)\s+\(?\s*(-?[0-9][0-9.eE+-]*)f?\s*\)?\s*(?:/\*.*)?$")


@functools.lru_cache(maxsize=None)
def constants(header):
    """{name: int or float} of the numeric `#define LKWS_...` constants of include/lkws/HEADER: the
    facts the C states (the front end's rate, hop, frame count...), read instead of repeated."""
    values = {}
    for line in (INCLUDE / header).read_text().splitlines():
        m = _OBJECT_DEFINE.match(line.strip())
        if m:
            text = m.group(2)
            values[m.group(1)] = int(text) if re.fullmatch(r"-?[0-9]+", text) else float(text)
    return values
