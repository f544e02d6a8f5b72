"""tools/bench_accuracy.py's corpora of links: the learning curve's (a fraction of the training speakers,
the same validation and test clips) and the cross-validation folds' (every clip, each fold's split in its
lists); the cached runs it refuses; the paired differences."""
import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import pytest

from lossykws.data import datasets
from tiny_corpus import SPEAKERS, make_corpus

ROOT = Path(__file__).resolve().parents[1]
TOOL = ROOT / "tools" / "bench_accuracy.py"


def _tool():
    spec = importlib.util.spec_from_file_location("bench_accuracy", TOOL)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _by_split(folder):
    corpus = datasets.scan([folder], "words8", validate=False)
    return {s: sorted((c.speaker, c.word, c.path.resolve()) for c in corpus.split(s)) for s in datasets.SPLITS}


def test_speaker_subsets_are_nested_and_keep_validation_and_test(tmp_path):
    data = make_corpus(tmp_path / "data")
    bench = _tool()
    full = _by_split(data)
    kept = {}
    for fraction in (1 / 3, 2 / 3):
        folder, n, total = bench.speaker_subset(data, "words8", fraction, tmp_path / "out")
        assert (n, total) == (round(3 * fraction), len(SPEAKERS["train"]))
        sub = _by_split(folder)
        assert sub["validation"] == full["validation"] and sub["test"] == full["test"]
        speakers = {s for s, _, _ in sub["train"]}
        assert len(speakers) == n
        # every training clip of a kept speaker, and the links lead to the original files
        assert sub["train"] == [t for t in full["train"] if t[0] in speakers]
        kept[fraction] = speakers
    assert kept[1 / 3] < kept[2 / 3]


def test_an_unchanged_subset_is_reused(tmp_path):
    data = make_corpus(tmp_path / "data")
    bench = _tool()
    folder, _, _ = bench.speaker_subset(data, "words8", 0.5, tmp_path / "out")
    marker = folder / "kept"
    marker.write_text("")
    assert bench.speaker_subset(data, "words8", 0.5, tmp_path / "out")[0] == folder
    assert marker.exists()
    next(folder.glob("yes/*.wav")).unlink()
    bench.speaker_subset(data, "words8", 0.5, tmp_path / "out")
    assert not marker.exists() and not (tmp_path / "out" / (folder.name + ".tmp")).exists()


def test_a_bad_fraction_is_a_one_line_error(tmp_path):
    r = subprocess.run([sys.executable, str(TOOL), "--train-speakers", "0", "--out", str(tmp_path / "o")],
                       capture_output=True, text=True)
    assert r.returncode != 0
    assert r.stderr.strip().splitlines()[-1] == (
        "bench_accuracy: --train-speakers 0.0: expected a fraction in (0, 1]")
    assert "Traceback" not in r.stderr and not (tmp_path / "o").exists()


def _recipe(model, int8=False, warp=(1.0, 1.0)):
    """config.json of a finished run of `model` with the bench's default recipe (no Keras model)."""
    from lossykws.data import augment
    from lossykws.features import codecs
    from lossykws.training import models, run as training

    return {"format": training.RUN_FORMAT, "version": training.RUN_VERSION, "model": model,
            "epochs": training.DEFAULT_EPOCHS[model], "learning_rate": training.DEFAULT_LR[model], "int8": int8,
            "augmentation": {"copies": codecs.codec(models.FEATURES_OF[model]).default_augment,
                             "params": augment.params_of(augment.AugmentConfig(warp=warp))}}


def _write_run(folder, config):
    from lossykws.training import run as training

    folder.mkdir(parents=True)
    (folder / training.CONFIG).write_text(json.dumps(config))
    return folder


def _refused(call, message):
    """call() raises an error whose text starts with message (a stale cached run is not read back)."""
    try:
        call()
    except Exception as e:  # noqa: BLE001 - the message is what is checked
        assert str(e).startswith(message), str(e)
    else:
        raise AssertionError("a run of another recipe was read back")


def test_int8_runs_are_kept_apart_from_float_ones(tmp_path):
    """--int8 names its run directories apart, and a cached run converted the other way is refused
    instead of being read into the table as this one."""
    bench = _tool()
    run = _write_run(tmp_path / "run", _recipe("ds-cnn", int8=True))
    assert bench.stale_reason(run, "ds-cnn", None, None, int8=True) is None
    assert bench.stale_reason(run, "ds-cnn", None, None, int8=False) == "int8 True, this benchmark trains with False"
    # The int8 run of a cache, model and seed has its own name and refuses a float config in its place.
    out = tmp_path / "out"
    int8_run = _write_run(out / "run-ds-cnn-words8-default-int8-s0", _recipe("ds-cnn"))
    _refused(lambda: bench.run_one(tmp_path / "cache-tf-words8", out, "ds-cnn", 0, None, None, int8=True),
             f"{int8_run}: trained with another recipe (int8 False")
    assert not (out / "run-ds-cnn-words8-default-s0").exists()


