#!/usr/bin/env python
"""The talk's table on real speech: the three models, trained on the speaker-disjoint training
split, selected on validation, tested once on the test split, over several seeds.

    .venv/bin/python tools/bench_accuracy.py --data ../shared/data/speech_commands_test_v0.02 \
        --tasks words8,kws12 --seeds 3

Caches and runs go under --out and are reused when present (a finished run is read, not retrained),
so an interrupted benchmark continues where it stopped. EnCodec features come from the pretrained
24 kHz checkpoint when it is installed, else from a local codec of the EnCodec architecture fitted
on the training split (--encodec-fit-budget seconds; labelled "local codec" in the table).

A learning curve: --train-speakers 0.5 trains on half the training split's speakers (a fixed,
nested choice; corpus of links under --out) with the same validation and test splits, e.g.

    .venv/bin/python tools/bench_accuracy.py --tasks words8 --models vq-bnn --train-speakers 0.5 --epochs 120

(120 epochs for half the clips keeps the optimizer steps of the default 60 on all of them).

Speaker-disjoint K-fold cross-validation, what decisions should rest on: --folds K deals the whole
folder's speakers into K folds (datasets.speaker_folds; every speaker tested exactly once, validation
for epoch selection about 10 % of the other folds' speakers, the rest train). Each fold is a corpus of
links under --out whose validation_list.txt and testing_list.txt say its split, with its own caches and
runs; every model trains on the same folds, so the table gives mean ± standard error over folds x
seeds and the differences between models paired by fold and seed. --train-extra corpora join training
only, as in the single split.

    .venv/bin/python tools/bench_accuracy.py --tasks words8 --models vq-bnn,tf-cnn --folds 5 --seeds 1 \
        --out build/bench-folds --save docs/results/accuracy_folds.json
"""
import argparse
import hashlib
import json
import math
import os
import shutil
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import lossykws  # noqa: E402,F401
from lossykws.data import augment
from lossykws.features import cache, codecs
from lossykws.training import models, run as training  # noqa: E402
from lossykws.errors import LossykwsError  # noqa: E402

INPUT = {"tf": "128x128 log-STFT, float32", "vq": "VQ 2x2/16 words: 64x64x4 bits", "encodec": "EnCodec bits"}


def build_cache(data, codec, task, out, fit_budget, suffix=""):
    d = out / f"cache-{codec}-{task}{suffix}"
    kw = {}
    if codec == "encodec":
        from lossykws.features.codecs import encodec

        try:
            encodec.verify_checkpoint(None)
        except LossykwsError:
            kw = {"encodec_weights": "fit", "fit_budget_s": fit_budget}
    t = time.monotonic()
    report = cache.encode_corpus([data], codec, d, task, progress=False, **kw)
    print(f"[cache] {codec} {task}: {'reused' if report.get('reused') else 'built'} in "
          f"{time.monotonic() - t:.0f} s", file=sys.stderr)
    return d, report


def speaker_subset(data, task, fraction, out):
    """(corpus folder, training speakers kept, training speakers in all) for the learning curve.

    Below 1, the folder is made of symbolic links into `data`: every validation and test clip, and
    the training clips of the first `fraction` of the training speakers in a fixed order (a salted
    hash of the speaker id), so each fraction's speakers include a smaller one's. The splits stay
    those of `data`: they depend on the speaker id alone. At 1 it is `data` itself."""
    from lossykws.data import datasets

    corpus = datasets.scan([data], task, validate=False)
    train = sorted({c.speaker for c in corpus.split("train")},
                   key=lambda s: hashlib.sha256(f"lossykws-learning-curve:{s}".encode()).digest())
    if fraction >= 1.0:
        return data, len(train), len(train)
    kept = set(train[:max(1, round(fraction * len(train)))])
    clips = [c for c in corpus.clips if c.split != "train" or c.speaker in kept]
    lists = {name: (Path(data) / name).read_text() for name in LISTS if (Path(data) / name).is_file()}
    d = link_corpus(out / f"corpus-{task}-spk{round(100 * fraction)}",
                    [c.path for c in clips] + [Path(p) for p in corpus.noise], lists)
    return d, len(kept), len(train)


LISTS = ("validation_list.txt", "testing_list.txt")


