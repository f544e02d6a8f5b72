"""The time-frequency front end: a thin ctypes wrapper over the C in firmware/ (lkws/frontend.h).

The front end is defined once, in C, and the device runs the same source: Python never computes
features itself. The C (front end, FFT, tables, VQ encoder) is compiled with the host's C compiler
into a shared library cached under a folder named by a hash of the sources, the compiler and the
flags, so an edit to the C rebuilds it and parallel test workers share one build.

    >>> from lossykws.data import audio
    >>> from lossykws.features import frontend
    >>> x = frontend.features(audio.load_clip("yes.wav"))   # float32 [128 frames, 128 bins]

The definition (window, FFT length, hop, padding, bins, log, normalisation) is documented in
firmware/include/lkws/frontend.h; the constants below are read from it.
"""
import ctypes
import hashlib
import os
import shutil
import subprocess
import tempfile
import threading

import numpy as np

from lossykws import c_runtime
from lossykws.data import audio
from lossykws.errors import LossykwsError

FIRMWARE = c_runtime.FIRMWARE
SOURCES = ("frontend.c", "fft.c", "frontend_tables.c", "vq_encode.c")
HEADERS = ("common.h", "frontend.h", "fft.h", "frontend_tables.h", "vq_encode.h")
CFLAGS = ("-std=c99", "-O2", "-Wall", "-Wextra", "-Werror", "-ffp-contract=off", "-fPIC")

# The definition's constants, read from lkws/frontend.h (the C states them; Python never repeats them).
_H = c_runtime.constants("frontend.h")
SAMPLE_RATE, CLIP_SAMPLES = audio.SAMPLE_RATE, audio.CLIP_SAMPLES
N_FFT = _H["LKWS_FE_N_FFT"]
HOP = _H["LKWS_FE_HOP"]
HISTORY = N_FFT - HOP                  # LKWS_FE_HISTORY: samples of the previous hop kept between hops
FRAMES = _H["LKWS_FE_FRAMES"]
BINS = _H["LKWS_FE_BINS"]
BIN_HZ = SAMPLE_RATE / N_FFT           # bin k (1..128) is at k * 62.5 Hz; features[:, k - 1]
POWER_FLOOR = np.float32(_H["LKWS_FE_POWER_FLOOR"])
LOG_OFFSET = np.float32(_H["LKWS_FE_LOG_OFFSET"])
LOG_SCALE = np.float32(_H["LKWS_FE_LOG_SCALE"])

_lock = threading.Lock()
_lib = None


def _compiler():
    cc = os.environ.get("CC", "cc")
    if shutil.which(cc) is None:
        raise LossykwsError(f"no C compiler found ({cc!r}): the front end is C; install gcc "
                            "(tools/bootstrap does) or set CC")
    return cc


def _sources_sha256():
    """A SHA-256 hasher fed the C front end's sources and headers (name, NUL, content each)."""
    h = hashlib.sha256()
    for name in SOURCES:
        h.update(name.encode() + b"\0" + (FIRMWARE / "src" / name).read_bytes())
    for name in HEADERS:
        h.update(name.encode() + b"\0" + (FIRMWARE / "include" / "lkws" / name).read_bytes())
    return h


def source_hash():
    """SHA-256 (16 hex) of the C front end's sources and headers: tf and VQ features depend on them."""
    return _sources_sha256().hexdigest()[:16]


def _build_key(cc):
    h = _sources_sha256()
    version = subprocess.run([cc, "--version"], capture_output=True, text=True).stdout
    h.update(" ".join((cc,) + CFLAGS).encode() + b"\0" + version.encode())
    return h.hexdigest()[:16]


def native_dir():
    """Where built libraries are cached: $LOSSYKWS_NATIVE_DIR, or <repo>/build/native."""
    return c_runtime.build_dir()


