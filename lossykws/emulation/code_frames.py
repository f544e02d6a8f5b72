"""The EnCodec firmware under QEMU: it is fed code frames, not audio (the codec's encoder does not fit
a microcontroller), so `lossykws emulate PROJECT --target qemu` feeds it codes:

    lossykws emulate fw/ --target qemu CACHE_DIR        # the test split of an encodec feature cache
    lossykws emulate fw/ --target qemu a.u16 b.u16      # codes files, uint16 [frames, codebooks]

    project = firmware_emulation.read_project("fw/")     # a code-frame project: no codebook
    clips = clips_from(["cache/"], project)              # [(name, true label or None, codes [books, frames])]
    report = classify(project, clips)                    # labels vs host build vs interpreter

Every clip's codes go into one codes file, clip after clip, each followed by the fewest zero
frames that put an inference exactly at the next clip's end (none when the window's frames are a
whole number of hops), so the firmware's inference at a clip's end sees that clip's frames and
nothing else. Its scores there are compared with the LCE interpreter and the host build of the
same model on the same codes (the bits of codes_to_bits). Instruction counts come from the
firmware's own --count markers (frame, input, network); the encoder is not counted anywhere.
"""
import tempfile
from pathlib import Path

import numpy as np

from lossykws.errors import LossykwsError


def _settings(project):
    s = project.settings
    return (int(s["KWS_CODEBOOKS"]), int(s["KWS_FRAMES"]), int(s["KWS_CODE_BITS"]),
            int(s["KWS_INFERENCE_HOP_FRAMES"]), int(s["KWS_FRAME_RATE_HZ"]))


def _codec_of(spec):
    """What decides the codes: the codec's kind, weights, bandwidth and configuration."""
    return {k: spec.get(k) for k in ("codec", "weights", "bandwidth", "config")}


def clips_from(paths, project, limit=None):
    """[(name, true label or None, int64 codes [codebooks, frames])] from one feature cache folder
    (its test split, the clips of the model's labels; with limit, that many spread evenly) or from
    codes files of exactly one window each."""
    books, frames, bits, _, _ = _settings(project)
    if len(paths) == 1 and Path(paths[0]).is_dir():
        return _cache_clips(Path(paths[0]), project, (books, frames, bits), limit)
    out = []
    for p in map(Path, paths):
        if p.is_dir():
            raise LossykwsError(f"{p}: give one feature cache folder, or codes files, not both")
        if p.suffix.lower() == ".wav":
            raise LossykwsError(f"{p}: this EnCodec firmware is fed code frames, not audio (the encoder does "
                                "not run on the device); give codes files (uint16 [frames, codebooks]) or the "
                                "feature cache of `lossykws encode DATA --codec encodec`")
        if not p.is_file():
            raise LossykwsError(f"{p}: no such file (expected a codes file or a feature cache folder)")
        raw = p.read_bytes()
        if len(raw) != 2 * books * frames:
            raise LossykwsError(f"{p}: {len(raw)} bytes, expected one window of codes: {frames} frames x "
                                f"{books} codebooks of uint16 ({2 * books * frames} bytes)")
        codes = np.frombuffer(raw, dtype="<u2").reshape(frames, books).T.astype(np.int64)
        if codes.max() >= 1 << bits:
            raise LossykwsError(f"{p}: code {int(codes.max())} does not fit in the codec's {bits} bits")
        out.append((str(p), p.parent.name if p.parent.name in project.labels else None, codes))
    if not out:
        raise LossykwsError("no input: give an encodec feature cache folder (its test split) or codes files")
    return out


def _cache_clips(cache_dir, project, shape, limit):
    from lossykws.features import cache
    from lossykws.features.codecs import encodec

    split = cache.load_split(cache_dir, "test")
    want = project.manifest.get("settings", {}).get("codec", {})
    if _codec_of(split["codec"]) != _codec_of(want):
        have = split["codec"].get("label") or split["codec"].get("codec")
        raise LossykwsError(f"{cache_dir}: codes of another codec ({have}) than the firmware's "
                            f"({want.get('label') or want.get('codec')}); encode the data with the run's codec")
    if tuple(split["x"].shape[1:]) != shape:
        raise LossykwsError(f"{cache_dir}: codes of shape {list(split['x'].shape[1:])} [codebooks, frames, bits], "
                            f"the firmware takes {list(shape)}")
    names = split["label_names"]
    keep = [i for i in range(len(split["labels"])) if names[split["labels"][i]] in project.labels]
    if not keep:
        raise LossykwsError(f"{cache_dir}: no test-split clips of the model's labels ({', '.join(project.labels)})")
    if limit and limit < len(keep):
        keep = [keep[int(i)] for i in np.linspace(0, len(keep) - 1, limit).round()]
    codes = encodec.bits_to_codes(split["x"][keep])
    return [(str(split["paths"][i]), names[split["labels"][i]], c) for i, c in zip(keep, codes)]


