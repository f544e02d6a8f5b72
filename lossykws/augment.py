"""Training-time augmentation of 1 s clips: playback speed, time shift, gain, background noise at a
chosen SNR.

The speed factor resamples the clip (tempo and pitch change together, as in Ko et al., "Audio
augmentation for speech recognition", 2015): a cheap stand-in for more speakers, the scarcest thing
in a folder of 162.

Every random choice comes from a generator seeded with (seed, epoch, index), so an augmented clip
is the same on every run and after a resume, whatever order or process computes it.
"""
from dataclasses import asdict, dataclass

import numpy as np

from . import audio
from .errors import LossykwsError


@dataclass(frozen=True)
class AugmentConfig:
    speed: tuple = (0.85, 1.15)     # uniform playback-speed factor (steps of 0.01), centred in the 1 s
    max_shift_s: float = 0.1        # uniform time shift in [-max, max], zero-filled
    gain_db: float = 6.0            # uniform gain in [-g, g] dB
    noise_probability: float = 0.8
    snr_db: tuple = (5.0, 20.0)     # uniform SNR range for the added noise


NO_SPEED = (1.0, 1.0)   # runs recorded before the speed factor existed were trained without it
SPEED_LIMITS = (0.5, 2.0)


def load_noise(paths, rate=audio.SAMPLE_RATE):
    """Background recordings as mono float32 arrays at `rate` (any length of at least 1 sample)."""
    out = []
    for p in paths:
        samples, info = audio.read_wav(p)
        mono = samples.mean(axis=1) if info.channels > 1 else samples[:, 0]
        out.append(audio.resample(mono, info.rate, rate))
    return out


def check_speed(speed):
    """A playback-speed range (lo, hi) as floats, from a pair or the text "LO,HI"; or a one-line error."""
    shown = speed if isinstance(speed, str) else ",".join(map(str, speed))
    try:
        lo, hi = (float(v) for v in (speed.split(",") if isinstance(speed, str) else speed))
    except (TypeError, ValueError):
        raise LossykwsError(f"--speed {shown}: expected two playback-speed factors LO,HI such as "
                            "0.85,1.15") from None
    if not SPEED_LIMITS[0] <= lo <= hi <= SPEED_LIMITS[1]:
        raise LossykwsError(f"--speed {shown}: expected {SPEED_LIMITS[0]:g} <= LO <= HI <= "
                            f"{SPEED_LIMITS[1]:g} (1,1 keeps the speed)")
    return (lo, hi)


def config_of(record):
    """The AugmentConfig of a run's config.json "augmentation" record (its "params"; a run written
    before they were recorded used the defaults of its time: no speed change)."""
    params = record.get("params")
    if params is None:
        return AugmentConfig(speed=NO_SPEED)
    return AugmentConfig(**{k: tuple(v) if isinstance(v, list) else v for k, v in params.items()})


def params_of(config):
    """An AugmentConfig as the JSON record config_of reads back."""
    return {k: list(v) if isinstance(v, tuple) else v for k, v in asdict(config).items()}


def change_speed(clip, factor):
    """`clip` played `factor` times faster (factor in steps of 0.01; polyphase resampling), cut or
    zero-padded about its centre back to its length."""
    down = int(round(100 * factor))
    if down == 100:
        return clip
    from scipy.signal import resample_poly

    n = len(clip)
    y = resample_poly(clip, 100, down).astype(np.float32)
    if len(y) >= n:
        start = (len(y) - n) // 2
        return y[start:start + n]
    pad = n - len(y)
    return np.pad(y, (pad // 2, pad - pad // 2))


def augment(clip, noise, seed, epoch, index, config=AugmentConfig()):
    """One augmented copy of `clip` (float32, 1-D); `noise` is a list of float32 recordings."""
    rng = np.random.default_rng([seed, epoch, index])
    n = len(clip)
    clip = change_speed(clip, rng.uniform(*config.speed))
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