def link_corpus(d, paths, lists):
    """Folder d of symbolic links to `paths` (each under its label folder's name) with the split lists
    `lists` ({file name: text}) beside them; reused as it is when it already holds exactly these."""
    want = sorted(f"{p.parent.name}/{p.name}" for p in paths)
    if (d.is_dir() and sorted(f"{p.parent.name}/{p.name}" for p in d.glob("*/*.wav")) == want
            and {p.name for p in d.glob("*_list.txt")} == set(lists)
            and all((d / name).read_text() == text for name, text in lists.items())):
        return d
    tmp = d.with_name(d.name + ".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    for path in paths:
        (tmp / path.parent.name).mkdir(parents=True, exist_ok=True)
        (tmp / path.parent.name / path.name).symlink_to(path.resolve())
    for name, text in lists.items():
        (tmp / name).write_text(text)
    shutil.rmtree(d, ignore_errors=True)
    tmp.rename(d)
    return d


def plan_folds(data, k, seed=0):
    """(corpus of every clip of `data`, datasets.speaker_folds of it): the folds of the whole folder
    (all words, so words8 and kws12 test the same speakers in each fold). Writes nothing."""
    from lossykws.data import datasets

    corpus = datasets.scan([data], "kws12", validate=False)
    return corpus, datasets.speaker_folds(corpus, k, seed)


def fold_corpora(corpus, folds, out):
    """One corpus of links per fold (every clip of `corpus`, its noise recordings), its
    validation_list.txt and testing_list.txt saying the fold's split (datasets.scan reads them)."""
    dirs = []
    for i, split in enumerate(folds):
        lists = {}
        for name, which in zip(LISTS, ("validation", "test")):
            lists[name] = "".join(f"{c.path.parent.name}/{c.path.name}\n" for c in corpus.clips
                                  if split[c.speaker] == which)
        dirs.append(link_corpus(out / f"corpus-k{len(folds)}-fold{i}",
                                [c.path for c in corpus.clips] + [Path(p) for p in corpus.noise], lists))
    return dirs


def _layers(keras_config):
    """(class, name, shape-deciding settings) of each layer of a Keras model config."""
    keys = ("filters", "kernel_size", "strides", "padding", "pool_size", "units", "rate", "axis")
    return [(layer["class_name"], layer["config"].get("name"),
             tuple((k, json.dumps(layer["config"][k])) for k in keys if k in layer["config"]))
            for layer in keras_config["config"]["layers"]]


def stale_reason(run_dir, model, epochs, channels, int8=False, warp=None):
    """Why a cached run (finished or partial) is not what this code would train, or None.

    Run directories are named by model, task, widths, extra corpora and seed only, so a run
    trained before a default changed (epochs, augmented copies and their parameters, learning rate,
    the model's layers) would otherwise be read back into the table as if it were the current
    default."""
    import zipfile


    config = training.read_config(run_dir)
    want = {"epochs": epochs or training.DEFAULT_EPOCHS[model],
            "augmented copies": codecs.codec(models.FEATURES_OF[model]).default_augment,
            "learning rate": training.DEFAULT_LR[model], "int8": bool(int8)}
    have = {"epochs": config["epochs"], "augmented copies": config["augmentation"]["copies"],
            "learning rate": config["learning_rate"], "int8": bool(config.get("int8"))}
    if have["augmented copies"]:
        want["augmentation"] = augment.params_of(training.default_augment_config(models.FEATURES_OF[model],
                                                                                  warp=warp))
        have["augmentation"] = augment.params_of(augment.config_of(config["augmentation"]))
    for k in want:
        if want[k] != have[k]:
            return f"{k} {have[k]}, this benchmark trains with {want[k]}"
    keras_file = Path(run_dir) / training.KERAS_MODEL
    if keras_file.is_file():
        with zipfile.ZipFile(keras_file) as z:
            saved = json.loads(z.read("config.json"))
        fresh = models.build(model, config["input_shape"], len(config["labels"]), channels=channels)
        if _layers(saved) != _layers({"config": fresh.get_config()}):
            return "its model's layers differ from the current models.build"
    return None


def run_one(cache_dir, out, model, seed, epochs, channels, train_extra=None, int8=False, warp=None):
    widths = "x".join(map(str, channels)) if channels else "default"
    extra = f"-extra{len(train_extra)}" if train_extra else ""
    quant = "-int8" if int8 else ""
    warped = f"-warp{warp[0]:g}-{warp[1]:g}" if warp else ""
    run = out / f"run-{model}-{Path(cache_dir).name.split('-', 2)[-1]}-{widths}{extra}{quant}{warped}-s{seed}"
    partial = Path(str(run) + training.PARTIAL_SUFFIX)
    for cached in (run, partial):
        why = (cached / training.CONFIG).is_file() and stale_reason(cached, model, epochs, channels, int8, warp)
        if why:
            raise LossykwsError(f"{cached}: trained with another recipe ({why}); move it aside or pass "
                                "another --out")
    if (run / training.METRICS).is_file():
        return json.loads((run / training.METRICS).read_text())
    if partial.is_dir():
        return training.train_run(resume=run, progress=False)
    return training.train_run(cache_dir, run, model_name=model, epochs=epochs, seed=seed, channels=channels,
                              progress=False, train_extra=train_extra, int8=int8, warp=warp)


def save(path, rows, command):
    """Merge rows into the JSON list at path, replacing rows of the same (task, model)."""
    old = json.loads(path.read_text()) if path.is_file() else []
    keys = {(r["task"], r["model"]) for r in rows}
    merged = [r for r in old if (r["task"], r["model"]) not in keys] + [dict(r, command=command) for r in rows]
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(merged, indent=1) + "\n")
    tmp.replace(path)


