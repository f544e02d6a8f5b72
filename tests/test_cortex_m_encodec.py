"""The cortex-m target for EnCodec runs: the firmware receives code frames (the codec's encoder
does not fit a microcontroller) and runs the network on them. From a tiny encodec-bnn run (the
24 kHz architecture with the stand-in checkpoint, 8 codebooks x 75 frames x 10 bits): exported
for mps2-an386 and built, no heap; under QEMU on the codes of the test clips its label and scores
for the full window equal the LCE interpreter's, and on a stream of those codes every inference
(the ring wrapping around) equals the interpreter on that window; nano33ble builds; a codes file
of the wrong size or with a code too wide is a one-line error and a non-zero exit; `lossykws
emulate --target qemu` runs it on a cache's test split or on codes files and refuses audio."""
import json
import re
import shutil
import subprocess

import numpy as np
import pytest

from lossykws.data import audio
from lossykws.features import cache
from lossykws.emulation import qemu
from lossykws.training import run as training
from lossykws.features.codecs import encodec
from lossykws.codegen import kws_app
from lossykws.pipeline.export import export_run
from lossykws.emulation.reference import interpreter_predict
from lossykws.errors import LossykwsError

from cli_run import assert_one_line_error, run
from conftest import require_tool
from encodec_standin import make_standin_checkpoint
from tiny_corpus import make_corpus

BOARD = "mps2-an386"


@pytest.fixture(scope="module")
def encodec_run(tmp_path_factory):
    """A tiny encodec-bnn run (8-8-16-8, one epoch) on the stand-in codec's codes of a tiny corpus
    (one clip per word and speaker: EnCodec's encoder is most of this module's time), and its cache."""
    d = tmp_path_factory.mktemp("encodec-run")
    corpus = make_corpus(d / "corpus", per_speaker=1)
    checkpoint = make_standin_checkpoint(d / "ckpt")
    cache.encode_corpus([corpus], "encodec", d / "cache", "words8", encodec_checkpoint=checkpoint,
                        bandwidth=6, progress=False)
    training.train_run(d / "cache", d / "run", model_name="encodec-bnn", epochs=1, batch_size=8,
                       channels=(8, 8, 16, 8), augment_copies=0, progress=False)
    return d / "run", d / "cache"


@pytest.fixture(scope="module")
def test_codes(encodec_run):
    """The test split's codes int64 [n, codebooks, frames] and the interpreter's scores on them."""
    run_dir, cache_dir = encodec_run
    x = cache.load_split(cache_dir, "test")["x"]
    codes = encodec.bits_to_codes(x)
    assert codes.shape[1:] == (8, 75) and len(np.unique(codes)) > 2
    return codes, interpreter_predict((run_dir / "model.tflite").read_bytes(), x)


@pytest.fixture(scope="module")
def firmware(encodec_run, tmp_path_factory):
    require_tool("arm-none-eabi-gcc")
    proj = tmp_path_factory.mktemp("fw") / BOARD
    export_run(str(encodec_run[0]), "cortex-m", str(proj), board=BOARD)
    r = subprocess.run(["make", "-C", str(proj), "-j2"], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr[-3000:]
    return proj


def write_codes(path, codes):
    """codes [codebooks, frames] as the firmware reads them: little-endian uint16 [frames, codebooks]."""
    np.asarray(codes).T.astype("<u2").tofile(path)
    return path


def qemu_run(proj, *args, plugin=None):
    require_tool("qemu-system-arm")
    cmd = ["qemu-system-arm", "-M", BOARD, "-nographic", "-semihosting-config", "enable=on,target=native"]
    if plugin is not None:
        begin, end = qemu.marker_addresses(proj / "build" / "fw.elf")
        cmd += ["-plugin", f"{plugin},begin={begin:#x},end={end:#x},out={proj / 'build' / 'counts.txt'}"]
    cmd += ["-kernel", str(proj / "build" / "fw.elf"), "-append", " ".join(map(str, args))]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL)


def assert_scores_match(firmware_scores, reference):
    """Float tensors within 1e-5 * max(1, |b|) of the interpreter's; the label always equal."""
    tolerance = 1e-5 * np.maximum(1.0, np.abs(reference))
    assert np.all(np.abs(firmware_scores - reference) <= tolerance), (firmware_scores, reference)
    assert np.array_equal(np.argmax(firmware_scores, -1), np.argmax(reference, -1))


