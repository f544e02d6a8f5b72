"""The VQ codec: 2x2 time-frequency blocks of the front end's features -> 4-bit codes -> bit planes.

The 128x128 features (lossykws.features.frontend, [frame, bin]) are cut into block_t x block_f tiles (2x2 by
default: 64x64 vectors of 4 values). A codebook of k codewords (16 by default: 4 bits) is fitted by
scikit-learn's MiniBatchKMeans on training features, then ordered so that code bits carry structure:
codewords are ranked by energy (their mean value, i.e. mean normalised log magnitude), and the
codeword of rank r gets code gray(r) = r ^ (r >> 1), so neighbouring loudness levels differ in one
bit and the top bit splits quiet from loud. Encoding is the C nearest-codeword search
(firmware/src/vq_encode.c: squared Euclidean distance, ties to the lowest code), the same code the
device runs. Codes become +-1 bit planes [64, 64, bits], plane c = bit c of the code, bit 1 -> -1
(Larq Compute Engine's sign convention: the LCE-packed word of a pixel is the code itself).

    >>> cb = vq.fit(train_features, k=16, seed=0)        # float32 [n, 128, 128]
    >>> cb.save("codec/vq_codebook.json"); cb = vq.load("codec/vq_codebook.json")
    >>> codes = cb.encode(frontend.features(clip))        # uint8 [64, 64]
    >>> x = vq.bits(codes, cb.bits)                       # float32 [64, 64, 4] of +-1
    >>> audio = cb.decode_audio(codes)                    # Griffin-Lim, to hear what the network hears
"""
import hashlib
import json
from dataclasses import dataclass, field

import numpy as np

from lossykws.features import frontend
from lossykws.errors import LossykwsError, reason
from lossykws.fsutil import atomic_file

FORMAT = "lossykws-vq-codebook"
VERSION = 1
ORDER = "energy-gray"  # how codewords are numbered (see the module docstring)
CODEBOOK_FILE = "vq_codebook.json"   # the codebook in a cache's or run's codec/ folder


def gray(r):
    """Reflected binary Gray code of r (int or integer array)."""
    return r ^ (r >> 1)


def frontend_definition():
    """The front-end constants a codebook depends on; a codebook is only valid for these."""
    return {"n_fft": frontend.N_FFT, "hop": frontend.HOP, "frames": frontend.FRAMES,
            "bins": frontend.BINS, "power_floor": float(frontend.POWER_FLOOR),
            "log_offset": float(frontend.LOG_OFFSET), "log_scale": float(frontend.LOG_SCALE)}


def data_fingerprint(features):
    """SHA-256 (16 hex digits) of float32 features, C order: what a codebook was fitted on."""
    f = np.ascontiguousarray(features, dtype=np.float32)
    h = hashlib.sha256(str(f.shape).encode())
    h.update(f.tobytes())
    return h.hexdigest()[:16]


def _codewords_digest(codewords):
    return hashlib.sha256(np.ascontiguousarray(codewords, dtype="<f4").tobytes()).hexdigest()


