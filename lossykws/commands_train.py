"""`lossykws train` and `lossykws evaluate`: thin commands over lossykws.training.

    lossykws train DATA_DIR... --features vq [--model vq-bnn] [--task words8] [--out RUN_DIR]
    lossykws train CACHE_DIR [--model ...]          # a feature cache made by `lossykws encode`
    lossykws train --resume RUN_DIR                  # continue an interrupted run
    lossykws evaluate RUN_DIR [DATA_DIR...] [--json]

With DATA_DIRs, the feature cache is built (or reused when it matches) in --cache, by default
<parent of RUN_DIR>/.lossykws-cache/<features>-<task>-<data fingerprint>, so several runs (seeds,
models) on the same data share one cache. The VQ codebook is fitted with seed 0 whatever --seed is,
for the same reason.
"""
import json
from pathlib import Path

import click

from . import cache, datasets, models
from .errors import LossykwsError


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
          strategy="default", resume=None, int8=False, as_json=False, cache_dir=None, augment=None,
          train_extra=(), speed=None, warp=None):
    """Train a model on a corpus (or a feature cache), write a run directory, print and return its
    metrics (metrics.json's content). `lossykws demo` can call it as
    train(data_dir=[corpus], features="vq", task="words8", epochs=N, out_dir="build/demo/run-vq")."""
    from . import training

    if resume:
        if data_dir or features or model or out_dir or train_extra or speed or warp:
            raise LossykwsError("--resume continues a run with its own data, model and settings: give only "
                                "--resume RUN_DIR")
        metrics = training.train_run(resume=resume, strategy=strategy)
        _print_metrics(metrics, resume, as_json)
        return metrics
    if not data_dir:
        raise LossykwsError("give DATA_DIR... (Speech Commands folders or one feature cache) or --resume RUN_DIR")
    one_cache = len(data_dir) == 1 and _is_cache(data_dir[0])
    if features is None and not one_cache:
        raise LossykwsError("--features tf|vq|encodec is needed with Speech Commands folders")
    codec = features or cache.read_key(data_dir[0])["codec"]["codec"]
    training.default_augment_config(codec, speed, warp)   # a bad --speed or --warp fails before any encoding
    model = model or models.DEFAULT_MODEL[codec]
    models.check_features(model, codec)
    task_name = task or (cache.read_key(data_dir[0])["task"] if one_cache else "words8")
    if task_name not in datasets.TASKS:
        raise LossykwsError(f"unknown task {task_name!r}: expected one of {', '.join(datasets.TASKS)}")
    out_dir = out_dir or _default_out(model, task_name, seed)
    from .fsutil import check_output_dir

    check_output_dir(out_dir)     # refuse a non-empty --out before encoding anything
    if Path(str(out_dir) + training_partial_suffix()).exists():
        raise LossykwsError(f"{out_dir}{training_partial_suffix()}: an interrupted run is there; continue it "
                            f"with --resume {out_dir} or delete it")
    cdir, noise = prepare_cache(data_dir, codec, task_name if not one_cache else task, out_dir, cache_dir)
    metrics = training.train_run(cdir, out_dir, model_name=model, task=task_name, epochs=epochs,
                                 batch_size=batch_size, seed=seed, strategy=strategy, int8=int8,
                                 augment_copies=augment, noise_paths=noise, train_extra=list(train_extra) or None,
                                 speed=speed, warp=warp,
                                 data_dirs=None if one_cache else list(data_dir))
    _print_metrics(metrics, out_dir, as_json)
    return metrics


def training_partial_suffix():
    from .training import PARTIAL_SUFFIX

    return PARTIAL_SUFFIX


def _print_metrics(metrics, out_dir, as_json):
    if as_json:
        click.echo(json.dumps(metrics, indent=1))
        return
    if metrics.get("status") == "interrupted":
        click.echo(f"stopped after epoch {metrics['epoch']}; continue with --resume {out_dir}")
        return
    t, v, s = metrics["test"], metrics["validation"], metrics["summary"]
    click.echo(f"wrote {out_dir}: {metrics['model']} on {metrics['task']}, best epoch {metrics['best_epoch']}/"
               f"{metrics['epochs']}, {metrics['wall_s']:.0f} s")
    click.echo(f"  test accuracy: Keras {t['keras_accuracy']:.4f}, LCE {t['lce_accuracy']:.4f} "
               f"({t['clips']} clips); label agreement test {t['agreement']:.4f}, validation "
               f"{v['agreement']:.4f} ({metrics['agreement_check']})")
    click.echo(f"  {s['binary_params']} binary + {s['float_params']} float parameters, {s['binary_macs']} binary "
               f"MACs, {s['float_macs']} float MACs, model.tflite {metrics['tflite_bytes']} bytes"
               + (" (int8)" if metrics["int8"] else ""))


def evaluate(run_dir, data_dir=(), as_json=False):
    """Accuracy and confusion of a run through Keras and the LCE interpreter."""
    from . import training

    r = training.evaluate_run(run_dir, list(data_dir) or None)
    if as_json:
        click.echo(json.dumps(r, indent=1))
        return r
    click.echo(f"{r['model']} ({r['task']}) on {r['data']}: {r['clips']} clips")
    click.echo(f"  accuracy: Keras {r['keras_accuracy']:.4f}, LCE interpreter {r['lce_accuracy']:.4f}, "
               f"label agreement {r['agreement']:.4f}")
    for lab, acc in r["per_class_keras"].items():
        click.echo(f"  {lab:<12} {'-' if acc is None else f'{acc:.3f}'}")
    labels = r["labels"]
    click.echo("  confusion (rows true, columns predicted): " + " ".join(l[:6] for l in labels))
    for lab, row in zip(labels, r["confusion"]):
        click.echo(f"  {lab:<12} " + " ".join(f"{v:>6}" for v in row))
    return r
