"""WAV read and write, validation, resampling, and fitting a recording to the model's 1 s window.

The reader is written here rather than borrowed so that every malformed file gives the same kind
of one-line error (`BadAudio`) and so that it is small enough to fuzz: it parses RIFF chunks itself
and accepts PCM 8/16/24/32-bit, IEEE float 32/64-bit and WAVE_FORMAT_EXTENSIBLE.
"""
import struct
from fractions import Fraction
from pathlib import Path

import numpy as np

from lossykws import c_runtime
from lossykws.errors import BadAudio
from lossykws.fsutil import atomic_file

SAMPLE_RATE = c_runtime.constants("frontend.h")["LKWS_FE_SAMPLE_RATE"]     # the C front end's, as the device's
CLIP_SAMPLES = c_runtime.constants("frontend.h")["LKWS_FE_CLIP_SAMPLES"]

_PCM, _FLOAT, _EXTENSIBLE = 0x0001, 0x0003, 0xFFFE


class WavInfo:
    """What a WAV header says, and how far the file can back it up."""

    def __init__(self, rate, channels, bits, encoding, frames, truncated):
        self.rate = rate
        self.channels = channels
        self.bits = bits
        self.encoding = encoding  # "pcm" or "float"
        self.frames = frames
        self.truncated = truncated

    def __repr__(self):
        return (f"WavInfo(rate={self.rate}, channels={self.channels}, bits={self.bits}, "
                f"encoding={self.encoding!r}, frames={self.frames}, truncated={self.truncated})")


def _parse(data, path):
    """Return (WavInfo, offset, length) of the sample bytes in `data`."""
    if len(data) < 12 or data[0:4] != b"RIFF" or data[8:12] != b"WAVE":
        raise BadAudio(path, "not a WAV file (no RIFF/WAVE header)")
    fmt = None
    pos = 12
    while pos + 8 <= len(data):
        cid = data[pos:pos + 4]
        (size,) = struct.unpack_from("<I", data, pos + 4)
        body = pos + 8
        if cid == b"fmt ":
            if size < 16 or body + 16 > len(data):
                raise BadAudio(path, "truncated fmt chunk")
            tag, channels, rate, _, block_align, bits = struct.unpack_from("<HHIIHH", data, body)
            if tag == _EXTENSIBLE:
                if size < 40 or body + 26 > len(data):
                    raise BadAudio(path, "truncated WAVE_FORMAT_EXTENSIBLE fmt chunk")
                (tag,) = struct.unpack_from("<H", data, body + 24)
            fmt = (tag, channels, rate, block_align, bits)
        elif cid == b"data":
            if fmt is None:
                raise BadAudio(path, "data chunk before fmt chunk")
            tag, channels, rate, block_align, bits = fmt
            if tag == _PCM and bits in (8, 16, 24, 32):
                encoding = "pcm"
            elif tag == _FLOAT and bits in (32, 64):
                encoding = "float"
            else:
                raise BadAudio(path, f"unsupported encoding (format tag {tag:#06x}, {bits} bits); "
                                     "expected PCM 8/16/24/32-bit or float 32/64-bit")
            if channels < 1:
                raise BadAudio(path, "header says 0 channels")
            if rate < 1:
                raise BadAudio(path, "header says sample rate 0")
            frame_bytes = channels * bits // 8
            if block_align not in (0, frame_bytes):
                raise BadAudio(path, f"block align {block_align} does not match {channels} x {bits} bits")
            available = min(size, len(data) - body)
            frames = available // frame_bytes
            truncated = available < size
            return WavInfo(rate, channels, bits, encoding, frames, truncated), body, frames * frame_bytes
        pos = body + size + (size & 1)
    if fmt is None:
        raise BadAudio(path, "no fmt chunk")
    raise BadAudio(path, "no data chunk")


