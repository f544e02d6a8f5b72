"""Training-time augmentation of 1 s clips: time shift, gain, background noise at a chosen SNR.

Every random choice comes from a generator seeded with (seed, epoch, index), so an augmented clip
is the same on every run and after a resume, whatever order or process computes it.
"""
from dataclasses import dataclass

import numpy as np

from . import audio


@dataclass(frozen=True)
class AugmentConfig:
    max_shift_s: float = 0.1        # uniform time shift in [-max, max], zero-filled
    gain_db: float = 6.0            # uniform gain in [-g, g] dB
    noise_probability: float = 0.8
    snr_db: tuple = (5.0, 20.0)     # uniform SNR range for the added noise


def load_noise(paths, rate=audio.SAMPLE_RATE):
    """Background recordings as mono float32 arrays at `rate` (any length of at least 1 sample)."""
    out = []
    for p in paths:
        samples, info = audio.read_wav(p)
        mono = samples.mean(axis=1) if info.channels > 1 else samples[:, 0]
        out.append(audio.resample(mono, info.rate, rate))
    return out


def augment(clip, noise, seed, epoch, index, config=AugmentConfig()):
    """One augmented copy of `clip` (float32, 1-D); `noise` is a list of float32 recordings."""
    rng = np.random.default_rng([seed, epoch, index])
    n = len(clip)
    shift = int(rng.integers(-int(config.max_shift_s * audio.SAMPLE_RATE),
                             int(config.max_shift_s * audio.SAMPLE_RATE) + 1))
    x = np.zeros_like(clip)
    if shift >= 0:
        x[shift:] = clip[:n - shift]
    else:
        x[:shift] = clip[-shift:]
    x = x * np.float32(10.0 ** (rng.uniform(-config.gain_db, config.gain_db) / 20.0))
    if noise and rng.random() < config.noise_probability:
        rec = noise[int(rng.integers(len(noise)))]
        if len(rec) < n:
            rec = np.resize(rec, n)
        start = int(rng.integers(0, len(rec) - n + 1))
        segment = rec[start:start + n]
        p_signal = float(np.mean(x.astype(np.float64) ** 2))
        p_noise = float(np.mean(segment.astype(np.float64) ** 2))
        if p_noise > 0:
            snr = rng.uniform(*config.snr_db)
            scale = np.sqrt(max(p_signal, 1e-8) / (p_noise * 10.0 ** (snr / 10.0)))
            x = x + np.float32(scale) * segment
    return np.clip(x, -1.0, 1.0).astype(np.float32)
