"""The cortex-m firmware on the boards beyond the MPS2 pair: netduinoplus2 (QEMU's STM32F405,
Cortex-M4F) and nano33ble (Arduino Nano 33 BLE Sense, nRF52840, a real board QEMU does not model).

Every board (the MPS2 pair too) is exported from a tiny trained VQ run and built with make: no
heap, and every section of the ELF inside the board's flash and RAM. netduinoplus2 runs under qemu-system-arm on test-split
clips: its codes equal Python's, and its labels, scores and codes equal the mps2-an386 build's
bit for bit (same C, same FPU). nano33ble cannot run here: its build is checked (vector table,
UART console and PDM microphone provider linked in place of semihosting, the flash rule)."""
import json
import re
import shutil
import subprocess

import numpy as np
import pytest

from lossykws.data import audio
from lossykws import c_runtime
from lossykws.emulation import qemu
from lossykws.features.codecs import vq
from lossykws.codegen.kws_app import BOARDS
from lossykws.pipeline.export import export_run
from lossykws.errors import LossykwsError
from lossykws.emulation.reference import run_all_tensors

from conftest import require_tool
from tiny_corpus import SPEAKERS, WORDS, tiny_corpus, tiny_vq_cache, tiny_vq_run  # noqa: F401  (fixtures)


@pytest.fixture(scope="module")
def tiny_run(tiny_vq_run):
    return tiny_vq_run


@pytest.fixture(scope="module")
def clips(tiny_corpus):
    """The test speaker's clips: 1 s, 16 kHz mono 16-bit WAV files as audio.write_wav wrote them."""
    return [p for w in WORDS for p in sorted((tiny_corpus / w).glob(f"{SPEAKERS['test'][0]}_*.wav"))]


@pytest.fixture(scope="module")
def build(tiny_run, tmp_path_factory):
    """build(board, KWS_CFLAGS=...) -> the project dir, exported and built with make (once per board)."""
    require_tool("arm-none-eabi-gcc")
    built = {}

    def make(board, cflags=""):
        if (board, cflags) not in built:
            proj = tmp_path_factory.mktemp("fw") / board
            export_run(str(tiny_run), "cortex-m", str(proj), board=board)
            r = subprocess.run(["make", "-C", str(proj), "-j2", f"KWS_CFLAGS={cflags}"], capture_output=True,
                               text=True)
            assert r.returncode == 0, r.stderr[-3000:]
            built[(board, cflags)] = proj
        return built[(board, cflags)]
    return make


def sections(elf):
    """[(name, size, vma, lma, flags)] of the ELF's allocated sections (arm-none-eabi-objdump -h)."""
    text = subprocess.run(["arm-none-eabi-objdump", "-h", str(elf)], capture_output=True, text=True,
                          check=True).stdout
    rows = re.findall(r"^\s*\d+\s+(\S+)\s+([0-9a-f]+)\s+([0-9a-f]+)\s+([0-9a-f]+)\s+[0-9a-f]+\s+\S+\n\s+(.*)$",
                      text, re.M)
    return [(n, int(s, 16), int(v, 16), int(l, 16), f) for n, s, v, l, f in rows if "ALLOC" in f]


def symbols(elf):
    """{name: address} of the ELF's defined symbols (Thumb bit as nm prints it: cleared)."""
    nm = subprocess.run(["arm-none-eabi-nm", str(elf)], capture_output=True, text=True, check=True).stdout
    return {n: int(a, 16) for a, n in re.findall(r"^([0-9a-f]+) \w (\w+)$", nm, re.M)}


def flash_image(elf):
    """The bytes of .text as they are written to flash (the vector table first)."""
    return subprocess.run(["arm-none-eabi-objcopy", "-O", "binary", "-j", ".text", str(elf), "/dev/stdout"],
                          capture_output=True, check=True).stdout


def within(region, start, size):
    origin, length = region
    return origin <= start and start + size <= origin + length


def run_board(proj, board, *args):
    result = qemu.run_qemu(proj / "build" / "fw.elf", [str(a) for a in args], machine=board, timeout=120)
    assert result.returncode == 0, result.stderr
    return result.stdout


