"""The cortex-m target: a standalone keyword-spotting firmware project around a generated model:
a VQ model fed audio, or an EnCodec model fed code frames (code_app_files, below).

The application follows TFLite Micro's micro_speech split (firmware/templates/cortex-m: a front
door, audio and feature providers or a code source and code-frame provider, command recognizer,
command responder, main.c; template_files picks a door's files); this module adds the
board files (firmware/targets/BOARD), the runtime the feature provider needs (front end, FFT, VQ
encoder), the instruction counter, and two generated files: kws_settings.h (the codec's shape,
the code ring and the recognizer's defaults) and kws_codebook.c/.h (the run's VQ codewords,
exact float32 literals).

    files = app_files(manifest, "mps2-an386", codebook)   # {relative path: bytes or str}
"""

import numpy as np

from lossykws import c_runtime
from lossykws.errors import LossykwsError

FIRMWARE = c_runtime.FIRMWARE
TEMPLATE = c_runtime.TEMPLATES / "cortex-m"
PLUGIN_DIR = c_runtime.QEMU_PLUGIN
_ARMV7M = c_runtime.TARGETS / "armv7m"  # startup, semihosting, armv7m.mk: shared by ARMv7-M boards

# Each board: its folder under firmware/targets (board.mk, linker script), the CPU flags CMake
# needs, QEMU's machine (None: a board QEMU does not model), the memory its linker script gives
# (origin, bytes), and its I/O: "semihosting" (the host's files and console: QEMU, or a debugger)
# or "uart" (a serial console and the on-board microphone).
BOARDS = {
    "mps2-an386": {"arch_flags": "-mcpu=cortex-m4 -mthumb -mfloat-abi=hard -mfpu=fpv4-sp-d16",
                   "core": "Cortex-M4F", "qemu_machine": "mps2-an386", "io": "semihosting",
                   "flash": (0x00000000, 4 << 20), "ram": (0x20000000, 4 << 20)},
    "mps2-an500": {"arch_flags": "-mcpu=cortex-m7 -mthumb -mfloat-abi=hard -mfpu=fpv5-d16",
                   "core": "Cortex-M7", "qemu_machine": "mps2-an500", "io": "semihosting",
                   "flash": (0x00000000, 4 << 20), "ram": (0x20000000, 4 << 20)},
    "netduinoplus2": {"arch_flags": "-mcpu=cortex-m4 -mthumb -mfloat-abi=hard -mfpu=fpv4-sp-d16",
                      "core": "Cortex-M4F (STM32F405)", "qemu_machine": "netduinoplus2", "io": "semihosting",
                      "flash": (0x08000000, 1 << 20), "ram": (0x20000000, 128 << 10)},
    "nano33ble": {"arch_flags": "-mcpu=cortex-m4 -mthumb -mfloat-abi=hard -mfpu=fpv4-sp-d16",
                  "core": "Cortex-M4F (nRF52840, 64 MHz)", "qemu_machine": None, "io": "uart",
                  "flash": (0x00000000, 1 << 20), "ram": (0x20000000, 256 << 10)},
}
DEFAULT_BOARD = "mps2-an386"

# The runtime the feature provider calls, beside the model's own sources.
FEATURE_SOURCES = ("frontend.c", "frontend_tables.c", "fft.c", "vq_encode.c")

# Recognizer defaults (micro_speech's RecognizeCommands, in ms of audio). Each is an #ifndef in
# kws_settings.h, so `make KWS_CFLAGS=-DKWS_SUPPRESSION_MS=500` overrides it.
RECOGNIZER = {"KWS_INFERENCE_HOP_ROWS": 8, "KWS_AVERAGE_WINDOW_MS": 500, "KWS_DETECTION_THRESHOLD": 0.6,
              "KWS_SUPPRESSION_MS": 1000, "KWS_MINIMUM_COUNT": 2}

ROW_MS = 2 * 125 * 1000 / 16000  # a row of codes: 2 hops of 125 samples (block_t = 2)


