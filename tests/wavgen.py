"""WAV files of every encoding the reader accepts, built byte by byte for the tests."""
import struct

import numpy as np

PCM, FLOAT, EXTENSIBLE = 1, 3, 0xFFFE


def encode_samples(x, bits, encoding):
    """x: float array [frames, channels] in [-1, 1] -> little-endian sample bytes."""
    if encoding == "float":
        return x.astype("<f4" if bits == 32 else "<f8").tobytes()
    if bits == 8:
        return np.clip(np.round(x * 128.0 + 128.0), 0, 255).astype(np.uint8).tobytes()
    full = float(1 << (bits - 1))
    v = np.clip(np.round(x.astype(np.float64) * full), -full, full - 1).astype(np.int64)
    if bits == 24:
        v = v & 0xFFFFFF
        b = np.stack([v & 0xFF, (v >> 8) & 0xFF, (v >> 16) & 0xFF], axis=-1).astype(np.uint8)
        return b.tobytes()
    return v.astype("<i2" if bits == 16 else "<i4").tobytes()


def wav_bytes(x, rate=16000, bits=16, encoding="pcm", extensible=False, extra_chunk=False):
    x = np.asarray(x, dtype=np.float64)
    if x.ndim == 1:
        x = x[:, None]
    channels = x.shape[1]
    data = encode_samples(x, bits, encoding)
    tag = PCM if encoding == "pcm" else FLOAT
    block = channels * bits // 8
    if extensible:
        guid = struct.pack("<H", tag) + b"\x00\x00\x00\x00\x10\x00\x80\x00\x00\xaa\x00\x38\x9b\x71"
        fmt = struct.pack("<HHIIHHHHI", EXTENSIBLE, channels, rate, rate * block, block, bits, 22, bits, 0) + guid
    else:
        fmt = struct.pack("<HHIIHH", tag, channels, rate, rate * block, block, bits)
    chunks = b"fmt " + struct.pack("<I", len(fmt)) + fmt
    if extra_chunk:
        chunks += b"LIST" + struct.pack("<I", 5) + b"abcde\x00"   # odd size, padded
    chunks += b"data" + struct.pack("<I", len(data)) + data
    return b"RIFF" + struct.pack("<I", 4 + len(chunks)) + b"WAVE" + chunks


def tone(seconds=1.0, rate=16000, freq=440.0, amplitude=0.5):
    t = np.arange(int(round(seconds * rate))) / rate
    return (amplitude * np.sin(2 * np.pi * freq * t)).astype(np.float32)
