"""The C front end (firmware/src/frontend.c via lossykws.features.frontend): definition, shape, determinism,
streaming, and the same bits on Cortex-M4F under QEMU as on the host."""
import re
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

from lossykws.data import audio
from lossykws.features import frontend
from lossykws.errors import LossykwsError

from conftest import require_tool

ROOT = Path(__file__).resolve().parents[1]
HARNESS = ROOT / "tests" / "fixtures" / "qemu_frontend" / "main.c"
FLOOR_FEATURE = (np.log(1e-6) - (-9.5)) * 0.25


def _synthetic_clip(seed=0):
    """A 1 kHz tone with a rising chirp and noise, nearly full scale at its loudest."""
    rng = np.random.default_rng(seed)
    t = np.arange(16000) / 16000.0
    x = 0.5 * np.sin(2 * np.pi * 1000 * t) + 0.3 * np.sin(2 * np.pi * (200 + 3000 * t) * t)
    x += 0.05 * rng.standard_normal(16000)
    x[:2000] = 0.0  # digital silence at the start, like a zero-padded short clip
    return np.clip(x, -1, 1).astype(np.float32)


def _real_clips(root, words=("yes", "no", "left"), each=1):
    paths = [p for w in words for p in sorted((root / w).glob("*.wav"))[:each]]
    return np.stack([audio.load_clip(p) for p in paths])


def _reference(clip):
    """The definition in lkws/frontend.h in float64 numpy: the test's oracle (close, not bit-exact)."""
    x = np.concatenate([np.zeros(131), clip.astype(np.float64)])
    n = np.arange(256)
    frames = np.stack([x[125 * t:125 * t + 256] for t in range(128)])
    frames = (frames - frames.mean(axis=1, keepdims=True)) * (0.5 - 0.5 * np.cos(2 * np.pi * n / 256))
    power = np.abs(np.fft.rfft(frames, axis=1)[:, 1:]) ** 2
    return (np.log(power + 1e-6) + 9.5) * 0.25


def test_committed_tables_are_the_generator_output():
    import importlib.util

    spec = importlib.util.spec_from_file_location("gen", ROOT / "tools" / "gen_frontend_tables.py")
    gen = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(gen)
    assert (ROOT / "firmware" / "src" / "frontend_tables.c").read_text() == gen.render()


def test_python_constants_mirror_the_header():
    header = (ROOT / "firmware" / "include" / "lkws" / "frontend.h").read_text()
    defines = dict(re.findall(r"#define (LKWS_FE_\w+) \(?([-\w.]+?)f?\)?\s", header))
    assert int(defines["LKWS_FE_N_FFT"]) == frontend.N_FFT
    assert int(defines["LKWS_FE_HOP"]) == frontend.HOP
    assert int(defines["LKWS_FE_FRAMES"]) == frontend.FRAMES
    assert int(defines["LKWS_FE_BINS"]) == frontend.BINS
    assert np.float32(defines["LKWS_FE_POWER_FLOOR"]) == frontend.POWER_FLOOR
    assert np.float32(defines["LKWS_FE_LOG_OFFSET"]) == frontend.LOG_OFFSET
    assert np.float32(defines["LKWS_FE_LOG_SCALE"]) == frontend.LOG_SCALE
    assert frontend.FRAMES * frontend.HOP == frontend.CLIP_SAMPLES


def test_shape_dtype_and_determinism():
    clip = _synthetic_clip()
    a = frontend.features(clip)
    assert a.shape == (128, 128) and a.dtype == np.float32
    assert np.isfinite(a).all()
    b = frontend.features(clip.copy())
    assert a.tobytes() == b.tobytes()
    batch = frontend.features_batch(np.stack([_synthetic_clip(1), clip, clip]))
    assert batch.shape == (3, 128, 128)
    assert batch[1].tobytes() == a.tobytes() and batch[2].tobytes() == a.tobytes()


def test_silence_sits_on_the_floor():
    f = frontend.features(np.zeros(16000, np.float32))
    assert np.all(f == f[0, 0])
    assert abs(float(f[0, 0]) - FLOOR_FEATURE) < 1e-6