@pytest.mark.parametrize("board", list(BOARDS))
def test_builds_heap_free_within_the_boards_memory(build, board):
    proj = build(board)
    elf = proj / "build" / "fw.elf"
    assert qemu.check_no_heap(elf) == []
    spec = BOARDS[board]
    found = sections(elf)
    assert {".text", ".data", ".bss", ".stack"} <= {name for name, *_ in found}
    for name, size, vma, lma, flags in found:
        assert within(spec["flash"], vma, size) or within(spec["ram"], vma, size), (name, hex(vma), size)
        if "LOAD" in flags:  # what the image holds (code, constants, .data's initial values) is in flash
            assert within(spec["flash"], lma, size), (name, hex(lma), size)
    stack_top = max(vma + size for name, size, vma, *_ in found if name == ".stack")
    text = subprocess.run(["make", "-s", "-C", str(proj), "size"], capture_output=True, text=True).stdout
    flash, ram = map(int, re.search(r"flash (\d+) bytes, RAM (\d+) bytes", text).groups())
    assert 0 < flash < spec["flash"][1] and 0 < ram < spec["ram"][1], text
    # the vector table opens flash: initial stack pointer, then the reset handler
    vectors = np.frombuffer(flash_image(elf)[:8], dtype="<u4")
    assert vectors[0] == stack_top and vectors[1] == symbols(elf)["Reset_Handler"] | 1
    assert spec["flash"][0] == min(vma for name, size, vma, *_ in found if name == ".text")


def assert_netduinoplus2_equals_mps2_an386_and_python(build, tiny_run, recordings, tmp_path):
    """On each 1 s recording: netduinoplus2's output, codes and scores equal mps2-an386's byte for
    byte; its codes equal Python's and its label the LCE interpreter's on those codes."""
    nd, ref = build("netduinoplus2"), build("mps2-an386")
    codebook = vq.load(tiny_run / "codec" / "vq_codebook.json")
    model = (tiny_run / "model.tflite").read_bytes()
    out_tensor = json.loads((nd / "lossykws.json").read_text())["outputs"][0]["tensor"]
    for clip in recordings:
        outputs = {}
        for board, proj in (("netduinoplus2", nd), ("mps2-an386", ref)):
            codes, scores = tmp_path / f"{board}.codes", tmp_path / f"{board}.scores"
            text = run_board(proj, board, "--trace", "--codes", codes, "--scores", scores, clip)
            outputs[board] = (text, codes.read_bytes(), scores.read_bytes())
        assert outputs["netduinoplus2"] == outputs["mps2-an386"], clip.name
        text, codes, _ = outputs["netduinoplus2"]
        samples = np.frombuffer(clip.read_bytes()[44:], dtype="<i2")
        expected = codebook.encode_audio(samples.astype(np.float32) / 32768)
        assert np.array_equal(np.frombuffer(codes, dtype=np.uint8).reshape(64, 64), expected)
        label = int(np.argmax(run_all_tensors(model, [vq.bits(expected, codebook.bits)[None]])[out_tensor]))
        assert re.findall(r"^inference (\d+) (\d+) ", text, re.M) == [("1000", str(label))], text
        assert re.search(r"^summary hops 128 rows 64 inferences 1 ", text, re.M), text


def test_netduinoplus2_equals_mps2_an386_and_python(build, tiny_run, clips, tmp_path):
    assert_netduinoplus2_equals_mps2_an386_and_python(build, tiny_run, clips[:3], tmp_path)


def test_netduinoplus2_on_real_speech(build, tiny_run, shared_clips, tmp_path):
    """Two real Speech Commands clips, padded or trimmed to 1 s in tmp_path (never copied here)."""
    recordings = []
    for word in ("yes", "stop"):
        source = sorted((shared_clips / word).glob("*.wav"))[0]
        recordings.append(tmp_path / f"{word}.wav")
        audio.write_wav(recordings[-1], audio.load_clip(source))
    assert_netduinoplus2_equals_mps2_an386_and_python(build, tiny_run, recordings, tmp_path)


