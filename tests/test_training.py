"""Training runs: the run directory, exact resume, the mirrored strategy on two logical CPUs,
evaluate, and bad inputs through the CLI (one-line errors, no half-written run directory)."""
import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

import lossykws  # noqa: F401
from lossykws.data import augment, datasets
from lossykws.features import cache
from lossykws.training import run as training
from lossykws.errors import LossykwsError

from tiny_corpus import make_corpus, tiny_corpus, tiny_vq_cache  # noqa: F401  (fixtures)

LOSSYKWS = str(Path(sys.executable).parent / "lossykws")
TINY = dict(epochs=2, batch_size=8, channels=(8, 8, 16, 8), augment_copies=1, progress=False)


def run_cli(*args, timeout=300):
    env = dict(os.environ, OMP_NUM_THREADS="1")
    return subprocess.run([LOSSYKWS, *map(str, args)], capture_output=True, text=True, env=env, timeout=timeout)


def assert_one_line_error(result, *fragments):
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    lines = [l for l in result.stderr.strip().splitlines() if l.startswith("error:")]
    assert len(lines) == 1, result.stderr[-3000:]
    for f in fragments:
        assert f in lines[0], lines[0]


@pytest.fixture(scope="module")
def finished_run(tiny_vq_cache, tmp_path_factory):
    out = tmp_path_factory.mktemp("runs") / "vq"
    metrics = training.train_run(tiny_vq_cache, out, **TINY)
    return out, metrics


def test_run_directory(finished_run):
    out, metrics = finished_run
    for name in ("config.json", "codec/vq_codebook.json", "model.keras", "model.tflite", "metrics.json",
                 "confusion.png", "history.png"):
        assert (out / name).is_file(), name
    assert not Path(str(out) + ".partial").exists() and not (out / "checkpoint").exists()
    config = json.loads((out / "config.json").read_text())
    assert config["format"] == training.RUN_FORMAT and config["model"] == "vq-bnn"
    assert config["task"] == "words8" and config["labels"][:3] == ["stop", "down", "no"]
    assert config["codec"]["codec"] == "vq" and config["codec"]["k"] == 16
    assert config["data_fingerprint"] and config["versions"]["larq"] and config["seed"] == 0
    assert config["augmentation"]["copies"] == 1
    recorded = augment.config_of(config["augmentation"])                       # a resume augments alike
    assert recorded == training.default_augment_config("vq") == augment.AugmentConfig()
    m = json.loads((out / "metrics.json").read_text())
    assert m["epochs"] == 2 and 1 <= m["best_epoch"] <= 2 and len(m["history"]["val_accuracy"]) == 2
    assert m["validation"]["agreement"] >= 0.995 and m["agreement_check"] == "ok"
    assert m["test"]["clips"] == 8 and m["train_clips"] == 2 * 24
    assert m["summary"]["binary_params"] > 0


def test_augmented_copies_warp_between_the_front_end_and_the_codec(tiny_vq_cache):
    """With a frequency warp the copies are front end -> warp -> VQ encoder (the C ones); without,
    the staged path gives the codec's own encoding bit for bit; a warp without the stages, or for a
    codec that reads audio, is refused."""
    from lossykws.features import frontend
    from lossykws.features.codecs import vq

    codec_dir = tiny_vq_cache / cache.CODEC_DIR
    spec = cache.read_key(tiny_vq_cache)["codec"]
    paths = list(cache.load_split(tiny_vq_cache, "train")["paths"][:4])
    encode, stages = training.encoder_of(codec_dir, spec), training.codec_stages(codec_dir, spec)
    kw = dict(progress=False, dtype=np.int8)
    plain = training.augmented_copies(paths, [], encode, 2, 0, config=augment.AugmentConfig(), **kw)
    assert np.array_equal(plain, training.augmented_copies(paths, [], encode, 2, 0, config=augment.AugmentConfig(),
                                                           stages=stages, **kw))
    config = augment.AugmentConfig(warp=(0.9, 1.1))
    warped = training.augmented_copies(paths, [], encode, 2, 0, config=config, stages=stages, **kw)
    assert warped.shape == plain.shape and not np.array_equal(warped, plain)
    cb = vq.load(codec_dir / vq.CODEBOOK_FILE)
    from lossykws.data import audio

    clip = augment.augment(audio.load_clip(paths[3]), [], 0, 2, 3, config)   # copy 2 of clip 3
    feats = augment.warp_frequency(frontend.features(clip), augment.warp_factor(0, 2, 3, config))
    assert np.array_equal(warped[4 + 3], vq.bits(cb.encode(feats), cb.bits).astype(np.int8))
    with pytest.raises(LossykwsError, match="needs a codec on the front end's features"):
        training.augmented_copies(paths, [], encode, 1, 0, config=config, **kw)
    with pytest.raises(LossykwsError, match="the encodec codec reads audio"):
        training.default_augment_config("encodec", warp=(0.9, 1.1))
    assert training.default_augment_config("tf").warp == augment.NO_WARP


