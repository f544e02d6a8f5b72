"""`lossykws export` and `lossykws emulate`: thin commands over codegen and emulate."""
import json
from pathlib import Path

import click

from .errors import LossykwsError


def export(model, target, out_dir, force=False, packed_input=None, fuse=True, board=None):
    packed_input = packed_input or False
    """Generate the C project for MODEL (a .tflite file, or a run directory: its model.tflite,
    with the run's labels, task, model name and codec parameters in model_settings.h) and TARGET
    into OUT_DIR. cortex-m: the firmware for BOARD, from a VQ run directory (its codebook; the
    firmware takes audio) or an EnCodec run directory (the firmware takes code frames)."""
    from .codegen.project import export_project

    model = Path(model)
    labels = settings = codebook = None
    if model.is_dir():
        from .training import CONFIG, TFLITE, read_config

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
            codebook = _run_codebook(model, config)
        model = model / TFLITE
    elif target == "cortex-m":
        raise LossykwsError(f"{model}: the cortex-m target takes a run directory (the firmware needs its codec)")
    manifest = export_project(model, out_dir, target=target, force=force, labels=labels, settings=settings,
                              packed_input=packed_input, fuse=fuse, board=board, codebook=codebook)
    click.echo(f"wrote {out_dir} ({target}): {len(manifest['ops'])} ops, arena {manifest['arena_bytes']} bytes, "
               f"constants {manifest['const_bytes']} bytes (model.tflite {manifest['tflite_bytes']} bytes)")
    if target == "host":
        click.echo(f"build: make -C {out_dir}; run: {out_dir}/model INPUT.bin (--dump DIR for every tensor)")
    if target == "cortex-m":
        from .codegen.kws_app import BOARDS, CodeFrames

        inputs = ("WAV=codes.u16   (uint16 codes [frames, codebooks])" if isinstance(codebook, CodeFrames)
                  else "WAV=recording.wav")
        then = (f"run {inputs}" if BOARDS[manifest["board"]].get("qemu_machine")
                else "flash   (a real board: nothing here runs it)")
        click.echo(f"board {manifest['board']}: make -C {out_dir}; make -C {out_dir} {then}")


def _run_codebook(run_dir, config):
    from . import cache

    spec = config.get("codec")
    codec = spec.get("codec") if isinstance(spec, dict) else None
    if codec == "encodec":
        # The encoder does not fit a microcontroller: the firmware receives code frames.
        from .codegen.kws_app import CodeFrames

        return CodeFrames(spec.get("label", "EnCodec"))
    if codec != "vq":
        raise LossykwsError(f"{run_dir}: the cortex-m firmware runs VQ models (from raw audio) and EnCodec "
                            f"models (from code frames); this run's codec is {codec!s:.20}")
    from .codecs import vq

    return vq.load(Path(run_dir) / cache.CODEC_DIR / cache.VQ_CODEBOOK)


def emulate(project_dir, inputs, as_json=False, target=None, stream=False, keywords=20, seed=0, limit=None,
            clock_mhz=None):
    """Build PROJECT_DIR, run it on INPUTS, compare every tensor with the LCE interpreter; for a
    cortex-m project, the firmware under QEMU on clips or a stream (lossykws.firmware_emulation)."""
    from .emulate import emulate_project, read_manifest

    kind = read_manifest(project_dir).get("target", "host")
    if kind == "cortex-m" or (target == "qemu" and kind != "qemu-m4") or stream:
        from . import firmware_emulation

        report = firmware_emulation.emulate_firmware(
            project_dir, list(inputs), stream=stream, keywords=keywords, seed=seed, limit=limit,
            clock_hz=clock_mhz * 1e6 if clock_mhz else None)
        click.echo(firmware_emulation.dumps(report) if as_json else "\n".join(firmware_emulation.format_report(report)))
        return
    report = emulate_project(Path(project_dir), [Path(p) for p in inputs])
    if as_json:
        click.echo(json.dumps(report, indent=1))
        return
    n = len(report["samples"])
    agree = sum(s["agree"] for s in report["samples"])
    click.echo(f"{report['target']}: label agreement {agree}/{n} with the LCE interpreter; "
               f"max float error {report['max_float_error']:.3g} (relative, tolerance 1e-05)")
    for s in report["samples"]:
        click.echo(f"  {', '.join(s['inputs'])}: label {s['label']} (interpreter {s['reference_label']})")
    d = report["first_difference"]
    if d is None:
        click.echo("every tensor matches")
    else:
        click.echo(f"first difference: sample {d['sample']}, op {d['op']} ({d['kind']}), tensor {d['tensor']} "
                   f"'{d['name']}', element {d['element']}: C {d['c']} vs interpreter {d['reference']}")
    if report.get("instructions") is not None:
        click.echo(f"instructions per inference: {report['instructions']}")
    if report.get("sizes"):
        s = report["sizes"]
        click.echo(f"ELF text {s.get('text')} data {s.get('data')} bss {s.get('bss')}")
