"""The cortex-m firmware under QEMU: labels, codes, instruction counts, memory and streaming figures.

`lossykws emulate PROJECT --target qemu` for a project written by `lossykws export RUN --target
cortex-m`. Only the firmware's command-line interface is used (main.c: --trace, --codes, --scores,
--count), so the figures belong to the firmware as shipped:

    project = read_project("kws/")                       # board, labels, codebook, settings
    report = classify(project, [(Path("yes.wav"), "yes")])  # labels vs host build vs interpreter
    counts = count_stages(project, Path("yes.wav"))       # exact instructions per stage (QEMU plugin)
    memory = memory_split(build(project))                 # flash code/constants, RAM arena/buffers
    truth = make_stream(["sc/"], project.labels, Path("stream.wav"), keywords=20)
    scores = run_stream(project, Path("stream.wav"), truth)   # miss rate, false accepts per hour

Clips in one QEMU run: every clip is written into one recording, each followed by enough zero
samples that (a) the front end starts each clip from the same state as a lone clip (its 131-sample
history is zeros) and (b) an inference falls exactly at each clip's end, on the window that holds
that clip's 64 rows of codes and nothing else. The firmware's codes for that window are then the
codes of the lone clip, which is checked against Python's codes (lossykws.features.frontend, the same C
through ctypes), and its scores are compared with the LCE interpreter and the host build of the
same model on those codes.

Real-time factor: instructions per second of audio over a stated clock, counting one cycle per
instruction (CPI 1). The single-issue Cortex-M4 takes at least a cycle per instruction (save IT
instructions folded into the one before), so its cycles are at least about this; the Cortex-M7
dual-issues, so there it is an estimate, not a bound. Counted: the front end, the VQ encoder and
the network; the recognizer and the audio input (semihosting here, a microphone on a board) are not. The default clock
is the board's (BOARD_CLOCK_HZ): 25 MHz for the MPS2 FPGA images that QEMU models.
"""
import re
import struct
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from lossykws.data import audio
from lossykws.emulation import qemu
from lossykws.features import frontend
from lossykws.errors import LossykwsError, reason

# The clock each board's real-time factor is stated at, and where it comes from.
BOARD_CLOCK_HZ = {
    "mps2-an386": (25_000_000, "the MPS2 FPGA image's system clock, as QEMU models it"),
    "mps2-an500": (25_000_000, "the MPS2 FPGA image's system clock, as QEMU models it"),
    "netduinoplus2": (168_000_000, "the STM32F405's maximum clock"),
    "nano33ble": (64_000_000, "the nRF52840's clock"),
}
DEFAULT_CLOCK_HZ = (25_000_000, "an assumed 25 MHz (no clock known for this board)")
SAMPLE_RATE, HOP = frontend.SAMPLE_RATE, frontend.HOP
FRONTEND_HISTORY = frontend.HISTORY  # samples of the previous hop the front end keeps
STREAM_TOLERANCE_MS = 750     # TF speech_commands test_streaming_accuracy's default


@dataclass
class FirmwareProject:
    dir: Path
    manifest: dict
    board: str
    labels: list
    task: str
    codewords: np.ndarray  # None for an EnCodec firmware fed code frames
    block: tuple           # None for an EnCodec firmware fed code frames
    bits: int
    settings: dict = field(default_factory=dict)  # kws_settings.h's defines (ints and floats)

    @property
    def code_frames(self):
        """An EnCodec firmware: fed code frames (lossykws.emulation.code_frames), not audio."""
        return self.manifest.get("firmware_input") == "code-frames"

    @property
    def row_samples(self):
        return self.block[0] * HOP

    @property
    def code_rows(self):
        return int(self.settings["KWS_CODE_ROWS"])

    @property
    def hop_rows(self):
        return int(self.settings["KWS_INFERENCE_HOP_ROWS"])

    @property
    def machine(self):
        """QEMU's machine for the board; a one-line error for a board QEMU does not model."""
        from lossykws.codegen import kws_app

        machine = kws_app.BOARDS.get(self.board, {}).get("qemu_machine", self.board)
        if machine is None:
            raise LossykwsError(f"{self.dir}: board {self.board} is not modelled by QEMU; run the firmware "
                                "on the board (make flash) or export for an MPS2 board")
        return machine

    @property
    def elf(self):
        return self.dir / "build" / "fw.elf"


