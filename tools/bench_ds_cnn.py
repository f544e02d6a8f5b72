#!/usr/bin/env python
"""The int8 DS-CNN comparison (docs/results/ds_cnn.json; docs/benchmarks.md's DS-CNN section): a
trained int8 ds-cnn run exported for the host and for the qemu-m4 harness, every test clip through
the host C against the LCE interpreter (every tensor), a few through the Cortex-M4F harness in QEMU
(every tensor, and the exact instructions of each op), with the run's accuracies.

    .venv/bin/python tools/bench_accuracy.py --tasks words8 --models ds-cnn --int8 --seeds 3
    .venv/bin/python tools/bench_ds_cnn.py --run build/bench-accuracy/run-ds-cnn-words8-default-int8-s0 --save

The commands it runs are those of `lossykws export RUN --target host|qemu-m4` and `lossykws emulate
PROJECT xNNN.npy ...` (inputs: the run cache's test split, one clip per file).
"""
import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import lossykws  # noqa: E402,F401  (before TensorFlow)
from lossykws.training import run as training  # noqa: E402
from lossykws.errors import LossykwsError  # noqa: E402

RESULTS = ROOT / "docs" / "results" / "ds_cnn.json"
# TFLite Micro on mps2-an386, measured outside these benchmarks (not rerun here): instructions per inference.
TFLITE_MICRO = {"mlperf_ds_cnn": {"reference_kernels": 43.0e6, "cmsis_nn": 7.7e6, "arena_kb": 22.8, "macs": 2656768},
                "micro_speech": {"reference_kernels": 9.3e6, "cmsis_nn": 1.5e6, "arena_kb": 6.8}}


def measure(run_dir, work, qemu_clips):
    from lossykws.pipeline.export import export_run
    from lossykws.emulation.host import emulate_project, read_manifest

    config = training.read_config(run_dir)
    if config["model"] != "ds-cnn" or not config.get("int8"):
        raise LossykwsError(f"{run_dir}: a {config['model']} run{' (int8)' if config.get('int8') else ''}; "
                            "this benchmark takes an int8 ds-cnn run (bench_accuracy.py --models ds-cnn --int8)")
    metrics = json.loads((run_dir / training.METRICS).read_text())
    x, _, _ = training.load_features(config["cache"], "test", "ds-cnn")
    inputs = []
    for i, clip in enumerate(x):
        path = work / "x" / f"x{i:03d}.npy"
        path.parent.mkdir(parents=True, exist_ok=True)
        np.save(path, clip.astype(np.float32))
        inputs.append(path)
    projects = {}
    for target in ("host", "qemu-m4"):
        projects[target] = work / f"fw-{target}"
        export_run(str(run_dir), target, str(projects[target]), force=True)
    started = time.time()
    host = emulate_project(projects["host"], inputs)
    host_s = time.time() - started
    started = time.time()
    m4 = emulate_project(projects["qemu-m4"], inputs[:qemu_clips])
    m4_s = time.time() - started
    manifest = read_manifest(projects["qemu-m4"])
    summary = metrics["summary"]
    return {
        "what": f"ds-cnn (MLPerf Tiny KWS DS-CNN, 64 channels) int8 on the 128x128 tf features pooled in the graph "
                f"to 42x10; {config['task']}",
        "run_dir": str(run_dir),
        "command": "tools/bench_ds_cnn.py " + " ".join(sys.argv[1:]),
        "inputs": "xNNN.npy: the run cache's test split, training.load_features(cache, 'test', 'ds-cnn'), "
                  "one clip per file",
        "model": {"params": summary["params"], "macs": summary["float_macs"], "tflite_bytes": metrics["tflite_bytes"],
                  "ops": [op["kind"] for op in manifest["ops"]]},
        "training": {"train_clips": metrics["train_clips"], "epochs": metrics["epochs"],
                     "best_epoch": metrics["best_epoch"], "train_s": metrics.get("train_s"),
                     "learning_rate": config["learning_rate"], "batch_size": config["batch_size"],
                     "seed": config["seed"], "augmentation": config["augmentation"]},
        "accuracy": {split: {k: metrics[split][k] for k in ("clips", "keras_accuracy", "lce_accuracy", "agreement")}
                     for split in ("validation", "test")},
        "host_c": {"clips": len(host["samples"]), "label_agreement": host["label_agreement"],
                   "first_difference": host["first_difference"], "max_float_error": host["max_float_error"],
                   "seconds": round(host_s, 1)},
        "cortex_m4f": {"board": "mps2-an386 (qemu-system-arm)", "clips": len(m4["samples"]),
                       "label_agreement": m4["label_agreement"], "first_difference": m4["first_difference"],
                       "instructions_per_inference": m4["instructions"], "op_instructions": m4["op_instructions"],
                       "arena_bytes": manifest["arena_bytes"], "const_bytes": manifest["const_bytes"],
                       "stack_bytes": m4["stack_bytes"], "elf_sizes": m4["sizes"], "seconds": round(m4_s, 1)},
        "tflite_micro_reference_from_issue_6": TFLITE_MICRO,
    }


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--run", required=True, help="an int8 ds-cnn run directory")
    p.add_argument("--qemu-clips", type=int, default=5, help="test clips through the Cortex-M4F harness [5]")
    p.add_argument("--work", default=None, help="where projects and inputs go [a temporary folder]")
    p.add_argument("--save", action="store_true", help=f"write {RESULTS.relative_to(ROOT)}")
    a = p.parse_args()
    run_dir = Path(a.run)
    if not (run_dir / training.METRICS).is_file():
        raise LossykwsError(f"{run_dir}: no {training.METRICS} (expected a finished run directory)")
    if a.qemu_clips < 1:
        raise LossykwsError(f"--qemu-clips {a.qemu_clips}: expected at least 1")
    with tempfile.TemporaryDirectory(prefix="bench-ds-cnn-") as tmp:
        work = Path(a.work or tmp)
        work.mkdir(parents=True, exist_ok=True)
        result = measure(run_dir, work, a.qemu_clips)
    m4, acc = result["cortex_m4f"], result["accuracy"]["test"]
    print(f"test {acc['clips']} clips: Keras {100 * acc['keras_accuracy']:.1f} %, LCE int8 "
          f"{100 * acc['lce_accuracy']:.1f} %, agreement {100 * acc['agreement']:.1f} %")
    print(f"host C vs interpreter: {100 * result['host_c']['label_agreement']:.1f} % of {result['host_c']['clips']} "
          f"labels, first difference {result['host_c']['first_difference']}")
    print(f"Cortex-M4F: {100 * m4['label_agreement']:.1f} % of {m4['clips']} labels, first difference "
          f"{m4['first_difference']}; {m4['instructions_per_inference']:,} instructions per inference, arena "
          f"{m4['arena_bytes']:,} B")
    for op in m4["op_instructions"]:
        print(f"  op {op['op']:2d} {op['kind']:<20} {op['instructions']:>12,}")
    if a.save:
        tmp = RESULTS.with_name(RESULTS.name + ".tmp")
        tmp.write_text(json.dumps(result, indent=1) + "\n")
        tmp.replace(RESULTS)


if __name__ == "__main__":
    try:
        main()
    except LossykwsError as e:
        sys.exit(f"bench_ds_cnn: {e}")