def _blocks(features, block):
    """[..., frames, bins] -> [..., frames/bt, bins/bf, bt*bf], each tile read row by row."""
    bt, bf = block
    f = np.asarray(features, dtype=np.float32)
    *lead, frames, bins = f.shape
    if frames % bt or bins % bf:
        raise LossykwsError(f"features of shape {f.shape} do not split into {bt}x{bf} blocks")
    t = f.reshape(*lead, frames // bt, bt, bins // bf, bf)
    t = np.moveaxis(t, -3, -2)  # [..., rows, cols, bt, bf]
    return t.reshape(*lead, frames // bt, bins // bf, bt * bf)


def _unblocks(vectors, block):
    """The inverse of _blocks: [..., rows, cols, bt*bf] -> [..., rows*bt, cols*bf]."""
    bt, bf = block
    *lead, rows, cols, _ = vectors.shape
    t = vectors.reshape(*lead, rows, cols, bt, bf)
    t = np.moveaxis(t, -2, -3)  # [..., rows, bt, cols, bf]
    return t.reshape(*lead, rows * bt, cols * bf)


def bits(codes, nbits=4):
    """Codes uint8 [...] -> +-1 bit planes float32 [..., nbits]: plane c is bit c, bit 1 -> -1."""
    c = np.asarray(codes).astype(np.uint8)
    planes = (c[..., None] >> np.arange(nbits, dtype=np.uint8)) & 1
    return (1.0 - 2.0 * planes).astype(np.float32)


def codes_from_bits(planes):
    """+-1 bit planes [..., nbits] -> codes uint8 [...] (negative -> bit 1)."""
    p = np.asarray(planes) < 0
    weights = (1 << np.arange(p.shape[-1])).astype(np.uint16)
    return (p.astype(np.uint16) * weights).sum(axis=-1).astype(np.uint8)


@dataclass
class Codebook:
    """k codewords of block_t*block_f values; row c is the codeword of code c."""
    codewords: np.ndarray
    block: tuple = (2, 2)
    seed: int = 0
    fingerprint: str = ""
    fit_info: dict = field(default_factory=dict)
    frontend: dict = field(default_factory=frontend_definition)

    def __post_init__(self):
        self.codewords = np.ascontiguousarray(self.codewords, dtype=np.float32)
        self.block = tuple(int(b) for b in self.block)
        check_params(self.codewords.shape[0], self.block)
        if self.codewords.shape != (self.k, self.block[0] * self.block[1]):
            raise LossykwsError(f"codewords of shape {self.codewords.shape} do not fit {self.block} blocks")

    @property
    def k(self):
        return self.codewords.shape[0]

    @property
    def bits(self):
        return int(self.k).bit_length() - 1

    def params(self):
        return {"k": self.k, "block": list(self.block), "seed": self.seed, "order": ORDER}

    def require(self, k=None, block=None):
        """Raise a one-line error if this codebook was fitted with other parameters than asked."""
        if (k is not None and k != self.k) or (block is not None and tuple(block) != self.block):
            raise LossykwsError(f"the codebook was fitted with k={self.k}, block={self.block[0]}x{self.block[1]}, "
                                f"not the asked k={k or self.k}, block="
                                f"{'x'.join(map(str, block or self.block))}: refit it or ask for its parameters")
        if self.frontend != frontend_definition():
            raise LossykwsError("the codebook was fitted on another front end (its constants differ): refit it")

    def encode(self, features):
        """Features [..., 128, 128] -> codes uint8 [..., 64, 64], by the C nearest-codeword search."""
        return frontend.vq_encode(features, self.codewords, self.block)

    def encode_audio(self, clips):
        """Clips float32 [16000] or [n, 16000] -> codes uint8 [(n,) 64, 64]."""
        x = np.asarray(clips, dtype=np.float32)
        f = frontend.features_batch(x.reshape(-1, x.shape[-1]))
        codes = self.encode(f)
        return codes[0] if x.ndim == 1 else codes

    def decode(self, codes):
        """Codes [..., 64, 64] -> features float32 [..., 128, 128]; every tile is its codeword, exactly."""
        c = np.asarray(codes)
        if c.size and int(c.max()) >= self.k:
            raise LossykwsError(f"code {int(c.max())} out of range for a codebook of {self.k} codewords")
        return _unblocks(self.codewords[c.astype(np.intp)], self.block)

    def decode_audio(self, codes, n_iter=64, seed=0):
        """Codes [64, 64] -> 1 s of audio (float32 [16000]) by Griffin-Lim, for listening."""
        return griffin_lim(self.decode(codes), n_iter=n_iter, seed=seed)

    def to_json(self):
        return {
            "format": FORMAT, "version": VERSION, **self.params(),
            "fingerprint": self.fingerprint, "frontend": self.frontend, "fit": self.fit_info,
            "codewords": [[float(v) for v in row] for row in self.codewords],
            "sha256": _codewords_digest(self.codewords),
        }

    def save(self, path):
        """Write the codebook as JSON (float32 values written exactly; loads bit for bit)."""
        text = json.dumps(self.to_json(), indent=1, sort_keys=True) + "\n"
        with atomic_file(path, "w") as f:
            f.write(text)


def check_params(k, block):
    if not (2 <= k <= 256 and k & (k - 1) == 0):
        raise LossykwsError(f"codebook size {k} must be a power of two from 2 to 256 (codes are bits)")
    if len(block) != 2 or min(block) < 1 or frontend.FRAMES % block[0] or frontend.BINS % block[1]:
        raise LossykwsError(f"block {block} must be two positive sizes dividing "
                            f"{frontend.FRAMES}x{frontend.BINS}")


def load(path):
    """Read a codebook written by Codebook.save; a one-line error if it is not one or is damaged."""
    try:
        with open(path) as f:
            d = json.load(f)
    except FileNotFoundError:
        raise LossykwsError(f"{path}: no such codebook file") from None
    except (OSError, ValueError) as e:
        raise LossykwsError(f"{path}: not a readable VQ codebook ({e})") from None
    if not isinstance(d, dict) or d.get("format") != FORMAT:
        raise LossykwsError(f"{path}: not a VQ codebook (format is not {FORMAT!r})")
    if d.get("version") != VERSION or d.get("order") != ORDER:
        raise LossykwsError(f"{path}: codebook version {d.get('version')!r:.20}/{d.get('order')!r:.20} is not "
                            f"{VERSION}/{ORDER}: refit it")
    try:
        codewords = np.array(d["codewords"], dtype=np.float32)
        cb = Codebook(codewords, block=tuple(d["block"]), seed=d["seed"], fingerprint=d["fingerprint"],
                      fit_info=d.get("fit", {}), frontend=d["frontend"])
    except (KeyError, TypeError, ValueError, IndexError, OverflowError) as e:
        raise LossykwsError(f"{path}: damaged VQ codebook ({type(e).__name__}: {reason(e, 80)})") from None
    except LossykwsError as e:
        raise LossykwsError(f"{path}: damaged VQ codebook ({e})") from None
    if cb.k != d.get("k") or _codewords_digest(cb.codewords) != d.get("sha256"):
        raise LossykwsError(f"{path}: damaged VQ codebook (its codewords do not match its checksum)")
    return cb


def order_codewords(centroids):
    """Renumber centroids [k, d]: rank by energy (mean value, stable), code of rank r = gray(r)."""
    c = np.asarray(centroids, dtype=np.float32)
    rank_to_centroid = np.argsort(c.mean(axis=1), kind="stable")
    ordered = np.empty_like(c)
    ordered[gray(np.arange(len(c)))] = c[rank_to_centroid]
    return ordered


def fit(features, k=16, block=(2, 2), seed=0, fingerprint=None, max_vectors=500_000, batch_size=4096):
    """Fit a codebook on training features float32 [n, 128, 128] with MiniBatchKMeans.

    At most `max_vectors` tiles (a seeded random subset) are clustered; `fingerprint` names the
    data (e.g. the corpus's training-split fingerprint) and defaults to a hash of `features`.
    """
    from sklearn.cluster import MiniBatchKMeans

    block = tuple(int(b) for b in block)
    check_params(k, block)
    f = np.asarray(features, dtype=np.float32)
    if f.ndim == 2:
        f = f[None]
    vectors = _blocks(f, block).reshape(-1, block[0] * block[1])
    if len(vectors) < k:
        raise LossykwsError(f"{len(vectors)} blocks are too few to fit {k} codewords")
    rng = np.random.default_rng(seed)
    if len(vectors) > max_vectors:
        vectors = vectors[np.sort(rng.choice(len(vectors), max_vectors, replace=False))]
    km = MiniBatchKMeans(n_clusters=k, random_state=seed, batch_size=batch_size, n_init=3,
                         max_iter=100).fit(vectors)
    info = {"method": "MiniBatchKMeans", "vectors": int(len(vectors)), "batch_size": batch_size,
            "n_init": 3, "clips": int(len(f)), "inertia_per_vector": float(km.inertia_ / len(vectors))}
    return Codebook(order_codewords(km.cluster_centers_), block=block, seed=seed,
                    fingerprint=fingerprint or data_fingerprint(f), fit_info=info)


# Listening: an inverse of the front end's framing (numpy, float64). Not part of the feature
# definition, which is the C alone; only used to render what the network hears.

def _window():
    n = np.arange(frontend.N_FFT)
    return 0.5 - 0.5 * np.cos(2.0 * np.pi * n / frontend.N_FFT)


_PAD = frontend.N_FFT - frontend.HOP  # the front end's left padding


def _stft(x):
    """Complex spectra [128 frames, 129 bins] of x [16000] with the front end's causal framing."""
    padded = np.concatenate([np.zeros(_PAD), x])
    idx = frontend.HOP * np.arange(frontend.FRAMES)[:, None] + np.arange(frontend.N_FFT)
    return np.fft.rfft(padded[idx] * _window(), axis=1)


def _istft(spectra):
    """Least-squares inverse of _stft (weighted overlap-add)."""
    w = _window()
    frames = np.fft.irfft(spectra, n=frontend.N_FFT, axis=1) * w
    total = _PAD + frontend.CLIP_SAMPLES
    out, norm = np.zeros(total), np.zeros(total)
    for t in range(frontend.FRAMES):
        s = frontend.HOP * t
        out[s:s + frontend.N_FFT] += frames[t]
        norm[s:s + frontend.N_FFT] += w * w
    return (out / np.maximum(norm, 1e-8))[_PAD:]


def magnitude(features):
    """Features [128, 128] -> |X| [128 frames, 129 bins] (DC set to 0), undoing log and normalisation."""
    log_power = np.asarray(features, dtype=np.float64) / float(frontend.LOG_SCALE) + float(frontend.LOG_OFFSET)
    power = np.maximum(np.exp(log_power) - float(frontend.POWER_FLOOR), 0.0)
    return np.concatenate([np.zeros((frontend.FRAMES, 1)), np.sqrt(power)], axis=1)


def griffin_lim(features, n_iter=64, seed=0):
    """Audio float32 [16000] whose features approximate `features` [128, 128] (Griffin-Lim)."""
    mag = magnitude(features)
    phase = np.exp(2j * np.pi * np.random.default_rng(seed).random(mag.shape))
    x = _istft(mag * phase)
    for _ in range(n_iter):
        spectra = _stft(x)
        x = _istft(mag * np.exp(1j * np.angle(spectra)))
    return np.clip(x, -1.0, 1.0).astype(np.float32)

