#!/usr/bin/env python3
"""Firmware figures per run and board, under QEMU: exact instructions (QEMU plugin, not cycles) per
inference of the network and per hop of the front end and the VQ encoder, the total per 1 s of
streamed audio, the real-time factor at a stated clock, flash (code, constants) and RAM (arena,
buffers, stack reserve); with --data, the firmware's accuracy on the test split and its agreement
with the host build and the LCE interpreter.

    .venv/bin/python tools/bench_firmware.py --run vq-bnn=RUN_DIR [--run ds-cnn=RUN_DIR ...] \\
        [--boards mps2-an386,mps2-an500] [--data ../shared/data/speech_commands_test_v0.02] \\
        [--clock-mhz 25] [--work /tmp/bench-fw] [--save]

VQ runs go through the cortex-m target: the whole keyword-spotting firmware from raw audio (front
end, VQ encoder, network, recognizer), exported and run as `lossykws emulate PROJECT --target
qemu` runs it. EnCodec runs go through the cortex-m target too, as the firmware fed code frames
(lossykws.emulation.code_frames; the test clips encoded here with the run's codec, whose encoder
does not fit a microcontroller and is not counted). Other runs (int8 DS-CNN, tf-cnn) go through
the qemu-m4 target, the network alone on features computed on the host: labelled "network only,
features given", with no front-end figures. Real-time factor: instructions per second of audio over the clock, one cycle
per instruction (about a lower bound of cycles on the single-issue Cortex-M4; the Cortex-M7
dual-issues, so there it is an estimate); the default clock is the MPS2 boards' 25 MHz. Streaming runs one inference every
KWS_INFERENCE_HOP_ROWS rows of codes (8 per second); a network-only row counts 8 inferences per
second too, so the rows compare.

--save writes docs/results/firmware.json (a list of row dicts) and the firmware section of
docs/benchmarks.md (between its markers).
"""
import argparse
import json
import sys
import tempfile
import textwrap
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import lossykws  # noqa: E402,F401  (before TensorFlow)
from lossykws.data import audio  # noqa: E402
from lossykws.emulation import firmware as fe, qemu  # noqa: E402
from lossykws.emulation.host import printed_label  # noqa: E402
from lossykws.errors import LossykwsError  # noqa: E402

BOARDS = ("mps2-an386", "mps2-an500")
CORES = {"mps2-an386": "Cortex-M4F", "mps2-an500": "Cortex-M7"}
INFERENCES_PER_S = 8
RESULTS = ROOT / "docs" / "results" / "firmware.json"
BENCHMARKS = ROOT / "docs" / "benchmarks.md"
BEGIN, END = "<!-- bench_firmware: begin -->", "<!-- bench_firmware: end -->"


def test_clips(data, labels, n=None):
    from lossykws.data import datasets

    corpus = datasets.scan([data], "words8" if set(labels) <= set(datasets.WORDS8) else "kws12", validate=False)
    clips = [(c.path, c.label) for c in corpus.split("test") if c.label in labels]
    return clips[:n] if n else clips


def cortex_m_firmware(name, run_dir, board, work):
    """The run exported for the cortex-m target and built: (project folder, FirmwareProject, ELF)."""
    from lossykws.pipeline.export import export_run

    proj = work / f"{name}-{board}"
    export_run(str(run_dir), "cortex-m", str(proj), force=True, board=board)
    project = fe.read_project(proj)
    return proj, project, fe.build(project)


