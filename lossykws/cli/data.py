"""`lossykws data ...`: the library calls behind the data commands."""
from pathlib import Path

import click

from lossykws.data import audio, datasets
from lossykws.errors import LossykwsError
from lossykws.progress import progress_bar


def info(data_dir, task, strict, as_json):
    """Print a corpus report; with strict, any problem is an error (exit 1 after the report).

    A WAV file named instead of a folder gets its own report, and is an error if it is bad.
    """
    if len(data_dir) == 1 and Path(data_dir[0]).is_file():
        return clip_info(data_dir[0], as_json)
    corpus = datasets.scan(data_dir, task)
    report = datasets.summary(corpus)
    click.echo(datasets.dumps_summary(report) if as_json else datasets.format_summary(report))
    if strict and report["problems"]:
        n = len(report["problems"])
        raise LossykwsError(f"{n} problem{'s' * (n != 1)} found in {', '.join(data_dir)} (--strict)")


def synth(out_dir, task, per_word, seed, jobs, force):
    from lossykws.data import synth as synthesis

    words = [w for w in datasets.check_task(task) if w != datasets.SILENCE]
    with progress_bar(total=per_word * len(words), desc="synth", unit="clip") as bar:
        stats = synthesis.synthesize_corpus(out_dir, task=task, per_word=per_word, seed=seed, jobs=jobs,
                                            force=force, progress=bar.update)
    click.echo(f"wrote {stats['clips']} clips ({stats['per_word']} per word, {stats['voices']} voices, "
               f"{stats['speakers']} speakers) to {out_dir} in {stats['seconds']:.1f} s")


def download(out_dir, url, sha256, force):
    from lossykws.data import download as dl

    dl.download_speech_commands(out_dir, url=url, sha256=sha256, force=force, progress=progress_bar)
    click.echo(f"unpacked into {out_dir}")


def clip_info(path, as_json):
    import json

    samples, wav = audio.read_wav(path)
    notes = datasets.conversion_notes(wav)
    report = {"file": str(path), "rate": wav.rate, "channels": wav.channels, "bits": wav.bits,
              "encoding": wav.encoding, "frames": wav.frames, "seconds": wav.frames / wav.rate,
              "peak": float(abs(samples).max()), "problem": notes or None}
    if as_json:
        click.echo(json.dumps(report, indent=2))
    else:
        click.echo(f"{path}: {wav.encoding} {wav.bits}-bit, {wav.channels} channel(s), {wav.rate} Hz, "
                   f"{report['seconds']:.3f} s, peak {report['peak']:.3f}"
                   + (f"; {report['problem']}" if notes else ""))