def model_settings(model, a):
    """(codec, vq-bnn widths or None) of a model named on the command line."""
    if model not in models.FEATURES_OF:
        raise LossykwsError(f"--models: unknown model {model!r}, expected some of {', '.join(models.MODELS)}")
    channels = None
    if a.vq_channels and model == "vq-bnn":
        channels = tuple(int(c) for c in a.vq_channels.split(","))
    return models.FEATURES_OF[model], channels


def model_label(model, channels, a, warp):
    return (model + (f" {'-'.join(map(str, channels))}" if channels else "")
            + (" +extra" if a.train_extra else "") + (" int8" if a.int8 else "")
            + (f" warp {warp[0]:g}-{warp[1]:g}" if warp else ""))


def mean_se(values):
    """(mean, standard error of the mean) of a list; SE None for one value."""
    se = statistics.stdev(values) / math.sqrt(len(values)) if len(values) > 1 else None
    return statistics.mean(values), se


def percent_se(values):
    m, se = mean_se(values)
    return f"{100 * m:.1f}" + (f" ± {100 * se:.1f}" if se is not None else "")


def paired(rows, key="test_lce"):
    """{(task, model a, model b): (mean, SE, n)} of a - b over the (fold, seed) runs both have."""
    out = {}
    for i, ra in enumerate(rows):
        for rb in rows[i + 1:]:
            if ra["task"] != rb["task"]:
                continue
            b = {(r["fold"], r["seed"]): r[key] for r in rb["runs"]}
            diffs = [r[key] - b[(r["fold"], r["seed"])] for r in ra["runs"] if (r["fold"], r["seed"]) in b]
            if diffs:
                out[(ra["task"], ra["model"], rb["model"])] = (*mean_se(diffs), len(diffs))
    return out