def vq_row(name, run_dir, board, work, data, clock_hz, stream_keywords=0, thresholds=()):
    proj, project, elf = cortex_m_firmware(name, run_dir, board, work)
    row = {"model": name, "run": str(run_dir), "board": board, "core": CORES.get(board, board),
           "scope": "whole firmware from audio (front end, VQ, network, recognizer)"}
    counting_clips = test_clips(data, project.labels, 4) if data else []
    with tempfile.TemporaryDirectory(prefix="bench-fw-") as tmp:
        wav = Path(tmp) / "count.wav"
        if counting_clips:
            pcm = np.concatenate([fe.read_clip(p) for p, _ in counting_clips])
        else:  # no data: a 4 s chirp, so that the count still runs
            t = np.arange(4 * 16000) / 16000
            pcm = np.round(8000 * np.sin(2 * np.pi * (200 + 400 * t) * t)).astype("<i2")
        fe.write_pcm_wav(wav, pcm)
        counts = fe.count_stages(project, wav)
    timing = fe.timing(project, counts, clock_hz)
    row.update(counted_on=f"{len(pcm) / 16000:g} s: {len(counting_clips) or 'no'} test clips back to back",
               calls=counts["calls"], network_per_inference=counts["network_per_inference"],
               frontend_per_hop=counts["frontend_per_hop"], vq_per_hop=timing["per_hop"]["vq"],
               vq_per_row=counts["vq_per_row"], per_second=timing["per_second"],
               inferences_per_second=timing["inferences_per_second"], clock_hz=timing["clock_hz"],
               cycles_per_instruction=1, rtf=timing["rtf"], memory=fe.memory_split(elf),
               heap_symbols=qemu.check_no_heap(elf))
    if data:
        started = time.time()
        result = fe.classify(project, test_clips(data, project.labels))
        s = result["summary"]
        row.update(accuracy=s["accuracy"], test_clips=s["clips"], agree_host=s["agree_host"],
                   agree_interpreter=s["agree_interpreter"], codes_equal=s["codes_equal"],
                   max_score_error=s["max_score_error"], classify_seconds=round(time.time() - started, 1))
        if stream_keywords:
            with tempfile.TemporaryDirectory(prefix="bench-fw-") as tmp:
                wav = Path(tmp) / "stream.wav"
                made = fe.make_stream([data], project.labels, wav, keywords=stream_keywords, seed=0)
                scored = fe.run_stream(project, wav, made["truth"], made["seconds"])
                swept = [threshold_point(proj, t, wav, made) for t in thresholds]
            row["stream"] = {k: v for k, v in scored.items() if k != "detections"}
            row["stream"].update(seconds=made["seconds"], seed=0, recognizer={
                k: project.settings[k] for k in ("KWS_AVERAGE_WINDOW_MS", "KWS_DETECTION_THRESHOLD",
                                                  "KWS_SUPPRESSION_MS", "KWS_MINIMUM_COUNT")})
            if swept:
                row["stream"]["thresholds"] = swept
    return row


def threshold_point(proj, threshold, wav, made):
    """The same stream through a copy of the firmware built with another detection threshold
    (KWS_CFLAGS overrides kws_settings.h's default): hits, misses, false accepts."""
    import shutil

    copy = proj.parent / f"{proj.name}-threshold-{threshold:g}"
    shutil.rmtree(copy, ignore_errors=True)
    shutil.copytree(proj, copy, ignore=shutil.ignore_patterns("build"))
    qemu.build_firmware(copy, cflags=f"-DKWS_DETECTION_THRESHOLD={threshold:g}f")
    scored = fe.run_stream(fe.read_project(copy), wav, made["truth"], made["seconds"])
    shutil.rmtree(copy)
    return dict({k: v for k, v in scored.items() if k != "detections"}, threshold=threshold)


def codes_row(name, run_dir, board, work, data, clock_hz, stream_keywords=0):
    """An EnCodec run through the cortex-m target: the firmware fed code frames (its encoder does not
    fit a microcontroller), on the codes of the test clips encoded here with the run's codec."""
    from lossykws.features import cache
    from lossykws.emulation import code_frames as cfe
    from lossykws.training import run as training
    from lossykws.features.codecs import encodec

    if not data:
        raise LossykwsError(f"{name}: an EnCodec firmware row needs --data (codes of real test clips)")
    _, project, elf = cortex_m_firmware(name, run_dir, board, work)
    config = training.read_config(run_dir)
    encode = training.encoder_of(run_dir / cache.CODEC_DIR, config["codec"])
    clips = test_clips(data, project.labels)
    bits = np.concatenate([np.asarray(encode(np.stack([audio.load_clip(p) for p, _ in clips[i:i + 32]])))
                           for i in range(0, len(clips), 32)])
    codes = encodec.bits_to_codes(bits)
    counts = cfe.count_stages(project, codes[0])
    timing = cfe.timing(project, counts, clock_hz)
    started = time.time()
    result = cfe.classify(project, [(str(p), label, c) for (p, label), c in zip(clips, codes)])
    s = result["summary"]
    return {"model": name, "run": str(run_dir), "board": board, "core": CORES.get(board, board),
            "scope": "whole firmware from code frames (the codec's encoder elsewhere, not counted)",
            "counted_on": "1 test clip's codes", "calls": counts["calls"],
            "network_per_inference": counts["network"], "frame_per_frame": counts["frame"],
            "input_per_inference": counts["input"], "frontend_per_hop": None, "vq_per_hop": None,
            "per_second": timing["per_second"], "inferences_per_second": timing["inferences_per_second"],
            "clock_hz": timing["clock_hz"], "cycles_per_instruction": 1, "rtf": timing["rtf"],
            "memory": fe.memory_split(elf), "heap_symbols": qemu.check_no_heap(elf),
            "accuracy": s["accuracy"], "test_clips": s["clips"], "agree_host": s["agree_host"],
            "agree_interpreter": s["agree_interpreter"], "max_score_error": s["max_score_error"],
            "classify_seconds": round(time.time() - started, 1)}


