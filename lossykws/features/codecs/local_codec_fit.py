"""Fitting the local codec (lossykws.features.codecs.local_codec's EnCodec architecture) on a
corpus within a time budget: an autoencoder first without quantisation, k-means initialised
codebooks after that, then the quantised codec, with a random-encoder control for comparison.

    >>> codec, report = fit_local_codec(clips, budget_s=600)
"""
import time

import numpy as np

from lossykws.errors import LossykwsError
from lossykws.features.codecs.encodec import EncodecCodec, check_informative
from lossykws.data import audio
from lossykws.features.codecs.local_codec import (LABEL, LocalCodecConfig, _rvq_train, _torch, build_model, kmeans_init_codebooks, quality, reconstruction_loss)
from lossykws.progress import progress_bar


def _as_clips(corpus_clips):
    if isinstance(corpus_clips, np.ndarray):
        x = corpus_clips.astype(np.float32)
    else:
        x = np.stack([audio.load_clip(getattr(c, "path", c)) for c in corpus_clips]).astype(np.float32)
    if x.ndim != 2 or x.shape[1] != audio.CLIP_SAMPLES or len(x) < 2:
        raise LossykwsError(f"the local codec trains on at least 2 clips of {audio.CLIP_SAMPLES} samples, "
                            f"got shape {x.shape}")
    return x


def _distinct_per_codebook(codes):
    return [int(np.unique(codes[:, q]).size) for q in range(codes.shape[1])]


def fit_local_codec(corpus_clips, budget_s, config=LocalCodecConfig(), seed=0, progress=True):
    """Train a local codec on clips within `budget_s` seconds; return (EncodecCodec, report).

    # Arguments
        corpus_clips: float32 [n, 16000] clips, or Clip objects / WAV paths to load.
        budget_s: wall-clock seconds for everything (codec, control, evaluation is extra but short).
        config: a LocalCodecConfig (TINY for tests).
    # Returns
        An EncodecCodec labelled "local codec", and a dict with the steps run, the distinct codes
        per codebook, and quality (SNR dB, log-mel L1) of the codec and of its control on held-out clips.
    """
    torch = _torch()

    if not 0 < budget_s <= 1800:
        raise LossykwsError(f"the local codec's time budget must be in (0, 1800] seconds, got {budget_s}")
    eval_x, train_x = _split_clips(_as_clips(corpus_clips), config, seed)
    torch.manual_seed(seed)
    g = torch.Generator().manual_seed(seed)
    model = build_model(config)
    model.train()
    train_t = torch.from_numpy(train_x)
    budget = _Budget(budget_s, progress)
    report = {"label": LABEL, "config": config.to_json(), "budget_s": budget_s, "train_clips": len(train_x),
              "eval_clips": len(eval_x), "seed": seed}

    def batch():
        return train_t[torch.randint(len(train_t), (config.batch,), generator=g)]

    opt = torch.optim.Adam(model.parameters(), lr=config.lr, betas=(0.5, 0.9))
    report["pretrain_steps"] = _pretrain(model, opt, batch, config, budget)
    _kmeans_start(model, train_t, config, seed)
    codec, report["codec_steps"] = _train_codec(model, opt, batch, config, g, budget, train_x)
    control, report["control_steps"] = _train_control(train_t, batch, config, g, budget, seed + 1)
    budget.close()
    report["train_s"] = budget.elapsed()
    report.update(_evaluate(codec, control, eval_x))
    return codec, report