def test_warped_runs_are_kept_apart_and_checked(tmp_path):
    """--warp LO,HI names its runs apart and a cached run augmented with another warp is refused."""
    bench = _tool()
    run = _write_run(tmp_path / "run", _recipe("vq-bnn", warp=(0.9, 1.1)))
    assert bench.stale_reason(run, "vq-bnn", None, None, warp=(0.9, 1.1)) is None
    assert bench.stale_reason(run, "vq-bnn", None, None).startswith("augmentation ")
    out = tmp_path / "out"
    named = _write_run(out / "run-vq-bnn-words8-default-warp0.9-1.1-s0", _recipe("vq-bnn"))
    _refused(lambda: bench.run_one(tmp_path / "cache-vq-words8", out, "vq-bnn", 0, None, None, warp=(0.9, 1.1)),
             f"{named}: trained with another recipe (augmentation ")


def test_fold_corpora_link_every_clip_and_list_the_folds_split(tmp_path):
    data = make_corpus(tmp_path / "data")
    bench = _tool()
    corpus, folds = bench.plan_folds(data, 3)
    dirs = bench.fold_corpora(corpus, folds, tmp_path / "out")
    assert [d.name for d in dirs] == ["corpus-k3-fold0", "corpus-k3-fold1", "corpus-k3-fold2"]
    everyone = set(sum(SPEAKERS.values(), []))
    full = sorted(t for s in _by_split(data).values() for t in s)
    tested = []
    for d, split in zip(dirs, folds):
        sub = _by_split(d)     # datasets.scan reads the fold's validation_list.txt and testing_list.txt
        assert sorted(t for s in sub.values() for t in s) == full          # every clip, linked to the original
        speakers = {s: {spk for spk, _, _ in sub[s]} for s in datasets.SPLITS}
        assert set().union(*speakers.values()) == everyone
        assert all(split[spk] == s for s in datasets.SPLITS for spk in speakers[s])
        assert len(speakers["validation"]) == 1 and len(speakers["train"]) >= 2
        tested += speakers["test"]
    assert sorted(tested) == sorted(everyone)                             # every speaker tested exactly once


def test_unchanged_fold_corpora_are_reused(tmp_path):
    data = make_corpus(tmp_path / "data")
    bench = _tool()
    corpus, folds = bench.plan_folds(data, 2)
    d = bench.fold_corpora(corpus, folds, tmp_path / "out")[0]
    (d / "kept").write_text("")
    assert bench.fold_corpora(*bench.plan_folds(data, 2), tmp_path / "out")[0] == d
    assert (d / "kept").exists()
    (d / "testing_list.txt").write_text("")                                # another split: made again
    bench.fold_corpora(corpus, folds, tmp_path / "out")
    assert not (d / "kept").exists() and (d / "testing_list.txt").read_text()


@pytest.mark.parametrize("args, message", [
    (["--folds", "1"], "cannot split 5 speakers into 1 folds: expected 2 to 5 folds"),
    (["--folds", "6"], "cannot split 5 speakers into 6 folds: expected 2 to 5 folds"),
    (["--folds", "2", "--train-speakers", "0.5"], "--folds with --train-speakers: choose one"),
])
def test_bad_folds_are_a_one_line_error_with_nothing_written(tmp_path, args, message):
    data = make_corpus(tmp_path / "data")
    r = subprocess.run([sys.executable, str(TOOL), "--data", str(data), "--out", str(tmp_path / "o")] + args,
                       capture_output=True, text=True)
    assert r.returncode != 0 and "Traceback" not in r.stderr
    assert r.stderr.strip().splitlines()[-1] == f"bench_accuracy: {message}"
    assert not (tmp_path / "o").exists()


def test_paired_differences_match_fold_and_seed():
    bench = _tool()
    runs = lambda accs: [{"fold": f, "seed": s, "test_lce": a} for (f, s), a in accs.items()]  # noqa: E731
    rows = [{"task": "words8", "model": "a", "runs": runs({(0, 0): 0.9, (1, 0): 0.8, (2, 0): 0.7})},
            {"task": "words8", "model": "b", "runs": runs({(1, 0): 0.7, (0, 0): 0.7})},
            {"task": "kws12", "model": "b", "runs": runs({(0, 0): 0.1})}]
    (key, (mean, se, n)), = bench.paired(rows).items()
    assert key == ("words8", "a", "b") and n == 2
    assert mean == pytest.approx(0.15) and se == pytest.approx(0.05)