def test_evaluate_on_the_test_split_and_on_folders(finished_run, tiny_corpus):
    out, metrics = finished_run
    r = training.evaluate_run(out, progress=False)
    assert r["keras_accuracy"] == metrics["test"]["keras_accuracy"] and r["agreement"] == 1.0
    r = training.evaluate_run(out, [tiny_corpus], progress=False)
    assert r["clips"] == 40 and np.asarray(r["confusion"]).sum() == 40


def test_resume_reaches_the_same_weights(tiny_vq_cache, tmp_path):
    """The resumed session rebuilds the augmented copies from config.json, frequency warp included."""
    tiny = dict(TINY, warp=(0.9, 1.1))
    whole = training.train_run(tiny_vq_cache, tmp_path / "whole", **tiny)
    stopped = training.train_run(tiny_vq_cache, tmp_path / "cut", stop_after_epochs=1, **tiny)
    assert stopped["status"] == "interrupted" and not (tmp_path / "cut").exists()
    assert (tmp_path / "cut.partial" / "checkpoint").is_dir()
    resumed = training.train_run(resume=tmp_path / "cut", progress=False)
    assert resumed["history"] == whole["history"]
    _, a, fa = training.load_run(tmp_path / "whole")
    _, b, fb = training.load_run(tmp_path / "cut")
    for wa, wb in zip(a.get_weights(), b.get_weights()):
        np.testing.assert_array_equal(wa, wb)
    assert len(fa) == len(fb)
    with pytest.raises(LossykwsError, match="finished"):
        training.train_run(resume=tmp_path / "cut")


MIRRORED = textwrap.dedent("""
    import json, sys
    import lossykws
    from lossykws.tf import import_tensorflow
    tf = import_tensorflow()
    cpu = tf.config.list_physical_devices("CPU")[0]
    tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * 2)
    from lossykws.training import run as training
    replicas = training.make_strategy("mirrored").num_replicas_in_sync
    m = training.train_run(sys.argv[1], sys.argv[2], strategy="mirrored", epochs=1, batch_size=8,
                           channels=(8, 8, 16, 8), augment_copies=0, progress=False)
    print(json.dumps({"replicas": replicas, "agreement": m["validation"]["agreement"]}))
""")


def test_mirrored_strategy_on_two_logical_cpus(tiny_vq_cache, tmp_path):
    env = dict(os.environ, OMP_NUM_THREADS="1")
    r = subprocess.run([sys.executable, "-c", MIRRORED, str(tiny_vq_cache), str(tmp_path / "run")],
                       capture_output=True, text=True, env=env, timeout=300)
    assert r.returncode == 0, r.stderr[-3000:]
    out = json.loads(r.stdout.strip().splitlines()[-1])
    assert out["replicas"] == 2 and out["agreement"] >= 0.995
    assert json.loads((tmp_path / "run" / "config.json").read_text())["strategy"] == "mirrored"