def _board_files(proj, board):
    """A qemu-m4 project is written for mps2-an386; another MPS2 board swaps in its board.mk and
    linker script (the harness, startup and semihosting are the same ARMv7-M files)."""
    if board == "mps2-an386":
        return
    src = ROOT / "firmware" / "targets" / board
    for name in ("board.mk", f"{board}.ld"):
        (proj / "target" / name).write_bytes((src / name).read_bytes())


def network_row(name, run_dir, board, work, data, clock_hz, stream_keywords=0):
    from lossykws.training import run as training
    from lossykws.codegen.project import export_project
    from lossykws.emulation.reference import interpreter_predict
    from lossykws.emulation.host import read_manifest

    config = training.read_config(run_dir)
    proj = work / f"{name}-{board}"
    export_project(run_dir / training.TFLITE, proj, target="qemu-m4", force=True,
                   labels=[str(x) for x in config.get("labels", [])] or None)
    _board_files(proj, board)
    manifest = read_manifest(proj)
    spec = manifest["inputs"][0]
    encode = training.encoder_of(run_dir / "codec", config["codec"])
    clips = test_clips(data, config["labels"], 4) if data else []
    if not clips:
        raise LossykwsError(f"{name}: a network-only row needs --data (features of real test clips)")
    rows = []
    with tempfile.TemporaryDirectory(prefix="bench-fw-") as tmp:
        for i, (path, _) in enumerate(clips):
            x = np.asarray(encode(audio.load_clip(path)[None]), dtype=np.float32).reshape(spec["shape"])
            raw = Path(tmp) / f"in{i}.bin"
            x.astype(np.dtype(spec["dtype"]).newbyteorder("<")).tofile(raw)
            result = qemu.run_project(proj, [raw], Path(tmp) / f"out{i}", count=True, machine=board)
            label = printed_label(result["stdout"], proj)
            reference = int(np.argmax(interpreter_predict((run_dir / training.TFLITE).read_bytes(), x, run_dir / training.TFLITE)))
            rows.append((result["instructions"], label == reference))
    per_inference = sum(n for n, _ in rows) / len(rows)
    per_s = {"frontend": None, "vq": None, "network": per_inference * INFERENCES_PER_S,
             "total": per_inference * INFERENCES_PER_S}
    elf = proj / "build" / "fw.elf"
    return {"model": name, "run": str(run_dir), "board": board, "core": CORES.get(board, board),
            "scope": "network only, features given", "counted_on": f"{len(rows)} test clips' features",
            "network_per_inference": per_inference, "frontend_per_hop": None, "vq_per_hop": None,
            "per_second": per_s, "inferences_per_second": INFERENCES_PER_S, "clock_hz": clock_hz,
            "cycles_per_instruction": 1, "rtf": per_s["total"] / clock_hz, "memory": fe.memory_split(elf),
            "heap_symbols": qemu.check_no_heap(elf),
            "agree_interpreter_on_counted": sum(ok for _, ok in rows), "counted_clips": len(rows)}


def _k(v):
    return "-" if v is None else f"{v / 1000:,.1f} K"


