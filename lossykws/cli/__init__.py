"""The `lossykws` command: a thin click layer over the library.

Every command parses its options and calls one library function; modules that import TensorFlow
or torch are imported inside the command, so `lossykws --help` answers at once. A LossykwsError
becomes one line on stderr and exit status 1, with no traceback.
"""
import functools
import importlib
import sys

import click

from lossykws import __version__
from lossykws.errors import LossykwsError
from lossykws.features import codecs

TASK = click.Choice(["words8", "kws12"])
CODEC = click.Choice(codecs.names())
_existing_dir = click.Path(file_okay=False, path_type=str)


def _call(module, function, **kwargs):
    """Import lossykws.<module> lazily and call function(**kwargs), turning errors into one line."""
    try:
        return getattr(importlib.import_module(f"lossykws.{module}"), function)(**kwargs)
    except LossykwsError as e:
        click.echo(f"error: {e}", err=True)
        sys.exit(1)
    except KeyboardInterrupt:
        click.echo("interrupted", err=True)
        sys.exit(130)


class _UsageLine(click.ClickException):
    """A usage error (a bad option value, a missing argument) shown as one line, like LossykwsError's."""
    exit_code = 2

    def show(self, file=None):
        click.echo(f"error: {self.format_message()}", err=True)


def _one_line(e):
    if isinstance(e, click.exceptions.NoArgsIsHelpError):
        return e   # a bare group: its help, as click shows it
    where = f" (see {e.ctx.command_path} --help)" if e.ctx is not None else ""
    return _UsageLine(" ".join(e.format_message().split()) + where)


class _Main(click.Group):
    """The top-level group: every usage error below it becomes one line on stderr (exit status 2)."""

    def make_context(self, *args, **kwargs):
        try:
            return super().make_context(*args, **kwargs)
        except click.UsageError as e:
            raise _one_line(e) from None

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except click.UsageError as e:
            raise _one_line(e) from None


def _command(group, module, function, **settings):
    """Register a command whose body is `module.function(**options)`."""
    def wrap(f):
        @functools.wraps(f)
        def body(**kwargs):
            return _call(module, function, **kwargs)
        return group.command(**settings)(body)
    return wrap


@click.group(cls=_Main, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="lossykws")
def main():
    """Keyword-spotting firmware from binarized networks trained on lossy codes of speech.

    \b
    The stages, each reading what the previous one wrote:
      lossykws data synth|info|download   get speech in
      lossykws encode                     audio to lossy codes (tf, vq, encodec)
      lossykws train / evaluate           Larq BNNs and the float baseline
      lossykws export                     LCE flatbuffer to a C project (host, qemu-m4, cortex-m)
      lossykws emulate                    run the C on the host or in QEMU, compare with LCE
    """


# ---------------------------------------------------------------- data
@main.group()
def data():
    """Speech corpora: inspect, synthesize offline, download."""


@_command(data, "cli.data", "info", name="info")
@click.argument("data_dir", nargs=-1, required=True, type=click.Path(path_type=str))
@click.option("--task", type=TASK, default="kws12", show_default=True)
@click.option("--strict", is_flag=True, help="Exit non-zero if any problem is found.")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
def _data_info():
    """Labels, clips per label and split, speakers, and every problem found.

    DATA_DIR may also be a single WAV file: its format is printed, and a bad file is an error.
    """


@_command(data, "cli.data", "synth", name="synth")
@click.argument("out_dir", type=_existing_dir)
@click.option("--task", type=TASK, default="words8", show_default=True)
@click.option("--per-word", type=click.IntRange(1), default=300, show_default=True)
@click.option("--seed", type=int, default=0, show_default=True)
@click.option("--jobs", type=click.IntRange(1), default=None, help="Worker processes [all cores].")
@click.option("--force", is_flag=True, help="Replace a non-empty OUT_DIR.")
def _data_synth():
    """Synthesize an offline corpus (espeak-ng and flite voices) in the Speech Commands layout."""


@_command(data, "cli.data", "download", name="download")
@click.argument("out_dir", type=_existing_dir)
@click.option("--url", default=None, help="Archive URL [the official Speech Commands v0.02].")
@click.option("--sha256", default=None, help="Expected SHA-256 of the archive [known for the official URL].")
@click.option("--force", is_flag=True, help="Replace a non-empty OUT_DIR.")
def _data_download():
    """Fetch and unpack the Speech Commands archive (resumes a partial download)."""