# ---------------------------------------------------------------- the CLI
def test_cli_train_then_evaluate(tiny_corpus, tiny_vq_cache, tmp_path):
    out = tmp_path / "run"
    r = run_cli("train", tiny_vq_cache, "--epochs", "1", "--batch-size", "8", "--augment", "0", "--speed", "1,1",
                "--warp", "1,1", "--out", out)
    assert r.returncode == 0, r.stderr[-3000:]
    assert "test accuracy: Keras" in r.stdout and (out / "model.tflite").is_file()
    recorded = json.loads((out / "config.json").read_text())["augmentation"]
    assert augment.config_of(recorded).speed == augment.NO_SPEED and augment.config_of(recorded).warp == augment.NO_WARP
    r = run_cli("evaluate", out, "--json")
    assert r.returncode == 0, r.stderr[-3000:]
    report = json.loads(r.stdout)
    assert report["agreement"] >= 0.995 and report["labels"][0] == "stop"
    # a run directory from another version of the run format
    other = tmp_path / "other"
    shutil.copytree(out, other)
    config = json.loads((other / "config.json").read_text())
    config["version"] = 99
    (other / "config.json").write_text(json.dumps(config))
    assert_one_line_error(run_cli("evaluate", other), "run format version 99")
    # --resume of a finished run, and of a folder that is no run
    assert_one_line_error(run_cli("train", "--resume", out), "finished")
    foreign = tmp_path / "foreign"
    foreign.mkdir()
    (foreign / "config.json").write_text('{"format": "something-else"}')
    assert_one_line_error(run_cli("train", "--resume", foreign), "not a lossykws")


def test_cli_features_that_do_not_match_the_model(tiny_corpus, tiny_vq_cache, tmp_path):
    out = tmp_path / "run"
    assert_one_line_error(run_cli("train", tiny_corpus, "--features", "vq", "--model", "tf-cnn", "--out", out),
                          "model tf-cnn takes --features tf, not vq")
    assert_one_line_error(run_cli("train", tiny_vq_cache, "--features", "tf", "--out", out),
                          "a vq feature cache, not --features tf")
    assert_one_line_error(run_cli("train", tiny_vq_cache, "--model", "encodec-bnn", "--out", out),
                          "takes --features encodec")
    assert_one_line_error(run_cli("train", tiny_vq_cache, "--strategy", "multi-worker", "--out", out),
                          "TF_CONFIG")
    assert_one_line_error(run_cli("train", tiny_vq_cache, "--speed", "0.9", "--out", out),
                          "--speed 0.9: expected two playback-speed factors")
    assert_one_line_error(run_cli("train", tiny_vq_cache, "--speed", "1.2,0.8", "--out", out),
                          "--speed 1.2,0.8: expected 0.5 <= LO <= HI <= 2")
    assert_one_line_error(run_cli("train", tiny_vq_cache, "--warp", "1.5,1.6", "--out", out),
                          "--warp 1.5,1.6: expected 0.7 <= LO <= HI <= 1.3")
    assert not out.exists() and not Path(str(out) + ".partial").exists()


def test_cli_dataset_with_labels_the_task_does_not_know(tiny_vq_cache, tmp_path):
    strange = make_corpus(tmp_path / "strange", words=("cat", "dog"))
    out = tmp_path / "run"
    assert_one_line_error(run_cli("train", strange, "--features", "vq", "--out", out),
                          "no label folders of task words8")
    assert_one_line_error(run_cli("train", tiny_vq_cache, "--task", "kws12", "--out", out),
                          "made for task words8")
    assert not out.exists() and not Path(str(out) + ".partial").exists()
    assert not (tmp_path / ".lossykws-cache").exists() or not any((tmp_path / ".lossykws-cache").iterdir())


@pytest.mark.parametrize("damage, words", [
    (lambda d: (d / "model.tflite").write_bytes((d / "model.tflite").read_bytes()[:3000]), "model.tflite: corrupt"),
    (lambda d: (d / "model.tflite").write_bytes(b"not a model"), "model.tflite: not a .tflite"),
    (lambda d: (d / "model.keras").write_bytes((d / "model.keras").read_bytes()[:500]), "model.keras: not a readable"),
    (lambda d: (d / "config.json").write_text('{"format": "lossykws-run", "version": 1, "task": "words8"}'),
     "config.json: field 'labels' is missing"),
    (lambda d: (d / "config.json").write_text("{truncated"), "not a lossykws run directory"),
])
def test_evaluate_refuses_a_damaged_run_directory(finished_run, tmp_path, damage, words):
    """A truncated model.tflite crashed the LCE interpreter (exit 139, no message): every file of a
    run directory is read by the project's own checks first, and a bad one is one line naming it."""
    out, _ = finished_run
    damaged = tmp_path / "run"
    shutil.copytree(out, damaged)
    damage(damaged)
    r = run_cli("evaluate", damaged, "--json")
    assert r.returncode == 1, (r.returncode, r.stderr[-2000:])
    assert_one_line_error(r, words)
    assert r.stdout == ""