# The kws_settings.h values read_project needs (from lossykws.json): positive integers.
VQ_SETTINGS = ("KWS_VQ_K", "KWS_VQ_BLOCK_T", "KWS_VQ_BLOCK_F", "KWS_CODE_BITS", "KWS_CODE_ROWS", "KWS_INFERENCE_HOP_ROWS")
CODE_FRAME_SETTINGS = ("KWS_CODEBOOKS", "KWS_FRAMES", "KWS_CODE_BITS", "KWS_INFERENCE_HOP_FRAMES", "KWS_FRAME_RATE_HZ")


def read_project(project_dir):
    """A cortex-m project's board, labels, task, codebook (none for code frames) and settings, from
    its lossykws.json, where export records what it wrote into kws_settings.h and kws_codebook.c
    (nothing is read back from the C)."""
    from lossykws.emulation.host import read_manifest

    project_dir = Path(project_dir)
    if not project_dir.is_dir():
        raise LossykwsError(f"{project_dir}: no such folder (expected a project from lossykws export)")
    manifest = read_manifest(project_dir)
    where = project_dir / "lossykws.json"
    target = manifest.get("target", "host")
    if target != "cortex-m":
        raise LossykwsError(f"{project_dir}: a {target} project, not a firmware project (make one with "
                            "lossykws export RUN --target cortex-m); --target qemu runs firmware projects")
    code_frames = manifest.get("firmware_input") == "code-frames"
    firmware = manifest.get("firmware")
    settings = firmware.get("settings") if isinstance(firmware, dict) else None
    if not isinstance(settings, dict):
        raise LossykwsError(f"{where}: no firmware settings (exported by an older lossykws?); export the project again")
    needed = (CODE_FRAME_SETTINGS if code_frames else VQ_SETTINGS)
    bad = [n for n in needed if type(settings.get(n)) is not int or not 0 < settings[n] <= 1 << 16]
    if bad:
        raise LossykwsError(f"{where}: firmware setting(s) {', '.join(bad)} missing or not a positive integer; "
                            "export the project again")
    labels = manifest.get("labels")
    if not isinstance(labels, list) or not labels or not all(isinstance(x, str) for x in labels):
        raise LossykwsError(f"{where}: no labels (a list of names); export the project again")
    run = manifest.get("settings") if isinstance(manifest.get("settings"), dict) else {}
    task = run.get("task") if isinstance(run.get("task"), str) else ""
    board = manifest.get("board", "mps2-an386")
    if code_frames:
        return FirmwareProject(project_dir, manifest, board, labels, task, None, None,
                               int(settings["KWS_CODE_BITS"]), settings)
    k, bt, bf = (int(settings[n]) for n in ("KWS_VQ_K", "KWS_VQ_BLOCK_T", "KWS_VQ_BLOCK_F"))
    try:
        codewords = np.asarray(firmware.get("codebook"), dtype=np.float32)
    except (TypeError, ValueError) as e:
        raise LossykwsError(f"{where}: the codebook is not numbers ({reason(e, 60)}); export the project again") from None
    if codewords.shape != (k, bt * bf) or not np.all(np.isfinite(codewords)):
        raise LossykwsError(f"{where}: a codebook of shape {list(codewords.shape)}, expected {[k, bt * bf]} finite "
                            "values; export the project again")
    return FirmwareProject(project_dir, manifest, board, labels, task, codewords, (bt, bf),
                           int(settings["KWS_CODE_BITS"]), settings)


def build(project):
    """make -C PROJECT (build/fw.elf) and the instruction counter plugin; returns the ELF path."""
    return qemu.build_firmware(project.dir)


