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
    clips = _as_clips(corpus_clips)
    rng = np.random.default_rng(seed)
    order = rng.permutation(len(clips))
    n_eval = min(config.eval_clips, max(1, len(clips) // 10))
    eval_x, train_x = clips[order[:n_eval]], clips[order[n_eval:]]
    if np.unique(np.round(train_x * 32768)).size < 2:
        raise LossykwsError("the training clips are silent: no information to fit a codec on")
    torch.manual_seed(seed)
    g = torch.Generator().manual_seed(seed)
    model = build_model(config)
    model.train()
    train_t = torch.from_numpy(train_x)
    start = time.monotonic()
    stop_codec = start + budget_s * (1 - config.control_fraction)
    bar = progress_bar(total=int(budget_s), desc="local codec", unit="s") if progress else None
    report = {"label": LABEL, "config": config.to_json(), "budget_s": budget_s, "train_clips": len(train_x),
              "eval_clips": len(eval_x), "seed": seed}

    def batch():
        return train_t[torch.randint(len(train_t), (config.batch,), generator=g)]

    def tick():
        if bar is not None:
            bar.n = min(int(time.monotonic() - start), int(budget_s))
            bar.refresh()

    opt = torch.optim.Adam(model.parameters(), lr=config.lr, betas=(0.5, 0.9))
    # 1. autoencoder without quantisation
    steps = 0
    stop_pre = start + budget_s * config.pretrain_fraction
    while steps < config.pretrain_steps and (steps == 0 or time.monotonic() < stop_pre):
        x = batch()
        y = model.decoder(model.encoder(x[:, None]))[:, 0, :x.shape[1]]
        loss = reconstruction_loss(x, y, config.spectral_windows)
        opt.zero_grad()
        loss.backward()
        opt.step()
        steps += 1
        tick()
    report["pretrain_steps"] = steps
    # 2. k-means on the encoder's outputs
    frames_per_batch = config.batch * model.frame_rate
    _init_from_encoder(model, train_t, config, seed, frames_per_batch)
    with torch.no_grad():
        first = model.quantizer.encode(model.encoder(train_t[:config.kmeans_clips, None]), model.frame_rate)
    check_informative(first.numpy(), "local codec's initial codes")   # before spending the budget
    # 3. the whole codec
    steps = 0
    while steps == 0 or time.monotonic() < stop_codec:
        x = batch()
        q, commit = _rvq_train(model.quantizer, model.encoder(x[:, None]), True, config, g)
        y = model.decoder(q)[:, 0, :x.shape[1]]
        loss = reconstruction_loss(x, y, config.spectral_windows) + config.commitment * commit
        opt.zero_grad()
        loss.backward()
        opt.step()
        steps += 1
        tick()
    report["codec_steps"] = steps
    model.eval()
    codec = EncodecCodec(model, None, LABEL, {"weights": "local", "config": config.to_json()})
    codes = codec.encode_codes(train_x[:config.kmeans_clips])
    check_informative(codes, "local codec's codes")
    # 4. the control: random frozen encoder, k-means codebooks, a decoder trained on them
    control = build_model(config)
    control.train()
    _init_from_encoder(control, train_t, config, seed + 1, None)
    copt = torch.optim.Adam(control.decoder.parameters(), lr=config.lr, betas=(0.5, 0.9))
    csteps = 0
    stop_control = start + budget_s
    while csteps == 0 or time.monotonic() < stop_control:
        x = batch()
        with torch.no_grad():
            q, _ = _rvq_train(control.quantizer, control.encoder(x[:, None]), False, config, g)
        y = control.decoder(q)[:, 0, :x.shape[1]]
        loss = reconstruction_loss(x, y, config.spectral_windows)
        copt.zero_grad()
        loss.backward()
        copt.step()
        csteps += 1
        tick()
    control.eval()
    if bar is not None:
        bar.close()
    control_codec = EncodecCodec(control, None, "control", {"weights": "control"})
    report["control_steps"] = csteps
    report["train_s"] = round(time.monotonic() - start, 1)
    report["distinct_codes"] = _distinct_per_codebook(codec.encode_codes(eval_x))
    report["quality"] = quality(eval_x, codec.decode(codec.encode_codes(eval_x)))
    report["control_quality"] = quality(eval_x, control_codec.decode(control_codec.encode_codes(eval_x)))
    return codec, report


def _init_from_encoder(model, train_t, config, seed, per_batch):
    torch = _torch()
    with torch.no_grad():
        emb = model.encoder(train_t[:config.kmeans_clips, None])
    vectors = emb.transpose(1, 2).reshape(-1, emb.shape[1])
    kmeans_init_codebooks(model.quantizer, vectors, config.kmeans_iters, seed, per_batch)


# ---------------------------------------------------------------- persistence