def test_train_refuses_a_task_label_without_clips(tmp_path):
    """A folder holding only no/ trained a words8 model and reported 100 % test accuracy: a task
    label with no training clip is a one-line refusal before any file is written."""
    only_no = make_corpus(tmp_path / "only-no", words=("no",))
    out = tmp_path / "run"
    r = run_cli("train", only_no, "--features", "vq", "--out", out)
    assert_one_line_error(r, "no training clips of label(s) stop, down, right, go, up, yes, left")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["only-no"]       # no cache, no run, no temporary


def test_train_refuses_a_test_split_of_one_label(tmp_path):
    from tiny_corpus import SPEAKERS

    corpus = make_corpus(tmp_path / "c")
    for word in datasets.WORDS8[1:]:                  # the test speaker said only the first word
        for f in (corpus / word).glob(f"{SPEAKERS['test'][0]}_*.wav"):
            f.unlink()
    out = tmp_path / "run"
    r = run_cli("train", corpus, "--features", "vq", "--out", out)
    assert_one_line_error(r, "the test split holds clips of 1 label(s) (stop)")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["c"]
    with pytest.raises(LossykwsError, match="the test split holds clips of 1 label"):
        datasets.check_training_labels(datasets.WORDS8, datasets.label_counts(datasets.scan([corpus], "words8")),
                                       corpus)


def test_few_clips_of_a_label_are_a_warning_with_the_counts(tiny_vq_cache):
    counts = cache.label_counts(tiny_vq_cache)
    assert counts["train"] == {w: 3 for w in datasets.WORDS8} and counts["test"]["yes"] == 1
    warnings = datasets.check_training_labels(datasets.WORDS8, counts, tiny_vq_cache)
    assert len(warnings) == 1 and "few training clips of stop (3), down (3)" in warnings[0]


def test_evaluate_refuses_features_of_another_shape(finished_run, tiny_corpus, tmp_path):
    out, _ = finished_run
    tf_cache = tmp_path / "tf-cache"
    cache.encode_corpus([tiny_corpus], "tf", tf_cache, task="words8", progress=False)
    moved = tmp_path / "run"
    shutil.copytree(out, moved)
    config = json.loads((moved / "config.json").read_text())
    config["cache"] = str(tf_cache)
    (moved / "config.json").write_text(json.dumps(config))
    with pytest.raises(LossykwsError, match=r"features of shape \[128, 128\] do not match the model's input"):
        training.evaluate_run(moved, progress=False)


def test_export_of_the_run_directory_agrees_with_the_interpreter(finished_run, tmp_path):
    from lossykws.pipeline.export import export_run
    from lossykws.emulation.host import emulate_project

    out, _ = finished_run
    proj = tmp_path / "proj"
    export_run(str(out), "host", str(proj))
    settings = (proj / "model_settings.h").read_text()
    assert '"stop", "down", "no"' in settings and '"vq"' in settings
    x, _, _ = training.load_features(json.loads((out / "config.json").read_text())["cache"], "test", "vq-bnn")
    files = []
    for i in range(len(x)):
        np.save(tmp_path / f"x{i}.npy", x[i])
        files.append(tmp_path / f"x{i}.npy")
    report = emulate_project(proj, files)
    assert report["label_agreement"] == 1.0 and report["first_difference"] is None


def test_train_extra_corpora_join_the_training_set_only(tiny_vq_cache, tiny_corpus, tmp_path):
    from lossykws.data import datasets

    key = cache.read_key(tiny_vq_cache)
    index = json.loads((Path(tiny_vq_cache) / cache.INDEX_FILE).read_text())["splits"]
    extra = [c for c in datasets.scan([tiny_corpus], key["task"], validate=False).clips if c.label in key["labels"]]
    m = training.train_run(tiny_vq_cache, tmp_path / "run", **dict(TINY, epochs=1, augment_copies=0),
                           train_extra=[tiny_corpus])
    assert m["train_clips"] == index["train"]["clips"] + len(extra)      # every split of the extra corpus
    assert m["test"]["clips"] == index["test"]["clips"]                   # test stays the cache's
    config = json.loads((tmp_path / "run" / "config.json").read_text())
    assert config["train_extra"]["clips"] == len(extra)
