"""`lossykws demo` / `make demo`: the main job end to end, with what each stage has to offer.

data (real, or a synthesized corpus) -> VQ codes -> vq-bnn trained with Larq -> LCE model.tflite
-> generated C (host target) -> the host program classifies the test split -> accuracy, and label
agreement with the LCE interpreter -> the cortex-m firmware under QEMU (mps2-an386) classifies the
same test split from raw samples -> accuracy, agreement, instructions per hop, flash and RAM.

On real speech (--data, any Speech Commands folder) the figures mean something; on the embedded
default, a synthesized corpus, they only show that every stage runs.
"""
import json
import shutil
import tempfile
from pathlib import Path

import click
import numpy as np

from lossykws.data import datasets
from lossykws.errors import LossykwsError
from lossykws.data.synth import synthesize_corpus

DEMO_TASK = "words8"
DEMO_PER_WORD = 300
DEMO_SEED = 0
DEMO_EPOCHS = 15


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


def _recipe():
    """What the demo's training run is: compared with a finished run's config.json before reuse."""
    from lossykws.data import augment
    from lossykws.features import codecs
    from lossykws.training import run as training

    return {"task": DEMO_TASK, "model": "vq-bnn", "epochs": DEMO_EPOCHS, "seed": DEMO_SEED,
            "augment_copies": codecs.codec("vq").default_augment,
            "augment_params": augment.params_of(training.default_augment_config("vq"))}


def reuse_refused(run_dir, fingerprint, recipe):
    """Why the finished run in run_dir is not the one the demo would train now (None: reuse it):
    other data (the corpus fingerprint), another task, model or recipe, or an unreadable run."""
    from lossykws.training import run as training

    try:
        config = training.read_config(run_dir)
    except LossykwsError as e:
        return str(e)
    if config.get("data_fingerprint") != fingerprint:
        return f"it was trained on other data (fingerprint {config.get('data_fingerprint')}, the data now {fingerprint})"
    have = {"task": config.get("task"), "model": config.get("model"), "epochs": config.get("epochs"),
            "seed": config.get("seed"), "augment_copies": config.get("augmentation", {}).get("copies"),
            "augment_params": config.get("augmentation", {}).get("params")}
    changed = [k for k in recipe if have[k] != recipe[k]]
    if changed:
        return "its " + ", ".join(f"{k} {have[k]} is not {recipe[k]}" for k in changed)
    return None


def _train(roots, run_dir, fingerprint, recipe=None):
    """A vq-bnn run directory: reused only when a finished run holds the same data, task, model and
    recipe; otherwise trained again, saying why."""
    from lossykws.pipeline.train import train
    from lossykws.training.run import format_metrics

    recipe = recipe or _recipe()
    if (run_dir / "metrics.json").is_file():
        why = reuse_refused(run_dir, fingerprint, recipe)
        if why is None:
            click.echo(f"[train] reusing the finished run {run_dir} (same data and recipe; delete it to train again)")
            return json.loads((run_dir / "metrics.json").read_text())
        click.echo(f"[train] not reusing {run_dir}: {why}; training again")
    if run_dir.exists():
        shutil.rmtree(run_dir)
    click.echo(f"[train] {recipe['model']} on VQ codes, {recipe['epochs']} epochs, into {run_dir}")
    metrics = train(data_dir=[str(r) for r in roots], features="vq", model=recipe["model"], task=recipe["task"],
                    epochs=recipe["epochs"], seed=recipe["seed"], out_dir=str(run_dir))
    for line in format_metrics(metrics, run_dir):
        click.echo(line)
    return metrics


def host_accuracy(run_dir, project_dir):
    """Build the host project of a run and classify the run's test split with it: (accuracy,
    agreement with the LCE interpreter, clips)."""
    from lossykws.emulation import host as emulate
    from lossykws.training import run as training
    from lossykws.emulation.reference import interpreter_predict

    config = training.read_config(run_dir)
    x, y, _ = training.load_features(config["cache"], "test", config["model"])
    if len(x) == 0:
        raise LossykwsError(f"{config['cache']}: the test split is empty")
    program = emulate.build_host(project_dir)
    labels = []
    with tempfile.TemporaryDirectory() as tmp:
        for i, sample in enumerate(x):
            path = Path(tmp) / f"x{i}.bin"
            path.write_bytes(np.ascontiguousarray(sample, dtype=np.float32).tobytes())
            stdout, _ = emulate.run_host(program, [path])
            labels.append(emulate.printed_label(stdout, program))
    host = np.array(labels)
    model_path = Path(run_dir) / training.TFLITE
    reference = interpreter_predict(model_path.read_bytes(), x, model_path).argmax(axis=-1)
    return float(np.mean(host == y)), float(np.mean(host == reference)), len(y)


def run_demo(data_dirs, out_dir):
    from lossykws.pipeline.export import export_run

    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    if data_dirs:
        roots = [Path(d) for d in data_dirs]
    else:
        click.echo("[data] no --data given: using a synthesized corpus (accuracy on it says little; "
                   "pass DATA=path/to/speech_commands for real figures)")
        roots = [_synth_corpus(out_dir)]
    corpus = datasets.scan(roots, DEMO_TASK)
    click.echo(datasets.format_summary(datasets.summary(corpus)))

    run_dir = out_dir / "run-vq-bnn"
    metrics = _train(roots, run_dir, corpus.fingerprint())
    project = out_dir / "fw-host"
    click.echo(f"[export] {run_dir} -> {project} (host target)")
    export_run(str(run_dir), "host", str(project), force=True)
    accuracy, agreement, n = host_accuracy(run_dir, project)
    keras = metrics.get("test", {}).get("keras", {}).get("accuracy") if isinstance(metrics.get("test"), dict) else None
    click.echo(f"[host] generated C on {n} test clips: accuracy {accuracy:.1%}, "
               f"label agreement with the LCE interpreter {agreement:.1%}"
               + (f" (Keras: {keras:.1%})" if keras is not None else ""))
    firmware(run_dir, out_dir / "fw-cortex-m", roots)


def firmware(run_dir, project, roots, board="mps2-an386"):
    """The keyword-spotting firmware of the run under QEMU on the test split: the same clips from
    raw samples through the streamed front end, VQ encoder and network; accuracy, agreement,
    instructions per hop, flash and RAM."""
    from lossykws.emulation import report as firmware_emulation
    from lossykws.pipeline.export import export_run
    from lossykws.emulation.qemu import require_tools

    try:
        require_tools("arm-none-eabi-gcc", "qemu-system-arm")
    except LossykwsError as e:
        click.echo(f"[firmware] skipped: {e}")
        return None
    click.echo(f"[export] {run_dir} -> {project} (cortex-m target, board {board})")
    export_run(str(run_dir), "cortex-m", str(project), force=True, board=board)
    if len(roots) > 1:
        click.echo(f"[firmware] the test split of {roots[0]} only")
    click.echo(f"[firmware] building and running the firmware under qemu-system-arm -M {board}")
    report = firmware_emulation.emulate_firmware(project, [str(roots[0])])
    lines = firmware_emulation.format_report(report)
    for line in lines:
        if not line.startswith("  "):          # per-clip lines: `lossykws emulate --target qemu` shows them
            click.echo(f"[firmware] {line}")
    click.echo(f"[done] flash it on a board: lossykws export {run_dir} --target cortex-m --board nano33ble "
               f"--out DIR; make -C DIR flash")
    return report
