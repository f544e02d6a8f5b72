#!/usr/bin/env python3
"""Cost of the front end and the VQ encoder: host milliseconds per clip, and instructions per 1 s
window on Cortex-M4F (mps2-an386 under QEMU, counted exactly by firmware/qemu_plugin), plus the VQ
reconstruction error of a codebook fitted on the training split.

    .venv/bin/python tools/bench_frontend.py [SPEECH_COMMANDS_DIR] [--clips N]
"""
import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from lossykws.data import audio, datasets
from lossykws.features import frontend
from lossykws.emulation import qemu  # noqa: E402
from lossykws.features.codecs import vq  # noqa: E402

HARNESS = ROOT / "tests" / "fixtures" / "qemu_frontend" / "main.c"


def host_ms_per_clip(clips, repeats=3):
    frontend.features(clips[0])  # build and load the library outside the timing
    best = min(_timed(frontend.features_batch, clips) for _ in range(repeats))
    return 1e3 * best / len(clips)


def _timed(f, *args):
    t = time.perf_counter()
    f(*args)
    return time.perf_counter() - t


def qemu_counts(clips, codebook):
    """(front-end instructions, VQ-encoder instructions) per clip, and the ELF's sizes."""
    with tempfile.TemporaryDirectory(prefix="lkws-bench-") as d:
        project, run_dir = Path(d) / "project", Path(d) / "run"
        qemu.write_qemu_m4_files(project)
        shutil.copyfile(HARNESS, project / "main.c")
        (project / "src").mkdir()
        (project / "include" / "lkws").mkdir(parents=True)
        for name in frontend.SOURCES:
            shutil.copyfile(frontend.FIRMWARE / "src" / name, project / "src" / name)
        for name in frontend.HEADERS:
            shutil.copyfile(frontend.FIRMWARE / "include" / "lkws" / name, project / "include" / "lkws" / name)
        elf = qemu.build_firmware(project)
        plugin = qemu.build_plugin(project)
        run_dir.mkdir()
        np.ascontiguousarray(clips, np.float32).tofile(run_dir / "fe_in.f32")
        codebook.codewords.tofile(run_dir / "vq_codebook.f32")
        run = qemu.run_qemu(elf, plugin=plugin, profile=True, cwd=run_dir)
        if run.returncode != 0:
            raise SystemExit(f"harness failed in QEMU (exit {run.returncode}): {run.stderr.strip()}")
        host = frontend.features_batch(clips)
        device = np.fromfile(run_dir / "fe_out.f32", dtype=np.float32).reshape(host.shape)
        same = device.tobytes() == host.tobytes()
        return run.instructions[0::2], run.instructions[1::2], run.profile[0], qemu.elf_sizes(elf), same


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("data", nargs="?", default=str(ROOT.parent / "shared" / "data" / "speech_commands_test_v0.02"))
    p.add_argument("--clips", type=int, default=500, help="clips timed on the host")
    a = p.parse_args()
    corpus = datasets.scan([a.data], "words8")
    train, test = corpus.split("train"), corpus.split("test")
    train_x = np.stack([audio.load_clip(c.path) for c in train])
    test_x = np.stack([audio.load_clip(c.path) for c in test])
    print(f"host front end: {host_ms_per_clip(train_x[:a.clips]):.3f} ms per clip (1 thread, batch of {min(a.clips, len(train_x))})")
    train_f = frontend.features_batch(train_x)
    test_f = frontend.features_batch(test_x)
    t = time.perf_counter()
    cb = vq.fit(train_f, fingerprint=corpus.fingerprint())
    print(f"VQ fit: {time.perf_counter() - t:.1f} s on {len(train)} training clips ({cb.fit_info['vectors']} blocks)")
    t = time.perf_counter()
    cb.encode(test_f)
    print(f"host VQ encode: {1e3 * (time.perf_counter() - t) / len(test):.3f} ms per clip")
    for name, f in (("train", train_f), ("test", test_f)):
        err = float(np.mean((cb.decode(cb.encode(f)) - f) ** 2))
        print(f"VQ reconstruction, {name} ({len(f)} clips): MSE {err:.4f} (features' variance {f.var():.3f}, "
              f"SNR {10 * np.log10(f.var() / err):.1f} dB; RMS error {np.sqrt(err) * 4 * 10 / np.log(10):.2f} dB of power)")
    try:
        fe, vqe, profile, sizes, same = qemu_counts(test_x[:3], cb)
    except Exception as e:  # no toolchain or QEMU: the host figures stand alone
        print(f"QEMU: not measured ({e})")
        return
    print(f"Cortex-M4F (QEMU, exact): front end {fe} instructions per 1 s window, VQ encode {vqe}; "
          f"device bits == host bits: {same}")
    print("  front end by function: " + ", ".join(f"{k} {v}" for k, v in sorted(profile.items(), key=lambda kv: -kv[1]) if v > 100))
    print(f"  harness ELF: {sizes}")


if __name__ == "__main__":
    main()
