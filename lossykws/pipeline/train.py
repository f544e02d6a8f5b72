"""Training from Speech Commands folders or a feature cache: the options and the data checked
before anything is written, the cache built or reused, then lossykws.training.run.

    lossykws train DATA_DIR... --features vq [--model vq-bnn] [--task words8] [--out RUN_DIR]
    lossykws train CACHE_DIR [--model ...]          # a feature cache made by `lossykws encode`
    lossykws train --resume RUN_DIR                  # continue an interrupted run
    lossykws evaluate RUN_DIR [DATA_DIR...] [--json]

With DATA_DIRs, the feature cache is built (or reused when it matches) in --cache, by default
<parent of RUN_DIR>/.lossykws-cache/<features>-<task>-<data fingerprint>, so several runs (seeds,
models) on the same data share one cache. The VQ codebook is fitted with seed 0 whatever --seed is,
for the same reason.
"""
from pathlib import Path

import click

from lossykws.data import datasets
from lossykws.errors import LossykwsError
from lossykws.fsutil import check_output_dir
from lossykws.features import cache, codecs
from lossykws.training import models


def _is_cache(path):
    return (Path(path) / cache.KEY_FILE).is_file()


def _default_out(model_name, task, seed):
    return str(Path("runs") / f"{model_name}-{task}-seed{seed}")


def prepare_cache(data_dir, features, task, out_dir, cache_dir=None, progress=True):
    """(cache dir, noise paths): DATA_DIR as a cache, or DATA_DIRs encoded into one."""
    dirs = [Path(d) for d in data_dir]
    if len(dirs) == 1 and _is_cache(dirs[0]):
        key = cache.read_key(dirs[0])
        if features is not None and features != key["codec"]["codec"]:
            raise LossykwsError(f"{dirs[0]}: a {key['codec']['codec']} feature cache, not --features {features}")
        if task is not None and task != key["task"]:
            raise LossykwsError(f"{dirs[0]}: the cache was made for task {key['task']} (labels "
                                f"{', '.join(key['labels'])}), not {task}")
        damage = cache.verify_files(dirs[0])
        if damage:   # found now, not after an epoch of training
            raise LossykwsError(f"{dirs[0]}: damaged cache ({damage}); rebuild it with lossykws encode --force")
        return dirs[0], []
    if any(_is_cache(d) for d in dirs):
        raise LossykwsError("give either one feature cache or Speech Commands folders, not both")
    corpus = datasets.scan(dirs, task, validate=False)
    if cache_dir is None:
        name = f"{features}-{task}-{corpus.fingerprint()[:8]}"
        cache_dir = Path(out_dir).absolute().parent / ".lossykws-cache" / name
    report = cache.encode_corpus(dirs, features, cache_dir, task, progress=progress)
    if progress:
        click.echo(cache.format_report(report, cache_dir), err=True)
    return Path(cache_dir), [str(p) for p in corpus.noise]


def train(data_dir=(), features=None, model=None, task=None, epochs=None, batch_size=32, seed=0, out_dir=None,
          strategy="default", resume=None, int8=False, cache_dir=None, augment=None,
          train_extra=(), speed=None, warp=None):
    """Train a model on a corpus (or a feature cache), write a run directory, return its metrics
    (metrics.json's content; {"status": "interrupted", ...} when a session stopped early). Warnings
    about the data go to stderr before any file is written. The returned dict also names the run
    directory (run_dir). `lossykws demo` calls it as
    train(data_dir=[corpus], features="vq", task="words8", epochs=N, out_dir="build/demo/run-vq")."""
    from lossykws.training import run as training

    if resume:
        if data_dir or features or model or out_dir or train_extra or speed or warp:
            raise LossykwsError("--resume continues a run with its own data, model and settings: give only "
                                "--resume RUN_DIR")
        return dict(training.train_run(resume=resume, strategy=strategy), run_dir=str(resume))
    if not data_dir:
        raise LossykwsError("give DATA_DIR... (Speech Commands folders or one feature cache) or --resume RUN_DIR")
    one_cache = len(data_dir) == 1 and _is_cache(data_dir[0])
    if features is None and not one_cache:
        raise LossykwsError(f"--features {'|'.join(codecs.names())} is needed with Speech Commands folders")
    opened = cache.open_cache(data_dir[0]) if one_cache else None     # read once, passed down
    codec = features or opened.codec["codec"]
    training.default_augment_config(codec, speed, warp)   # a bad --speed or --warp fails before any encoding
    model = model or codecs.codec(codec).default_model
    models.check_features(model, codec)
    task_name = task or (opened.key["task"] if one_cache else "words8")
    if task_name not in datasets.TASKS:
        raise LossykwsError(f"unknown task {task_name!r}: expected one of {', '.join(datasets.TASKS)}")
    out_dir = out_dir or _default_out(model, task_name, seed)
    check_output_dir(out_dir)     # refuse a non-empty --out before encoding anything
    if Path(str(out_dir) + training.PARTIAL_SUFFIX).exists():
        raise LossykwsError(f"{out_dir}{training.PARTIAL_SUFFIX}: an interrupted run is there; continue it "
                            f"with --resume {out_dir} or delete it")
    if one_cache:
        counts, source, labels = opened.label_counts(), data_dir[0], opened.labels
    else:
        corpus = datasets.scan([Path(d) for d in data_dir], task_name, validate=False)
        counts, source, labels = datasets.label_counts(corpus), ", ".join(map(str, data_dir)), corpus.labels
    for warning in datasets.check_training_labels(labels, counts, source):   # before any file is written
        click.echo(f"warning: {warning}", err=True)
    cdir, noise = prepare_cache(data_dir, codec, task_name if not one_cache else task, out_dir, cache_dir)
    metrics = training.train_run(cdir, out_dir, model_name=model, task=task_name, epochs=epochs,
                                 batch_size=batch_size, seed=seed, strategy=strategy, int8=int8,
                                 augment_copies=augment, noise_paths=noise, train_extra=list(train_extra) or None,
                                 speed=speed, warp=warp,
                                 data_dirs=None if one_cache else list(data_dir))
    return dict(metrics, run_dir=str(out_dir))