def test_project_takes_code_frames_and_links_no_heap(firmware):
    settings = (firmware / "kws_settings.h").read_text()
    for define in ("KWS_CODEBOOKS 8", "KWS_CODE_BITS 10", "KWS_FRAMES 75", "KWS_FRAME_RATE_HZ 75",
                   "KWS_INPUT_DENSE 1", "KWS_INPUT_ROW_WORDS 24", "KWS_INFERENCE_HOP_FRAMES 9"):
        assert f"#define {define}\n" in settings
    # No audio path: the encoder is not on the device. The shared application files are the VQ template's.
    assert not any((firmware / f).exists() for f in ("audio_provider.c", "feature_provider.c", "kws_codebook.c"))
    for name in ("command_recognizer.c", "command_responder.c", "console.c", "console.h", "model_output.c", "Makefile"):
        assert (firmware / name).read_bytes() == (kws_app.TEMPLATE / name).read_bytes()
    assert "code_frames_push" in (firmware / "code_source.c").read_text()
    assert qemu.check_no_heap(firmware / "build" / "fw.elf") == []


def test_full_window_of_each_clip_equals_the_interpreter(firmware, test_codes, tmp_path):
    codes, reference = test_codes
    labels = [str(x) for x in (firmware / "model_settings.h").read_text().split("MODEL_LABELS {")[1]
              .split("}")[0].replace('"', "").split(", ")]
    for i in range(len(codes)):
        r = qemu_run(firmware, "--trace", "--scores", tmp_path / "s.bin", write_codes(tmp_path / "c.u16", codes[i]))
        assert r.returncode == 0, r.stderr
        best = int(np.argmax(reference[i]))
        assert re.findall(r"^inference (\d+) (\d+) (\S+)$", r.stdout, re.M) == [("1000", str(best), labels[best])]
        assert "summary frames 75 inferences 1 " in r.stdout
        assert_scores_match(np.fromfile(tmp_path / "s.bin", dtype=np.float32), reference[i])


