"""`lossykws emulate PROJECT --target qemu` on cortex-m firmware from a tiny trained VQ run: the
firmware's labels under QEMU equal the host build's and the LCE interpreter's on the same codes,
its codes equal Python's, a lone clip gets the label it gets among others, the instruction counts
and memory split add up to the ELF's, streaming is scored by TF's streaming-accuracy rule, and
bad input gives one-line errors."""
import json
import subprocess

import numpy as np
import pytest

from lossykws.data import audio
from lossykws.emulation import firmware as fe, qemu, report as firmware_report
from lossykws.codegen import kws_app
from lossykws.pipeline.export import export_run
from lossykws.emulation.reference import interpreter_predict
from lossykws.features.codecs import vq

from cli_run import assert_one_line_error, run
from conftest import require_tool
from tiny_corpus import SPEAKERS, WORDS, tiny_corpus, tiny_vq_cache, tiny_vq_run  # noqa: F401  (fixtures)

TEST_SPEAKER = SPEAKERS["test"][0]


@pytest.fixture(scope="module")
def tiny_run(tiny_vq_run):
    return tiny_vq_run


@pytest.fixture(scope="module", params=("mps2-an386", "mps2-an500"))
def project(request, tiny_run, tmp_path_factory):
    require_tool("arm-none-eabi-gcc")
    require_tool("qemu-system-arm")
    proj = tmp_path_factory.mktemp("fwemu") / request.param
    export_run(str(tiny_run), "cortex-m", str(proj), board=request.param)
    return proj


@pytest.fixture(scope="module")
def report(project, tiny_corpus):
    return firmware_report.emulate_firmware(project, [str(tiny_corpus)])


def test_labels_equal_host_and_interpreter_and_codes_equal_python(report, project, tiny_run, tiny_corpus):
    n = sum(len(list((tiny_corpus / w).glob(f"{TEST_SPEAKER}_*.wav"))) for w in WORDS)
    s = report["summary"]
    assert s["clips"] == n == len(report["clips"])
    assert s["agree_host"] == s["agree_interpreter"] == s["codes_equal"] == n
    assert s["max_score_error"] <= 1e-5
    # the interpreter on Python's codes of each clip, computed here independently of the module
    codebook = vq.load(tiny_run / "codec" / "vq_codebook.json")
    labels = report["labels"]
    files = [r["file"] for r in report["clips"]]
    x = np.stack([audio.load_clip(f) for f in files])
    planes = vq.bits(codebook.encode_audio(x), codebook.bits).astype(np.float32)
    expected = np.argmax(interpreter_predict((tiny_run / "model.tflite").read_bytes(), planes), axis=1)
    assert [r["label"] for r in report["clips"]] == [labels[k] for k in expected]
    truth = [r["true_label"] for r in report["clips"]]
    assert sorted(truth) == sorted(f.split("/")[-2] for f in files)
    correct = sum(r["label"] == r["true_label"] for r in report["clips"])
    assert s["correct"] == correct and s["accuracy"] == pytest.approx(correct / n)


def test_a_lone_clip_gets_the_label_it_gets_among_others(report, project):
    last = report["clips"][-1]
    alone = firmware_report.emulate_firmware(project, [last["file"]], count=False)
    assert [r["label"] for r in alone["clips"]] == [last["label"]]
    assert alone["summary"]["codes_equal"] == 1


def test_instructions_time_and_memory_add_up(report, project):
    c, t, m = report["instructions"], report["timing"], report["memory"]
    assert c["calls"] == {"frontend": 128, "vq": 64, "network": 1}
    assert all(c[k] > 0 for k in ("frontend_per_hop", "vq_per_row", "network_per_inference"))
    total = 128 * c["frontend_per_hop"] + 64 * c["vq_per_row"] + 8 * c["network_per_inference"]
    assert t["per_second"]["total"] == pytest.approx(total)
    assert t["clock_hz"] == 25e6 and t["rtf"] == pytest.approx(total / 25e6)
    sizes = qemu.elf_sizes(project / "build" / "fw.elf")
    manifest = json.loads((project / "lossykws.json").read_text())
    assert m["flash"]["total"] == sizes["text"] + sizes["data"]
    assert m["flash"]["code"] + m["flash"]["constants"] + m["flash"]["other"] == m["flash"]["total"]
    assert 0 <= m["flash"]["other"] < 2048 and m["flash"]["constants"] >= manifest["const_bytes"]
    assert m["ram"]["arena"] == manifest["arena_bytes"]
    assert m["ram"]["total"] == sizes["data"] + sizes["bss"] and m["ram"]["stack_reserve"] == 4096
    assert m["ram"]["arena"] + m["ram"]["buffers"] + m["ram"]["other"] + 4096 == m["ram"]["total"]
    assert m["buffers"]["features"] > 0 and report["heap_symbols"] == []
    make = subprocess.run(["make", "-s", "-C", str(project), "size"], capture_output=True, text=True).stdout
    assert f"flash {m['flash']['total']} bytes" in make


def test_score_stream_follows_the_streaming_accuracy_rule():
    truth = [("yes", 1000), ("no", 4000), ("up", 7000), ("yes", 10000)]
    detections = [("yes", 2100),   # window start 1100: yes at 1000, hit
                  ("yes", 2600),   # start 1600: the same yes again, a false accept (wrong)
                  ("up", 5000),    # start 4000: the no, wrong label
                  ("up", 8700),    # start 7700: within 750 ms of up's onset, hit
                  ("no", 13500)]   # start 12500: no keyword near, false accept
    s = fe.score_stream(detections, truth, seconds=3600.0)
    assert (s["hits"], s["misses"], s["wrong_label"], s["false_accepts"]) == (2, 2, 2, 3)
    assert s["miss_rate"] == 0.5 and s["false_accepts_per_hour"] == 3.0
    assert fe.score_stream([("up", 8751)], truth, 36.0)["hits"] == 0  # 751 ms late: outside the tolerance
    assert fe.score_stream([], truth, 36.0)["miss_rate"] == 1.0