def _decode(raw, info):
    """Samples as float32 in [-1, 1], shape [frames, channels]."""
    if info.encoding == "float":
        x = np.frombuffer(raw, dtype="<f4" if info.bits == 32 else "<f8").astype(np.float32)
    elif info.bits == 8:
        x = (np.frombuffer(raw, dtype=np.uint8).astype(np.float32) - 128.0) / 128.0
    elif info.bits == 16:
        x = np.frombuffer(raw, dtype="<i2").astype(np.float32) / 32768.0
    elif info.bits == 24:
        b = np.frombuffer(raw, dtype=np.uint8).reshape(-1, 3).astype(np.int32)
        v = b[:, 0] | (b[:, 1] << 8) | (b[:, 2] << 16)
        v = np.where(v >= 1 << 23, v - (1 << 24), v)
        x = v.astype(np.float32) / float(1 << 23)
    else:
        x = (np.frombuffer(raw, dtype="<i4").astype(np.float64) / float(1 << 31)).astype(np.float32)
    return x.reshape(-1, info.channels)


def wav_info(path):
    """Parse a WAV file's header; raise BadAudio if it is not a WAV file this module can decode."""
    data = _read_bytes(path)
    info, _, _ = _parse(data, path)
    return info


def _read_bytes(path):
    try:
        return Path(path).read_bytes()
    except IsADirectoryError:
        raise BadAudio(path, "is a folder, expected a WAV file") from None
    except FileNotFoundError:
        raise BadAudio(path, "no such file") from None
    except OSError as e:
        raise BadAudio(path, f"cannot read ({e.strerror})") from None


def decode_wav(data, path="<bytes>"):
    """Decode WAV bytes to (samples float32 [frames, channels], WavInfo). Never reads past `data`."""
    info, offset, length = _parse(data, path)
    if info.frames == 0:
        raise BadAudio(path, "no samples (zero-length clip)")
    if info.truncated:
        raise BadAudio(path, f"truncated: data chunk holds {info.frames} whole frames, fewer than its header says")
    samples = _decode(data[offset:offset + length], info)
    if not np.all(np.isfinite(samples)):
        raise BadAudio(path, "float samples that are NaN or infinite")
    return samples, info


def read_wav(path):
    """Read a WAV file: (samples float32 [frames, channels], WavInfo). Raises BadAudio."""
    return decode_wav(_read_bytes(path), path)


def resample(x, rate_in, rate_out):
    """Polyphase resampling of a mono float signal (scipy's Kaiser-windowed FIR)."""
    if rate_in == rate_out:
        return x.astype(np.float32, copy=False)
    from scipy.signal import resample_poly

    ratio = Fraction(rate_out, rate_in)
    return resample_poly(x, ratio.numerator, ratio.denominator).astype(np.float32)


def fit_length(x, length=CLIP_SAMPLES):
    """Pad with zeros at the end, or keep the first `length` samples."""
    if len(x) >= length:
        return x[:length]
    return np.pad(x, (0, length - len(x)))


def load_clip(path, rate=SAMPLE_RATE, length=CLIP_SAMPLES):
    """A clip as the models see it: mono float32 at `rate`, exactly `length` samples."""
    samples, info = read_wav(path)
    mono = samples.mean(axis=1) if info.channels > 1 else samples[:, 0]
    return fit_length(resample(mono, info.rate, rate), length)


def write_wav(path, samples, rate=SAMPLE_RATE):
    """Write mono float samples in [-1, 1] as 16-bit PCM, atomically."""
    x = np.clip(np.asarray(samples, dtype=np.float32), -1.0, 1.0)
    pcm = np.round(x * 32767.0).astype("<i2").tobytes()
    header = struct.pack("<4sI4s4sIHHIIHH4sI", b"RIFF", 36 + len(pcm), b"WAVE", b"fmt ", 16, _PCM, 1,
                         rate, rate * 2, 2, 16, b"data", len(pcm))
    with atomic_file(path) as f:
        f.write(header + pcm)