def table(rows):
    head = ("| model | board | scope | network / inference | front end / hop | VQ / hop | total / 1 s | "
            "RTF | flash code + const (B) | RAM arena + buffers + stack (B) | test accuracy (agree host, interp.) |")
    lines = [head, "|" + "---|" * 11]
    for r in rows:
        m = r["memory"]
        acc = "-"
        if r.get("accuracy") is not None:
            acc = (f"{100 * r['accuracy']:.1f}% of {r['test_clips']} ({r['agree_host']}/{r['test_clips']}, "
                   f"{r['agree_interpreter']}/{r['test_clips']})")
        elif r.get("counted_clips"):
            acc = f"- (labels = interpreter's on {r['agree_interpreter_on_counted']}/{r['counted_clips']} counted clips)"
        scope = ("network only, features given" if r["scope"].startswith("network only") else
                 "firmware from code frames" if "code frames" in r["scope"] else "firmware from audio")
        lines.append(
            f"| {r['model']} | {r['board']} ({r['core']}) | {scope} | {_k(r['network_per_inference'])} | "
            f"{_k(r['frontend_per_hop'])} | {_k(r['vq_per_hop'])} | {r['per_second']['total'] / 1e6:.2f} M | "
            f"{r['rtf']:.3f} | {m['flash']['total']:,} = {m['flash']['code']:,} + {m['flash']['constants']:,} "
            f"(+{m['flash']['other']}) | {m['ram']['total']:,} = {m['ram']['arena']:,} + {m['ram']['buffers']:,} + "
            f"{m['ram']['stack_reserve']:,} (+{m['ram']['other']}) | {acc} |")
    streams = [r for r in rows if r.get("stream")]
    if streams:
        lines += ["", "| model | board | stream | detection threshold | keywords | hits | miss rate | "
                  "false accepts (wrong label) | false accepts per hour |", "|" + "---|" * 9]
        for r in streams:
            s = r["stream"]
            default = dict(s, threshold=s["recognizer"]["KWS_DETECTION_THRESHOLD"])
            points = {p["threshold"]: p for p in s.get("thresholds", [])}
            points[default["threshold"]] = default
            for t in sorted(points):
                p = points[t]
                mark = " (default)" if p is default else ""
                lines.append(f"| {r['model']} | {r['board']} | {s['seconds']:.0f} s | {t:g}{mark} | {p['keywords']} | "
                             f"{p['hits']} | {100 * p['miss_rate']:.1f}% | {p['false_accepts']} ({p['wrong_label']}) | "
                             f"{p['false_accepts_per_hour']:.0f} |")
    return "\n".join(lines)