# ---------------------------------------------------------------- later stages
@_command(main, "cli.codec", "encode", name="encode")
@click.argument("data_dir", nargs=-1, required=True, type=_existing_dir)
@click.option("--codec", type=CODEC, required=True)
@click.option("--out", "out_dir", required=True, type=_existing_dir)
@click.option("--task", type=TASK, default="words8", show_default=True)
@click.option("--bandwidth", type=float, default=None,
              help="EnCodec kbps: 1.5, 3, 6, 12 or 24 [6].")
@click.option("--encodec-checkpoint", type=click.Path(dir_okay=False), default=None,
              help="EnCodec 24 kHz weights [$TORCH_HOME/hub/checkpoints/encodec_24khz-d7cc33bc.th].")
@click.option("--encodec-weights", type=click.Choice(["pretrained", "fit"]), default="pretrained",
              show_default=True, help="fit: train a local codec (EnCodec architecture) on the training split.")
@click.option("--fit-budget", type=click.FloatRange(1, 1800), default=600, show_default=True,
              help="Seconds for --encodec-weights fit.")
@click.option("--vq-k", type=click.IntRange(2, 256), default=16, show_default=True, help="VQ codewords.")
@click.option("--codebook", "vq_codebook", type=click.Path(dir_okay=False), default=None,
              help="Use this VQ codebook instead of fitting one on the training split.")
@click.option("--seed", type=int, default=0, show_default=True)
@click.option("--force", is_flag=True, help="Rebuild a cache made with other settings or data.")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
def _encode():
    """Encode every split of a corpus with a codec into a feature cache.

    A second run with the same data and settings reuses the cache; a cache made with other
    settings or data is an error unless --force rebuilds it.
    """


@_command(main, "cli.codec", "listen", name="listen")
@click.argument("source", type=_existing_dir)
@click.argument("clip", type=click.Path(dir_okay=False))
@click.option("--out", "out_path", required=True, type=click.Path(dir_okay=False))
def _listen():
    """Render a clip's round trip through the codec of a cache or run directory."""


@_command(main, "cli.train", "train", name="train")
@click.argument("data_dir", nargs=-1, type=_existing_dir)
@click.option("--features", type=CODEC, default=None,
              help="Codec of the features (needed with Speech Commands folders).")
@click.option("--model", type=click.Choice(["tf-cnn", "vq-bnn", "encodec-bnn", "ds-cnn"]), default=None,
              help="[the model of the features: tf-cnn, vq-bnn, encodec-bnn, ds-cnn]")
@click.option("--task", type=TASK, default=None, help="[words8, or the cache's task]")
@click.option("--epochs", type=click.IntRange(1), default=None, help="[tf-cnn 30, BNNs 60]")
@click.option("--batch-size", type=click.IntRange(1), default=32, show_default=True)
@click.option("--seed", type=int, default=0, show_default=True)
@click.option("--out", "out_dir", type=_existing_dir, default=None, help="Run directory [runs/MODEL-TASK-seedS].")
@click.option("--cache", "cache_dir", type=_existing_dir, default=None,
              help="Feature cache for DATA_DIRs [OUT's parent/.lossykws-cache/FEATURES-TASK-FINGERPRINT].")
@click.option("--augment", type=click.IntRange(0, 16), default=None,
              help="Augmented copies of the training audio, encoded with the codec [tf: 2, vq: 4, encodec: 0].")
@click.option("--speed", default=None, metavar="LO,HI",
              help="Playback-speed range of the augmented copies (tempo and pitch) [0.85,1.15]; 1,1 keeps it.")
@click.option("--warp", default=None, metavar="LO,HI",
              help="Frequency-warp (VTLP) range of the augmented copies' features, e.g. 0.9,1.1 [1,1: none]; "
                   "tf and vq only.")
@click.option("--train-extra", "train_extra", multiple=True, type=_existing_dir,
              help="A corpus (e.g. from `lossykws data synth`) whose clips join the training set only, "
                   "every split of it; validation and test stay DATA_DIR's. Repeatable.")
@click.option("--strategy", type=click.Choice(["default", "mirrored", "multi-worker"]), default="default",
              show_default=True, help="mirrored: all local GPUs; multi-worker: the cluster in TF_CONFIG.")
@click.option("--resume", type=_existing_dir, default=None, help="Continue an interrupted run.")
@click.option("--int8", is_flag=True, help="Int8 non-binary layers (ranges calibrated on training data).")
@click.option("--json", "as_json", is_flag=True, help="Print metrics.json.")
def _train():
    """Train a model on Speech Commands folders (or a feature cache) and write a run directory.

    Trains on the training split (augmented before encoding), selects the epoch on the validation
    split, evaluates once on the test split, converts with LCE and checks the interpreter against
    Keras. A checkpoint is written every epoch; an interrupted run continues with --resume.
    """


