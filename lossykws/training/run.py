"""Training: fit on a feature cache, checkpoint every epoch, resume exactly, evaluate, write a run.

    >>> report = training.train_run("build/cache-vq", "runs/vq", model_name="vq-bnn", epochs=40)
    >>> report = training.train_run(resume="runs/vq")           # continue an interrupted run
    >>> training.evaluate_run("runs/vq")                         # Keras and LCE on the test split

The run directory (docs/architecture.md) appears whole or not at all. While training, everything lives in
RUN_DIR.partial/: config.json, state.json (epoch, history, best epoch), checkpoint/ (model and
optimizer variables, tf.train.Checkpoint) and best.weights.h5; when the run completes, the final
files are written there and the folder is renamed to RUN_DIR. An interrupted run leaves only
RUN_DIR.partial, which `resume` continues.

Determinism: op determinism is on; the data order of epoch e is a permutation drawn from
numpy's generator seeded with (seed, e), the initial weights from tf's seed `seed`, and nothing else is
random during training (dropout draws its masks from (layer seed, step), a counter the checkpoint
holds: lossykws.training.dropout), so a resumed run reaches the same weights bit for bit.

Augmentation happens on audio, before encoding (lossykws.data.augment): the training split's clips are
augmented `augment_copies` times (playback speed, time shift, gain, background noise; seeded by
(seed, copy, clip); the parameters are recorded in config.json, so a resume augments as the run
began) and encoded with the cache's own codec; the copies join the original training features.
With a frequency warp (`warp`, `lossykws train --warp LO,HI`; none by default) the copies'
features are warped along frequency (VTLP) between the front end and the codec (tf and vq only).
The validation and test splits are never augmented.
EnCodec's encoder is slow on CPU, so its default is no augmented copies.

Extra corpora (`train_extra`, `lossykws train --train-extra DIR`, e.g. a `lossykws data synth`
corpus) join the training set only: every clip of the task's labels in them, whatever split its
speaker would hash to, encoded with the cache's codec; validation and test stay the cache's (real
speech). A mixed `lossykws train REAL SYNTH` instead splits the synthesized voices by speaker like
real ones, so some of them land in the test split.
"""
import platform
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from lossykws.data import augment, datasets
from lossykws.features import cache, codecs
from lossykws.training import models
from lossykws import __version__
from lossykws.errors import LossykwsError
from lossykws.fsutil import check_output_dir, read_json, write_json
from lossykws.progress import progress_bar

RUN_FORMAT = "lossykws-run"
RUN_VERSION = 1
PARTIAL_SUFFIX = ".partial"
CONFIG, STATE, METRICS = "config.json", "state.json", "metrics.json"
KERAS_MODEL, TFLITE = "model.keras", "model.tflite"
CKPT_DIR, BEST_WEIGHTS = "checkpoint", "best.weights.h5"
DEFAULT_EPOCHS = {"tf-cnn": 30, "vq-bnn": 60, "encodec-bnn": 60, "ds-cnn": 30}
DEFAULT_LR = {"tf-cnn": 3e-3, "vq-bnn": 1e-2, "encodec-bnn": 1e-2, "ds-cnn": 3e-3}
STRATEGIES = ("default", "mirrored", "multi-worker")


# ---------------------------------------------------------------- small helpers
def _tf():
    from lossykws.tf import import_tensorflow

    return import_tensorflow()


def versions():
    import larq
    import larq_compute_engine as lce

    tf = _tf()
    return {"lossykws": __version__, "tensorflow": tf.__version__, "larq": larq.__version__,
            "larq_compute_engine": getattr(lce, "__version__", "?"), "numpy": np.__version__,
            "python": platform.python_version()}


def make_strategy(name):
    tf = _tf()
    if name == "default":
        return tf.distribute.get_strategy()
    if name == "mirrored":
        return tf.distribute.MirroredStrategy()
    if name == "multi-worker":
        import os

        if not os.environ.get("TF_CONFIG"):
            raise LossykwsError("--strategy multi-worker reads the cluster from TF_CONFIG, which is not set "
                                "(see tf.distribute.MultiWorkerMirroredStrategy)")
        return tf.distribute.MultiWorkerMirroredStrategy()
    raise LossykwsError(f"unknown strategy {name!r}: expected one of {', '.join(STRATEGIES)}")