def _split_clips(clips, config, seed):
    """(held-out clips for the report, training clips), drawn by `seed`. Raises on silence."""
    order = np.random.default_rng(seed).permutation(len(clips))
    n_eval = min(config.eval_clips, max(1, len(clips) // 10))
    eval_x, train_x = clips[order[:n_eval]], clips[order[n_eval:]]
    if np.unique(np.round(train_x * 32768)).size < 2:
        raise LossykwsError("the training clips are silent: no information to fit a codec on")
    return eval_x, train_x


class _Budget:
    """The wall-clock budget from now: deadlines as fractions of it, and the progress bar (seconds)."""

    def __init__(self, budget_s, progress):
        self.budget_s = budget_s
        self.start = time.monotonic()
        self.bar = progress_bar(total=int(budget_s), desc="local codec", unit="s") if progress else None

    def deadline(self, fraction):
        return self.start + self.budget_s * fraction

    def tick(self):
        if self.bar is not None:
            self.bar.n = min(int(time.monotonic() - self.start), int(self.budget_s))
            self.bar.refresh()

    def close(self):
        if self.bar is not None:
            self.bar.close()

    def elapsed(self):
        return round(time.monotonic() - self.start, 1)


def _train_until(deadline, loss_of, opt, batch, budget, max_steps=float("inf")):
    """Optimizer steps on loss_of(batch()) until `deadline` (at least one) or max_steps; returns
    how many."""
    steps = 0
    while steps < max_steps and (steps == 0 or time.monotonic() < deadline):
        loss = loss_of(batch())
        opt.zero_grad()
        loss.backward()
        opt.step()
        steps += 1
        budget.tick()
    return steps


def _pretrain(model, opt, batch, config, budget):
    """1. The autoencoder without quantisation, so that k-means has an encoder worth clustering."""
    def loss_of(x):
        y = model.decoder(model.encoder(x[:, None]))[:, 0, :x.shape[1]]
        return reconstruction_loss(x, y, config.spectral_windows)

    return _train_until(budget.deadline(config.pretrain_fraction), loss_of, opt, batch, budget,
                        max_steps=config.pretrain_steps)


def _kmeans_start(model, train_t, config, seed):
    """2. Codebooks by k-means on the encoder's outputs; refused if they code nothing apart, before
    the rest of the budget is spent."""
    torch = _torch()
    _init_from_encoder(model, train_t, config, seed, config.batch * model.frame_rate)
    with torch.no_grad():
        first = model.quantizer.encode(model.encoder(train_t[:config.kmeans_clips, None]), model.frame_rate)
    check_informative(first.numpy(), "local codec's initial codes")


def _train_codec(model, opt, batch, config, g, budget, train_x):
    """3. The whole quantised codec until the control's share of the budget; returns (codec, steps)."""
    def loss_of(x):
        q, commit = _rvq_train(model.quantizer, model.encoder(x[:, None]), True, config, g)
        y = model.decoder(q)[:, 0, :x.shape[1]]
        return reconstruction_loss(x, y, config.spectral_windows) + config.commitment * commit

    steps = _train_until(budget.deadline(1 - config.control_fraction), loss_of, opt, batch, budget)
    model.eval()
    codec = EncodecCodec(model, None, LABEL, {"weights": "local", "config": config.to_json()})
    check_informative(codec.encode_codes(train_x[:config.kmeans_clips]), "local codec's codes")
    return codec, steps


def _train_control(train_t, batch, config, g, budget, seed):
    """4. The control: a random frozen encoder, k-means codebooks, a decoder trained on them until
    the budget ends; returns (codec, steps)."""
    torch = _torch()
    control = build_model(config)
    control.train()
    _init_from_encoder(control, train_t, config, seed, None)

    def loss_of(x):
        with torch.no_grad():
            q, _ = _rvq_train(control.quantizer, control.encoder(x[:, None]), False, config, g)
        y = control.decoder(q)[:, 0, :x.shape[1]]
        return reconstruction_loss(x, y, config.spectral_windows)

    opt = torch.optim.Adam(control.decoder.parameters(), lr=config.lr, betas=(0.5, 0.9))
    steps = _train_until(budget.deadline(1), loss_of, opt, batch, budget)
    control.eval()
    return EncodecCodec(control, None, "control", {"weights": "control"}), steps


def _evaluate(codec, control, eval_x):
    """5. The report's figures on the held-out clips."""
    return {"distinct_codes": _distinct_per_codebook(codec.encode_codes(eval_x)),
            "quality": quality(eval_x, codec.decode(codec.encode_codes(eval_x))),
            "control_quality": quality(eval_x, control.decode(control.encode_codes(eval_x)))}


def _init_from_encoder(model, train_t, config, seed, per_batch):
    torch = _torch()
    with torch.no_grad():
        emb = model.encoder(train_t[:config.kmeans_clips, None])
    vectors = emb.transpose(1, 2).reshape(-1, emb.shape[1])
    kmeans_init_codebooks(model.quantizer, vectors, config.kmeans_iters, seed, per_batch)


# ---------------------------------------------------------------- persistence