@pytest.fixture(scope="module")
def stream_corpus(tiny_corpus, tmp_path_factory):
    """The tiny corpus plus `_silence_` (noise) and `_unknown_` (a word outside the task) clips."""
    root = tmp_path_factory.mktemp("stream-corpus")
    rng = np.random.default_rng(1)
    for w in WORDS:
        (root / w).mkdir()
        for f in (tiny_corpus / w).glob(f"{TEST_SPEAKER}_*.wav"):
            (root / w / f.name).symlink_to(f)
    (root / "_silence_").mkdir()
    (root / "_unknown_").mkdir()
    for n in range(2):
        audio.write_wav(root / "_silence_" / f"noise{n}.wav", 0.01 * rng.standard_normal(16000))
        audio.write_wav(root / "_unknown_" / f"bed_{TEST_SPEAKER}_nohash_{n}.wav",
                        0.2 * np.sin(2 * np.pi * 2500 * np.arange(16000) / 16000))
    return root


def test_stream_recording_and_its_score(project, stream_corpus, tmp_path):
    proj = fe.read_project(project)
    wav = tmp_path / "stream.wav"
    made = fe.make_stream([stream_corpus], proj.labels, wav, keywords=4, seed=3)
    pcm = np.frombuffer(wav.read_bytes()[44:], dtype="<i2")
    assert len(pcm) == made["seconds"] * 16000 and len(made["truth"]) == 4
    kinds = [k for k, _, _ in made["clips"]]
    assert kinds.count("keyword") == 4 and kinds.count("unknown") == 2 and kinds[0] == kinds[-1] == "silence"
    for (kind, path, onset), (word, t) in zip([c for c in made["clips"] if c[0] == "keyword"], made["truth"]):
        assert onset == t and path.split("/")[-2] == word
        assert np.array_equal(pcm[t * 16:t * 16 + 16000], fe.read_clip(path))
    fe.build(proj)
    out = fe.run_stream(proj, wav, made["truth"], made["seconds"])
    assert out == dict(fe.score_stream(out["detections"], made["truth"], made["seconds"]),
                       detections=out["detections"])
    assert out["hits"] + out["misses"] == 4 and all(label in proj.labels for label, _ in out["detections"])


def test_build_flags_override_the_recognizer_settings(tiny_run, stream_corpus, tmp_path):
    """qemu.build_firmware(cflags=...) reaches the compiler: kws_settings.h's defaults are #ifndef, so
    an unreachable threshold (averaged scores are at most 1) detects nothing on the stream, and a
    zero threshold with one result minimum detects at least as often as the defaults."""
    require_tool("arm-none-eabi-gcc")
    require_tool("qemu-system-arm")
    detections = {}
    for name, cflags in (("default", None), ("never", "-DKWS_DETECTION_THRESHOLD=2.0f"),
                         ("always", "-DKWS_DETECTION_THRESHOLD=0.0f -DKWS_MINIMUM_COUNT=1")):
        proj = tmp_path / name
        export_run(str(tiny_run), "cortex-m", str(proj))
        qemu.build_firmware(proj, cflags=cflags)
        project = fe.read_project(proj)
        if name == "default":
            wav = tmp_path / "stream.wav"
            made = fe.make_stream([stream_corpus], project.labels, wav, keywords=4, seed=3)
        detections[name] = len(fe.run_stream(project, wav, made["truth"], made["seconds"])["detections"])
    assert detections["never"] == 0
    assert detections["always"] >= max(1, detections["default"])


def test_cli_report_and_errors(tiny_run, stream_corpus, tmp_path):
    require_tool("arm-none-eabi-gcc")
    require_tool("qemu-system-arm")
    project = tmp_path / "fw"
    export_run(str(tiny_run), "cortex-m", str(project))  # the command builds it
    r = run("emulate", project, "--target", "qemu", "--stream", stream_corpus, "--keywords", "2", "--json")
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["stream"]["keywords"] == 2
    host = tmp_path / "host"
    export_run(str(tiny_run), "host", str(host))
    assert_one_line_error(run("emulate", host, "--target", "qemu", stream_corpus), "not a firmware project")
    assert_one_line_error(run("emulate", project, "--target", "qemu", tmp_path / "nowhere"),
                          "nowhere", "no such file or folder")
    (tmp_path / "bad.wav").write_bytes(b"RIFF....WAVEjunk")
    assert_one_line_error(run("emulate", project, "--target", "qemu", tmp_path / "bad.wav"), "bad.wav")
    clip = next((stream_corpus / "yes").iterdir())
    assert_one_line_error(run("emulate", project, "--target", "qemu", "--stream", clip), "--stream takes data folders")
    assert_one_line_error(run("emulate", project, "--target", "qemu"), "no input")
    assert kws_app.BOARDS["nano33ble"]["qemu_machine"] is None  # a board QEMU does not model
    export_run(str(tiny_run), "cortex-m", str(tmp_path / "nano"), board="nano33ble")
    assert_one_line_error(run("emulate", tmp_path / "nano", "--target", "qemu", stream_corpus),
                          "nano33ble is not modelled by QEMU")
