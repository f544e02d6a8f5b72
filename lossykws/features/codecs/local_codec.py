"""A local codec: EnCodec's own architecture, smaller, trained here on the CPU within a time budget.

The pretrained EnCodec weights cannot be downloaded on every machine; this trains the same classes
(`encodec.modules.SEANetEncoder/SEANetDecoder`, `encodec.quantization.ResidualVectorQuantizer`,
wrapped in an `EncodecModel`) on the given clips at 16 kHz. Its results are always labelled
"local codec", never "EnCodec pretrained".

Default configuration: SEANet with 16 filters and ratios [8, 5, 5] (hop 200: 80 frames per 1 s
clip), 8 residual codebooks of 1024 codes (10 bits), so 8 x 80 x 10 = 6400 bits per clip.

Training, in the order that works (encodec 0.1.1 has no training loop; docs/codecs.md):
1. the autoencoder alone, without quantisation (`pretrain_steps`, at most `pretrain_fraction` of
   the budget): codebooks initialised on a random encoder collapse to a few codes;
2. k-means (a matmul version; encodec's builds an N x K x D tensor) on the encoder's outputs, layer
   by layer on the residuals;
3. the whole codec with the codebooks updated by EMA and a commitment loss. Dead codes are
   re-seeded from the batch here, by hand, together with their EMA statistics: encodec's own
   expiry is undone by the EMA update that follows it, so it is switched off.
The loss is waveform L1 + a multi-scale spectral loss (linear and log STFT magnitudes, several
window sizes) + the commitment loss. The last `control_fraction` of the budget trains the control:
the same architecture with its random encoder frozen, k-means-fitted codebooks and a decoder
trained on them. `fit_local_codec` reports SNR and log-mel distance for both on held-out clips.
"""
import dataclasses
import hashlib
import json
import math
from pathlib import Path

import numpy as np

from lossykws.data import audio
from lossykws.errors import LossykwsError, reason

RATE = audio.SAMPLE_RATE
WEIGHTS_FILE = "local_codec.pt"
LABEL = "local codec"


@dataclasses.dataclass(frozen=True)
class LocalCodecConfig:
    n_filters: int = 16
    ratios: tuple = (8, 5, 5)
    dimension: int = 128
    lstm: int = 2
    n_q: int = 8
    bins: int = 1024
    batch: int = 8
    lr: float = 1e-3
    pretrain_steps: int = 150
    pretrain_fraction: float = 0.3
    control_fraction: float = 0.2
    kmeans_iters: int = 20
    kmeans_clips: int = 64
    commitment: float = 1.0
    decay: float = 0.99
    dead_fraction: float = 0.05     # a code is dead below this share of its fair per-batch use
    spectral_windows: tuple = (64, 128, 256, 512, 1024)
    eval_clips: int = 32

    def to_json(self):
        return {k: list(v) if isinstance(v, tuple) else v for k, v in dataclasses.asdict(self).items()}

    @classmethod
    def from_json(cls, d):
        fields = {f.name for f in dataclasses.fields(cls)}
        return cls(**{k: tuple(v) if isinstance(v, list) else v for k, v in d.items() if k in fields})


TINY = LocalCodecConfig(n_filters=2, ratios=(8, 5, 5), dimension=8, lstm=0, n_q=2, bins=16, batch=2,
                        pretrain_steps=2, kmeans_iters=3, kmeans_clips=4, spectral_windows=(64, 256),
                        eval_clips=2)


def _torch():
    import warnings

    import torch

    warnings.filterwarnings("ignore", message=".*weight_norm.*", category=FutureWarning)
    return torch