def check_board(board):
    if board not in BOARDS:
        raise LossykwsError(f"board {board}: not supported (use {', '.join(BOARDS)})")
    return BOARDS[board]


def check_model(manifest, codebook):
    """The model takes one packed int32 input from codes of codebook.bits planes: dense rows
    [1, rows, ceil(cols*bits/32)] read by its first binary convolution (layout "dense") or LCE's
    word per code [1, rows, cols, 1] (layout "words"). Returns (rows, cols, layout)."""
    ins = manifest["inputs"]
    if len(ins) != 1 or "packed_from" not in ins[0]:
        raise LossykwsError("the cortex-m target needs a model with one bitpacked input (export with packed input)")
    shape, original = ins[0]["shape"], ins[0]["packed_from"]["shape"]
    rows, cols = 128 // codebook.block[0], 128 // codebook.block[1]
    layout = ins[0].get("layout", "words")
    packed = [1, rows, (cols * codebook.bits + 31) // 32] if layout == "dense" else [1, rows, cols, 1]
    if shape != packed or original != [1, rows, cols, codebook.bits]:
        raise LossykwsError(f"the model's input {original} is not the codes of this codebook "
                            f"([1, {rows}, {cols}, {codebook.bits}])")
    return rows, cols, layout


def settings_values(codebook, rows, cols, recognizer=None, layout="words"):
    """The numbers of a VQ firmware's kws_settings.h, {name: value}: what the header defines and
    what lossykws.json records (manifest["firmware"]["settings"]) for the tools that drive the
    firmware, so that nothing reads them back from the C."""
    rec = dict(RECOGNIZER, **(recognizer or {}))
    per_byte = 2 if codebook.bits <= 4 else 1
    values = {"KWS_VQ_K": codebook.k, "KWS_VQ_BLOCK_T": codebook.block[0], "KWS_VQ_BLOCK_F": codebook.block[1],
              "KWS_CODE_BITS": codebook.bits, "KWS_CODE_ROWS": rows, "KWS_CODE_COLS": cols,
              "KWS_CODES_PER_BYTE": per_byte, "KWS_CODE_ROW_BYTES": cols // per_byte,
              "KWS_INPUT_DENSE": int(layout == "dense"),
              "KWS_INPUT_ROW_WORDS": (cols * codebook.bits + 31) // 32 if layout == "dense" else cols}
    # Results in the averaging window: one per inference hop, plus the one that just arrived.
    capacity = int(rec["KWS_AVERAGE_WINDOW_MS"] // (rec["KWS_INFERENCE_HOP_ROWS"] * ROW_MS)) + 2
    return dict(values, **rec, KWS_AVERAGE_CAPACITY=capacity)


def settings_header(stamp, codebook, rows, cols, recognizer=None, layout="words"):
    v = settings_values(codebook, rows, cols, recognizer, layout)
    lines = [stamp.rstrip(), "#ifndef KWS_SETTINGS_H", "#define KWS_SETTINGS_H", "",
             "/* The VQ codec (the run's codec/vq_codebook.json). */",
             *_defines(v, "KWS_VQ_K", "KWS_VQ_BLOCK_T", "KWS_VQ_BLOCK_F", "KWS_CODE_BITS"),
             "", "/* The code window the model sees: rows (time) x cols (frequency), kept in a ring. */",
             *_defines(v, "KWS_CODE_ROWS", "KWS_CODE_COLS", "KWS_CODES_PER_BYTE", "KWS_CODE_ROW_BYTES"),
             "", "/* The model's input: 1: dense rows of codes its first binary convolution reads",
             " * (lkws/bconv2d.h), KWS_INPUT_ROW_WORDS int32 words per row; 0: one LCE-packed word",
             " * per code. */",
             *_defines(v, "KWS_INPUT_DENSE", "KWS_INPUT_ROW_WORDS"),
             "", "/* The recognizer (override with -D...). */"]
    return "\n".join(lines + _recognizer_lines(v, RECOGNIZER))


def _defines(values, *names):
    return [f"#define {name} {values[name]}" for name in names]


def _recognizer_lines(values, names):
    """The recognizer's settings (`names`, from `values`), each an #ifndef default, and the end of
    kws_settings.h."""
    lines = []
    for name in names:
        value = values[name]
        text = f"{value}f" if isinstance(value, float) else str(value)
        lines += [f"#ifndef {name}", f"#define {name} {text}", "#endif"]
    return lines + ["/* Results the averaging window can hold (from the defaults above; when full, the oldest",
                    " * result leaves early). */", "#ifndef KWS_AVERAGE_CAPACITY",
                    f"#define KWS_AVERAGE_CAPACITY {values['KWS_AVERAGE_CAPACITY']}", "#endif", "", "#endif", ""]


def codebook_files(stamp, codebook):
    from lossykws.codegen.ops.base import c_float

    dim = codebook.codewords.shape[1]
    values = ",\n    ".join(", ".join(c_float(v) for v in row) for row in codebook.codewords.astype(np.float32))
    header = (stamp + "#ifndef KWS_CODEBOOK_H\n#define KWS_CODEBOOK_H\n\n#include \"kws_settings.h\"\n\n"
              f"/* Codeword c is kws_codebook[c * {dim} ...]: its block read row by row. */\n"
              "extern const float kws_codebook[KWS_VQ_K * KWS_VQ_BLOCK_T * KWS_VQ_BLOCK_F];\n\n#endif\n")
    source = (stamp + "#include \"kws_codebook.h\"\n\n"
              f"/* sha256 of the codewords (float32, little-endian): {codebook.to_json()['sha256']} */\n"
              "const float kws_codebook[KWS_VQ_K * KWS_VQ_BLOCK_T * KWS_VQ_BLOCK_F] = {\n"
              f"    {values},\n}};\n")
    return header, source


def board_files(board):
    """{relative path: bytes} of a board's files in a cortex-m project: target/ (startup, linker
    script, board.mk and the ARMv7-M build it includes, semihosting) and, for a UART board, its
    console.c and audio_provider.c in place of the template's semihosting ones."""
    spec = check_board(board)
    board_dir = FIRMWARE / "targets" / board
    files = {f"target/{name}": (_ARMV7M / name).read_bytes() for name in ("semihost.c", "semihost.h", "armv7m.mk",
                                                                             "probe.c", "probe.h", "crt.c", "crt.h")}
    own = ["board.mk", f"{board}.ld", "README.md"]  # README.md: the board's, not armv7m's
    if spec["io"] == "semihosting":
        files.update({f"target/{name}": (_ARMV7M / name).read_bytes() for name in ("startup.c", "board.h")})
    else:
        own += ["startup.c", "board.h", "nrf52840.h"]
        files["console.c"] = (board_dir / "console_uart.c").read_bytes()
        files["audio_provider.c"] = (board_dir / "audio_provider_pdm.c").read_bytes()
    files.update({f"target/{name}": (board_dir / name).read_bytes() for name in own})
    return files


# The template is one application with two front doors (front_door.h, main.c shared): a project
# holds the shared files and its own door's. The code source is one of two files by the board's
# I/O, written as code_source.c.
FRONT_DOORS = {
    "audio": ("front_door_audio.c", "audio_provider.c", "audio_provider.h", "feature_provider.c",
              "feature_provider.h"),
    "code-frames": ("front_door_codes.c", "code_frame_provider.c", "code_frame_provider.h", "code_source.h"),
}
_CODE_SOURCES = {"semihosting": "code_source_file.c", "uart": "code_source_push.c"}


def template_files(board, door):
    """{relative path: bytes} of the application for `door` ("audio" or "code-frames") on `board`:
    the template's shared files, the door's own, the board files and the instruction counter."""
    spec = check_board(board)
    others = {name for d, names in FRONT_DOORS.items() if d != door for name in names} | set(_CODE_SOURCES.values())
    files = {}
    for p in sorted(TEMPLATE.rglob("*")):
        rel = str(p.relative_to(TEMPLATE))
        if not p.is_file() or rel in others:
            continue
        text = p.read_bytes()
        if p.name == "CMakeLists.txt":
            text = (text.decode().replace("@BOARD@", board).replace("@ARCH_FLAGS@", spec["arch_flags"])
                    .replace("@LINKER_SCRIPT@", f"{board}.ld")
                    .replace("@QEMU_MACHINE@", spec["qemu_machine"] or ""))
        files[rel] = text
    files.update(board_files(board))
    if door == "code-frames":
        files.pop("audio_provider.c", None)  # a UART board's microphone: no audio in this firmware
        files["code_source.c"] = (TEMPLATE / _CODE_SOURCES[spec["io"]]).read_bytes()
    for name in ("insn_count.c", "qemu_plugin_api.h"):
        files[f"qemu_plugin/{name}"] = (PLUGIN_DIR / name).read_bytes()
    return files


def app_files(manifest, board, codebook, stamp, recognizer=None):
    """{relative path: bytes or str} of everything a cortex-m project holds besides the model files
    and the model's own runtime sources. codebook: a VQ run's codecs.vq.Codebook, or CodeFrames
    for an EnCodec run (code_app_files)."""
    if isinstance(codebook, CodeFrames):
        return code_app_files(manifest, board, codebook, stamp, recognizer)
    check_board(board)
    rows, cols, layout = check_model(manifest, codebook)
    files = template_files(board, "audio")
    for name in FEATURE_SOURCES:
        files[f"src/{name}"] = (FIRMWARE / "src" / name).read_bytes()
    files["kws_settings.h"] = settings_header(stamp, codebook, rows, cols, recognizer, layout)
    files["kws_codebook.h"], files["kws_codebook.c"] = codebook_files(stamp, codebook)
    manifest["firmware"] = {"settings": settings_values(codebook, rows, cols, recognizer, layout),
                            "codebook": codebook.codewords.astype(np.float32).astype(float).tolist()}
    return files


# ---------------------------------------------------------------- EnCodec: code frames
# The codec's encoder does not fit a microcontroller (README: 7.4M parameters), so an EnCodec
# run's firmware receives code frames: the same application with the code-frame front door
# (FRONT_DOORS above), a code source and a code-frame provider in place of the audio and feature
# providers.
HOP_MS = 125  # the default inference hop, as the VQ app's 8 rows


class CodeFrames:
    """The codec of an EnCodec run as the firmware sees it: frames of codes computed elsewhere.
    label: the run's codec label (pretrained, local codec ...), written into kws_settings.h."""

    def __init__(self, label="EnCodec"):
        self.label = str(label)


def check_code_model(manifest):
    """The model takes one packed int32 input from +-1 code bits [1, codebooks, frames, bits]
    (bits <= 16): dense rows [1, codebooks, ceil(frames*bits/32)] or a word per code
    [1, codebooks, frames, 1]. Returns (codebooks, frames, bits, layout)."""
    ins = manifest["inputs"]
    if len(ins) != 1 or "packed_from" not in ins[0]:
        raise LossykwsError("the cortex-m target needs a model with one bitpacked input (export with packed input)")
    shape, original = ins[0]["shape"], ins[0]["packed_from"]["shape"]
    if len(original) != 4 or original[0] != 1 or not 1 <= original[3] <= 16:
        raise LossykwsError(f"the model's input {original} is not EnCodec code bits [1, codebooks, frames, "
                            "bits of at most 16]")
    _, books, frames, bits = original
    layout = ins[0].get("layout", "words")
    packed = [1, books, (frames * bits + 31) // 32] if layout == "dense" else [1, books, frames, 1]
    if shape != packed:
        raise LossykwsError(f"the model's packed input {shape} is not {packed} ({layout} layout of {original})")
    return books, frames, bits, layout


def codes_settings_values(books, frames, bits, recognizer=None, layout="words"):
    """The numbers of a code-frame firmware's kws_settings.h (as settings_values for VQ)."""
    frame_ms = 1000.0 / frames  # the window is 1 s: `frames` frames per second
    rec = {"KWS_INFERENCE_HOP_FRAMES": max(1, round(HOP_MS / frame_ms))}
    rec.update({k: v for k, v in RECOGNIZER.items() if k != "KWS_INFERENCE_HOP_ROWS"})
    rec.update(recognizer or {})
    capacity = int(rec["KWS_AVERAGE_WINDOW_MS"] // (rec["KWS_INFERENCE_HOP_FRAMES"] * frame_ms)) + 2
    row_words = (frames * bits + 31) // 32
    values = {"KWS_CODEBOOKS": books, "KWS_CODE_BITS": bits, "KWS_FRAME_RATE_HZ": frames, "KWS_FRAMES": frames,
              "KWS_RING_WORDS": row_words, "KWS_INPUT_DENSE": int(layout == "dense"),
              "KWS_INPUT_ROW_WORDS": row_words if layout == "dense" else frames}
    return dict(values, **rec, KWS_AVERAGE_CAPACITY=capacity)


def codes_settings_header(stamp, codec, books, frames, bits, recognizer=None, layout="words"):
    v = codes_settings_values(books, frames, bits, recognizer, layout)
    recognizer_names = ["KWS_INFERENCE_HOP_FRAMES"] + [k for k in RECOGNIZER if k != "KWS_INFERENCE_HOP_ROWS"]
    lines = [stamp.rstrip(), "#ifndef KWS_SETTINGS_H", "#define KWS_SETTINGS_H", "",
             f"/* The codec: {codec.label} (the run's codec/). Its encoder runs elsewhere: the firmware",
             " * receives its frames of codes, one code per codebook. */",
             f"#define KWS_CODEBOOKS {books}",
             f"#define KWS_CODEBOOKS_TEXT \"{books}\"",
             f"#define KWS_FRAME_BYTES_TEXT \"{2 * books}\"",
             f"#define KWS_CODE_BITS {bits}",
             f"#define KWS_CODE_BITS_TEXT \"{bits}\"",
             f"#define KWS_FRAME_RATE_HZ {frames}",
             "", "/* The window the model sees: the last KWS_FRAMES frames (1 s), each codebook's codes kept",
             " * in a ring of KWS_RING_WORDS words at KWS_CODE_BITS bits each. */",
             *_defines(v, "KWS_FRAMES", "KWS_RING_WORDS"),
             "", "/* The model's input: 1: a dense bit row per codebook that its first binary convolution",
             " * reads (lkws/bconv2d.h), KWS_INPUT_ROW_WORDS int32 words per row; 0: one LCE-packed",
             " * word per code. */",
             *_defines(v, "KWS_INPUT_DENSE", "KWS_INPUT_ROW_WORDS"),
             "", "/* The recognizer (override with -D...); the model runs every KWS_INFERENCE_HOP_FRAMES frames. */"]
    return "\n".join(lines + _recognizer_lines(v, recognizer_names))


def code_app_files(manifest, board, codec, stamp, recognizer=None):
    """{relative path: bytes or str} of an EnCodec run's cortex-m project besides the model files:
    the application with its code-frame front door (template_files), and kws_settings.h. Records manifest["firmware_input"] = "code-frames" (lossykws.json), so that tools
    driving the audio firmware can tell this one apart."""
    check_board(board)
    books, frames, bits, layout = check_code_model(manifest)
    manifest["firmware_input"] = "code-frames"
    files = template_files(board, "code-frames")
    files["kws_settings.h"] = codes_settings_header(stamp, codec, books, frames, bits, recognizer, layout)
    manifest["firmware"] = {"settings": codes_settings_values(books, frames, bits, recognizer, layout)}
    return files