def test_stream_every_inference_equals_the_interpreter(encodec_run, firmware, test_codes, tmp_path):
    """The test codes one after another: an inference every 9 frames once 75 have arrived, each on
    the last 75 frames (the ring wraps many times), equal to the interpreter on that window."""
    codes, _ = test_codes
    stream = np.concatenate(list(codes), axis=1)  # [8, 75 * n]
    r = qemu_run(firmware, "--trace", "--scores", tmp_path / "s.bin", write_codes(tmp_path / "stream.u16", stream))
    assert r.returncode == 0, r.stderr
    ends = list(range(75, stream.shape[1] + 1, 9))
    times = [int(t) for t in re.findall(r"^inference (\d+) ", r.stdout, re.M)]
    assert times == [end * 1000 // 75 for end in ends]
    windows = np.stack([encodec.codes_to_bits(stream[:, end - 75:end], 10) for end in ends])
    reference = interpreter_predict((encodec_run[0] / "model.tflite").read_bytes(), windows)
    assert_scores_match(np.fromfile(tmp_path / "s.bin", dtype=np.float32).reshape(len(ends), -1), reference)


def test_instructions_per_stage(firmware, test_codes, tmp_path):
    require_tool("cc")
    subprocess.run(["make", "-s", "-C", str(firmware), "plugin"], check=True, capture_output=True)
    codes, _ = test_codes
    stream = write_codes(tmp_path / "two.u16", np.concatenate([codes[0], codes[1]], axis=1))
    counts = {}
    for stage in ("frame", "input", "network"):
        r = qemu_run(firmware, "--count", stage, stream, plugin=firmware / "build" / "insn_count.so")
        assert r.returncode == 0, r.stderr
        counts[stage] = [int(v) for v in (firmware / "build" / "counts.txt").read_text().split()]
    # 150 frames, each stored once; inferences at frames 75, 84, ..., 147, each with its input written.
    assert [len(counts[s]) for s in ("frame", "input", "network")] == [150, 9, 9]
    # Writing the window is the same work every time; storing a frame too, except in slots whose
    # codes straddle two ring words; the network nearly so (its float head's arithmetic varies).
    frame = counts["frame"]
    assert len(set(counts["input"])) == 1 and 0 < min(frame) and max(frame) < 2 * min(frame)
    net = counts["network"]
    assert max(frame) < counts["input"][0] < min(net) and max(net) - min(net) < 0.05 * min(net)
    r = qemu_run(firmware, "--count", "vq", stream)
    assert r.returncode == 64 and "--count takes frame, input or network" in r.stderr


def test_bad_codes_files_are_one_line_errors(firmware, test_codes, tmp_path):
    codes, _ = test_codes
    good = write_codes(tmp_path / "good.u16", codes[0])
    cut = tmp_path / "cut.u16"
    cut.write_bytes(good.read_bytes()[:-3])
    wide = codes[0].copy()
    wide[3, 40] = 1 << 10
    for path, status, fragment in ((cut, 65, "not a whole number of frames (uint16 x 8 codebooks = 16 bytes"),
                                   (write_codes(tmp_path / "wide.u16", wide), 65, "does not fit in 10 bits"),
                                   (tmp_path / "missing.u16", 66, "cannot open the codes file")):
        r = qemu_run(firmware, path)
        assert r.returncode == status
        lines = r.stderr.strip().splitlines()
        assert len(lines) == 1 and fragment in lines[0] and str(path.name) in lines[0], r.stderr
        assert "inference" not in r.stdout


def test_nano33ble_builds_with_pushed_frames(encodec_run, tmp_path):
    require_tool("arm-none-eabi-gcc")
    proj = tmp_path / "nano"
    r = run("export", encodec_run[0], "--target", "cortex-m", "--board", "nano33ble", "--out", proj)
    assert r.returncode == 0, r.stderr
    assert "board nano33ble" in r.stdout
    assert (proj / "code_source.c").read_bytes() == (kws_app.TEMPLATE / "code_source_push.c").read_bytes()
    r = subprocess.run(["make", "-C", str(proj), "-j2"], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr[-3000:]
    # The entry point the application calls (the linker drops it until something does).
    symbols = subprocess.run(["arm-none-eabi-nm", str(proj / "build" / "obj" / "code_source.o")],
                             capture_output=True, text=True, check=True).stdout
    assert re.search(r" T code_frames_push$", symbols, re.M) and re.search(r" T code_source_read_frame$", symbols, re.M)
    assert qemu.check_no_heap(proj / "build" / "fw.elf") == []


def test_cmake_builds_the_firmware(firmware, tmp_path):
    require_tool("cmake")
    copy = tmp_path / "copy"
    shutil.copytree(firmware, copy, ignore=shutil.ignore_patterns("build"))
    r = subprocess.run(["cmake", "-S", str(copy), "-B", str(copy / "build-cmake"),
                        f"-DCMAKE_TOOLCHAIN_FILE={copy / 'cmake' / 'arm-none-eabi.cmake'}"],
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stderr[-2000:]
    r = subprocess.run(["cmake", "--build", str(copy / "build-cmake"), "-j2"], capture_output=True, text=True)
    assert r.returncode == 0, (r.stdout + r.stderr)[-2000:]
    assert qemu.check_no_heap(copy / "build-cmake" / "fw.elf") == []


def test_check_code_model_layouts_and_refusals():
    def manifest(shape, original, layout):
        return {"inputs": [{"shape": shape, "layout": layout, "packed_from": {"shape": original}}]}

    assert kws_app.check_code_model(manifest([1, 8, 24], [1, 8, 75, 10], "dense")) == (8, 75, 10, "dense")
    assert kws_app.check_code_model(manifest([1, 8, 75, 1], [1, 8, 75, 10], "words")) == (8, 75, 10, "words")
    header = kws_app.codes_settings_header("/* x */\n", kws_app.CodeFrames("local codec"), 8, 80, 10, layout="words")
    assert "#define KWS_INPUT_DENSE 0\n" in header and "#define KWS_INPUT_ROW_WORDS 80\n" in header
    assert "#define KWS_INFERENCE_HOP_FRAMES 10\n" in header  # 125 ms at 80 Hz
    with pytest.raises(LossykwsError, match="not EnCodec code bits"):
        kws_app.check_code_model(manifest([1, 64, 64, 1], [1, 64, 64, 17], "words"))
    with pytest.raises(LossykwsError, match=r"is not \[1, 8, 24\]"):
        kws_app.check_code_model(manifest([1, 8, 75, 1], [1, 8, 75, 10], "dense"))
    with pytest.raises(LossykwsError, match="one bitpacked input"):
        kws_app.check_code_model({"inputs": [{"shape": [1, 8, 75, 10]}]})


def test_cli_refuses_a_codec_without_firmware(encodec_run, tmp_path):
    """A run whose codec is neither VQ nor EnCodec (the float tf features) is refused in one line."""
    run_dir = tmp_path / "tf-run"
    shutil.copytree(encodec_run[0], run_dir)
    config = json.loads((run_dir / "config.json").read_text())
    config["codec"] = {"codec": "tf"}
    (run_dir / "config.json").write_text(json.dumps(config))
    assert_one_line_error(run("export", run_dir, "--target", "cortex-m", "--out", tmp_path / "p"),
                          "this run's codec is tf")
    assert not (tmp_path / "p").exists()


def test_emulate_runs_the_code_frame_firmware_on_a_cache(encodec_run, firmware, test_codes):
    """`lossykws emulate FW --target qemu CACHE`: the cache's test split, clip after clip in one codes
    file; at each clip's end the firmware's label equals the interpreter's and the host build's, its
    scores within tolerance; instructions per stage, memory, no heap."""
    codes, reference = test_codes
    r = run("emulate", firmware, "--target", "qemu", encodec_run[1], "--json")
    assert r.returncode == 0, r.stderr
    report = json.loads(r.stdout)
    labels = report["labels"]
    assert report["input"] == "code frames"
    assert [c["label"] for c in report["clips"]] == [labels[int(k)] for k in np.argmax(reference, -1)]
    s = report["summary"]
    assert s["clips"] == len(codes) == s["agree_host"] == s["agree_interpreter"] == s["labelled"]
    assert s["max_score_error"] <= 1e-5
    split = cache.load_split(encodec_run[1], "test")
    assert [c["true_label"] for c in report["clips"]] == [split["label_names"][k] for k in split["labels"]]
    assert s["correct"] == sum(c["label"] == c["true_label"] for c in report["clips"])
    n = report["instructions"]
    assert n["calls"] == {"frame": 75, "input": 1, "network": 1}
    assert 0 < n["frame"] < n["input"] < n["network"]
    t = report["timing"]
    assert t["per_second"]["network"] == pytest.approx(n["network"] * 75 / 9) and t["frames_per_second"] == 75
    assert report["memory"]["ram"]["arena"] > 0 and report["heap_symbols"] == []
    text = run("emulate", firmware, "--target", "qemu", encodec_run[1], "--limit", "2")
    assert text.returncode == 0, text.stderr
    assert "fed code frames" in text.stdout and "clips 2: accuracy" in text.stdout
    assert "with the LCE interpreter 2/2" in text.stdout and "codes equal" not in text.stdout


def test_emulate_takes_codes_files(firmware, test_codes, tmp_path):
    """Codes files of one window each; the true label from a parent folder named after a label."""
    codes, reference = test_codes
    labels = json.loads((firmware / "lossykws.json").read_text())["labels"]
    (tmp_path / labels[0]).mkdir()
    files = [write_codes(tmp_path / labels[0] / "a.u16", codes[0]), write_codes(tmp_path / "b.u16", codes[1])]
    r = run("emulate", firmware, "--target", "qemu", *files, "--json")
    assert r.returncode == 0, r.stderr
    report = json.loads(r.stdout)
    assert [c["label"] for c in report["clips"]] == [labels[int(k)] for k in np.argmax(reference[:2], -1)]
    assert [c["true_label"] for c in report["clips"]] == [labels[0], None]
    assert report["summary"]["agree_interpreter"] == report["summary"]["agree_host"] == 2


def test_emulate_refuses_audio_and_bad_codes_in_one_line(encodec_run, firmware, test_codes, tmp_path):
    """The firmware is fed code frames: a WAV, --stream, a codes file of the wrong size or with a code
    too wide, and a cache of another codec are one-line errors that say what it takes."""
    codes, _ = test_codes
    wav = tmp_path / "x.wav"
    audio.write_wav(wav, np.zeros(16000))
    assert_one_line_error(run("emulate", firmware, "--target", "qemu", wav), "x.wav", "fed code frames, not audio")
    assert_one_line_error(run("emulate", firmware, "--target", "qemu", "--stream", encodec_run[1]),
                          "--stream", "fed code frames")
    short = write_codes(tmp_path / "short.u16", codes[0][:, :70])
    assert_one_line_error(run("emulate", firmware, "--target", "qemu", short), "short.u16", "expected one window",
                          "75 frames x 8 codebooks")
    wide = codes[0].copy()
    wide[2, 10] = 1 << 10
    assert_one_line_error(run("emulate", firmware, "--target", "qemu", write_codes(tmp_path / "wide.u16", wide)),
                          "wide.u16", "does not fit in the codec's 10 bits")
    other = tmp_path / "other-cache"
    shutil.copytree(encodec_run[1], other)
    key = json.loads((other / "key.json").read_text())
    key["codec"]["bandwidth"] = 12.0
    (other / "key.json").write_text(json.dumps(key))
    assert_one_line_error(run("emulate", firmware, "--target", "qemu", other), "other-cache", "another codec")


DRIVER = r"""
#include <stdio.h>
#include "code_frame_provider.h"
static code_frame_provider cp;
static int32_t input[KWS_CODEBOOKS * KWS_INPUT_ROW_WORDS];
int main(int argc, char **argv)
{
    FILE *in = fopen(argv[1], "rb"), *out = fopen(argv[2], "wb");
    uint16_t frame[KWS_CODEBOOKS], newest[KWS_CODEBOOKS];
    (void)argc;
    code_frame_provider_reset(&cp);
    while (fread(frame, sizeof frame, 1, in) == 1) {
        if (code_frame_provider_push(&cp, frame) != 0) {
            return 2;
        }
        code_frame_provider_frame(&cp, 0, newest);
        for (int b = 0; b < KWS_CODEBOOKS; b++) {
            if (newest[b] != frame[b]) {
                return 3;
            }
        }
        if (code_frame_provider_window_ready(&cp)) {
            code_frame_provider_write_input(&cp, input);
            fwrite(input, sizeof input, 1, out);
        }
    }
#if KWS_CODE_BITS < 16
    int32_t before = cp.frames;
    frame[0] = (uint16_t)(1u << KWS_CODE_BITS); /* too wide: refused, nothing stored */
    if (code_frame_provider_push(&cp, frame) != -1 || cp.frames != before) {
        return 4;
    }
#endif
    return 0;
}
"""


@pytest.mark.parametrize("books,frames,bits,dense", [(8, 75, 10, 1), (8, 75, 10, 0), (3, 7, 16, 1), (2, 11, 3, 1)])
def test_ring_writes_each_window_as_lce_packs_it(tmp_path, books, frames, bits, dense):
    """The provider alone, built for the host: after every frame once the window is full, the
    model's input equals numpy's packing of the last `frames` frames (dense bit rows, or one word
    per code: the LCE word of a code's +-1 bits is the code itself), the ring wrapping around and
    codes straddling ring words."""
    require_tool("cc")
    header = kws_app.codes_settings_header("/* test */\n", kws_app.CodeFrames("test"), books, frames, bits,
                                           layout="dense" if dense else "words")
    (tmp_path / "kws_settings.h").write_text(header)
    (tmp_path / "driver.c").write_text(DRIVER)
    exe = tmp_path / "driver"
    subprocess.run(["cc", "-std=c99", "-Wall", "-Wextra", "-Werror", "-O1", f"-I{tmp_path}",
                    f"-I{kws_app.TEMPLATE}", str(kws_app.TEMPLATE / "code_frame_provider.c"),
                    str(tmp_path / "driver.c"), "-o", str(exe)], check=True, capture_output=True)
    codes = np.random.default_rng(bits).integers(0, 1 << bits, size=(books, 3 * frames + 5))
    write_codes(tmp_path / "codes.u16", codes)
    r = subprocess.run([str(exe), str(tmp_path / "codes.u16"), str(tmp_path / "inputs.bin")])
    assert r.returncode == 0
    row_words = (frames * bits + 31) // 32 if dense else frames
    got = np.fromfile(tmp_path / "inputs.bin", dtype="<u4").reshape(-1, books, row_words)
    ends = range(frames, codes.shape[1] + 1)
    assert len(got) == len(ends)
    for window, end in zip(got, ends):
        last = codes[:, end - frames:end]
        if dense:
            set_bits = encodec.codes_to_bits(last, bits).reshape(books, -1) < 0  # frame x's bit j at x*bits + j
            padded = np.zeros((books, row_words * 32), dtype=np.uint8)
            padded[:, :frames * bits] = set_bits
            expected = np.packbits(padded.reshape(books, row_words, 32), axis=-1, bitorder="little").view("<u4")
            assert np.array_equal(window, expected.reshape(books, row_words)), end
        else:
            assert np.array_equal(window, last), end