# ---------------------------------------------------------------- recordings
def read_clip(path):
    """A 1 s clip as 16-bit samples (the firmware reads 16-bit PCM); one-line error for a bad WAV."""
    x = audio.load_clip(path)
    return np.clip(np.round(x.astype(np.float64) * 32768.0), -32768, 32767).astype("<i2")


def write_pcm_wav(path, pcm):
    """16 kHz mono 16-bit PCM exactly as given (no rescaling)."""
    raw = np.asarray(pcm, dtype="<i2").tobytes()
    header = struct.pack("<4sI4s4sIHHIIHH4sI", b"RIFF", 36 + len(raw), b"WAVE", b"fmt ", 16, 1, 1,
                         SAMPLE_RATE, SAMPLE_RATE * 2, 2, 16, b"data", len(raw))
    Path(path).write_bytes(header + raw)


def clip_period(project):
    """Samples from one clip's start to the next's in a batch recording: 1 s of clip, then the
    fewest zero rows that put an inference exactly at the next clip's end."""
    gap = 1
    while (project.code_rows + gap) % project.hop_rows or gap * project.row_samples < FRONTEND_HISTORY:
        gap += 1
    return (project.code_rows + gap) * project.row_samples


def python_codes(project, pcm):
    """Codes of 16-bit clips [n, 16000] by lossykws.features.frontend (the C front end and VQ encoder)."""
    x = (np.asarray(pcm, dtype=np.float32) / np.float32(32768.0)).reshape(-1, SAMPLE_RATE)
    return frontend.vq_encode(frontend.features_batch(x), project.codewords, project.block)


def _qemu_timeout(samples):
    return 120 + int(samples / SAMPLE_RATE)  # QEMU runs the firmware ~10x faster than real time here


def run_firmware(project, wav, work, *, codes=False, scores=False, trace=True, timeout=None):
    """Run the firmware on one WAV (or, fed code frames, one codes file); returns (stdout, codes
    uint8 [rows, cols] or None, scores float32 [inferences, labels] or None). timeout: seconds
    [from the WAV's length]."""
    args = []
    if trace:
        args.append("--trace")
    codes_file, scores_file = Path(work) / "codes.bin", Path(work) / "scores.bin"
    if codes:
        args += ["--codes", codes_file.resolve()]
    if scores:
        args += ["--scores", scores_file.resolve()]
    args.append(Path(wav).resolve())
    run = qemu.run_qemu(project.elf, args, machine=project.machine,
                        timeout=timeout or _qemu_timeout(Path(wav).stat().st_size / 2))
    if run.returncode != 0:
        message = (run.stderr.strip().splitlines() or [f"exit status {run.returncode}"])[-1]
        raise LossykwsError(f"{project.elf}: the firmware failed in QEMU (exit {run.returncode}): {message}")
    c = None
    if codes:
        c = np.fromfile(codes_file, dtype=np.uint8).reshape(-1, int(project.settings["KWS_CODE_COLS"]))
    s = np.fromfile(scores_file, dtype="<f4").reshape(-1, len(project.labels)) if scores else None
    return run.stdout, c, s


def traced_inferences(stdout):
    """[(T ms, label index)] of the firmware's --trace lines."""
    return [(int(t), int(k)) for t, k in re.findall(r"^inference (\d+) (\d+) ", stdout, re.M)]


# ---------------------------------------------------------------- reference builds
def host_program(project):
    """The host build of the same model.tflite (packed input, as the firmware feeds it), generated
    into PROJECT/build/lossykws-host and built with the host cc."""
    from lossykws.codegen.project import export_project
    from lossykws.emulation.host import build_host, read_manifest

    host_dir = project.dir / "build" / "lossykws-host"
    sha = project.manifest.get("model_sha256")
    if not ((host_dir / "lossykws.json").is_file() and read_manifest(host_dir).get("model_sha256") == sha):
        export_project(project.dir / "model.tflite", host_dir, target="host", force=True,
                       labels=project.labels, packed_input=True)
    return build_host(host_dir), read_manifest(host_dir)