def read_config(run_dir, what="run directory"):
    """config.json of a run (finished or partial); one-line errors for foreign or other-version runs."""
    run_dir = Path(run_dir)
    config = read_json(run_dir / CONFIG)
    if not isinstance(config, dict) or config.get("format") != RUN_FORMAT:
        raise LossykwsError(f"{run_dir}: not a lossykws {what} (no {CONFIG} of format {RUN_FORMAT})")
    if config.get("version") != RUN_VERSION:
        versions = config.get("versions") if isinstance(config.get("versions"), dict) else {}
        made_by = " ".join(str(versions.get("lossykws", "?")).split())[:20]
        version = " ".join(str(config.get("version")).split())[:20]
        raise LossykwsError(f"{run_dir}: run format version {version} from lossykws {made_by}; this lossykws "
                            f"{__version__} reads version {RUN_VERSION} (retrain, or use that version)")
    return config


# ---------------------------------------------------------------- data
def load_features(features, split, model_name, bits_dtype=np.float32):
    """(x, y, split dict) of a cache split (`features`: an opened cache.Cache, or its folder), x
    shaped for the model (tf: channel axis added); bits as bits_dtype."""
    d = cache.open_cache(features).load_split(split, bits_dtype=bits_dtype)
    x = d["x"]
    if models.channel_axis(model_name) and x.ndim == 3:
        x = x[..., None]
    return x, d["labels"].astype(np.int64), d


def encoder_of(codec_dir, codec_spec):
    """clips float32 [n, 16000] -> model features, with the codec saved in a cache or run."""
    return codecs.codec(codec_spec["codec"]).encoder(codec_dir, codec_spec)


def codec_stages(codec_dir, codec_spec):
    """(front end: clips [n, 16000] -> features float32 [n, 128, 128], codec: features -> model
    features) for the codecs built on the front end (tf, vq); None for EnCodec, which reads audio."""
    return codecs.codec(codec_spec["codec"]).stages(codec_dir, codec_spec)


def default_augment_config(codec, speed=None, warp=None):
    """The augmentation of a new run on `codec`: AugmentConfig's defaults, the codec's frequency warp
    (its default_warp), and a given speed or warp range; a warp for a codec that reads audio is a
    one-line error."""
    c = codecs.codec(codec)
    kw = {"speed": augment.check_speed(speed)} if speed is not None else {}
    warp = augment.check_warp(warp) if warp is not None else (c.default_warp or augment.NO_WARP)
    if warp != augment.NO_WARP and not c.on_front_end:
        raise LossykwsError(f"--warp {','.join(map(str, warp))}: the frequency warp changes the front end's "
                            f"features; the {codec} codec reads audio (use 1,1)")
    return augment.AugmentConfig(warp=warp, **kw)


def training_dtype(codec_spec):
    """The dtype training holds features in: int8 for the +-1 bits of vq and EnCodec (exact, a quarter
    of float32's memory: kws12 with 4 augmented copies is 0.9 GB of float32 features, copied again
    each epoch to shuffle; Keras casts to the model's float32 input), float32 for tf features."""
    return np.int8 if codecs.codec(codec_spec["codec"]).bits else np.float32


def augmented_copies(paths, noise_paths, encode, copies, seed, progress=True, batch=64, dtype=np.float32,
                     config=None, stages=None):
    """`copies` augmented versions of the clips at `paths`, encoded: dtype [copies * n, ...];
    `config`: an augment.AugmentConfig [its defaults]; `stages`: codec_stages of the codec, which a
    config with a frequency warp needs (the warp goes between the front end and the codec)."""
    from lossykws.data import audio

    config = config or augment.AugmentConfig()

    if copies <= 0:
        return None
    warping = tuple(config.warp) != augment.NO_WARP
    if warping and stages is None:
        raise LossykwsError("a frequency warp needs a codec on the front end's features (tf or vq)")
    noise = augment.load_noise(noise_paths) if noise_paths else []
    clips = np.stack([audio.load_clip(p) for p in paths])
    out = []
    bar = progress_bar(total=copies * len(clips), desc="augment+encode", unit="clip") if progress else None
    for c in range(copies):
        for s in range(0, len(clips), batch):
            index = range(s, min(s + batch, len(clips)))
            part = np.stack([augment.augment(clips[i], noise, seed, c + 1, i, config) for i in index])
            if warping:
                front, back = stages
                feats = np.stack([augment.warp_frequency(f, augment.warp_factor(seed, c + 1, i, config))
                                  for f, i in zip(front(part), index)])
                out.append(np.asarray(back(feats)).astype(dtype))
            else:
                out.append(np.asarray(encode(part)).astype(dtype))
            if bar is not None:
                bar.update(len(part))
    if bar is not None:
        bar.close()
    return np.concatenate(out)