def test_tone_lands_in_its_bin():
    t = np.arange(16000) / 16000.0
    f = frontend.features((0.5 * np.sin(2 * np.pi * 1000.0 * t)).astype(np.float32))
    # bin k is k * 62.5 Hz and sits in column k - 1: 1000 Hz is bin 16, column 15
    assert np.all(np.argmax(f[4:], axis=1) == 15)


def test_close_to_a_float64_reference():
    clip = _synthetic_clip()
    assert np.max(np.abs(frontend.features(clip) - _reference(clip))) < 1e-3


def test_close_to_a_float64_reference_on_real_clips(shared_clips):
    for clip in _real_clips(shared_clips):
        assert np.max(np.abs(frontend.features(clip) - _reference(clip))) < 1e-3


def test_dc_offset_only_touches_the_padded_frames():
    """The frame mean is removed: a constant offset changes only frames 0 and 1, which hold the
    zero padding (the step from padding to signal is not a constant)."""
    clip = 0.8 * _synthetic_clip()
    shifted = frontend.features((clip + 0.15).astype(np.float32))
    assert np.max(np.abs(shifted[2:] - frontend.features(clip)[2:])) < 1e-2


def test_streaming_hop_by_hop_gives_the_same_bits():
    clip = _synthetic_clip()
    stream = frontend.Stream()
    frames = np.stack([stream.push(clip[125 * t:125 * (t + 1)]) for t in range(128)])
    assert frames.tobytes() == frontend.features(clip).tobytes()
    stream.reset()
    assert stream.push(clip[:125]).tobytes() == frames[0].tobytes()


def test_pcm16_hops_equal_float_hops_of_the_wav_reader():
    pcm = (_synthetic_clip() * 32767).astype(np.int16)
    as_read = (pcm.astype(np.float32) / 32768.0).astype(np.float32)  # what audio.py does
    stream = frontend.Stream()
    frames = np.stack([stream.push_s16(pcm[125 * t:125 * (t + 1)]) for t in range(128)])
    assert frames.tobytes() == frontend.features(as_read).tobytes()


def test_own_log_is_within_two_ulp():
    rng = np.random.default_rng(0)
    x = np.exp(rng.uniform(-16, 20, 4000)).astype(np.float32)
    x = np.concatenate([x, np.float32([1e-6, 1.0, 2.0, 0.5, np.sqrt(2), 3.4e38, 1.2e-38])]).astype(np.float32)
    got = frontend.ln(x).astype(np.float64)
    want = np.log(x.astype(np.float64))
    ulp = np.spacing(np.abs(want).astype(np.float32)).astype(np.float64)
    assert np.all(np.abs(got - want) <= 2 * np.maximum(ulp, np.spacing(np.float32(1)) / 2))


def test_bad_clips_are_refused():
    with pytest.raises(LossykwsError, match="16000 samples"):
        frontend.features(np.zeros(15999, np.float32))
    with pytest.raises(LossykwsError, match="NaN"):
        frontend.features(np.full(16000, np.nan, np.float32))
    with pytest.raises(LossykwsError, match="125 samples"):
        frontend.Stream().push(np.zeros(100, np.float32))


def test_library_is_cached_by_source_hash(tmp_path, monkeypatch):
    monkeypatch.setenv("LOSSYKWS_NATIVE_DIR", str(tmp_path))
    first = frontend.build_library()
    stamp = first.stat().st_mtime_ns
    assert first.parent.parent == tmp_path and first.name == "liblkws_frontend.so"
    assert frontend.build_library() == first and first.stat().st_mtime_ns == stamp
    assert not [p for p in first.parent.iterdir() if p.name.startswith(".")]  # no temp files left


# --- Cortex-M4F under QEMU: the same C, the same bits -------------------------------------------

M7_ARCH_FLAGS = "-mcpu=cortex-m7 -mthumb -mfloat-abi=hard -mfpu=fpv5-sp-d16"