def host_labels(project, planes, work):
    """Labels of the host build on +-1 bit planes [n, rows, cols, bits]."""
    from lossykws.emulation import host as emulate

    program, manifest = host_program(project)
    spec = manifest["inputs"][0]
    labels = []
    for i, x in enumerate(planes):
        a = x.reshape(spec.get("packed_from", spec)["shape"]).astype(np.float32)
        c_input = a
        if "packed_from" in spec:
            c_input = emulate.pack_dense(a) if spec.get("layout") == "dense" else emulate.pack_bits(a)
        path = Path(work) / f"host{i}.bin"
        c_input.astype(c_input.dtype.newbyteorder("<")).tofile(path)
        out, _ = emulate.run_host(program, [path])
        labels.append(emulate.printed_label(out, program))
    return labels


def interpreter_scores(project, planes):
    """The LCE interpreter's output on +-1 bit planes [n, rows, cols, bits] (the reference)."""
    from lossykws.emulation.reference import interpreter_predict

    model_path = project.dir / "model.tflite"
    return interpreter_predict(model_path.read_bytes(), planes.astype(np.float32), model_path)


# ---------------------------------------------------------------- classification
def clips_from(paths, project, limit=None):
    """[(path, true label or None)]: a data folder's test split (lossykws.data.datasets; bad clips left
    out; with limit, that many spread evenly over the split), or WAV files (the true label from the parent folder's name when it is a label)."""
    from lossykws.data import datasets

    if len(paths) == 1 and Path(paths[0]).is_dir():
        task = project.task if project.task in datasets.TASKS else "kws12"
        corpus = datasets.scan([paths[0]], task, validate=True)
        clips = [(c.path, c.label) for c in corpus.split("test") if c.label in project.labels]
        if not clips:
            raise LossykwsError(f"{paths[0]}: no test-split clips of the model's labels "
                                f"({', '.join(project.labels)})")
        if limit and limit < len(clips):  # spread over the labels, not the first label's clips
            clips = [clips[int(i)] for i in np.linspace(0, len(clips) - 1, limit).round()]
        return clips
    out = []
    for p in map(Path, paths):
        if p.is_dir():
            raise LossykwsError(f"{p}: give one data folder, or WAV files, not both")
        if not p.is_file():
            raise LossykwsError(f"{p}: no such file (expected a WAV file or a data folder)")
        out.append((p, p.parent.name if p.parent.name in project.labels else None))
    if not out:
        raise LossykwsError("no input: give a data folder (its test split) or WAV files")
    return out


def classify(project, clips, work=None):
    """Run the firmware on every clip (one QEMU run) and check it. Returns {"clips": [{file,
    true_label, label, host_label, interpreter_label, codes_equal, max_score_error}], "summary"}."""
    from lossykws.features.codecs import vq

    pcm = np.stack([read_clip(p) for p, _ in clips])
    period = clip_period(project)
    n = len(clips)
    stream = np.zeros(n * period, dtype="<i2")
    for i in range(n):
        stream[i * period:i * period + SAMPLE_RATE] = pcm[i]
    with tempfile.TemporaryDirectory(prefix="lkws-fw-") as tmp:
        work = Path(work or tmp)
        wav = work / "clips.wav"
        write_pcm_wav(wav, stream)
        stdout, codes, scores = run_firmware(project, wav, work, codes=True, scores=True)
        trace = traced_inferences(stdout)
        if len(trace) != len(scores):
            raise LossykwsError(f"{project.elf}: {len(trace)} inferences traced, {len(scores)} scored")
        at = {t: i for i, (t, _) in enumerate(trace)}
        rows = period // project.row_samples
        fw_codes = np.stack([codes[i * rows:i * rows + project.code_rows] for i in range(n)])
        index = []
        for i in range(n):
            t = (i * period + SAMPLE_RATE) * 1000 // SAMPLE_RATE
            if t not in at:
                raise LossykwsError(f"{project.elf}: no inference at {t} ms (the end of clip {i}); was the "
                                    f"project built with another KWS_INFERENCE_HOP_ROWS than kws_settings.h's?")
            index.append(at[t])
        py_codes = python_codes(project, pcm)
        planes = vq.bits(fw_codes, project.bits).astype(np.float32)
        reference = interpreter_scores(project, planes)
        host = host_labels(project, planes, work)
    results = [dict(clip_result(project, path, true, trace[j][1], scores[j], host[i], reference[i]),
                    codes_equal=bool(np.array_equal(fw_codes[i], py_codes[i])))
               for i, ((path, true), j) in enumerate(zip(clips, index))]
    return {"clips": results, "summary": summarize(results, n * period / SAMPLE_RATE)}


