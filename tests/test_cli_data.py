"""The CLI's shape and every bad input of the data commands, through the real entry point."""
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from lossykws.cli import main

from test_datasets import make_corpus
from wavgen import tone, wav_bytes
from cli_run import assert_one_line_error, run

COMMANDS = [[], ["data"], ["data", "info"], ["data", "synth"], ["data", "download"], ["encode"], ["listen"],
            ["train"], ["evaluate"], ["export"], ["emulate"], ["demo"]]


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: " ".join(c) or "lossykws")
def test_help_everywhere(command):
    result = CliRunner().invoke(main, command + ["--help"])
    assert result.exit_code == 0 and "Usage:" in result.output


def test_help_does_not_import_tensorflow_or_torch():
    code = ("import sys; from click.testing import CliRunner; from lossykws.cli import main; "
            "CliRunner().invoke(main, ['--help']); "
            "print(sorted(m for m in ('tensorflow', 'torch', 'larq') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_info_json_on_shared_clips(shared_clips):
    result = run("data", "info", shared_clips, "--task", "kws12", "--json")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert (report["clips"], len(report["labels"]), report["speakers"]) == (3323, 12, 162)
    assert report["speakers_in_two_splits"] == []


def test_info_strict_fails_on_problems(tmp_path):
    root = make_corpus(tmp_path / "c", words=("yes", "no"), unknown=(), silence=0)
    assert run("data", "info", root, "--task", "words8", "--strict").returncode == 1   # labels without clips
    (root / "yes" / "deadbeef_nohash_0.wav").write_bytes(wav_bytes(tone(0.3))[:-40])
    result = run("data", "info", root, "--task", "words8")
    assert result.returncode == 0 and "truncated" in result.stdout and "clips skipped" in result.stdout
    strict = run("data", "info", root, "--task", "words8", "--strict")
    assert_one_line_error(strict, "problems found", "--strict")
    assert "truncated" in strict.stdout


def test_info_strict_passes_short_clips_and_fails_truly_bad_ones(tmp_path):
    """Clips shorter than 1 s are about 10 % of Speech Commands and are padded: `--strict` failed
    on the real corpus for them. Unreadable, empty, wrongly encoded and NaN clips still fail it."""
    import numpy as np

    root = make_corpus(tmp_path / "c", words=("stop", "down", "no", "right", "go", "up", "yes", "left"),
                       unknown=(), silence=0)
    (root / "yes" / "5ca1ab1e_nohash_0.wav").write_bytes(wav_bytes(tone(0.6)))
    (root / "no" / "5ca1ab1e_nohash_0.wav").write_bytes(wav_bytes(tone(0.93)))
    ok = run("data", "info", root, "--task", "words8", "--strict")
    assert ok.returncode == 0, ok.stderr
    assert "2 clips shorter than 1 s, padded" in ok.stdout and "problems" not in ok.stdout
    report = json.loads(run("data", "info", root, "--task", "words8", "--json").stdout)
    assert report["padded"] == 2 and report["problems"] == []
    bad = {"0dd0dd00_nohash_0.wav": (b"RIFF\x00\x00", "not a WAV file"),
           "0dd0dd01_nohash_0.wav": (wav_bytes(np.zeros(0)), "zero-length"),
           "0dd0dd02_nohash_0.wav": (wav_bytes(tone(1.0), bits=8, encoding="float")[:44].replace(b"\x03\x00", b"\x07\x00", 1)
                                     + b"\x00" * 64, "unsupported encoding"),
           "0dd0dd03_nohash_0.wav": (wav_bytes(np.full(16000, np.nan), bits=32, encoding="float"), "NaN")}
    for name, (data, words) in bad.items():
        one = tmp_path / name.split("_")[0]
        shutil.copytree(root, one)
        (one / "go" / name).write_bytes(data)
        strict = run("data", "info", one, "--task", "words8", "--strict")
        assert_one_line_error(strict, "1 problem found", "--strict")
        assert words in strict.stdout, (name, strict.stdout)


def test_empty_label_folder_is_a_problem(tmp_path):
    root = make_corpus(tmp_path / "c", words=("yes",), unknown=(), silence=0)
    (root / "no").mkdir()
    result = run("data", "info", root, "--task", "words8", "--json")
    problems = {p["file"]: p["problem"] for p in json.loads(result.stdout)["problems"]}
    assert "empty label folder" in problems[str(root / "no")]


def test_missing_folder(tmp_path):
    assert_one_line_error(run("data", "info", tmp_path / "nope"), str(tmp_path / "nope"), "no such folder")


def test_unknown_task_names_the_value(tmp_path):
    result = run("data", "info", tmp_path, "--task", "words9")
    assert result.returncode == 2 and "'words9' is not one of" in result.stderr and "Traceback" not in result.stderr


def test_synth_refuses_a_non_empty_folder_unless_forced(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "keep.txt").write_text("mine")
    assert_one_line_error(run("data", "synth", out, "--per-word", "1"), str(out), "not empty", "--force")
    assert (out / "keep.txt").read_text() == "mine"
    forced = run("data", "synth", out, "--per-word", "2", "--force")
    assert forced.returncode == 0, forced.stderr
    assert not (out / "keep.txt").exists() and len(list((out / "yes").iterdir())) == 2


def test_synth_unwritable_output(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    assert_one_line_error(run("data", "synth", blocker / "out", "--per-word", "1"), str(blocker / "out"))
    assert_one_line_error(run("data", "synth", "/proc/lossykws-test/out", "--per-word", "1"),
                          "/proc/lossykws-test/out")


def test_synth_names_the_missing_package(tmp_path):
    env = dict(os.environ, PATH=str(Path(sys.executable).parent))   # no espeak-ng, no flite
    result = run("data", "synth", tmp_path / "out", "--per-word", "1", env=env)
    assert_one_line_error(result, "espeak-ng not found", "Debian package espeak-ng")
    assert not (tmp_path / "out").exists()


def test_download_offline_is_one_line(tmp_path):
    result = run("data", "download", tmp_path / "sc", "--url", "http://127.0.0.1:9/sc.tar.gz",
                 "--sha256", "0" * 64)
    assert_one_line_error(result, "cannot reach http://127.0.0.1:9/sc.tar.gz")
    assert list(tmp_path.iterdir()) == []


def test_tensorflow_imported_first_with_keras3_is_detected():
    code = ("import os; os.environ.pop('TF_USE_LEGACY_KERAS', None)\n"
            "import tensorflow as tf; tf.keras.layers.Layer\n"
            "import lossykws\n"
            "from lossykws.errors import LossykwsError\n"
            "from lossykws.tf import import_tensorflow\n"
            "try:\n    import_tensorflow()\nexcept LossykwsError as e:\n    print('ERROR', e)\n")
    env = {k: v for k, v in os.environ.items() if k != "TF_USE_LEGACY_KERAS"}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=300)
    assert out.stdout.startswith("ERROR TensorFlow was imported before lossykws with Keras 3"), out.stderr[-2000:]
    assert "import lossykws before TensorFlow" in out.stdout


def test_info_on_one_clip(tmp_path):
    good, bad = tmp_path / "good.wav", tmp_path / "bad.wav"
    good.write_bytes(wav_bytes(tone(0.5, rate=22050), rate=22050, bits=24))
    bad.write_bytes(b"RIFF....WAVEjunk")
    report = json.loads(run("data", "info", good, "--json").stdout)
    assert (report["rate"], report["bits"], report["frames"]) == (22050, 24, 11025)
    assert "22050 Hz" in report["problem"]
    assert_one_line_error(run("data", "info", bad), str(bad), "no fmt chunk")