def _build_harness(project, arch_flags=None):
    """The harness on the mps2-an386 board files with the qemu-m4 Makefile; `arch_flags` overrides
    the board's -mcpu/-mfpu (the an386 memory map also boots on QEMU's mps2-an500, a Cortex-M7)."""
    from lossykws.emulation import qemu

    qemu.write_qemu_m4_files(project)
    shutil.copyfile(HARNESS, project / "main.c")
    for name in frontend.SOURCES:
        (project / "src").mkdir(exist_ok=True)
        shutil.copyfile(frontend.FIRMWARE / "src" / name, project / "src" / name)
    (project / "include" / "lkws").mkdir(parents=True, exist_ok=True)
    for name in frontend.HEADERS:
        shutil.copyfile(frontend.FIRMWARE / "include" / "lkws" / name, project / "include" / "lkws" / name)
    if arch_flags is None:
        return qemu.build_firmware(project)
    subprocess.run(["make", "-C", str(project), "-j2", f"ARCH_FLAGS={arch_flags}"], check=True,
                   capture_output=True)
    return project / "build" / "fw.elf"


@pytest.mark.parametrize("machine", ["mps2-an386", "mps2-an500"])
def test_cortex_m_gives_the_host_bits(tmp_path, shared_clips, machine):
    """Cortex-M4F (an386) and Cortex-M7 (an500) run the same C to the host's bits and codes."""
    for tool in ("arm-none-eabi-gcc", "arm-none-eabi-nm", "qemu-system-arm", "make"):
        require_tool(tool)
    from lossykws.emulation import qemu

    elf = _build_harness(tmp_path / "project", None if machine == "mps2-an386" else M7_ARCH_FLAGS)
    symbols = subprocess.run(["arm-none-eabi-nm", str(elf)], capture_output=True, text=True).stdout.split()
    assert not {"logf", "log", "sinf", "cosf", "expf", "sqrtf", "powf"} & set(symbols)
    clips = np.concatenate([_real_clips(shared_clips, ("yes", "no", "_silence_")), _synthetic_clip()[None]])
    rng = np.random.default_rng(0)
    codebook = rng.normal(size=(16, 4)).astype(np.float32)
    run_dir = tmp_path / "run"
    run_dir.mkdir()
    clips.tofile(run_dir / "fe_in.f32")
    codebook.tofile(run_dir / "vq_codebook.f32")
    if machine == "mps2-an386":
        returncode = qemu.run_qemu(elf, cwd=run_dir, timeout=120).returncode
    else:
        attributes = subprocess.run(["arm-none-eabi-readelf", "-A", str(elf)], capture_output=True, text=True).stdout
        assert "FPv5" in attributes  # really built for the M7's FPU
        returncode = qemu.run_qemu(elf, cwd=run_dir, timeout=120, machine=machine).returncode
    assert returncode == 0
    host = frontend.features_batch(clips)
    device = np.fromfile(run_dir / "fe_out.f32", dtype=np.float32).reshape(host.shape)
    assert device.view(np.uint32).tobytes() == host.view(np.uint32).tobytes()
    device_codes = np.fromfile(run_dir / "vq_codes.u8", dtype=np.uint8).reshape(len(clips), 64, 64)
    assert np.array_equal(device_codes, frontend.vq_encode(host, codebook))


@pytest.mark.parametrize("opt", [["-O0"], ["-O3"], ["-std=gnu99", "-O3", "-march=native"]])
def test_bits_do_not_depend_on_the_optimiser(tmp_path, opt):
    """No contraction, no reassociation: -O0, -O3, and -O3 with the host's FMA units in GNU C mode
    (where GCC contracts by default: without -ffp-contract=off, 1,024 of a clip's 16,384 features
    change on an FMA host) give -O2's bits."""
    import ctypes

    lib_path = tmp_path / "lib.so"
    flags = [f for f in frontend.CFLAGS if f != "-O2" and not (f.startswith("-std") and "-std=gnu99" in opt)] + opt
    cmd = [frontend._compiler(), *flags, "-shared", "-I", str(frontend.FIRMWARE / "include"),
           *[str(frontend.FIRMWARE / "src" / s) for s in frontend.SOURCES], "-o", str(lib_path)]
    subprocess.run(cmd, check=True)
    lib = ctypes.CDLL(str(lib_path))
    clips = np.stack([_synthetic_clip(0), _synthetic_clip(1)])
    out = np.empty((2, 128, 128), np.float32)
    state = ctypes.create_string_buffer(frontend.STATE_BYTES)
    f32 = ctypes.POINTER(ctypes.c_float)
    lib.lkws_fe_clips(state, ctypes.c_int32(2), clips.ctypes.data_as(f32), out.ctypes.data_as(f32))
    assert out.tobytes() == frontend.features_batch(clips).tobytes()
