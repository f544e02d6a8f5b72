"""`lossykws emulate PROJECT --target qemu` for a cortex-m project: the firmware fed audio
(lossykws.emulation.firmware) or code frames (lossykws.emulation.code_frames) on clips or a
stream, and its report as lines or JSON."""
import json
import tempfile
from pathlib import Path


from lossykws.emulation import code_frames as code_frame_emulation
from lossykws.emulation import qemu
from lossykws.emulation.firmware import (build, classify, clips_from, count_stages, make_stream, memory_split, read_clip, read_project, run_stream, timing, write_pcm_wav)
from lossykws.errors import LossykwsError


def emulate_firmware(project_dir, inputs, *, stream=False, keywords=20, seed=0, limit=None, count=True,
                     clock_hz=None):
    """Everything `lossykws emulate PROJECT --target qemu` reports for a cortex-m project (for an
    EnCodec firmware fed code frames, lossykws.emulation.code_frames's)."""
    project = read_project(project_dir)
    expected = ("an encodec feature cache folder (its test split) or codes files" if project.code_frames
                else "a data folder (its test split) or WAV files")
    if not inputs:
        raise LossykwsError(f"no input: give {expected}")
    for p in map(Path, inputs):
        if not p.exists():
            raise LossykwsError(f"{p}: no such file or folder (expected {expected})")
    code_clips = None
    if project.code_frames:
        if stream:
            raise LossykwsError("--stream builds a recording of audio; this EnCodec firmware is fed code frames "
                                f"(give {expected})")
        code_clips = code_frame_emulation.clips_from([str(p) for p in inputs], project, limit=limit)
    _ = project.machine  # refuses a board QEMU lacks, before building
    elf = build(project)
    report = {"target": "cortex-m", "board": project.board, "project": str(project.dir),
              "labels": project.labels, "input": "code frames" if project.code_frames else "audio"}
    if stream:
        dirs = [Path(p) for p in inputs]
        if not all(d.is_dir() for d in dirs):
            raise LossykwsError("--stream takes data folders (it builds its recording from their test split)")
        with tempfile.TemporaryDirectory(prefix="lkws-stream-") as tmp:
            wav = Path(tmp) / "stream.wav"
            made = make_stream(dirs, project.labels, wav, keywords=keywords, seed=seed)
            report["stream"] = dict(run_stream(project, wav, made["truth"], made["seconds"]),
                                    seconds=made["seconds"], truth=made["truth"], seed=seed)
        return report
    if code_clips is not None:
        report.update(code_frame_emulation.classify(project, code_clips))
        if count:
            report["instructions"] = counts = code_frame_emulation.count_stages(project, code_clips[0][2])
            report["timing"] = code_frame_emulation.timing(project, counts, clock_hz)
    else:
        clips = clips_from([str(p) for p in inputs], project, limit=limit)
        report.update(classify(project, clips))
        if count:
            with tempfile.TemporaryDirectory(prefix="lkws-count-") as tmp:
                wav = Path(tmp) / "clip.wav"
                write_pcm_wav(wav, read_clip(clips[0][0]))
                report["instructions"] = counts = count_stages(project, wav)
            report["timing"] = timing(project, counts, clock_hz)
    report["memory"] = memory_split(elf)
    report["heap_symbols"] = qemu.check_no_heap(elf)
    return report


def format_report(report):
    """The report as text lines."""
    code_frames = report.get("input") == "code frames"
    lines = [f"{report['project']}: cortex-m firmware on {report['board']} under QEMU"
             + (", fed code frames (the codec's encoder runs elsewhere)" if code_frames else "")]
    if "stream" in report:
        s = report["stream"]
        lines.append(f"stream {s['seconds']:.1f} s, {s['keywords']} keywords (seed {s['seed']}): "
                     f"hits {s['hits']}, miss rate {100 * s['miss_rate']:.1f}%, false accepts {s['false_accepts']} "
                     f"({s['wrong_label']} wrong label) = {s['false_accepts_per_hour']:.1f} per hour "
                     f"(tolerance {s['tolerance_ms']} ms around the onset)")
        return lines
    s = report["summary"]
    n = s["clips"]
    acc = f"{100 * s['accuracy']:.1f}% ({s['correct']}/{s['labelled']})" if s["accuracy"] is not None else "n/a"
    err = f"{s['max_score_error']:.3g}" if s["max_score_error"] is not None else "n/a"
    codes = "" if code_frames else f"codes equal Python's {s['codes_equal']}/{n}; "
    lines += [f"clips {n}: accuracy {acc}; label agreement with the host build {s['agree_host']}/{n}, "
              f"with the LCE interpreter {s['agree_interpreter']}/{n}; {codes}max score error vs interpreter "
              f"{err} (relative, tolerance 1e-05)"]
    for r in report["clips"][:20]:
        codes = "" if code_frames else f", codes {'equal' if r['codes_equal'] else 'DIFFER'}"
        lines.append(f"  {r['file']}: {r['label']} (true {r['true_label']}, host {r['host_label']}, "
                     f"interpreter {r['interpreter_label']}{codes})")
    if len(report["clips"]) > 20:
        lines.append(f"  ... {len(report['clips']) - 20} more (--json for all)")
    if "timing" in report and code_frames:
        t, c = report["timing"], report["instructions"]
        lines.append(f"instructions (exact, QEMU plugin): storing a frame {c['frame']:.0f}, writing the window "
                     f"{c['input']:.0f}, network {c['network']:.0f} per inference ({t['inferences_per_second']:g} "
                     f"per s at {t['frames_per_second']:g} frames per s)")
        lines.append(f"per 1 s of codes {t['per_second']['total'] / 1e6:.2f}M instructions: RTF {t['rtf']:.3f} at "
                     f"{t['clock_hz'] / 1e6:g} MHz ({t['clock_note']})")
    elif "timing" in report:
        t, c = report["timing"], report["instructions"]
        lines.append(f"instructions (exact, QEMU plugin): front end {c['frontend_per_hop']:.0f} per hop, VQ "
                     f"{c['vq_per_row']:.0f} per row of codes ({t['per_hop']['vq']:.0f} per hop), network "
                     f"{c['network_per_inference']:.0f} per inference ({t['inferences_per_second']:g} per s)")
        lines.append(f"per 1 s of audio {t['per_second']['total'] / 1e6:.2f}M instructions: RTF {t['rtf']:.3f} at "
                     f"{t['clock_hz'] / 1e6:g} MHz ({t['clock_note']})")
    m = report["memory"]
    lines.append(f"flash {m['flash']['total']} B (code {m['flash']['code']}, constants {m['flash']['constants']}, "
                 f"other {m['flash']['other']}); RAM {m['ram']['total']} B (arena {m['ram']['arena']}, buffers "
                 f"{m['ram']['buffers']}, other {m['ram']['other']}, stack reserve {m['ram']['stack_reserve']}); "
                 f"heap {'none' if not report['heap_symbols'] else ', '.join(report['heap_symbols'])}")
    return lines


def dumps(report):
    return json.dumps(report, indent=1)
