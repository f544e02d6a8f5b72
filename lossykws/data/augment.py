"""Training-time augmentation of 1 s clips: playback speed, time shift, gain, background noise at a
chosen SNR; and, for the codecs built on the front end's features (tf, vq), a warp of their
frequency axis before the codec.

The speed factor resamples the clip (tempo and pitch change together, as in Ko et al., "Audio
augmentation for speech recognition", 2015): a cheap stand-in for more speakers, the scarcest thing
in a folder of 162. The frequency warp is vocal tract length perturbation (VTLP; Jaitly and Hinton,
"Vocal Tract Length Perturbation (VTLP) improves speech recognition", 2013): the features of an
augmented copy are stretched or squeezed along frequency as a longer or shorter vocal tract would,
with the tempo left alone; a second stand-in for speakers. It changes training data only: the
device's front end and VQ encoder (the C ones) never warp, and the codec encodes the warped
features with the same C nearest-codeword search.

Every random choice comes from a generator seeded with (seed, epoch, index), so an augmented clip
is the same on every run and after a resume, whatever order or process computes it.
"""
from dataclasses import asdict, dataclass

import numpy as np

from lossykws.data import audio
from lossykws.errors import LossykwsError


NO_SPEED = (1.0, 1.0)   # runs recorded before the speed factor existed were trained without it
NO_WARP = (1.0, 1.0)    # and before the frequency warp, without it
SPEED_LIMITS = (0.5, 2.0)
WARP_LIMITS = (0.7, 1.3)


@dataclass(frozen=True)
class AugmentConfig:
    speed: tuple = (0.85, 1.15)     # uniform playback-speed factor (steps of 0.01), centred in the 1 s
    max_shift_s: float = 0.1        # uniform time shift in [-max, max], zero-filled
    gain_db: float = 6.0            # uniform gain in [-g, g] dB
    noise_probability: float = 0.8
    snr_db: tuple = (5.0, 20.0)     # uniform SNR range for the added noise
    warp: tuple = NO_WARP           # uniform VTLP factor of the features' frequency axis (tf, vq codecs)


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


def check_warp(warp):
    """A frequency-warp range (lo, hi) as floats, from a pair or the text "LO,HI"; or a one-line error."""
    shown = warp if isinstance(warp, str) else ",".join(map(str, warp))
    try:
        lo, hi = (float(v) for v in (warp.split(",") if isinstance(warp, str) else warp))
    except (TypeError, ValueError):
        raise LossykwsError(f"--warp {shown}: expected two frequency-warp factors LO,HI such as 0.9,1.1") from None
    if not WARP_LIMITS[0] <= lo <= hi <= WARP_LIMITS[1]:
        raise LossykwsError(f"--warp {shown}: expected {WARP_LIMITS[0]:g} <= LO <= HI <= {WARP_LIMITS[1]:g} "
                            "(1,1 keeps the frequency axis)")
    return (lo, hi)


def config_of(record):
    """The AugmentConfig of a run's config.json "augmentation" record (its "params"; a run written
    before they were recorded used the defaults of its time: no speed change; one written before the
    frequency warp existed has no "warp": none)."""
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


def warp_factor(seed, epoch, index, config=AugmentConfig()):
    """The frequency-warp factor of one augmented copy, 1.0 when the config has none. Its own
    generator (seeded like augment's, one more key), so augment's audio draws stay what they were."""
    if tuple(config.warp) == NO_WARP:
        return 1.0
    return float(np.random.default_rng([seed, epoch, index, 1]).uniform(*config.warp))


def warp_frequency(features, factor):
    """Features [..., bins] with their frequency axis warped by `factor` (VTLP, Jaitly and Hinton's
    piecewise-linear map f -> factor * f up to a boundary, then a straight line to the band's edge):
    output bin k reads bin k / factor below 0.8 of the band times min(factor, 1), above it a line
    that ends at the last bin, so nothing is read from outside the band; linear interpolation
    between bins. factor > 1 moves formants up (a shorter vocal tract)."""
    f = np.asarray(features, dtype=np.float32)
    if factor == 1.0:
        return f
    top = f.shape[-1] - 1
    k = np.arange(top + 1, dtype=np.float64)
    bound = 0.8 * top * min(factor, 1.0)
    src = np.where(k <= bound, k / factor,
                   bound / factor + (k - bound) * (top - bound / factor) / (top - bound))
    lo = np.clip(np.floor(src).astype(np.int64), 0, top)
    hi = np.minimum(lo + 1, top)
    w = (src - lo).astype(np.float32)
    return (f[..., lo] * (1.0 - w) + f[..., hi] * w).astype(np.float32)