def test_netduinoplus2_bad_recording_is_one_line(build, tmp_path):
    proj = build("netduinoplus2")
    (tmp_path / "bad.wav").write_bytes(b"RIFF\0\0\0\0WAVEjunk")
    result = qemu.run_qemu(proj / "build" / "fw.elf", [str(tmp_path / "bad.wav")], machine="netduinoplus2")
    assert result.returncode == 65 and result.stdout == ""
    assert result.stderr.strip().splitlines() == [f"error: no data chunk in the WAV file {tmp_path / 'bad.wav'}"]


def test_nano33ble_links_its_uart_console_and_pdm_microphone(build, tmp_path):
    proj = build("nano33ble")
    elf = proj / "build" / "fw.elf"
    assert (proj / "console.c").read_bytes() == (c_runtime.TARGETS / "nano33ble/console_uart.c").read_bytes()
    assert (proj / "audio_provider.c").read_bytes() == \
        (c_runtime.TARGETS / "nano33ble/audio_provider_pdm.c").read_bytes()
    linked = symbols(elf)
    # no WAV parsing and no semihosting console: lkws_sh_print is not linked, the PDM handler is,
    # at interrupt 29 (PDM's peripheral ID, 0x4001D000 >> 12 & 0xFF) of the vector table
    assert "lkws_sh_print" not in linked and "lkws_sh_flen" not in linked
    image = flash_image(elf)
    vectors = np.frombuffer(image[:4 * (16 + 48)], dtype="<u4")
    assert vectors[16 + 29] == linked["PDM_IRQHandler"] | 1
    assert all(v == vectors[16] for k, v in enumerate(vectors[16:]) if k != 29)
    # the built-in command line: "fw.elf mic" by default, -DKWS_COMMAND_LINE changes it
    assert b"fw.elf mic\0" in image
    other = build("nano33ble", '-DKWS_COMMAND_LINE="\\"fw.elf --trace mic\\""')
    assert b"fw.elf --trace mic\0" in flash_image(other / "build" / "fw.elf")
    # make run refuses (no QEMU machine); make flash is OpenOCD's nRF52 target on this ELF
    r = subprocess.run(["make", "-s", "-C", str(proj), "run", "WAV=x.wav"], capture_output=True, text=True)
    assert r.returncode != 0 and "does not run under QEMU" in r.stdout
    r = subprocess.run(["make", "-n", "-C", str(proj), "flash"], capture_output=True, text=True)
    assert r.returncode == 0 and "-f target/nrf52.cfg" in r.stdout and 'program build/fw.elf verify reset exit' in r.stdout
    r = subprocess.run(["make", "-n", "-C", str(proj), "flash", "FLASHER=pyocd"], capture_output=True, text=True)
    assert r.returncode == 0 and "pyocd flash -t nrf52840 build/fw.elf" in r.stdout


def test_nano33ble_cmake_build(build, tmp_path):
    require_tool("cmake")
    proj = build("nano33ble")
    copy = tmp_path / "copy"
    shutil.copytree(proj, copy, ignore=shutil.ignore_patterns("build"))
    r = subprocess.run(["cmake", "-S", str(copy), "-B", str(copy / "b"),
                        f"-DCMAKE_TOOLCHAIN_FILE={copy / 'cmake' / 'arm-none-eabi.cmake'}"], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr[-2000:]
    r = subprocess.run(["cmake", "--build", str(copy / "b"), "-j2"], capture_output=True, text=True)
    assert r.returncode == 0, (r.stdout + r.stderr)[-2000:]
    assert qemu.check_no_heap(copy / "b" / "fw.elf") == []


def test_unknown_board_is_one_line(tiny_run, tmp_path):
    with pytest.raises(LossykwsError, match=r"^board teensy41: not supported \(use mps2-an386, mps2-an500, "
                                            r"netduinoplus2, nano33ble\)$"):
        export_run(str(tiny_run), "cortex-m", str(tmp_path / "p"), board="teensy41")
    assert not (tmp_path / "p").exists()