def _extra_clips(dirs, task, labels):
    """Clips of `labels` in the corpora `dirs`, every split of them (they are training data only)."""
    from lossykws.data import datasets

    corpus = datasets.scan([Path(d) for d in dirs], task, validate=False)
    clips = [c for c in corpus.clips if c.label in labels]
    if not clips:
        raise LossykwsError(f"{', '.join(map(str, dirs))}: no clips of the task's labels ({', '.join(labels)}) "
                            "for --train-extra")
    return clips


def _corpus_fingerprint(dirs, task):
    from lossykws.data import datasets

    return datasets.scan([Path(d) for d in dirs], task, validate=False).fingerprint()


def extra_training_set(config, features, progress=True, batch=64):
    """(x, y) of the run's --train-extra corpora, encoded with the cache's codec (training only)."""
    from lossykws.data import audio

    extra = config["train_extra"]
    if _corpus_fingerprint(extra["dirs"], config["task"]) != extra["fingerprint"]:
        raise LossykwsError(f"{', '.join(extra['dirs'])}: the --train-extra corpora changed since this run began")
    clips = _extra_clips(extra["dirs"], config["task"], config["labels"])
    encode = encoder_of(features.codec_dir, config["codec"])
    index = {lab: i for i, lab in enumerate(config["labels"])}
    dtype = training_dtype(config["codec"])
    out = []
    bar = progress_bar(total=len(clips), desc="encode extra", unit="clip") if progress else None
    for s in range(0, len(clips), batch):
        part = np.stack([audio.load_clip(c.path) for c in clips[s:s + batch]])
        out.append(np.asarray(encode(part)).astype(dtype))
        if bar is not None:
            bar.update(len(part))
    if bar is not None:
        bar.close()
    return np.concatenate(out), np.array([index[c.label] for c in clips], dtype=np.int64)


