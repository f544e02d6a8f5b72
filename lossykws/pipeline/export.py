"""Export: a .tflite file or a run directory of `lossykws train` to a generated C project.

A run directory brings its labels, task, model name and codec parameters into model_settings.h,
and for the cortex-m target its codec: the VQ codebook (the firmware takes audio) or, for
EnCodec, code frames (the encoder does not fit a microcontroller).

    >>> manifest = export_run("runs/vq-bnn-words8-seed0", "cortex-m", "fw", board="mps2-an386")
"""
from pathlib import Path

from lossykws.errors import LossykwsError


def export_run(model, target, out_dir, force=False, packed_input=None, fuse=True, board=None):
    """Generate the C project for MODEL (a .tflite file, or a run directory: its model.tflite,
    with the run's labels, task, model name and codec parameters in model_settings.h) and TARGET
    into OUT_DIR; returns the project's manifest (lossykws.json) and whether its input is code
    frames. cortex-m: the firmware for BOARD, from a VQ run directory (its codebook; the firmware
    takes audio) or an EnCodec run directory (the firmware takes code frames)."""
    from lossykws.codegen.kws_app import CodeFrames
    from lossykws.codegen.project import export_project

    packed_input = packed_input or False
    model = Path(model)
    labels = settings = codebook = None
    if model.is_dir():
        from lossykws.training.run import CONFIG, TFLITE, read_config

        config = read_config(model)
        if not (model / TFLITE).is_file():
            raise LossykwsError(f"{model}: the run has no {TFLITE} (is it finished? see lossykws train)")
        labels = config.get("labels", [])
        if not isinstance(labels, list) or not all(isinstance(x, (str, int)) and not isinstance(x, bool) for x in labels):
            raise LossykwsError(f"{model / CONFIG}: labels is not a list of names (retrain, "
                                "or export its model.tflite)")
        labels = [str(x) for x in labels] or None
        settings = {k: config[k] for k in ("task", "model", "codec") if k in config}
        if target == "cortex-m":
            codebook = run_codebook(model, config)
        model = model / TFLITE
    elif target == "cortex-m":
        raise LossykwsError(f"{model}: the cortex-m target takes a run directory (the firmware needs its codec)")
    manifest = export_project(model, out_dir, target=target, force=force, labels=labels, settings=settings,
                              packed_input=packed_input, fuse=fuse, board=board, codebook=codebook)
    return manifest, isinstance(codebook, CodeFrames)


def run_codebook(run_dir, config):
    """What the cortex-m firmware of a run encodes with (its codec's firmware_input): its VQ
    codebook, or CodeFrames for EnCodec."""
    from lossykws.features import cache, codecs

    spec = config.get("codec")
    codec = spec.get("codec") if isinstance(spec, dict) else None
    found = codecs.codec(codec).firmware_input(Path(run_dir) / cache.CODEC_DIR, spec) \
        if codec in codecs.names() else None
    if found is None:
        raise LossykwsError(f"{run_dir}: the cortex-m firmware runs VQ models (from raw audio) and EnCodec "
                            f"models (from code frames); this run's codec is {codec!s:.20}")
    return found