def build_library():
    """Compile the C (once per distinct source hash) and return the shared library's path."""
    cc = _compiler()
    out_dir = native_dir() / _build_key(cc)
    lib = out_dir / "liblkws_frontend.so"
    if lib.exists():
        return lib
    out_dir.mkdir(parents=True, exist_ok=True)
    # Build under a unique name, then rename: parallel workers never load a half-written file.
    fd, tmp = tempfile.mkstemp(prefix=".liblkws_frontend-", suffix=".so", dir=out_dir)
    os.close(fd)
    cmd = [cc, *CFLAGS, "-shared", "-I", str(FIRMWARE / "include"),
           *[str(FIRMWARE / "src" / s) for s in SOURCES], "-o", tmp]
    result = subprocess.run(cmd, capture_output=True, text=True)
    if result.returncode != 0:
        os.unlink(tmp)
        raise LossykwsError(f"building the C front end failed: {' '.join(cmd)}\n{result.stderr.strip()}")
    os.chmod(tmp, 0o755)  # mkstemp made it private; the cache is shared
    os.replace(tmp, lib)
    return lib


def _load():
    global _lib
    with _lock:
        if _lib is None:
            lib = ctypes.CDLL(str(build_library()))
            f32 = ctypes.POINTER(ctypes.c_float)
            u8 = ctypes.POINTER(ctypes.c_uint8)
            i32 = ctypes.c_int32
            lib.lkws_fe_clips.argtypes = [ctypes.c_void_p, i32, f32, f32]
            lib.lkws_fe_clips.restype = None
            lib.lkws_fe_reset.argtypes = [ctypes.c_void_p]
            lib.lkws_fe_reset.restype = None
            lib.lkws_fe_push_hop.argtypes = [ctypes.c_void_p, f32, f32]
            lib.lkws_fe_push_hop.restype = None
            lib.lkws_fe_push_hop_s16.argtypes = [ctypes.c_void_p, ctypes.POINTER(ctypes.c_int16), f32]
            lib.lkws_fe_push_hop_s16.restype = None
            lib.lkws_fe_ln.argtypes = [ctypes.c_float]
            lib.lkws_fe_ln.restype = ctypes.c_float
            lib.lkws_vq_encode.argtypes = [f32, i32, i32, i32, i32, f32, i32, u8]
            lib.lkws_vq_encode.restype = ctypes.c_int
            lib.lkws_vq_pack_lce.argtypes = [u8, i32, i32, ctypes.POINTER(ctypes.c_int32)]
            lib.lkws_vq_pack_lce.restype = None
            _lib = lib
    return _lib


def _ptr(a, ctype):
    return a.ctypes.data_as(ctypes.POINTER(ctype))


STATE_BYTES = 4 * ((N_FFT - HOP) + N_FFT)  # sizeof(lkws_fe_state)


def _clip_array(clip):
    x = np.ascontiguousarray(clip, dtype=np.float32)
    if x.shape[-1] != CLIP_SAMPLES:
        raise LossykwsError(f"the front end takes clips of {CLIP_SAMPLES} samples (1 s at 16 kHz), "
                            f"got shape {x.shape}; use audio.load_clip or audio.fit_length")
    if not np.all(np.isfinite(x)):
        raise LossykwsError("clip has NaN or infinite samples")
    return x


def features_batch(clips):
    """Features of n clips: float32 [n, 16000] -> float32 [n, 128 frames, 128 bins]."""
    x = _clip_array(clips)
    if x.ndim != 2:
        raise LossykwsError(f"features_batch takes [n, {CLIP_SAMPLES}] clips, got shape {x.shape}")
    lib = _load()
    out = np.empty((x.shape[0], FRAMES, BINS), dtype=np.float32)
    state = ctypes.create_string_buffer(STATE_BYTES)
    lib.lkws_fe_clips(state, x.shape[0], _ptr(x, ctypes.c_float), _ptr(out, ctypes.c_float))
    return out


def features(clip):
    """Features of one 1 s, 16 kHz clip: float32 [16000] -> float32 [128 frames, 128 bins]."""
    x = _clip_array(clip)
    if x.ndim != 1:
        raise LossykwsError(f"features takes one clip of shape [{CLIP_SAMPLES}], got {x.shape}")
    return features_batch(x[None])[0]