# ---------------------------------------------------------------- the run
def _compile(model, lr, steps_total):
    tf = _tf()
    schedule = tf.keras.optimizers.schedules.CosineDecay(lr, max(1, steps_total), alpha=0.01)
    opt = tf.keras.optimizers.Adam(schedule)
    model.compile(optimizer=opt, loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    opt.build(model.trainable_variables)
    return opt


class _BatchBar:
    def __init__(self, total, desc):
        self.bar = progress_bar(total=total, desc=desc, unit="batch")

    def callback(self):
        tf = _tf()
        bar = self.bar

        class CB(tf.keras.callbacks.Callback):
            def on_train_batch_end(self, batch, logs=None):
                bar.update(1)
                if logs and "loss" in logs:
                    bar.set_postfix(loss=f"{logs['loss']:.3f}", refresh=False)

        return CB()

    def close(self):
        self.bar.close()


@dataclass(frozen=True)
class RunOptions:
    """What a new run is asked for (train_run's options), built once and passed down; None means
    the model's or the codec's default."""
    model_name: str = None
    task: str = None
    epochs: int = None
    batch_size: int = 32
    seed: int = 0
    strategy: str = "default"
    int8: bool = False
    augment_copies: int = None
    noise_paths: tuple = ()
    channels: tuple = None
    learning_rate: float = None
    data_dirs: tuple = ()
    train_extra: tuple = ()
    speed: tuple = None
    warp: tuple = None


def _prepare_new(features, out_dir, o):
    """Check everything that can be wrong before any folder is created; return the run config.
    features: the opened cache.Cache; o: RunOptions."""
    key, codec = features.key, features.codec["codec"]
    model_name = o.model_name or codecs.codec(codec).default_model
    models.check_features(model_name, codec)
    if o.task is not None and o.task != key["task"]:
        raise LossykwsError(f"{features.dir}: the cache was made for task {key['task']} (labels "
                            f"{', '.join(key['labels'])}), not {o.task}")
    splits = features.index["splits"]
    for s in ("train", "validation", "test"):
        if not splits.get(s, {}).get("clips"):
            raise LossykwsError(f"{features.dir}: the {s} split is empty; train needs clips in every split "
                                "(speaker-disjoint: more speakers are needed)")
    datasets.check_training_labels(key["labels"], features.label_counts(), features.dir)
    if o.strategy not in STRATEGIES:
        raise LossykwsError(f"unknown strategy {o.strategy!r}: expected one of {', '.join(STRATEGIES)}")
    import os

    if o.strategy == "multi-worker" and not os.environ.get("TF_CONFIG"):
        raise LossykwsError("--strategy multi-worker reads the cluster from TF_CONFIG, which is not set "
                            "(see tf.distribute.MultiWorkerMirroredStrategy)")
    train_info = features.split_info("train")
    shape = models.input_shape_for(train_info["shape"], model_name)
    augment_copies = codecs.codec(codec).default_augment if o.augment_copies is None else o.augment_copies
    augment_config = default_augment_config(codec, o.speed, o.warp)
    extra = _extra_clips(o.train_extra, key["task"], key["labels"]) if o.train_extra else None
    out = Path(out_dir)
    check_output_dir(out)
    partial = Path(str(out) + PARTIAL_SUFFIX)
    if partial.exists():
        raise LossykwsError(f"{partial}: an interrupted run is there; continue it with --resume {out} "
                            "or delete it")
    return {
        "format": RUN_FORMAT, "version": RUN_VERSION, "task": key["task"], "labels": list(key["labels"]),
        "codec": {**key["codec"], "shape": list(train_info["shape"]),
                  "bits_per_clip": train_info.get("bits_per_clip")},
        "model": model_name, "channels": list(o.channels) if o.channels else None, "input_shape": list(shape),
        "seed": int(o.seed), "epochs": int(o.epochs or DEFAULT_EPOCHS[model_name]), "batch_size": int(o.batch_size),
        "learning_rate": float(o.learning_rate or DEFAULT_LR[model_name]), "optimizer": "adam, cosine decay",
        "strategy": o.strategy, "int8": bool(o.int8),
        "augmentation": {"copies": int(augment_copies), "on": "audio before encoding",
                         "noise_recordings": len(o.noise_paths),
                         "params": augment.params_of(augment_config)},
        "data_fingerprint": key["data_fingerprint"], "data_content": key.get("data_content"),
        "data_dirs": [str(Path(d).resolve()) for d in o.data_dirs],
        "train_extra": ({"dirs": [str(Path(d).resolve()) for d in o.train_extra], "clips": len(extra),
                         "fingerprint": _corpus_fingerprint(o.train_extra, key["task"])} if extra else None),
        "noise_paths": [str(p) for p in o.noise_paths],
        "cache": str(features.dir.resolve()), "clips": {s: splits[s]["clips"] for s in splits},
        "versions": versions(),
    }


def _start_partial(partial, config, features):
    partial.mkdir(parents=True)
    shutil.copytree(features.codec_dir, partial / cache.CODEC_DIR)
    write_json(partial / CONFIG, config)
    write_json(partial / STATE, {"status": "training", "epoch": 0, "history": {}, "best_epoch": None,
                                  "best_val_accuracy": None})


def _find_resume(resume):
    """(final run dir, partial dir) for --resume of a run dir or its .partial folder."""
    r = Path(resume)
    if r.name.endswith(PARTIAL_SUFFIX):
        return Path(str(r)[:-len(PARTIAL_SUFFIX)]), r
    partial = Path(str(r) + PARTIAL_SUFFIX)
    if partial.is_dir():
        return r, partial
    if r.is_dir() and (r / CONFIG).is_file():
        read_config(r)
        state = read_json(r / STATE) or {}
        if state.get("status") == "finished" or (r / METRICS).is_file():
            raise LossykwsError(f"{r}: this run finished ({state.get('epoch', '?')} epochs); nothing to resume "
                                "(train a new run with another --out)")
    if r.is_dir() and not (r / CONFIG).is_file():
        raise LossykwsError(f"{r}: not a lossykws run directory (no {CONFIG}); nothing to resume")
    raise LossykwsError(f"{r}: no interrupted run to resume (no {partial.name})")


def train_run(cache_dir=None, out_dir=None, model_name=None, task=None, epochs=None, batch_size=32, seed=0,
              strategy="default", int8=False, augment_copies=None, noise_paths=None, channels=None,
              learning_rate=None, resume=None, data_dirs=None, progress=True, stop_after_epochs=None,
              train_extra=None, speed=None, warp=None):
    """Train (or resume) a run; returns metrics.json's content. See the module docstring.

    train_extra: corpora (Speech Commands folders, e.g. `lossykws data synth`'s) whose clips of the
    task's labels, every split of them, join the training set only, encoded with the cache's codec;
    validation and test stay the cache's own (real speech).

    speed: (lo, hi), the playback-speed range of the augmented copies [augment.AugmentConfig's].
    warp: (lo, hi), the frequency-warp range of the augmented copies' features (tf and vq codecs)
    [the codec's default_warp: none].

    stop_after_epochs: stop after that many epochs of this session, leaving RUN_DIR.partial as an
    interruption would (tests use it to check that resume reaches the same weights)."""
    started = time.monotonic()
    if resume:
        out, partial = _find_resume(resume)
        config = read_config(partial, "interrupted run")
        state = read_json(partial / STATE) or {}
        if state.get("status") != "training":
            raise LossykwsError(f"{partial}: not resumable (status {state.get('status')!r})")
        cache_dir = config["cache"]
        if not Path(cache_dir).is_dir():
            raise LossykwsError(f"{cache_dir}: the feature cache of this run is gone; rebuild it with the same "
                                "data and settings, or train anew")
        features = cache.open_cache(cache_dir)
        key = features.key
        if key["data_fingerprint"] != config["data_fingerprint"] or key["codec"]["codec"] != config["codec"]["codec"]:
            raise LossykwsError(f"{cache_dir}: the cache now holds other data or another codec than this run's")
        if config["strategy"] != strategy and strategy != "default":
            config["strategy"] = strategy
    else:
        if cache_dir is None or out_dir is None:
            raise LossykwsError("train needs a feature cache and an output run directory")
        features = cache.open_cache(cache_dir)
        options = RunOptions(model_name, task, epochs, batch_size, seed, strategy, int8, augment_copies,
                             tuple(noise_paths or ()), tuple(channels) if channels else None, learning_rate,
                             tuple(data_dirs or ()), tuple(train_extra or ()), speed, warp)
        config = _prepare_new(features, out_dir, options)
        out = Path(out_dir)
        partial = Path(str(out) + PARTIAL_SUFFIX)
        state = None

    tf = _tf()
    tf.config.experimental.enable_op_determinism()
    model_name, seed = config["model"], config["seed"]

    dtype = training_dtype(config["codec"])
    x_train, y_train, train_meta = load_features(features, "train", model_name, bits_dtype=dtype)
    x_val, y_val, _ = load_features(features, "validation", model_name)
    if tuple(x_train.shape[1:]) != tuple(config["input_shape"]):
        raise LossykwsError(f"{cache_dir}: features of shape {list(x_train.shape[1:])} do not match the "
                            f"model's input {config['input_shape']}")
    copies = config["augmentation"]["copies"]
    if copies:
        codec_dir = features.codec_dir
        aug = augmented_copies(list(train_meta["paths"]), config["noise_paths"], encoder_of(codec_dir, config["codec"]),
                               copies, seed, progress, dtype=dtype, config=augment.config_of(config["augmentation"]),
                               stages=codec_stages(codec_dir, config["codec"]))
        x_train = np.concatenate([x_train, aug.reshape(-1, *x_train.shape[1:])])
        del aug
        y_train = np.concatenate([y_train] + [y_train[:len(train_meta["labels"])]] * copies)
    if config.get("train_extra"):
        x_extra, y_extra = extra_training_set(config, features, progress)
        x_train = np.concatenate([x_train, x_extra])
        y_train = np.concatenate([y_train, y_extra])

    new = state is None
    if new:
        _start_partial(partial, config, features)
        state = read_json(partial / STATE)
    try:
        _fit(config, state, partial, x_train, y_train, x_val, y_val, progress, stop_after_epochs)
    except KeyboardInterrupt:
        if new and state["epoch"] == 0:
            shutil.rmtree(partial, ignore_errors=True)
            raise
        raise LossykwsError(f"interrupted; continue with: lossykws train --resume {out}") from None
    except BaseException:
        if new and state["epoch"] == 0:      # nothing worth resuming: leave nothing behind
            shutil.rmtree(partial, ignore_errors=True)
        raise
    if state["status"] != "done-training":
        return {"status": "interrupted", "epoch": state["epoch"], "partial": str(partial)}
    metrics = _finish(config, state, partial, out, features, x_train, x_val, y_val, progress)
    metrics["wall_s"] = round(time.monotonic() - started, 1)
    return metrics


def _build_model(config, strategy):
    tf = _tf()
    with strategy.scope():
        tf.keras.utils.set_random_seed(config["seed"])
        model = models.build(config["model"], config["input_shape"], len(config["labels"]),
                             channels=config.get("channels"))
        steps = config["epochs"] * -(-config["_train_n"] // config["batch_size"])
        opt = _compile(model, config["learning_rate"], steps)
    return model, opt


def _fit(config, state, partial, x_train, y_train, x_val, y_val, progress, stop_after_epochs):
    tf = _tf()
    strategy = make_strategy(config["strategy"])
    config["_train_n"] = len(x_train)
    model, opt = _build_model(config, strategy)
    ckpt = tf.train.Checkpoint(model=model, optimizer=opt)
    if state["epoch"] > 0:
        with strategy.scope():
            ckpt.read(str(partial / CKPT_DIR / "ckpt")).assert_existing_objects_matched().expect_partial()
    history = state.setdefault("history", {})
    done_this_session = 0
    while state["epoch"] < config["epochs"]:
        e = state["epoch"]
        epoch_started = time.monotonic()
        order = np.random.default_rng([config["seed"], e]).permutation(len(x_train))
        bar = _BatchBar(-(-len(x_train) // config["batch_size"]), f"epoch {e + 1}/{config['epochs']}") \
            if progress else None
        h = model.fit(x_train[order], y_train[order], batch_size=config["batch_size"], epochs=1, shuffle=False,
                      verbose=0, callbacks=[bar.callback()] if bar else [])
        if bar:
            bar.close()
        val_loss, val_acc = model.evaluate(x_val, y_val, batch_size=256, verbose=0)
        for k, v in (("loss", h.history["loss"][0]), ("accuracy", h.history["accuracy"][0]),
                     ("val_loss", val_loss), ("val_accuracy", val_acc)):
            history.setdefault(k, []).append(float(v))
        state["epoch"] = e + 1
        state["train_s"] = round(state.get("train_s", 0.0) + time.monotonic() - epoch_started, 1)  # over resumes
        if state["best_val_accuracy"] is None or val_acc > state["best_val_accuracy"]:
            state["best_val_accuracy"], state["best_epoch"] = float(val_acc), e + 1
            model.save_weights(str(partial / BEST_WEIGHTS))
        ckpt.write(str(partial / CKPT_DIR / "ckpt"))
        write_json(partial / STATE, state)
        if progress:
            import sys

            print(f"epoch {e + 1}/{config['epochs']}: loss {history['loss'][-1]:.3f} acc {history['accuracy'][-1]:.3f} "
                  f"val_acc {val_acc:.3f}", file=sys.stderr)
        done_this_session += 1
        if stop_after_epochs and done_this_session >= stop_after_epochs and state["epoch"] < config["epochs"]:
            return
    state["status"] = "done-training"
    config["_model"] = model


def _finish(config, state, partial, out, features, x_train, x_val, y_val, progress):
    """Best weights, test evaluation (once), conversion, checks, plots; then partial -> out."""
    from lossykws.training import conversion

    config.pop("_model")
    config.pop("_train_n", None)
    # A fresh model outside any distribution strategy: conversion and saving want a plain one.
    model = models.build(config["model"], config["input_shape"], len(config["labels"]),
                         channels=config.get("channels"))
    model.load_weights(str(partial / BEST_WEIGHTS))
    x_test, y_test, _ = load_features(features, "test", config["model"])
    rng = np.random.default_rng([config["seed"], 10_000])
    calib = x_train[rng.permutation(len(x_train))[:min(512, len(x_train))]]
    fb, ranges = conversion.convert(model, int8=config["int8"], calibration=calib, model_name=config["model"],
                                    channels=config.get("channels"))
    (partial / TFLITE).write_bytes(fb)
    model.save(str(partial / KERAS_MODEL))
    metrics = {
        "model": config["model"], "task": config["task"], "labels": config["labels"],
        "epochs": state["epoch"], "best_epoch": state["best_epoch"],
        "best_val_accuracy_keras": state["best_val_accuracy"], "history": state["history"],
        "summary": models.summary_figures(model), "binary_word_ops": models.binary_word_ops(model),
        "tflite_bytes": len(fb), "int8": config["int8"], "int8_ranges": ranges,
        "augmentation": config["augmentation"], "train_clips": int(len(x_train)),
        "train_s": state.get("train_s"),
    }
    metrics["validation"] = _score(model, fb, x_val, y_val, config["labels"])
    metrics["test"] = _score(model, fb, x_test, y_test, config["labels"])
    agree = metrics["validation"]["agreement"]
    metrics["agreement_check"] = ("reported (int8)" if config["int8"] else
                                  "ok" if agree is None or agree >= conversion.MIN_FLOAT_AGREEMENT else "FAILED")
    plot_confusion(metrics["test"]["confusion"], config["labels"], partial / "confusion.png",
                   f"{config['model']} {config['task']}: test accuracy {metrics['test']['keras_accuracy']:.3f}")
    plot_history(state["history"], partial / "history.png", state["best_epoch"])
    write_json(partial / METRICS, metrics)
    state["status"] = "finished"
    write_json(partial / STATE, state)
    shutil.rmtree(partial / CKPT_DIR, ignore_errors=True)
    if out.exists():
        shutil.rmtree(out)
    partial.replace(out)
    return metrics


def _score(model, fb, x, y, labels):
    from lossykws.emulation.reference import interpreter_predict
    from lossykws.training import conversion

    k = conversion.keras_predict(model, x)
    lce = interpreter_predict(fb, x)
    kl, ll = np.argmax(k, -1), np.argmax(lce, -1)
    n = len(labels)
    confusion = np.zeros((n, n), dtype=np.int64)
    np.add.at(confusion, (y, kl), 1)
    per_class = {lab: (float(np.mean(kl[y == i] == i)) if np.any(y == i) else None) for i, lab in enumerate(labels)}
    return {"clips": int(len(y)), "keras_accuracy": float(np.mean(kl == y)) if len(y) else None,
            "lce_accuracy": float(np.mean(ll == y)) if len(y) else None,
            "agreement": conversion.agreement(k, lce), "per_class_keras": per_class,
            "confusion": confusion.tolist()}


def _figure(**kw):
    """A matplotlib Figure outside pyplot: no backend switch, nothing left open in a notebook."""
    from matplotlib.figure import Figure

    return Figure(**kw)


def plot_confusion(confusion, labels, path, title):
    c = np.asarray(confusion, dtype=float)
    norm = c / np.maximum(c.sum(axis=1, keepdims=True), 1)
    fig = _figure(figsize=(1 + 0.6 * len(labels), 1 + 0.6 * len(labels)))
    ax = fig.subplots()
    ax.imshow(norm, cmap="Blues", vmin=0, vmax=1)
    ax.set_xticks(range(len(labels)), labels, rotation=45, ha="right")
    ax.set_yticks(range(len(labels)), labels)
    for i in range(len(labels)):
        for j in range(len(labels)):
            ax.text(j, i, int(c[i, j]), ha="center", va="center", fontsize=7,
                    color="white" if norm[i, j] > 0.5 else "black")
    ax.set_xlabel("predicted")
    ax.set_ylabel("true")
    ax.set_title(title, fontsize=9)
    fig.tight_layout()
    fig.savefig(path, dpi=100)


def plot_history(history, path, best_epoch):
    fig = _figure(figsize=(9, 3.5))
    a, b = fig.subplots(1, 2)
    epochs = range(1, len(history.get("loss", [])) + 1)
    for k in ("loss", "val_loss"):
        a.plot(epochs, history.get(k, []), label=k)
    for k in ("accuracy", "val_accuracy"):
        b.plot(epochs, history.get(k, []), label=k)
    if best_epoch:
        b.axvline(best_epoch, color="gray", linestyle=":", label=f"best epoch {best_epoch}")
    for ax in (a, b):
        ax.set_xlabel("epoch")
        ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=100)


def format_metrics(metrics, out_dir):
    """The lines `lossykws train` prints for a run's metrics (metrics.json's content)."""
    if metrics.get("status") == "interrupted":
        return [f"stopped after epoch {metrics['epoch']}; continue with --resume {out_dir}"]
    t, v, s = metrics["test"], metrics["validation"], metrics["summary"]
    return [f"wrote {out_dir}: {metrics['model']} on {metrics['task']}, best epoch {metrics['best_epoch']}/"
            f"{metrics['epochs']}, {metrics['wall_s']:.0f} s",
            f"  test accuracy: Keras {t['keras_accuracy']:.4f}, LCE {t['lce_accuracy']:.4f} "
            f"({t['clips']} clips); label agreement test {t['agreement']:.4f}, validation "
            f"{v['agreement']:.4f} ({metrics['agreement_check']})",
            f"  {s['binary_params']} binary + {s['float_params']} float parameters, {s['binary_macs']} binary "
            f"MACs, {s['float_macs']} float MACs, model.tflite {metrics['tflite_bytes']} bytes"
            + (" (int8)" if metrics["int8"] else "")]


# ---------------------------------------------------------------- evaluation of a finished run
def load_run(run_dir):
    """(config, Keras model, flatbuffer bytes) of a finished run, each file checked first: a
    truncated or foreign model.tflite or model.keras is a one-line error naming the file, never a
    crash of the interpreter or a traceback from Keras."""
    from lossykws.codegen.reader import read_model

    run_dir = Path(run_dir)
    if not run_dir.is_dir():
        raise LossykwsError(f"{run_dir}: no such run directory")
    config = read_config(run_dir)
    check_config(config, run_dir / CONFIG)
    for name in (KERAS_MODEL, TFLITE):
        if not (run_dir / name).is_file():
            raise LossykwsError(f"{run_dir}: incomplete run (no {name})")
    fb = (run_dir / TFLITE).read_bytes()
    graph = read_model(fb, source=str(run_dir / TFLITE))
    outputs = [graph.tensors[i].shape for i in graph.outputs]
    if len(outputs) != 1 or (outputs[0][-1:] or (0,))[-1] != len(config["labels"]):
        raise LossykwsError(f"{run_dir / TFLITE}: outputs {[list(s) for s in outputs]} do not match the run's "
                            f"{len(config['labels'])} labels")
    tf = _tf()
    import larq  # noqa: F401  (registers the quantized layers for loading)

    from lossykws.training import dropout  # noqa: F401  (registers SeededDropout for loading)

    try:
        model = tf.keras.models.load_model(str(run_dir / KERAS_MODEL), compile=False)
    except Exception as e:  # a corrupt archive surfaces as any of zipfile's, h5py's or Keras' errors
        raise LossykwsError(f"{run_dir / KERAS_MODEL}: not a readable Keras model "
                            f"({type(e).__name__}: {str(e).splitlines()[0][:120] if str(e) else 'no detail'})") from None
    if tuple(model.input_shape[1:]) != tuple(config["input_shape"]):
        raise LossykwsError(f"{run_dir / KERAS_MODEL}: input shape {list(model.input_shape[1:])} is not the "
                            f"run's {config['input_shape']}")
    return config, model, fb


def check_config(config, path):
    """The fields every later stage reads from a run's config.json, with their types; one line
    naming the file and the field otherwise."""
    fields = {"task": str, "labels": list, "codec": dict, "model": str, "input_shape": list, "seed": int}
    for name, kind in fields.items():
        if not isinstance(config.get(name), kind):
            raise LossykwsError(f"{path}: field {name!r} is missing or not a {kind.__name__}")
    if not config["labels"] or not all(isinstance(x, str) for x in config["labels"]):
        raise LossykwsError(f"{path}: field 'labels' must be a non-empty list of names")
    if not isinstance(config["codec"].get("codec"), str):
        raise LossykwsError(f"{path}: field 'codec' has no codec name")
    if config["model"] not in models.FEATURES_OF:
        raise LossykwsError(f"{path}: unknown model {config['model']!r} (expected one of "
                            f"{', '.join(models.FEATURES_OF)})")
    if not all(isinstance(d, int) and d > 0 for d in config["input_shape"]):
        raise LossykwsError(f"{path}: field 'input_shape' must hold positive integers")
    return config


def evaluate_run(run_dir, data_dirs=None, progress=True):
    """Accuracy, per-class accuracy and confusion through Keras and the LCE interpreter, with their
    label agreement: on the run's test split (its cache), or on every clip of `data_dirs` encoded
    with the run's codec."""
    from lossykws.data import audio, datasets

    run_dir = Path(run_dir)
    if not data_dirs and Path(run_dir).is_dir():      # a damaged cache is found before TensorFlow loads
        cache_dir = read_config(run_dir).get("cache")
        damage = cache.verify_files(cache_dir) if isinstance(cache_dir, str) and Path(cache_dir).is_dir() else None
        if damage:
            raise LossykwsError(f"{cache_dir}: damaged cache ({damage}); give DATA_DIR to evaluate on, or rebuild it")
    config, model, fb = load_run(run_dir)
    if data_dirs:
        corpus = datasets.scan(list(data_dirs), config["task"])
        clips = corpus.clips
        if not clips:
            raise LossykwsError(f"{', '.join(map(str, data_dirs))}: no clips of the run's labels "
                                f"({', '.join(config['labels'])})")
        index = {lab: i for i, lab in enumerate(config["labels"])}
        unknown = sorted({c.label for c in clips} - set(index))
        if unknown:
            raise LossykwsError(f"labels {', '.join(unknown)} are not among the run's labels")
        encode = encoder_of(run_dir / cache.CODEC_DIR, config["codec"])
        xs = []
        bar = progress_bar(total=len(clips), desc="encode", unit="clip") if progress else None
        for s in range(0, len(clips), 64):
            part = np.stack([audio.load_clip(c.path) for c in clips[s:s + 64]])
            xs.append(np.asarray(encode(part), dtype=np.float32))
            if bar is not None:
                bar.update(len(part))
        if bar is not None:
            bar.close()
        x = np.concatenate(xs)
        y = np.array([index[c.label] for c in clips])
        source = ", ".join(map(str, data_dirs))
    else:
        cache_dir = config.get("cache")
        if not isinstance(cache_dir, str) or not Path(cache_dir).is_dir():
            raise LossykwsError(f"{cache_dir}: the run's feature cache is gone; give DATA_DIR to evaluate on")
        x, y, _ = load_features(cache_dir, "test", config["model"])
        source = f"test split of {cache_dir}"
    expected = tuple(config["input_shape"])
    if tuple(x.shape[1:]) != expected:
        raise LossykwsError(f"features of shape {list(x.shape[1:])} do not match the model's input {list(expected)}")
    report = _score(model, fb, x, y, config["labels"])
    report.update(run=str(run_dir), model=config["model"], task=config["task"], labels=config["labels"],
                  data=source)
    return report