def build_model(config):
    """An untrained EncodecModel of this configuration at 16 kHz (codebooks all zero until k-means)."""
    _torch()
    from encodec.model import EncodecModel
    from encodec.modules import SEANetDecoder, SEANetEncoder
    from encodec.quantization import ResidualVectorQuantizer

    kw = dict(channels=1, dimension=config.dimension, n_filters=config.n_filters,
              ratios=list(config.ratios), causal=True, norm="weight_norm", lstm=config.lstm)
    encoder, decoder = SEANetEncoder(**kw), SEANetDecoder(**kw)
    quantizer = ResidualVectorQuantizer(dimension=config.dimension, n_q=config.n_q, bins=config.bins,
                                        decay=config.decay, threshold_ema_dead_code=0)
    frame_rate = math.ceil(RATE / np.prod(config.ratios))
    kbps = config.n_q * math.log2(config.bins) * frame_rate / 1000
    return EncodecModel(encoder, decoder, quantizer, [kbps], RATE, 1, name="local-codec")


# ---------------------------------------------------------------- k-means and the RVQ by hand
def kmeans(x, k, iters, generator):
    """Lloyd's k-means by matmul distances: (means [k, d], counts [k]); empty clusters re-seeded."""
    torch = _torch()
    n = x.shape[0]
    pick = torch.randperm(n, generator=generator)[:k] if n >= k else torch.randint(n, (k,), generator=generator)
    means = x[pick].clone()
    counts = torch.zeros(k)
    for _ in range(max(1, iters)):
        d = (x * x).sum(1, keepdim=True) - 2 * x @ means.T + (means * means).sum(1)
        assign = d.argmin(1)
        counts = torch.bincount(assign, minlength=k).float()
        sums = torch.zeros_like(means).index_add_(0, assign, x)
        used = counts > 0
        means[used] = sums[used] / counts[used, None]
        if (~used).any():
            means[~used] = x[torch.randint(n, (int((~used).sum()),), generator=generator)]
    return means, counts


def kmeans_init_codebooks(quantizer, vectors, iters=20, seed=0, per_batch=None):
    """Fit every codebook of an encodec ResidualVectorQuantizer by k-means on `vectors` [N, D]
    (the first on the vectors, each next one on the residuals), and mark them initialised.

    Also how a stand-in for the pretrained checkpoint gets codebooks that give varied codes.
    `per_batch` rescales the counts to the EMA scale of one training batch of that many vectors.
    """
    torch = _torch()
    g = torch.Generator().manual_seed(seed)
    residual = vectors.detach().clone()
    with torch.no_grad():
        for layer in quantizer.vq.layers:
            cb = layer._codebook
            means, counts = kmeans(residual, cb.codebook_size, iters, g)
            if per_batch:
                counts = counts * (per_batch / residual.shape[0])
            cb.embed.copy_(means)
            cb.embed_avg.copy_(means * counts[:, None])
            cb.cluster_size.copy_(counts)
            cb.inited.fill_(1.0)
            residual = residual - means[cb.quantize(residual)]
    return quantizer


def _rvq_train(quantizer, emb, update, config, generator):
    """Quantise emb [B, D, T] with EMA codebook updates: (straight-through quantised, commit loss)."""
    torch = _torch()
    B, D, T = emb.shape
    x = emb.transpose(1, 2).reshape(-1, D)
    residual, total = x, torch.zeros_like(x)
    commit = emb.new_zeros(())
    for layer in quantizer.vq.layers:
        cb = layer._codebook
        with torch.no_grad():
            ind = cb.quantize(residual.detach())
        q = cb.embed[ind].detach()
        commit = commit + torch.nn.functional.mse_loss(residual, q)
        if update:
            with torch.no_grad():
                _ema_update(cb, residual.detach(), ind, config, generator)
        residual = residual - q
        total = total + q
    quantised = x + (total - x).detach()
    return quantised.reshape(B, T, D).transpose(1, 2), commit


def _ema_update(cb, vectors, ind, config, generator):
    torch = _torch()
    k = cb.codebook_size
    counts = torch.bincount(ind, minlength=k).float()
    cb.cluster_size.mul_(config.decay).add_(counts, alpha=1 - config.decay)
    sums = torch.zeros_like(cb.embed).index_add_(0, ind, vectors)
    cb.embed_avg.mul_(config.decay).add_(sums, alpha=1 - config.decay)
    n = cb.cluster_size.sum()
    smoothed = (cb.cluster_size + 1e-5) / (n + k * 1e-5) * n
    cb.embed.copy_(cb.embed_avg / smoothed[:, None])
    # Re-seed dead codes with batch vectors, statistics included, so the next EMA keeps them.
    floor = config.dead_fraction * len(vectors) / k
    dead = cb.cluster_size < floor
    if dead.any():
        fresh = vectors[torch.randint(len(vectors), (int(dead.sum()),), generator=generator)]
        cb.embed[dead] = fresh
        cb.embed_avg[dead] = fresh * floor
        cb.cluster_size[dead] = floor