def clip_result(project, file, true_label, label, scores, host_label, reference):
    """One clip's row of classify: the firmware's label and scores against the host build's label and
    the interpreter's scores (max relative score error for float outputs, else None)."""
    err = None
    if project.manifest["outputs"][0]["dtype"] == "float32":
        ref = np.asarray(reference, np.float32)
        err = float(np.max(np.abs(scores.astype(np.float64) - ref) / np.maximum(1.0, np.abs(ref))))
    return {"file": str(file), "true_label": true_label, "label": project.labels[label],
            "host_label": project.labels[host_label],
            "interpreter_label": project.labels[int(np.argmax(reference))], "max_score_error": err}


def summarize(results, recording_seconds):
    """classify's summary of its clip rows: agreements, accuracy on the labelled ones, the worst score
    error, and how many clips' codes equal Python's where the rows say."""
    labelled = [r for r in results if r["true_label"] is not None]
    correct = sum(r["label"] == r["true_label"] for r in labelled)
    errors = [r["max_score_error"] for r in results if r["max_score_error"] is not None]
    summary = {
        "clips": len(results),
        "agree_host": sum(r["label"] == r["host_label"] for r in results),
        "agree_interpreter": sum(r["label"] == r["interpreter_label"] for r in results),
        "labelled": len(labelled), "correct": correct,
        "accuracy": correct / len(labelled) if labelled else None,
        "max_score_error": max(errors) if errors else None,
        "recording_seconds": recording_seconds,
    }
    if results and "codes_equal" in results[0]:
        summary["codes_equal"] = sum(r["codes_equal"] for r in results)
    return summary


# ---------------------------------------------------------------- instructions, time and memory
def count_stages(project, wav):
    """Exact instructions per call of each stage on one recording (the QEMU plugin between the
    firmware's --count markers): {"frontend_per_hop", "vq_per_row", "network_per_inference",
    "calls": {stage: n}}."""
    out, calls = count_calls(project, wav, ("frontend", "vq", "network"),
                             _qemu_timeout(Path(wav).stat().st_size / 2))
    return {"frontend_per_hop": out["frontend"], "vq_per_row": out["vq"], "network_per_inference": out["network"],
            "calls": calls}


def count_calls(project, input_file, stages, timeout):
    """({stage: mean instructions per call}, {stage: calls}): one QEMU run of the firmware per
    stage with `--count STAGE INPUT_FILE` and the instruction counter plugin."""
    plugin = qemu.build_plugin(project.dir)
    out, calls = {}, {}
    for stage in stages:
        run = qemu.run_qemu(project.elf, ["--count", stage, Path(input_file).resolve()], plugin=plugin,
                            machine=project.machine, timeout=timeout)
        if run.returncode != 0 or not run.instructions:
            raise LossykwsError(f"{project.elf}: --count {stage} failed in QEMU (exit {run.returncode})")
        calls[stage] = len(run.instructions)
        out[stage] = sum(run.instructions) / len(run.instructions)
    return out, calls


def clock_of(project, clock_hz=None):
    """(Hz, where it comes from): clock_hz when given, else the board's."""
    if clock_hz:
        return clock_hz, "given"
    return BOARD_CLOCK_HZ.get(project.board, DEFAULT_CLOCK_HZ)


