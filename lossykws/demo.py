"""`lossykws demo` / `make demo`: the main job end to end, with what each stage has to offer.

On real speech (--data, any Speech Commands folder) the figures mean something; on the embedded
default, a synthesized corpus, they only show that every stage runs.
"""
import json
from pathlib import Path

import click

from . import datasets
from .synth import synthesize_corpus

DEMO_TASK = "words8"
DEMO_PER_WORD = 300
DEMO_SEED = 0


def _synth_corpus(out_dir):
    """The synthesized corpus, reused when a previous demo wrote it with the same settings."""
    corpus = Path(out_dir) / "synth"
    manifest = corpus / "synth.json"
    if manifest.is_file():
        m = json.loads(manifest.read_text())
        if (m.get("task"), m.get("per_word"), m.get("seed")) == (DEMO_TASK, DEMO_PER_WORD, DEMO_SEED):
            click.echo(f"[data] reusing the synthesized corpus in {corpus}")
            return corpus
    click.echo(f"[data] synthesizing {DEMO_PER_WORD} clips per word of {DEMO_TASK} into {corpus}")
    stats = synthesize_corpus(corpus, task=DEMO_TASK, per_word=DEMO_PER_WORD, seed=DEMO_SEED, force=True)
    click.echo(f"[data] {stats['clips']} clips from {stats['voices']} voices in {stats['seconds']:.1f} s")
    return corpus


def run_demo(data_dirs, out_dir):
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    if data_dirs:
        roots = list(data_dirs)
    else:
        click.echo("[data] no --data given: using a synthesized corpus (accuracy on it says little; "
                   "pass DATA=path/to/speech_commands for real figures)")
        roots = [_synth_corpus(out_dir)]
    corpus = datasets.scan(roots, DEMO_TASK)
    click.echo(datasets.format_summary(datasets.summary(corpus)))
    click.echo("[done] data stage complete; encode, train, export and emulate join the demo as they land")