@_command(main, "cli.train", "evaluate", name="evaluate")
@click.argument("run_dir", type=_existing_dir)
@click.argument("data_dir", nargs=-1, type=_existing_dir)
@click.option("--json", "as_json", is_flag=True)
def _evaluate():
    """Accuracy, per-class accuracy and confusion of a run through Keras and the LCE interpreter.

    On the run's test split, or on every clip of DATA_DIRs encoded with the run's codec.
    """


@_command(main, "cli.export", "export", name="export")
@click.argument("model", type=click.Path(exists=False))
@click.option("--target", type=click.Choice(["host", "qemu-m4", "cortex-m"]), default="host",
              show_default=True)
@click.option("--out", "out_dir", required=True, type=_existing_dir)
@click.option("--force", is_flag=True, help="Replace a non-empty output folder.")
@click.option("--packed-input", type=click.Choice(["words", "dense"]), is_flag=False, flag_value="words",
              default=None, help="Drop the input LceQuantize: the caller feeds packed sign bits (bit set = -1): "
                                 "`words` (the flag alone) as LCE packs them, `dense` for a first binary convolution "
                                 "that reads densely packed few-bit codes (the cortex-m target picks it itself).")
@click.option("--no-fuse", "fuse", flag_value=False, default=True,
              help="Keep every tensor of the .tflite observable (no LceBconv2d+LceQuantize fusion).")
@click.option("--board", type=click.Choice(["mps2-an386", "mps2-an500", "netduinoplus2", "nano33ble"]), default=None,
              help="cortex-m: the board (default mps2-an386, Cortex-M4F; mps2-an500 is a Cortex-M7; "
                   "netduinoplus2 runs under QEMU too; nano33ble is the Arduino Nano 33 BLE Sense, built only).")
def _export():
    """Generate a C project from a .tflite flatbuffer (or a run directory).

    MODEL is any LCE .tflite file, or a run directory of `lossykws train` (its labels and codec
    parameters then go into model_settings.h). `--target host` builds with `make` and the host cc
    alone; `--target qemu-m4` is the Cortex-M4F harness for mps2-an386 under qemu-system-arm;
    `--target cortex-m` (a VQ or EnCodec run directory) is the keyword-spotting firmware for
    `--board`, run under QEMU with `make run WAV=...` (the EnCodec one is fed code frames, not
    audio: `make run WAV=CODES.u16`).
    """


@_command(main, "cli.export", "emulate", name="emulate")
@click.argument("project_dir", type=_existing_dir)
@click.argument("inputs", nargs=-1, type=click.Path())
@click.option("--target", type=click.Choice(["qemu"]), default=None,
              help="Run in qemu-system-arm (qemu-m4 and cortex-m projects; the only way for cortex-m).")
@click.option("--stream", is_flag=True,
              help="cortex-m: score the recognizer on a recording built from DATA_DIR's test split.")
@click.option("--keywords", type=click.IntRange(1), default=20, show_default=True,
              help="--stream: keywords in the recording.")
@click.option("--seed", type=int, default=0, show_default=True, help="--stream: the recording's seed.")
@click.option("--limit", type=click.IntRange(1), default=None, help="cortex-m: at most N test clips.")
@click.option("--clock-mhz", type=click.FloatRange(min=0, min_open=True), default=None,
              help="cortex-m: clock for the real-time factor [the board's: 25 MHz on MPS2].")
@click.option("--json", "as_json", is_flag=True)
def _emulate():
    """Build a generated project, run it on inputs and compare with the LCE interpreter.

    INPUTS are .npy arrays (with or without the batch dimension) or raw little-endian .bin files,
    one per model input per sample. Reports label agreement, the first tensor and element that
    differ, and for qemu-m4 the instructions per inference and the ELF's text/data/bss.

    A cortex-m firmware project (--target qemu) takes a data folder (its test split) or WAV files:
    per clip the firmware's label against the host build, the LCE interpreter and the true label,
    its codes against Python's, instructions per stage, real-time factor, flash and RAM. An
    EnCodec firmware is fed code frames, not audio: give it an encodec feature cache folder (its
    test split) or codes files (one window each, uint16 [frames, codebooks]); the same checks but
    the codes, its instructions per stage (the encoder runs elsewhere), flash and RAM.
    """


@_command(main, "pipeline.demo", "run_demo", name="demo")
@click.option("--data", "data_dirs", multiple=True, type=_existing_dir,
              help="Speech Commands folder(s) [a synthesized corpus].")
@click.option("--out", "out_dir", default="build/demo", show_default=True, type=_existing_dir)
def _demo():
    """Run the whole pipeline end to end on real or synthesized speech."""


if __name__ == "__main__":
    main()
