"""The cortex-m target: the keyword-spotting firmware built for each QEMU board from a tiny trained
VQ run, run under qemu-system-arm on recordings made of test-split clips. The codes it streams
equal the Python codes, its labels on 1 s clips equal the LCE interpreter's, no heap is linked,
RAM stays under 16 KiB (the model reads the 4-bit codes densely: lkws_bconv2d_dense_opt.c), and the project
builds without lossykws (Makefile and CMake)."""
import json
import re
import shutil
import subprocess

import numpy as np
import pytest

from lossykws.data import audio
from lossykws.features import frontend
from lossykws.emulation import qemu
from lossykws.features.codecs import vq
from lossykws.codegen import kws_app
from lossykws.pipeline.export import export_run
from lossykws.errors import LossykwsError
from lossykws.emulation.host import build_host, run_host
from lossykws.emulation.reference import run_all_tensors

from cli_run import assert_one_line_error, run
from conftest import require_tool
from tiny_corpus import SPEAKERS, WORDS, tiny_corpus, tiny_vq_cache, tiny_vq_run  # noqa: F401  (fixtures)

BOARDS = ("mps2-an386", "mps2-an500")


@pytest.fixture(scope="module")
def tiny_run(tiny_vq_run):
    return tiny_vq_run


@pytest.fixture(scope="module")
def recordings(tiny_corpus, tmp_path_factory):
    """The test split's clips as 1 s WAV files, and a stream: the clips separated by 0.5 s of hiss."""
    d = tmp_path_factory.mktemp("recordings")
    rng = np.random.default_rng(0)
    clips, parts = [], []
    for w in WORDS:
        for path in sorted((tiny_corpus / w).glob(f"{SPEAKERS['test'][0]}_*.wav")):
            x = audio.load_clip(path)
            clip = d / f"{w}_{path.stem}.wav"
            audio.write_wav(clip, x)
            clips.append(clip)
            parts += [x, 0.002 * rng.standard_normal(8000)]
    stream = d / "stream.wav"
    audio.write_wav(stream, np.concatenate(parts))
    return clips, stream


@pytest.fixture(scope="module", params=BOARDS)
def firmware(request, tiny_run, tmp_path_factory):
    """(project dir, board), exported and built with make."""
    require_tool("arm-none-eabi-gcc")
    board = request.param
    proj = tmp_path_factory.mktemp("fw") / board
    export_run(str(tiny_run), "cortex-m", str(proj), board=board)
    r = subprocess.run(["make", "-C", str(proj), "-j4"], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr[-3000:]
    return proj, board


@pytest.fixture(scope="module")
def host_program(tiny_run, tmp_path_factory):
    """The host build of the same model with the firmware's input: dense rows of 4-bit codes."""
    proj = tmp_path_factory.mktemp("host") / "proj"
    export_run(str(tiny_run), "host", str(proj), packed_input="dense")
    return build_host(proj)


def pcm(path):
    """The 16-bit samples of a WAV written by audio.write_wav (44-byte header)."""
    return np.frombuffer(path.read_bytes()[44:], dtype="<i2")


def run_firmware(proj, board, *args, plugin=None):
    require_tool("qemu-system-arm")
    cmd = ["qemu-system-arm", "-M", board, "-nographic", "-semihosting-config", "enable=on,target=native"]
    if plugin is not None:
        begin, end = qemu.marker_addresses(proj / "build" / "fw.elf")
        cmd += ["-plugin", f"{plugin},begin={begin:#x},end={end:#x},out={proj / 'build' / 'counts.txt'}"]
    cmd += ["-kernel", str(proj / "build" / "fw.elf"), "-append", " ".join(map(str, args))]
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL)
    assert r.returncode == 0, r.stderr
    return r.stdout