def timing(project, counts, clock_hz=None):
    """Instructions per hop by stage, per second of streamed audio, and the real-time factor at
    clock_hz (default: the board's) with one cycle per instruction."""
    clock, source = clock_of(project, clock_hz)
    hops_per_s = SAMPLE_RATE / HOP
    rows_per_s = hops_per_s / project.block[0]
    inferences_per_s = rows_per_s / project.hop_rows
    per_s = {"frontend": counts["frontend_per_hop"] * hops_per_s, "vq": counts["vq_per_row"] * rows_per_s,
             "network": counts["network_per_inference"] * inferences_per_s}
    total = sum(per_s.values())
    return {
        "per_hop": {"frontend": counts["frontend_per_hop"], "vq": counts["vq_per_row"] / project.block[0],
                    "network": counts["network_per_inference"] / (project.hop_rows * project.block[0])},
        "per_second": dict(per_s, total=total), "inferences_per_second": inferences_per_s,
        "clock_hz": clock, "cycles_per_instruction": 1, "rtf": total / clock,
        "clock_note": f"{source}; 1 cycle per instruction",
    }


def _sections(elf):
    qemu.require_tools("arm-none-eabi-size")
    r = subprocess.run(["arm-none-eabi-size", "-A", str(elf)], capture_output=True, text=True)
    if r.returncode != 0:
        raise LossykwsError(f"{elf}: arm-none-eabi-size failed: {r.stderr.strip()}")
    return {p[0]: int(p[1]) for p in (line.split() for line in r.stdout.splitlines()[2:]) if len(p) == 3}


def memory_split(elf):
    """Flash and RAM of the ELF by kind, from its sections and symbol table (arm-none-eabi-readelf):
    flash = code (function symbols) + constants (object symbols in flash: weights, tables,
    codebook) + other (vector table, string literals, alignment, .data's initial values); RAM =
    arena (the model's `arena`) + buffers (every other .data/.bss object: front end state, code
    ring, recognizer, audio) + other + the stack reserve (.stack)."""
    sections = _sections(elf)
    symbols = qemu.elf_symbols(elf)
    flash_end = 0x20000000
    code = sum(s["size"] for s in symbols if s["type"] == "FUNC" and s["address"] < flash_end)
    consts = sum(s["size"] for s in symbols if s["type"] == "OBJECT" and s["address"] < flash_end)
    ram_objects = {s["name"]: s["size"] for s in symbols if s["type"] == "OBJECT" and s["address"] >= flash_end}
    arena = ram_objects.pop("arena", 0)
    flash = sections.get(".text", 0) + sections.get(".ARM.exidx", 0) + sections.get(".data", 0)
    stack = sections.get(".stack", 0)
    ram = sections.get(".data", 0) + sections.get(".bss", 0)
    buffers = sum(ram_objects.values())
    return {
        "flash": {"total": flash, "code": code, "constants": consts, "other": flash - code - consts},
        "ram": {"total": ram + stack, "arena": arena, "buffers": buffers, "other": ram - arena - buffers,
                "stack_reserve": stack},
        "buffers": dict(sorted(ram_objects.items(), key=lambda kv: -kv[1])),
    }