def save(rows, command):
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(rows, indent=1) + "\n")
    clock = rows[0]["clock_hz"] / 1e6
    notes = []
    for r in rows:
        if r["scope"].startswith("network only"):
            once = r["network_per_inference"] / r["clock_hz"]
            notes.append(f"{r['model']} on {r['board']}: network only, on features the host computed, in the "
                         f"qemu-m4 harness (its RAM counts that harness's 64 KiB stack reserve); at one inference "
                         f"per second instead of 8 it would need {r['network_per_inference'] / 1e6:.2f} M "
                         f"instructions per second, RTF {once:.3f}, before any front end.")
        elif "code frames" in r["scope"]:
            notes.append(f"{r['model']} on {r['board']}: the firmware fed code frames ({r['inferences_per_second']:g} "
                         f"inferences per second; storing a frame {r['frame_per_frame']:.0f} instructions, writing the "
                         f"window {r['input_per_inference']:.0f} per inference); the codec's encoder runs elsewhere "
                         "and is counted nowhere: EnCodec's does not fit a microcontroller.")
    section = "\n".join([
        BEGIN, "## Firmware under QEMU (`tools/bench_firmware.py`)", "",
        f"`{command}`", "", textwrap.fill(
        "Exact instruction counts from the QEMU plugin between the firmware's markers "
        "(`--count frontend|vq|network`), not cycles. Total per 1 s of streamed audio: 128 hops of the "
        "front end, 64 rows of the VQ encoder, 8 inferences (one every 8 rows, 125 ms). RTF: that total "
        f"over {clock:g} MHz (the MPS2 FPGA images' system clock) at one cycle per instruction: about a lower "
        "bound of cycles on the single-issue Cortex-M4 (only folded IT instructions take no cycle of their "
        "own), an estimate on the dual-issue Cortex-M7; the recognizer and audio input are not counted. Flash = code + "
        "constants (+ vector table, strings, alignment, .data's initial values); RAM = arena + buffers "
        "(front-end state, code ring, recognizer, audio, command line) + stack reserve (+ libc's few "
        "bytes). Accuracy: the firmware's label for each test clip's full 1 s window "
        "(`lossykws emulate PROJECT --target qemu DATA_DIR`), with its agreement with the host build and "
        "the LCE interpreter on the same codes. Streaming (`lossykws emulate PROJECT --target qemu "
        "--stream DATA_DIR`): test-split keywords, each between 1 s `_silence_` clips (background "
        "noise), an `_unknown_` clip after every second keyword; the firmware's recognizer (default "
        "settings: 500 ms average, threshold 0.6, 1 s suppression, 2 results minimum) scored by TF "
        "speech_commands' streaming rule: a detection whose 1 s window starts within 750 ms of a "
        "keyword's onset matches it, a hit when the label is right and the keyword not yet matched; "
        "anything else is a false accept. Rows: docs/results/firmware.json.", width=100), "",
        table(rows), ""] + [textwrap.fill("- " + n, width=100, subsequent_indent="  ") for n in notes] + [END])
    text = BENCHMARKS.read_text() if BENCHMARKS.is_file() else "# Benchmarks\n"
    if BEGIN in text and END in text:
        text = text.split(BEGIN)[0] + section + text.split(END, 1)[1]
    else:
        text = text.rstrip("\n") + "\n\n" + section + "\n"
    BENCHMARKS.write_text(text)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--run", action="append", required=True, metavar="NAME=RUN_DIR")
    ap.add_argument("--boards", default=",".join(BOARDS))
    ap.add_argument("--data", default=None, help="Speech Commands folder: its test split")
    ap.add_argument("--clock-mhz", type=float, default=25.0)
    ap.add_argument("--work", default=None, help="where projects are exported [a temporary folder]")
    ap.add_argument("--stream-keywords", type=int, default=100,
                    help="VQ rows with --data: keywords in the streaming test recording (0: none)")
    ap.add_argument("--stream-thresholds", default="", metavar="T,T,...",
                    help="also score the stream of VQ runs at these detection thresholds (a build of the "
                         "firmware each), e.g. 0.4,0.5,0.7,0.8,0.9: the miss rate against false accepts per hour")
    ap.add_argument("--save", action="store_true")
    args = ap.parse_args(argv)
    clock_hz = args.clock_mhz * 1e6
    try:
        thresholds = [float(t) for t in args.stream_thresholds.split(",") if t.strip()]
    except ValueError:
        raise LossykwsError(f"--stream-thresholds {args.stream_thresholds!r}: expected numbers such as "
                            "0.5,0.7") from None
    if any(not 0.0 < t < 1.0 for t in thresholds):
        raise LossykwsError(f"--stream-thresholds {args.stream_thresholds}: each threshold is a score in (0, 1)")
    rows = []
    with tempfile.TemporaryDirectory(prefix="bench-fw-") as tmp:
        work = Path(args.work or tmp)
        work.mkdir(parents=True, exist_ok=True)
        for spec in args.run:
            name, _, path = spec.partition("=")
            run_dir = Path(path)
            from lossykws.training.run import read_config

            codec = read_config(run_dir).get("codec", {}).get("codec")
            for board in args.boards.split(","):
                started = time.time()
                make = {"vq": vq_row, "encodec": codes_row}.get(codec, network_row)
                sweep = {"thresholds": thresholds} if make is vq_row and args.data else {}
                row = make(name, run_dir, board, work, args.data, clock_hz, args.stream_keywords, **sweep)
                row["bench_seconds"] = round(time.time() - started, 1)
                rows.append(row)
                print(f"{name} {board}: {time.time() - started:.0f} s", file=sys.stderr)
    print(table(rows))
    if args.save:
        save(rows, "tools/bench_firmware.py " + " ".join(a if " " not in a else repr(a) for a in (argv or sys.argv[1:])))
    return rows


if __name__ == "__main__":
    try:
        main()
    except LossykwsError as e:
        print(f"error: {e}", file=sys.stderr)
        sys.exit(1)
