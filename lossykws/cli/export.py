"""`lossykws export` and `lossykws emulate`: printing over lossykws.pipeline.export and lossykws.emulation."""
import json
import shlex
from pathlib import Path

import click



def export(model, target, out_dir, force=False, packed_input=None, fuse=True, board=None):
    """`lossykws export`: the project (lossykws.pipeline.export), then how to build and run it."""
    from lossykws.codegen.kws_app import BOARDS
    from lossykws.pipeline.export import export_run

    manifest, code_frames = export_run(model, target, out_dir, force, packed_input, fuse, board)
    click.echo(f"wrote {out_dir} ({target}): {len(manifest['ops'])} ops, arena {manifest['arena_bytes']} bytes, "
               f"constants {manifest['const_bytes']} bytes (model.tflite {manifest['tflite_bytes']} bytes)")
    where = shlex.quote(str(out_dir))          # the hints are shell commands: a path with spaces stays one word
    if target == "host":
        click.echo(f"build: make -C {where}; run: {shlex.quote(str(Path(out_dir) / 'model'))} INPUT.bin "
                   "(--dump DIR for every tensor)")
    if target == "cortex-m":
        inputs = "WAV=codes.u16   (uint16 codes [frames, codebooks])" if code_frames else "WAV=recording.wav"
        then = (f"run {inputs}" if BOARDS[manifest["board"]].get("qemu_machine")
                else "flash   (a real board: nothing here runs it)")
        click.echo(f"board {manifest['board']}: make -C {where}; make -C {where} {then}")


def emulate(project_dir, inputs, as_json=False, target=None, stream=False, keywords=20, seed=0, limit=None,
            clock_mhz=None):
    """Build PROJECT_DIR, run it on INPUTS, compare every tensor with the LCE interpreter; for a
    cortex-m project, the firmware under QEMU on clips or a stream (lossykws.emulation.firmware)."""
    from lossykws.emulation.host import emulate_project, read_manifest

    kind = read_manifest(project_dir).get("target", "host")
    if kind == "cortex-m" or (target == "qemu" and kind != "qemu-m4") or stream:
        from lossykws.emulation import report as firmware_emulation

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