def python_stream_codes(samples, codebook):
    """Codes of a recording streamed hop by hop through the Python front end, one row per 2 hops."""
    stream, rows, frames = frontend.Stream(), [], []
    for h in range(len(samples) // frontend.HOP):
        frames.append(stream.push_s16(samples[h * frontend.HOP:(h + 1) * frontend.HOP]))
        if len(frames) == codebook.block[0]:
            rows.append(frontend.vq_encode(np.stack(frames), codebook.codewords, codebook.block)[0])
            frames = []
    return np.array(rows, dtype=np.uint8)


def test_project_is_standalone_and_heap_free(firmware):
    proj, board = firmware
    for name in ("Makefile", "CMakeLists.txt", "cmake/arm-none-eabi.cmake", f"target/{board}.ld",
                 "target/startup.c", "main.c", "audio_provider.c", "feature_provider.c", "command_recognizer.c",
                 "command_responder.c", "kws_settings.h", "kws_codebook.c", "src/frontend.c", "src/vq_encode.c"):
        assert (proj / name).is_file(), name
    manifest = json.loads((proj / "lossykws.json").read_text())
    assert manifest["board"] == board
    # The input is the dense code window, 64 rows of 8 words (2 KB), not a word per code (16 KB).
    spec = manifest["inputs"][0]
    assert spec["layout"] == "dense" and spec["shape"] == [1, 64, 8] and "dense_refused" not in spec
    assert manifest["ops"][0]["kind"] == "LceBconv2d" and "lkws_bconv2d_dense_opt.c" in manifest["sources"]
    assert "#define KWS_INPUT_DENSE 1" in (proj / "kws_settings.h").read_text()
    assert qemu.check_no_heap(proj / "build" / "fw.elf") == []
    text = subprocess.run(["make", "-s", "-C", str(proj), "size"], capture_output=True, text=True).stdout
    m = re.search(r"flash (\d+) bytes, RAM (\d+) bytes", text)
    assert m and int(m[2]) < 16 * 1024, text
    assert manifest["arena_bytes"] < 4096


def test_codes_equal_python_on_a_stream(firmware, tiny_run, recordings, tmp_path):
    proj, board = firmware
    _, stream = recordings
    codebook = vq.load(tiny_run / "codec" / "vq_codebook.json")
    out = run_firmware(proj, board, "--stack", "--codes", tmp_path / "codes.bin", stream)
    device = np.fromfile(tmp_path / "codes.bin", dtype=np.uint8).reshape(-1, 64)
    expected = python_stream_codes(pcm(stream), codebook)
    assert device.shape == expected.shape and np.array_equal(device, expected)
    # inferences: the first once 1 s of codes is in, then one every KWS_INFERENCE_HOP_ROWS rows
    m = re.search(r"summary hops (\d+) rows (\d+) inferences (\d+) detections (\d+)", out)
    assert m and int(m[2]) == len(expected) and int(m[3]) == 1 + (len(expected) - 64) // 8
    # the whole run fits the project's 4 KiB stack reserve with room to spare
    assert 0 < int(re.search(r"^stack (\d+)", out, re.M)[1]) < 2048


def test_raw_pcm_recording_streams_like_its_wav(firmware, recordings, tmp_path):
    """A headerless .pcm (16 kHz mono s16le) gives the same codes and output as the same WAV; a
    .raw with half a sample is refused in one line (exit 65)."""
    proj, board = firmware
    _, stream = recordings
    raw = tmp_path / "stream.pcm"
    raw.write_bytes(pcm(stream).tobytes())
    out_wav = run_firmware(proj, board, "--codes", tmp_path / "a.bin", stream)
    out_raw = run_firmware(proj, board, "--codes", tmp_path / "b.bin", raw)
    assert (tmp_path / "a.bin").read_bytes() == (tmp_path / "b.bin").read_bytes()
    assert out_wav == out_raw and "summary" in out_raw
    odd = tmp_path / "odd.raw"
    odd.write_bytes(raw.read_bytes()[:-1])
    r = subprocess.run(["qemu-system-arm", "-M", board, "-nographic", "-semihosting-config",
                        "enable=on,target=native", "-kernel", str(proj / "build" / "fw.elf"), "-append", str(odd)],
                       capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL)
    assert r.returncode == 65 and "whole 16-bit samples" in r.stderr and len(r.stderr.strip().splitlines()) == 1


def test_labels_of_clips_equal_the_interpreter_and_the_host_build(firmware, tiny_run, recordings, host_program,
                                                                   tmp_path):
    proj, board = firmware
    clips, _ = recordings
    codebook = vq.load(tiny_run / "codec" / "vq_codebook.json")
    model = (tiny_run / "model.tflite").read_bytes()
    out_tensor = json.loads((proj / "lossykws.json").read_text())["outputs"][0]["tensor"]
    for clip in clips:
        out = run_firmware(proj, board, "--trace", "--codes", tmp_path / "codes.bin", clip)
        codes = codebook.encode_audio(pcm(clip).astype(np.float32) / 32768)
        assert np.array_equal(np.fromfile(tmp_path / "codes.bin", dtype=np.uint8).reshape(64, 64), codes)
        reference = run_all_tensors(model, [vq.bits(codes, codebook.bits)[None]])[out_tensor]
        # The host build's input: the code rows two per byte (low nibble first), the ring's bytes.
        (codes[:, 0::2] | codes[:, 1::2] << 4).astype(np.uint8).tofile(tmp_path / "rows.bin")
        host, _ = run_host(host_program, [tmp_path / "rows.bin"])
        label = int(np.argmax(reference))
        assert re.search(r"^label (\d+) ", host, re.M)[1] == str(label), host
        inferences = re.findall(r"^inference (\d+) (\d+) ", out, re.M)
        assert inferences == [("1000", str(label))], (clip.name, out)


def test_check_model_takes_dense_or_word_per_code_input(tiny_run):
    """kws_settings.h follows the manifest's input layout; a shape that is not the codebook's codes
    is a one-line error."""
    codebook = vq.load(tiny_run / "codec" / "vq_codebook.json")
    original = {"shape": [1, 64, 64, 4]}
    dense = {"inputs": [{"shape": [1, 64, 8], "layout": "dense", "packed_from": original}]}
    words = {"inputs": [{"shape": [1, 64, 64, 1], "layout": "words", "packed_from": original}]}
    assert kws_app.check_model(dense, codebook) == (64, 64, "dense")
    assert kws_app.check_model(words, codebook) == (64, 64, "words")
    header = kws_app.settings_header("/* */\n", codebook, 64, 64, layout="words")
    assert "#define KWS_INPUT_DENSE 0" in header and "#define KWS_INPUT_ROW_WORDS 64" in header
    bad = {"inputs": [{"shape": [1, 64, 64, 1], "layout": "dense", "packed_from": original}]}
    with pytest.raises(LossykwsError, match=r"is not the codes of this codebook"):
        kws_app.check_model(bad, codebook)


def recognize(times, scores, labels, window_ms=500, threshold=0.6, suppression_ms=1000, minimum=2, capacity=6):
    """command_recognizer.c in Python, float32 in the same order: [(time_ms, label, score)]."""
    queue, last, out = [], -(suppression_ms + 1), []
    for t, s in zip(times, scores):
        queue = (queue + [(t, s)])[-capacity:]
        queue = [(u, v) for u, v in queue if u > t - window_ms]
        if len(queue) < minimum:
            continue
        averages = []
        for k in range(len(labels)):
            total = np.float32(0)
            for _, v in queue:
                total = np.float32(total + v[k])
            averages.append(np.float32(total / np.float32(len(queue))))
        best = int(np.argmax(averages))
        if averages[best] < np.float32(threshold) or labels[best].startswith("_") or t - last <= suppression_ms:
            continue
        last = t
        out.append((t, best, int(np.float32(averages[best] * np.float32(1000)) + np.float32(0.5))))
    return out


def test_recognizer_detections_follow_its_python_twin(firmware, tiny_run, recordings, tmp_path):
    proj, board = firmware
    labels = json.loads((tiny_run / "config.json").read_text())["labels"]
    out = run_firmware(proj, board, "--trace", "--scores", tmp_path / "scores.bin", recordings[1])
    scores = np.fromfile(tmp_path / "scores.bin", dtype="<f4").reshape(-1, len(labels))
    times = [int(t) for t, _ in re.findall(r"^inference (\d+) (\d+) ", out, re.M)]
    assert len(times) == len(scores) and times[0] == 1000 and np.diff(times).tolist() == [125] * (len(times) - 1)
    detected = [(int(t), labels.index(name), int(a) * 1000 + int(b)) for name, t, a, b in
                re.findall(r"^detected (\S+) at (\d+) ms \(score (\d)\.(\d{3})\)", out, re.M)]
    assert detected == recognize(times, scores, labels)


def test_instructions_per_stage(firmware, recordings):
    proj, board = firmware
    require_tool("cc")
    subprocess.run(["make", "-s", "-C", str(proj), "plugin"], check=True, capture_output=True)
    plugin = proj / "build" / "insn_count.so"
    counts = {}
    for stage in ("frontend", "vq", "network"):
        run_firmware(proj, board, "--count", stage, recordings[0][0], plugin=plugin)
        values = [int(v) for v in (proj / "build" / "counts.txt").read_text().split()]
        assert len(values) == {"frontend": 128, "vq": 64, "network": 1}[stage]
        counts[stage] = sum(values) / len(values)
    # The front end is the same arithmetic on every hop; the counts are exact, not cycles.
    assert 0 < counts["frontend"] < 100_000 and 0 < counts["vq"] < 100_000 and counts["network"] > 0
    print(board, {k: round(v) for k, v in counts.items()})


def test_cmake_builds_the_same_firmware(firmware, tmp_path):
    require_tool("cmake")
    proj, board = firmware
    copy = tmp_path / "copy"
    shutil.copytree(proj, copy, ignore=shutil.ignore_patterns("build"))
    r = subprocess.run(["cmake", "-S", str(copy), "-B", str(copy / "build-cmake"),
                        f"-DCMAKE_TOOLCHAIN_FILE={copy / 'cmake' / 'arm-none-eabi.cmake'}"],
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stderr[-2000:]
    r = subprocess.run(["cmake", "--build", str(copy / "build-cmake"), "-j4"], capture_output=True, text=True)
    assert r.returncode == 0, (r.stdout + r.stderr)[-2000:]
    assert qemu.check_no_heap(copy / "build-cmake" / "fw.elf") == []


def test_cli_board_and_its_errors(tiny_run, tmp_path):
    r = run("export", tiny_run, "--target", "cortex-m", "--board", "mps2-an500", "--out", tmp_path / "p")
    assert r.returncode == 0, r.stderr
    assert "board mps2-an500" in r.stdout and (tmp_path / "p" / "target" / "mps2-an500.ld").is_file()
    assert_one_line_error(run("export", tiny_run, "--board", "mps2-an500", "--out", tmp_path / "q"),
                          "--board applies to --target cortex-m")
    assert_one_line_error(run("export", tiny_run / "model.tflite", "--target", "cortex-m", "--out", tmp_path / "r"),
                          "takes a run directory")


def test_paths_with_spaces(tiny_run, tiny_corpus, tmp_path):
    """A project exported into a folder with a space could not be emulated: QEMU's semihosting
    command line splits on whitespace. The firmware, its inputs and its outputs now reach QEMU
    through links without spaces; the printed `make -C` hints quote the path."""
    require_tool("qemu-system-arm")
    where = tmp_path / "my projects"
    data = tmp_path / "speech data"
    shutil.copytree(tiny_corpus, data)
    r = run("export", tiny_run, "--target", "cortex-m", "--out", where / "kws fw")
    assert r.returncode == 0, r.stderr
    assert f"make -C '{where / 'kws fw'}' run" in r.stdout
    r = run("emulate", where / "kws fw", "--target", "qemu", data, "--limit", "3", "--json")
    assert r.returncode == 0, r.stderr[-2000:]
    report = json.loads(r.stdout)
    assert report["summary"]["clips"] == 3 and report["summary"]["agree_interpreter"] == 3
    r = run("export", tiny_run, "--target", "host", "--out", where / "host build")
    assert r.returncode == 0 and f"make -C '{where / 'host build'}'" in r.stdout, r.stderr