class Stream:
    """The front end fed hop by hop, as a device runs it: push(125 samples) -> 128 features."""

    def __init__(self):
        self._lib = _load()
        self._state = ctypes.create_string_buffer(STATE_BYTES)
        self._lib.lkws_fe_reset(self._state)

    def reset(self):
        self._lib.lkws_fe_reset(self._state)

    def push(self, hop):
        x = np.ascontiguousarray(hop, dtype=np.float32)
        if x.shape != (HOP,):
            raise LossykwsError(f"a hop is {HOP} samples, got shape {x.shape}")
        out = np.empty(BINS, dtype=np.float32)
        self._lib.lkws_fe_push_hop(self._state, _ptr(x, ctypes.c_float), _ptr(out, ctypes.c_float))
        return out

    def push_s16(self, hop):
        """The same for 16-bit PCM samples (each becomes s / 32768 exactly)."""
        x = np.ascontiguousarray(hop, dtype=np.int16)
        if x.shape != (HOP,):
            raise LossykwsError(f"a hop is {HOP} samples, got shape {x.shape}")
        out = np.empty(BINS, dtype=np.float32)
        self._lib.lkws_fe_push_hop_s16(self._state, _ptr(x, ctypes.c_int16), _ptr(out, ctypes.c_float))
        return out


def ln(x):
    """The front end's own natural log (lkws_fe_ln), elementwise over float32 values; for tests."""
    lib = _load()
    flat = np.asarray(x, dtype=np.float32).ravel()
    return np.array([lib.lkws_fe_ln(float(v)) for v in flat], dtype=np.float32).reshape(np.shape(x))


def vq_encode(feats, codebook, block=(2, 2)):
    """Nearest-codeword indices of the block_t x block_f tiles of features (lkws/vq_encode.h).

    feats: float32 [frames, bins] or [n, frames, bins]; codebook: float32 [k, block_t * block_f].
    Returns uint8 [frames / block_t, bins / block_f] (with the leading n if given).
    """
    f = np.ascontiguousarray(feats, dtype=np.float32)
    cb = np.ascontiguousarray(codebook, dtype=np.float32)
    bt, bf = (int(b) for b in block)
    if cb.ndim != 2 or cb.shape[1] != bt * bf or not 1 <= cb.shape[0] <= 256:
        raise LossykwsError(f"codebook must be [k <= 256, {bt * bf}] for {bt}x{bf} blocks, got {cb.shape}")
    single = f.ndim == 2
    if single:
        f = f[None]
    if f.ndim != 3 or f.shape[1] % bt or f.shape[2] % bf:
        raise LossykwsError(f"features of shape {np.shape(feats)} do not split into {bt}x{bf} blocks")
    n, frames, bins = f.shape
    lib = _load()
    codes = np.empty((n, frames // bt, bins // bf), dtype=np.uint8)
    for i in range(n):
        rc = lib.lkws_vq_encode(_ptr(f[i], ctypes.c_float), frames, bins, bt, bf,
                                _ptr(cb, ctypes.c_float), cb.shape[0], _ptr(codes[i], ctypes.c_uint8))
        if rc != 0:
            raise LossykwsError("lkws_vq_encode rejected its arguments")
    return codes[0] if single else codes


def pack_lce(codes, bits=4):
    """Codes uint8 [...] -> int32 [...] as the device feeds a binarized network (lkws_vq_pack_lce):
    Larq Compute Engine's bitpacking of the +-1 bit planes, channel c in bit c, bit set for -1."""
    c = np.ascontiguousarray(codes, dtype=np.uint8)
    if not 1 <= int(bits) <= 8:
        raise LossykwsError(f"bits must be 1..8, got {bits}")
    out = np.empty(c.shape, dtype=np.int32)
    _load().lkws_vq_pack_lce(_ptr(c, ctypes.c_uint8), c.size, int(bits), _ptr(out, ctypes.c_int32))
    return out