def main_folds(a, out, warp):
    """--folds K: every model of every task trained on each fold's training speakers (x seeds)."""
    from lossykws.data import datasets

    corpus, folds = plan_folds(a.data, a.folds)
    for model in a.models.split(","):
        model_settings(model, a)
    out.mkdir(parents=True, exist_ok=True)
    dirs = fold_corpora(corpus, folds, out)
    k = len(folds)
    speakers = {c.speaker for c in corpus.clips if c.word != datasets.SILENCE}
    print(f"[folds] {k} folds of {len(speakers)} speakers under {out}", file=sys.stderr)
    rows = []
    for task in a.tasks.split(","):
        for model in a.models.split(","):
            codec, channels = model_settings(model, a)
            runs, first = [], None
            try:
                for i, d in enumerate(dirs):
                    cdir, report = build_cache(d, codec, task, out, a.encodec_fit_budget, f"-k{k}-fold{i}")
                    for seed in range(a.seeds):
                        m = run_one(cdir, out, model, seed, a.epochs, channels, a.train_extra, a.int8, warp)
                        print(f"[run] {model} {task} fold {i} seed {seed}: test Keras "
                              f"{m['test']['keras_accuracy']:.3f} LCE {m['test']['lce_accuracy']:.3f}, "
                              f"{m.get('wall_s', '?')} s", file=sys.stderr)
                        first = first or (m, report)
                        runs.append({"fold": i, "seed": seed, "test_keras": m["test"]["keras_accuracy"],
                                     "test_lce": m["test"]["lce_accuracy"], "test_clips": m["test"]["clips"],
                                     "train_clips": m["train_clips"],
                                     "validation_agreement": m["validation"]["agreement"],
                                     "train_s": m.get("train_s"), "wall_s": m.get("wall_s")})
            except LossykwsError as e:
                if first is not None:
                    raise
                print(f"[skip] {model} {task}: {e}", file=sys.stderr)
                continue
            m0, report = first
            keras, lce = mean_se([r["test_keras"] for r in runs]), mean_se([r["test_lce"] for r in runs])
            rows.append({
                "task": task, "model": model_label(model, channels, a, warp),
                "input": INPUT[codec] + (f" ({report['codec_label']})" if report.get("codec_label") else ""),
                "folds": k, "seeds": a.seeds,
                "binary_macs": m0["summary"]["binary_macs"], "float_macs": m0["summary"]["float_macs"],
                "model_bytes": m0["tflite_bytes"], "epochs": m0["epochs"],
                "test_keras": percent_se([r["test_keras"] for r in runs]),
                "test_lce": percent_se([r["test_lce"] for r in runs]),
                "test_keras_mean": keras[0], "test_keras_se": keras[1],
                "test_lce_mean": lce[0], "test_lce_se": lce[1],
                "runs": runs, "train_s_total": round(sum(r["train_s"] or 0 for r in runs)),
            })
    pairs = paired(rows)
    for r in rows:
        r["paired_lce"] = {b: {"mean": m, "se": se, "n": n} for (t, am, b), (m, se, n) in pairs.items()
                           if t == r["task"] and am == r["model"]}
    command = " ".join([os.path.relpath(sys.argv[0])] + sys.argv[1:])
    if a.save:
        save(Path(a.save), rows, command)
    if a.json:
        print(json.dumps(rows, indent=1))
        return
    print("| task | model | input | binary MACs | float MACs | model bytes | epochs | runs (folds x seeds) | "
          "test acc Keras % (mean ± SE) | test acc LCE % (mean ± SE) | LCE % per fold | training s (all runs) |")
    print("|" + "|".join("---" for _ in range(12)) + "|")
    for r in rows:
        per_fold = ", ".join(f"{100 * statistics.mean(x['test_lce'] for x in r['runs'] if x['fold'] == i):.1f}"
                             for i in sorted({x["fold"] for x in r["runs"]}))
        print(f"| {r['task']} | {r['model']} | {r['input']} | {r['binary_macs']:,} | {r['float_macs']:,} | "
              f"{r['model_bytes']:,} | {r['epochs']} | {len(r['runs'])} ({r['folds']} x {r['seeds']}) | "
              f"{r['test_keras']} | {r['test_lce']} | {per_fold} | {r['train_s_total']} |")
    if pairs:
        print("\n| task | difference (LCE, paired by fold and seed) | mean ± SE, points | runs |")
        print("|---|---|---|---|")
        for (t, am, b), (m, se, n) in pairs.items():
            print(f"| {t} | {am} − {b} | {100 * m:+.1f}" + (f" ± {100 * se:.1f}" if se is not None else "")
                  + f" | {n} |")
    print(f"\ncommand: {command}")