# ---------------------------------------------------------------- streaming
def make_stream(data_dirs, labels, out_wav, keywords=20, seed=0, unknown_every=2):
    """A test recording: test-split keyword clips (words among `labels`), each preceded and followed
    by a 1 s `_silence_` clip (background noise; zeros where the folder has none), with an
    `_unknown_` clip (a word outside `labels`) after every `unknown_every`-th keyword. Writes
    out_wav (16 kHz mono 16-bit) and returns {"truth": [(label, onset_ms)], "seconds",
    "clips": [(kind, file, onset_ms)]}."""
    from lossykws.data import datasets

    corpus = datasets.scan(list(data_dirs), "kws12", validate=True)
    words = [w for w in labels if not w.startswith("_")]
    test = corpus.split("test")
    kw = [c for c in test if c.word in words]
    if not kw:
        raise LossykwsError(f"{', '.join(map(str, data_dirs))}: no test-split clips of the keywords "
                            f"{', '.join(words)}")
    unknown = [c for c in test if c.label == datasets.UNKNOWN and c.word not in words] or \
              [c for c in corpus.clips if c.label == datasets.UNKNOWN and c.word not in words]
    silence = [c for c in test if c.label == datasets.SILENCE] or \
              [c for c in corpus.clips if c.label == datasets.SILENCE]
    rng = np.random.default_rng(seed)
    order = rng.permutation(len(kw))[:keywords]
    parts, truth, placed, t = [], [], [], 0

    def put(kind, clip):
        nonlocal t
        x = read_clip(clip.path) if clip is not None else np.zeros(SAMPLE_RATE, "<i2")
        placed.append((kind, str(clip.path) if clip else None, t * 1000 // SAMPLE_RATE))
        parts.append(x)
        t += len(x)

    def noise():
        put("silence", silence[int(rng.integers(len(silence)))] if silence else None)

    for n, i in enumerate(order):
        noise()
        truth.append((kw[i].word, t * 1000 // SAMPLE_RATE))
        put("keyword", kw[i])
        if unknown and unknown_every and n % unknown_every == unknown_every - 1:
            noise()
            put("unknown", unknown[int(rng.integers(len(unknown)))])
    noise()
    write_pcm_wav(out_wav, np.concatenate(parts))
    return {"truth": truth, "seconds": t / SAMPLE_RATE, "clips": placed}


def score_stream(detections, truth, seconds, tolerance_ms=STREAM_TOLERANCE_MS, window_ms=1000):
    """TF speech_commands' streaming-accuracy rule (accuracy_utils.StreamingAccuracyStats): a
    detection at T (the end of the firmware's 1 s window, so its start is T - window_ms) matches
    the first keyword whose onset is within tolerance_ms of the window's start; it is a hit when
    the label is that keyword's and the keyword was not matched before. Everything else (wrong
    label, second detection of a keyword, no keyword near) is a false accept.
    Returns {"keywords", "hits", "misses", "miss_rate", "false_accepts", "wrong_label",
    "false_accepts_per_hour", "hours"}."""
    matched, hits, wrong, false = set(), 0, 0, 0
    for label, t in detections:
        start = t - window_ms
        near = [(i, g) for i, g in enumerate(truth) if abs(g[1] - start) <= tolerance_ms]
        if not near:
            false += 1
            continue
        i, (g_label, _) = near[0]
        if g_label == label and i not in matched:
            hits += 1
        else:
            wrong += 1
        matched.add(i)
    hours = seconds / 3600.0
    n = len(truth)
    return {"keywords": n, "hits": hits, "misses": n - hits, "miss_rate": (n - hits) / n if n else None,
            "false_accepts": false + wrong, "wrong_label": wrong, "hours": hours,
            "false_accepts_per_hour": (false + wrong) / hours if hours else None, "tolerance_ms": tolerance_ms}


def run_stream(project, wav, truth, seconds):
    """Run the firmware's recognizer on a recording (its `detected NAME at T ms` lines) and score
    the detections against the keyword onsets."""
    with tempfile.TemporaryDirectory(prefix="lkws-stream-") as tmp:
        stdout, _, _ = run_firmware(project, wav, tmp, trace=False)
    detections = [(name, int(t)) for name, t in re.findall(r"^detected (\S+) at (\d+) ms", stdout, re.M)]
    summary = re.search(r"^summary .* detections (\d+)", stdout, re.M)
    if summary is None or int(summary[1]) != len(detections):
        raise LossykwsError(f"{project.elf}: the firmware's summary line does not match the "
                            f"{len(detections)} detections it printed")
    return dict(score_stream(detections, truth, seconds), detections=detections)
