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
"""
import argparse
import hashlib
import json
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
    d = out / f"corpus-{task}-spk{round(100 * fraction)}"
    want = sorted(f"{c.path.parent.name}/{c.path.name}" for c in clips)
    if d.is_dir() and sorted(f"{p.parent.name}/{p.name}" for p in d.glob("*/*.wav")) == want:
        return d, len(kept), len(train)
    tmp = d.with_name(d.name + ".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    for path in [c.path for c in clips] + [Path(p) for p in corpus.noise]:
        (tmp / path.parent.name).mkdir(parents=True, exist_ok=True)
        (tmp / path.parent.name / path.name).symlink_to(path.resolve())
    for name in ("validation_list.txt", "testing_list.txt"):
        if (Path(data) / name).is_file():
            shutil.copyfile(Path(data) / name, tmp / name)
    shutil.rmtree(d, ignore_errors=True)
    tmp.rename(d)
    return d, len(kept), len(train)


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
    out.mkdir(parents=True, exist_ok=True)
    subset = a.train_speakers < 1.0
    percent = round(100 * a.train_speakers)
    suffix = f"-spk{percent}" if subset else ""
    rows = []
    for task in a.tasks.split(","):
        data, kept, total = speaker_subset(a.data, task, a.train_speakers, out)
        if subset:
            print(f"[subset] {task}: {kept} of {total} training speakers ({data})", file=sys.stderr)
        for model in a.models.split(","):
            if model not in models.FEATURES_OF:
                raise LossykwsError(f"--models: unknown model {model!r}, expected some of "
                                    f"{', '.join(models.MODELS)}")
            codec = models.FEATURES_OF[model]
            try:
                cdir, report = build_cache(data, codec, task, out, a.encodec_fit_budget, suffix)
            except LossykwsError as e:
                print(f"[skip] {model} {task}: {e}", file=sys.stderr)
                continue
            channels = None
            if a.vq_channels and model == "vq-bnn":
                channels = tuple(int(c) for c in a.vq_channels.split(","))
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
                "task": task, "model": model + (f" {'-'.join(map(str, channels))}" if channels else "")
                + (" +extra" if a.train_extra else "") + (" int8" if a.int8 else "")
                + (f" warp {warp[0]:g}-{warp[1]:g}" if warp else "")
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