# ---------------------------------------------------------------- losses and metrics
def _stft_mag(x, n_fft):
    torch = _torch()
    window = torch.hann_window(n_fft)
    return torch.stft(x, n_fft, hop_length=n_fft // 4, window=window, return_complex=True).abs()


def reconstruction_loss(x, y, windows):
    """Waveform L1 + multi-scale spectral loss (L1 of linear and log STFT magnitudes) of x, y [B, L]."""
    torch = _torch()
    loss = (x - y).abs().mean()
    for n_fft in windows:
        sx, sy = _stft_mag(x, n_fft), _stft_mag(y, n_fft)
        loss = loss + (sx - sy).abs().mean() + (torch.log(sx + 1e-5) - torch.log(sy + 1e-5)).abs().mean()
    return loss / (1 + len(windows))


def mel_filterbank(n_fft=512, n_mels=64, rate=RATE):
    """Triangular mel filters [n_mels, n_fft // 2 + 1] (HTK mel scale)."""
    mel = lambda f: 2595.0 * np.log10(1.0 + f / 700.0)  # noqa: E731
    hz = lambda m: 700.0 * (10.0 ** (m / 2595.0) - 1.0)  # noqa: E731
    edges = hz(np.linspace(mel(0.0), mel(rate / 2), n_mels + 2))
    freqs = np.linspace(0, rate / 2, n_fft // 2 + 1)
    lo, mid, hi = edges[:-2, None], edges[1:-1, None], edges[2:, None]
    return np.maximum(0.0, np.minimum((freqs - lo) / (mid - lo), (hi - freqs) / (hi - mid)))


def log_mel(x, n_fft=512, hop=160, n_mels=64):
    """Natural-log mel power [n, frames, n_mels] of clips x [n, L] (float64, numpy)."""
    x = np.atleast_2d(np.asarray(x, dtype=np.float64))
    w = np.hanning(n_fft + 1)[:-1]
    pad = np.pad(x, ((0, 0), (n_fft // 2, n_fft // 2)))
    idx = hop * np.arange(1 + (pad.shape[1] - n_fft) // hop)[:, None] + np.arange(n_fft)
    power = np.abs(np.fft.rfft(pad[:, idx] * w, axis=-1)) ** 2
    return np.log(power @ mel_filterbank(n_fft, n_mels).T + 1e-6)


def quality(x, y):
    """{snr_db, log_mel_l1} of reconstructions y against originals x (float arrays [n, L])."""
    x, y = np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)
    snr = 10 * np.log10(np.sum(x * x) / max(np.sum((x - y) ** 2), 1e-20))
    return {"snr_db": round(float(snr), 2), "log_mel_l1": round(float(np.abs(log_mel(x) - log_mel(y)).mean()), 3)}


# ---------------------------------------------------------------- training
def save_model(model, config_json, folder):
    """Write the weights to folder/local_codec.pt; return their sha256."""
    torch = _torch()
    path = Path(folder) / WEIGHTS_FILE
    torch.save(model.state_dict(), path)
    return hashlib.sha256(path.read_bytes()).hexdigest()


def load_model(folder):
    """The local codec saved in `folder` (encodec.json's config and local_codec.pt)."""
    torch = _torch()
    folder = Path(folder)
    try:
        settings = json.loads((folder / "encodec.json").read_text())
        config = LocalCodecConfig.from_json(settings["config"])
        model = build_model(config)
        model.load_state_dict(torch.load(folder / WEIGHTS_FILE, map_location="cpu", weights_only=True))
    except Exception as e:  # noqa: BLE001
        raise LossykwsError(f"{folder}: cannot load the local codec ({reason(e)})") from None
    model.eval()
    return model