def mean_std(values):
    values = [v for v in values if v is not None]
    if not values:
        return "-"
    if len(values) == 1:
        return f"{100 * values[0]:.1f}"
    return f"{100 * statistics.mean(values):.1f} ± {100 * statistics.stdev(values):.1f}"


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--data", default=str(ROOT.parent / "shared" / "data" / "speech_commands_test_v0.02"))
    p.add_argument("--tasks", default="words8,kws12")
    p.add_argument("--models", default="tf-cnn,vq-bnn,encodec-bnn")
    p.add_argument("--seeds", type=int, default=3)
    p.add_argument("--epochs", type=int, default=None, help="[each model's default]")
    p.add_argument("--vq-channels", default=None, help="vq-bnn widths, e.g. 32,64,64,64 [the device default]")
    p.add_argument("--train-extra", action="append", default=None, metavar="DIR",
                   help="a corpus (e.g. `lossykws data synth`'s) added to the training set only; repeatable")
    p.add_argument("--train-speakers", type=float, default=1.0, metavar="FRACTION",
                   help="train on this fraction (0-1] of the training split's speakers, for a learning curve: "
                        "the same validation and test splits, a fixed order of speakers [1: all]")
    p.add_argument("--folds", type=int, nargs="?", const=5, default=None, metavar="K",
                   help="speaker-disjoint K-fold cross-validation over the whole folder [5 when given without K]: "
                        "every speaker tested once, validation carved from each fold's training speakers, "
                        "mean and standard error over folds x seeds, paired differences between models")
    p.add_argument("--int8", action="store_true",
                   help="convert the non-binary layers to int8 (calibrated ranges); the LCE column is then int8")
    p.add_argument("--warp", default=None, metavar="LO,HI",
                   help="frequency-warp (VTLP) range of the augmented copies' features, tf and vq models [none]")
    p.add_argument("--encodec-fit-budget", type=float, default=300.0)
    p.add_argument("--out", default=str(ROOT / "build" / "bench-accuracy"))
    p.add_argument("--json", action="store_true")
    p.add_argument("--save", default=None, metavar="JSON",
                   help="also write the rows (with per-seed accuracies) to this file, e.g. docs/results/accuracy.json; "
                        "rows of other (task, model) pairs already in it are kept")
    a = p.parse_args()
    out = Path(a.out)
    warp = augment.check_warp(a.warp) if a.warp else None
    if not 0.0 < a.train_speakers <= 1.0:
        raise LossykwsError(f"--train-speakers {a.train_speakers}: expected a fraction in (0, 1]")
    subset = a.train_speakers < 1.0
    if a.folds is not None:
        if subset:
            raise LossykwsError("--folds with --train-speakers: choose one")
        return main_folds(a, out, warp)
    out.mkdir(parents=True, exist_ok=True)
    percent = round(100 * a.train_speakers)
    suffix = f"-spk{percent}" if subset else ""
    rows = []
    for task in a.tasks.split(","):
        data, kept, total = speaker_subset(a.data, task, a.train_speakers, out)
        if subset:
            print(f"[subset] {task}: {kept} of {total} training speakers ({data})", file=sys.stderr)
        for model in a.models.split(","):
            codec, channels = model_settings(model, a)
            try:
                cdir, report = build_cache(data, codec, task, out, a.encodec_fit_budget, suffix)
            except LossykwsError as e:
                print(f"[skip] {model} {task}: {e}", file=sys.stderr)
                continue
            results = []
            for seed in range(a.seeds):
                m = run_one(cdir, out, model, seed, a.epochs, channels, a.train_extra, a.int8, warp)
                print(f"[run] {model} {task} seed {seed}: test Keras {m['test']['keras_accuracy']:.3f} "
                      f"LCE {m['test']['lce_accuracy']:.3f}, {m.get('wall_s', '?')} s", file=sys.stderr)
                results.append(m)
            splits = report["splits"]
            m0 = results[0]
            label = INPUT[codec] + (f" ({report['codec_label']})" if report.get("codec_label") else "")
            rows.append({
                "task": task, "model": model_label(model, channels, a, warp)
                + (f" ({percent} % of training speakers)" if subset else ""),
                "training_speakers": kept, "training_speakers_of": total,
                "input": label, "bits_per_clip": splits["train"]["bits_per_clip"],
                "feature_mib": {s: splits[s]["payload_mib"] for s in splits},
                "binary_macs": m0["summary"]["binary_macs"], "float_macs": m0["summary"]["float_macs"],
                "model_bytes": m0["tflite_bytes"], "epochs": m0["epochs"],
                "test_keras": mean_std([r["test"]["keras_accuracy"] for r in results]),
                "test_lce": mean_std([r["test"]["lce_accuracy"] for r in results]),
                "test_keras_values": [r["test"]["keras_accuracy"] for r in results],
                "test_lce_values": [r["test"]["lce_accuracy"] for r in results],
                "agreement_min": min(r["validation"]["agreement"] for r in results),
                "wall_s": round(statistics.mean(r.get("wall_s") or r.get("train_s") or 0 for r in results)),
                "train_s_values": [r.get("train_s") for r in results],
                "seeds": len(results), "train_clips": m0["train_clips"], "test_clips": m0["test"]["clips"],
            })
    if a.save:
        save(Path(a.save), rows, " ".join([os.path.relpath(sys.argv[0])] + sys.argv[1:]))
    if a.json:
        print(json.dumps(rows, indent=1))
        return
    head = ("| task | model | input | bits/clip | feature MiB train/val/test | binary MACs | float MACs | "
            "model bytes | epochs | test acc Keras % | test acc LCE % | seeds | train s |")
    print(head)
    print("|" + "|".join("---" for _ in range(13)) + "|")
    for r in rows:
        f = r["feature_mib"]
        print(f"| {r['task']} | {r['model']} | {r['input']} | {r['bits_per_clip']} | "
              f"{f.get('train')}/{f.get('validation')}/{f.get('test')} | {r['binary_macs']:,} | {r['float_macs']:,} | "
              f"{r['model_bytes']:,} | {r['epochs']} | {r['test_keras']} | {r['test_lce']} | {r['seeds']} | "
              f"{r['wall_s']} |")
    print(f"\ncommand: {' '.join([os.path.relpath(sys.argv[0])] + sys.argv[1:])}")


if __name__ == "__main__":
    try:
        main()
    except LossykwsError as e:
        sys.exit(f"bench_accuracy: {e}")