def clip_period(project):
    """Frames from one clip's start to the next's: the window, then the fewest zero frames that put
    an inference exactly at the next clip's end."""
    _, frames, _, hop, _ = _settings(project)
    return frames + (-frames) % hop


def write_codes(path, codes):
    """int codes [codebooks, frames] as the firmware reads them: little-endian uint16 [frames, codebooks]."""
    np.asarray(codes).T.astype("<u2").tofile(path)
    return Path(path)


def _qemu_timeout(frames, rate):
    return 120 + int(frames / rate)


def classify(project, clips):
    """Run the firmware on every clip's codes (one QEMU run) and check it. Returns {"clips": [{file,
    true_label, label, host_label, interpreter_label, max_score_error}], "summary"}."""
    from lossykws.features.codecs import encodec
    from lossykws.emulation.firmware import clip_result, host_labels, interpreter_scores, run_firmware, summarize, traced_inferences

    books, frames, bits, _, rate = _settings(project)
    period = clip_period(project)
    stream = np.zeros((books, len(clips) * period), np.int64)
    for i, (_, _, codes) in enumerate(clips):
        stream[:, i * period:i * period + frames] = codes
    with tempfile.TemporaryDirectory(prefix="lkws-fw-codes-") as tmp:
        work = Path(tmp)
        stdout, _, scores = run_firmware(project, write_codes(work / "clips.u16", stream), work, scores=True,
                                         timeout=_qemu_timeout(stream.shape[1], rate))
        inferences = traced_inferences(stdout)
        if len(inferences) != len(scores):
            raise LossykwsError(f"{project.elf}: {len(inferences)} inferences traced, {len(scores)} scored")
        at = {t: i for i, (t, _) in enumerate(inferences)}
        index = []
        for i in range(len(clips)):
            t = (i * period + frames) * 1000 // rate
            if t not in at:
                raise LossykwsError(f"{project.elf}: no inference at {t} ms (the end of clip {i}); was the "
                                    "project built with another KWS_INFERENCE_HOP_FRAMES than kws_settings.h's?")
            index.append(at[t])
        planes = encodec.codes_to_bits(np.stack([c for _, _, c in clips]), bits)
        reference = interpreter_scores(project, planes)
        host = host_labels(project, planes, work)
    results = [clip_result(project, name, true, inferences[j][1], scores[j], host[i], reference[i])
               for i, ((name, true, _), j) in enumerate(zip(clips, index))]
    return {"clips": results, "summary": summarize(results, stream.shape[1] / rate)}


def count_stages(project, codes):
    """Exact instructions per call of each stage on one window of codes [codebooks, frames] (the QEMU
    plugin between the firmware's --count markers): {"frame", "input", "network", "calls"}."""
    from lossykws.emulation.firmware import count_calls

    _, _, _, _, rate = _settings(project)
    with tempfile.TemporaryDirectory(prefix="lkws-count-") as tmp:
        path = write_codes(Path(tmp) / "clip.u16", codes)
        out, calls = count_calls(project, path, ("frame", "input", "network"), _qemu_timeout(codes.shape[1], rate))
    return dict(out, calls=calls)


def timing(project, counts, clock_hz=None):
    """Instructions per second of code frames (storing each frame; writing the window and running the
    network once per hop) and the real-time factor at clock_hz (default: the board's), one cycle per
    instruction; the codec's encoder, which runs elsewhere, is not counted."""
    from lossykws.emulation.firmware import clock_of

    _, _, _, hop, rate = _settings(project)
    clock, source = clock_of(project, clock_hz)
    inferences_per_s = rate / hop
    per_s = {"frame": counts["frame"] * rate, "input": counts["input"] * inferences_per_s,
             "network": counts["network"] * inferences_per_s}
    total = sum(per_s.values())
    return {"per_second": dict(per_s, total=total), "inferences_per_second": inferences_per_s,
            "frames_per_second": rate, "clock_hz": clock, "cycles_per_instruction": 1, "rtf": total / clock,
            "clock_note": f"{source}; 1 cycle per instruction; the codec's encoder not included"}
