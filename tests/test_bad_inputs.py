"""Bad inputs: every reader a user's files reach, fuzzed with hypothesis, and the CLI's bad-input
matrix. The property everywhere: a valid result, or a LossykwsError whose message is one line and
names the file; never another exception type, a crash, a traceback, exit 0, or output left behind.

WAV files are fuzzed in test_audio.py and .tflite flatbuffers in test_codegen_export.py."""
import copy
import json
import shutil
import tempfile
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from lossykws.features import cache
from lossykws.emulation import code_frames as code_frame_emulation, host as emulate, firmware as firmware_emulation
from lossykws.training import run as training
from lossykws.features.codecs import encodec, vq
from lossykws.codegen import kws_app
from lossykws.pipeline.export import export_run
from lossykws.errors import LossykwsError

from cli_run import assert_one_line_error, run
from tiny_corpus import tiny_corpus, tiny_vq_cache  # noqa: F401  (fixtures)

TINY_TFLITE = Path(__file__).parent / "fixtures" / "codegen" / "tiny_lce.tflite"
FUZZ = dict(deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])

TEXT = st.text(max_size=6) | st.sampled_from(["", "a\nb", "\r", "../x", "/", "vq", "words8", "lossykws-run"])
JSON = st.recursive(st.none() | st.booleans() | st.integers(-2**70, 2**70) | st.floats() | TEXT,
                    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3),
                    max_leaves=6)


# ---------------------------------------------------------------- helpers
def mutate(data, raw):
    """raw cut at a drawn length, then up to 8 bytes overwritten."""
    raw = bytearray(raw[:data.draw(st.integers(0, len(raw)), label="cut")])
    for _ in range(data.draw(st.integers(0, 8), label="flips")):
        if raw:
            raw[data.draw(st.integers(0, len(raw) - 1))] = data.draw(st.integers(0, 255))
    return bytes(raw)


def mutate_json(data, obj):
    """obj with one value at a drawn path replaced by drawn JSON or deleted (or obj replaced whole)."""
    obj = copy.deepcopy(obj)
    parent, key, node = None, None, obj
    while isinstance(node, (dict, list)) and node and data.draw(st.integers(0, 3), label="deeper") > 0:
        key = data.draw(st.sampled_from(sorted(node) if isinstance(node, dict) else range(len(node))))
        parent, node = node, node[key]
    if parent is None:
        return data.draw(JSON, label="whole")
    if data.draw(st.booleans(), label="delete"):
        del parent[key]
    else:
        parent[key] = data.draw(JSON, label="value")
    return obj


def bad_json_file(data, obj):
    """The text of obj, either with one value changed (mutate_json) or with its bytes damaged."""
    text = json.dumps(obj, indent=1).encode()
    return json.dumps(mutate_json(data, obj)).encode() if data.draw(st.booleans(), label="structure") else mutate(data, text)


def refused_or_ok(call, *names):
    """call()'s result, or None when it raised a one-line LossykwsError naming one of names."""
    try:
        return call()
    except LossykwsError as e:
        message = str(e)
        assert "\n" not in message and "\r" not in message, message
        assert any(str(n) in message for n in names), message
        return None


@pytest.fixture
def scratch():
    """A folder emptied for every hypothesis example (function-scoped fixtures are not reset)."""
    with tempfile.TemporaryDirectory(prefix="lkws-bad-") as d:
        root = Path(d)

        def fresh():
            for p in root.iterdir():
                shutil.rmtree(p) if p.is_dir() else p.unlink()
            return root
        yield fresh


# ---------------------------------------------------------------- emulate's inputs
SPEC = {"name": "input_1", "shape": [1, 4, 3, 2], "dtype": "float32"}
DTYPES = ["bool", "int8", "uint8", "int16", "uint16", "int32", "int64", "float16", "float32", ">f4", "float64",
          "complex64", "<U2", "V3"]


def _npy_bytes(a, **kw):
    import io

    f = io.BytesIO()
    np.save(f, a, **kw)
    return f.getvalue()


def _check_input(path, spec=SPEC):
    a = refused_or_ok(lambda: emulate.load_input(path, spec), path)
    if a is not None:
        assert a.shape == tuple(spec["shape"]) and a.dtype == np.dtype(spec["dtype"])


@settings(max_examples=100, **FUZZ)
@given(data=st.data())
def test_fuzz_npy_inputs(scratch, data):
    """Damaged .npy files, arrays of any dtype and shape, an .npz or a pickle under a .npy name."""
    d = scratch()
    kind = data.draw(st.sampled_from(["damaged", "array", "npz", "pickle"]))
    if kind == "damaged":
        raw = mutate(data, _npy_bytes(np.ones(SPEC["shape"], np.float32)))
    elif kind == "array":
        shape = data.draw(st.sampled_from([(1, 4, 3, 2), (4, 3, 2), (2, 4, 3, 2), (24,), (), (0,), (4, 3, 2, 1)]))
        raw = _npy_bytes(np.zeros(shape, data.draw(st.sampled_from(DTYPES))))
    elif kind == "npz":
        np.savez(d / "x.npz", x=np.ones(SPEC["shape"], np.float32))
        raw = (d / "x.npz").read_bytes()
    else:
        raw = _npy_bytes(np.array([1, "a"], dtype=object), allow_pickle=True)
    (d / "in.npy").write_bytes(raw)
    _check_input(d / "in.npy")


@settings(max_examples=50, **FUZZ)
@given(data=st.data())
def test_fuzz_bin_inputs(scratch, data):
    d = scratch()
    (d / "in.bin").write_bytes(data.draw(st.binary(min_size=90, max_size=100)))
    _check_input(d / "in.bin")


# ---------------------------------------------------------------- codes files (EnCodec firmware)
def _code_frame_project(books=2, frames=3, bits=4):
    settings = {"KWS_CODEBOOKS": books, "KWS_FRAMES": frames, "KWS_CODE_BITS": bits, "KWS_INFERENCE_HOP_FRAMES": 1,
                "KWS_FRAME_RATE_HZ": frames}
    return firmware_emulation.FirmwareProject(Path("fw"), {"firmware_input": "code-frames"}, "mps2-an386",
                                              ["yes", "no"], "words8", None, None, bits, settings)


@settings(max_examples=100, **FUZZ)
@given(data=st.data())
def test_fuzz_codes_files(scratch, data):
    d = scratch()
    project = _code_frame_project()
    path = d / data.draw(st.sampled_from(["yes", "other"])) / "clip.u16"
    path.parent.mkdir()
    path.write_bytes(data.draw(st.binary(max_size=16)))
    clips = refused_or_ok(lambda: code_frame_emulation.clips_from([str(path)], project), path)
    if clips is not None:
        (name, label, codes), = clips
        assert codes.shape == (2, 3) and codes.max() < 16 and label in ("yes", None)


# ---------------------------------------------------------------- feature caches
@settings(max_examples=150, **FUZZ)
@given(data=st.data())
def test_fuzz_feature_cache(scratch, tiny_vq_cache, data):
    """A cache with one file damaged (bytes, JSON values, or the arrays of a split): read_key,
    load_split, verify_files and check_cache (encode's reuse check) answer or refuse in one line."""
    d = scratch() / "cache"
    shutil.copytree(tiny_vq_cache, d)
    key = json.loads((d / cache.KEY_FILE).read_text())
    name = data.draw(st.sampled_from([cache.KEY_FILE, cache.INDEX_FILE, "test.npz"]))
    if name.endswith(".json"):
        (d / name).write_bytes(bad_json_file(data, json.loads((d / name).read_text())))
    elif data.draw(st.booleans()):
        (d / name).write_bytes(mutate(data, (d / name).read_bytes()))
    else:
        with np.load(d / name) as z:
            arrays = {k: z[k] for k in z.files}
        field = data.draw(st.sampled_from(sorted(arrays)))
        if data.draw(st.booleans()):
            del arrays[field]
        else:
            shape = data.draw(st.sampled_from([(), (0,), (3,), (6, 2), arrays[field].shape[:1] + (5,)]))
            arrays[field] = np.zeros(shape, data.draw(st.sampled_from(["uint8", "int16", "float32", "S3", "bool"])))
        np.savez(d / name, **arrays)
    refused_or_ok(lambda: cache.read_key(d), d)
    split = refused_or_ok(lambda: cache.load_split(d, "test"), d)
    if split is not None:
        n = len(split["x"])
        assert len(split["labels"]) == len(split["paths"]) == len(split["speakers"]) == n
        assert split["labels"].min(initial=0) >= 0 and split["labels"].max(initial=0) < len(split["label_names"])
    damage = refused_or_ok(lambda: cache.verify_files(d), d)
    assert damage is None or isinstance(damage, str)
    refused_or_ok(lambda: cache.check_cache(d, key), d)


# ---------------------------------------------------------------- VQ codebooks
@pytest.fixture(scope="module")
def codebook_json():
    rng = np.random.default_rng(0)
    return vq.Codebook(vq.order_codewords(rng.standard_normal((16, 4)).astype(np.float32))).to_json()


@settings(max_examples=100, **FUZZ)
@given(data=st.data())
def test_fuzz_vq_codebook(scratch, codebook_json, data):
    path = scratch() / "vq_codebook.json"
    path.write_bytes(bad_json_file(data, codebook_json))
    cb = refused_or_ok(lambda: vq.load(path), path)
    if cb is not None:
        assert cb.codewords.shape == (cb.k, cb.block[0] * cb.block[1])


# ---------------------------------------------------------------- run directories
RUN_CONFIG = {"format": training.RUN_FORMAT, "version": training.RUN_VERSION, "versions": {"lossykws": "0.1.0"},
              "task": "words8", "model": "vq-bnn", "labels": ["yes", "no", "up", "down", "left"],
              "codec": {"codec": "vq", "k": 16, "block": [2, 2]}, "cache": "/nonexistent/cache", "seed": 0,
              "input_shape": [8, 8, 4]}


def _run_dir(root, config_bytes, codebook=None):
    run = root / "run"
    (run / cache.CODEC_DIR).mkdir(parents=True)
    (run / training.CONFIG).write_bytes(config_bytes)
    shutil.copy(TINY_TFLITE, run / training.TFLITE)
    if codebook is not None:
        (run / cache.CODEC_DIR / vq.CODEBOOK_FILE).write_text(json.dumps(codebook))
    return run


@settings(max_examples=100, **FUZZ)
@given(data=st.data())
def test_fuzz_run_config(scratch, codebook_json, data):
    """config.json damaged: read_config, and export of the run directory (its labels, task, model and
    codec go into the project) answer or refuse in one line, leaving no project behind."""
    root = scratch()
    run = _run_dir(root, bad_json_file(data, RUN_CONFIG), codebook_json)
    config = refused_or_ok(lambda: training.read_config(run), run)
    if config is not None:
        assert isinstance(config, dict)
    out = root / "proj"
    target = data.draw(st.sampled_from(["host", "cortex-m"]))
    refused_or_ok(lambda: export_run(str(run), target, str(out)) or out, run)
    assert sorted(p.name for p in root.iterdir()) in (["proj", "run"], ["run"])
    assert (out / "lossykws.json").is_file() or not out.exists()


@pytest.mark.parametrize("config", [{"version": 2, "versions": None}, {"version": 2, "versions": []},
                                    {"version": "2\n3"}])
def test_run_config_of_another_version(tmp_path, config):
    run = _run_dir(tmp_path, json.dumps(dict(RUN_CONFIG, **config)).encode())
    assert refused_or_ok(lambda: training.read_config(run), run) is None


@pytest.mark.parametrize("missing", [training.CONFIG, training.KERAS_MODEL, training.TFLITE, "the folder"])
def test_incomplete_run_directory(tmp_path, missing):
    run = _run_dir(tmp_path, json.dumps(RUN_CONFIG).encode())
    (run / training.KERAS_MODEL).write_bytes(b"")
    if missing == "the folder":
        shutil.rmtree(run)
    else:
        (run / missing).unlink()
    with pytest.raises(LossykwsError) as e:
        training.load_run(run)
    assert str(run) in str(e.value) and "\n" not in str(e.value)


# ---------------------------------------------------------------- EnCodec settings and checkpoints
def _named_by_hash(path, raw):
    """raw written under path's name + -<its sha256 prefix>.th, as verify_checkpoint expects."""
    import hashlib

    p = path.with_name(f"{path.name}-{hashlib.sha256(raw).hexdigest()[:8]}.th")
    p.write_bytes(raw)
    return p


@settings(max_examples=100, **FUZZ)
@given(data=st.data())
def test_fuzz_encodec_settings(scratch, data):
    """encodec.json of a cache or run damaged; its checkpoint is absent, so nothing is loaded."""
    folder = scratch() / "codec"
    folder.mkdir()
    base = {"codec": "encodec", "label": "EnCodec pretrained", "bandwidth": 6.0, "weights": "pretrained",
            "checkpoint": str(folder / "absent-d7cc33bc.th"), "sha256": "d7cc33bc" + "0" * 56}
    (folder / encodec.SETTINGS_FILE).write_bytes(bad_json_file(data, base))
    refused_or_ok(lambda: encodec.EncodecCodec.load(folder), folder)   # the checkpoint's path is in folder


@settings(max_examples=50, **FUZZ)
@given(data=st.data())
def test_fuzz_encodec_checkpoint(scratch, data):
    """Checkpoints whose hash matches their name but which hold no EnCodec state dict: random or
    damaged bytes, other torch objects."""
    import io

    import torch

    d = scratch()
    kind = data.draw(st.sampled_from(["bytes", "damaged", "object"]))
    objects = [{"encoder.model.0.conv.conv.bias": torch.zeros(3)}, [1, 2], torch.zeros(2), {}]
    f = io.BytesIO()
    torch.save(data.draw(st.sampled_from(objects)), f)
    raw = {"bytes": lambda: data.draw(st.binary(max_size=64)), "damaged": lambda: mutate(data, f.getvalue()),
           "object": f.getvalue}[kind]()
    path = _named_by_hash(d / "ckpt", raw)
    refused_or_ok(lambda: encodec.load_pretrained_model(path), path)


# ---------------------------------------------------------------- project manifests (lossykws.json)
@pytest.fixture(scope="module")
def host_project(tmp_path_factory):
    from lossykws.codegen.project import export_project

    out = tmp_path_factory.mktemp("host") / "proj"
    export_project(TINY_TFLITE, out, "host")
    return out


@settings(max_examples=150, **FUZZ)
@given(data=st.data())
def test_fuzz_manifest(scratch, host_project, data):
    """lossykws.json damaged: read_manifest refuses in one line, or what it returns is what emulate
    reads before it builds (inputs, outputs, ops, target) and an input of the right shape loads."""
    d = scratch() / "proj"
    d.mkdir()
    manifest = json.loads((host_project / "lossykws.json").read_text())
    (d / "lossykws.json").write_bytes(bad_json_file(data, manifest))
    m = refused_or_ok(lambda: emulate.read_manifest(d), d)
    if m is None:
        return
    assert m.get("target", "host") in ("host", "qemu-m4", "cortex-m")
    emulate._tensor_specs(m)
    assert emulate.compare_run(m, {}, {}) == (None, 0.0)
    for spec in m["inputs"]:
        spec = spec.get("packed_from", spec)
        x = d / "x.npy"
        np.save(x, np.zeros(spec["shape"], spec["dtype"]))
        assert emulate.load_input(x, spec).shape == tuple(spec["shape"])


# ---------------------------------------------------------------- firmware projects (cortex-m)
def _firmware_files(code_frames):
    """A cortex-m project's files as export writes them for a VQ or an EnCodec run: lossykws.json,
    which read_project reads, and the C it records."""
    stamp = "/* fuzz */\n"
    manifest = {"target": "cortex-m", "board": "mps2-an386", "model_sha256": "0" * 64, "labels": ["yes", "no"],
                "settings": {"task": "words8"},
                "inputs": [{"tensor": 0, "name": "in", "shape": [1, 8, 75, 1], "dtype": "int32"}],
                "outputs": [{"tensor": 1, "name": "out", "shape": [1, 2], "dtype": "float32"}], "ops": []}
    files = {"model_settings.h": '#define MODEL_NUM_LABELS 2\n#define MODEL_LABELS {"yes", "no"}\n'
                                 '#define MODEL_TASK "words8"\n'}
    if code_frames:
        manifest["firmware_input"] = "code-frames"
        files["kws_settings.h"] = kws_app.codes_settings_header(stamp, kws_app.CodeFrames(), 8, 75, 10)
        manifest["firmware"] = {"settings": kws_app.codes_settings_values(8, 75, 10)}
    else:
        cb = vq.Codebook(np.linspace(-1, 1, 64, dtype=np.float32).reshape(16, 4))
        files["kws_settings.h"] = kws_app.settings_header(stamp, cb, 64, 64)
        files["kws_codebook.c"] = kws_app.codebook_files(stamp, cb)[1]
        manifest["firmware"] = {"settings": kws_app.settings_values(cb, 64, 64), "codebook": cb.codewords.tolist()}
    files["lossykws.json"] = json.dumps(manifest)
    return files


def test_firmware_project_settings_come_from_the_manifest(tmp_path):
    """read_project takes what export recorded in lossykws.json, the numbers it wrote into the C."""
    for code_frames in (False, True):
        d = tmp_path / f"fw{int(code_frames)}"
        d.mkdir()
        for n, text in _firmware_files(code_frames).items():
            (d / n).write_text(text)
        project = firmware_emulation.read_project(d)
        assert project.labels == ["yes", "no"] and project.task == "words8" and project.code_frames == code_frames
        if not code_frames:
            assert project.settings["KWS_CODE_ROWS"] == 64 and project.codewords.shape == (16, 4)


def _damage_lines(data, text):
    """text with one line dropped, or one #define's value replaced."""
    lines = text.splitlines()
    i = data.draw(st.integers(0, len(lines) - 1))
    if data.draw(st.booleans()):
        del lines[i]
    elif lines[i].startswith("#define "):
        lines[i] = " ".join(lines[i].split()[:2] + [data.draw(st.sampled_from(["", "0", "1", "2", "-1", "x", "1e999",
                                                                                 "99999999999", "0x1.pf", '"a'])) ])
    return "\n".join(lines).encode()


@settings(max_examples=150, **FUZZ)
@given(data=st.data())
def test_fuzz_firmware_project(scratch, data):
    """A cortex-m project (VQ or code frames) with one of its files damaged or missing: read_project
    refuses in one line or gives settings the emulation can use."""
    d = scratch() / "fw"
    d.mkdir()
    code_frames = data.draw(st.booleans())
    files = _firmware_files(code_frames)
    name = data.draw(st.sampled_from(sorted(files)))
    how = data.draw(st.sampled_from(["bytes", "lines", "missing"]))
    for n, text in files.items():
        if n != name:
            (d / n).write_text(text)
        elif how == "bytes":
            (d / n).write_bytes(mutate(data, text.encode()))
        elif how == "lines":
            (d / n).write_bytes(bad_json_file(data, json.loads(text)) if n.endswith(".json") else _damage_lines(data, text))
    project = refused_or_ok(lambda: firmware_emulation.read_project(d), d)
    if project is None:
        return
    assert project.labels and project.bits > 0
    if project.code_frames:
        assert code_frame_emulation.clip_period(project) >= int(project.settings["KWS_FRAMES"])
    else:
        assert project.codewords.shape == (int(project.settings["KWS_VQ_K"]), project.block[0] * project.block[1])
        assert firmware_emulation.clip_period(project) > 0


# ---------------------------------------------------------------- the CLI's bad-input matrix
@pytest.fixture(scope="module")
def bad(tmp_path_factory, tiny_corpus, tiny_vq_cache, host_project):
    """The files and folders the matrix hands to the commands: {name: path}."""
    d = tmp_path_factory.mktemp("bad-inputs")
    r = {"corpus": tiny_corpus, "cache": tiny_vq_cache, "host": host_project, "tflite": TINY_TFLITE,
         "nope": d / "nope", "empty": d / "empty", "text_wav": d / "notes.wav", "text_tflite": d / "notes.tflite",
         "not_corpus": d / "papers", "clip": next(tiny_corpus.glob("yes/*.wav"))}
    r["empty"].mkdir()
    r["not_corpus"].mkdir()
    (r["not_corpus"] / "README.txt").write_text("not speech\n")
    r["text_wav"].write_text("this is not audio\n")
    r["text_tflite"].write_text("this is not a model\n")
    r["damaged_cache"] = d / "damaged-cache"
    shutil.copytree(tiny_vq_cache, r["damaged_cache"])
    test_split = r["damaged_cache"] / "test.npz"
    test_split.write_bytes(test_split.read_bytes()[:300])
    r["bad_key_cache"] = d / "bad-key-cache"
    shutil.copytree(tiny_vq_cache, r["bad_key_cache"])
    (r["bad_key_cache"] / cache.KEY_FILE).write_text('{"format": "lossykws-feature-cache", "version": 2')
    r["bad_run"] = d / "bad-run"
    _run_dir(d, b'{"format": "lossykws-run", ').rename(r["bad_run"])
    r["bad_project"] = d / "bad-project"
    r["bad_project"].mkdir()
    (r["bad_project"] / "lossykws.json").write_text("[]")
    r["codes_fw"] = d / "codes-fw"
    r["codes_fw"].mkdir()
    for name, text in _firmware_files(code_frames=True).items():
        (r["codes_fw"] / name).write_text(text)
    r["codes"] = d / "clip.u16"
    r["codes"].write_bytes(bytes(2 * 8 * 75 - 3))
    r["wrong_npy"] = d / "wrong.npy"
    np.save(r["wrong_npy"], np.zeros((3, 3), np.float32))
    r["npz_npy"] = d / "archive.npy"
    r["npz_npy"].write_bytes((tiny_vq_cache / "test.npz").read_bytes())
    r["int_npy"] = d / "text.npy"
    np.save(r["int_npy"], np.full(SPEC["shape"], "x"))
    r["short_bin"] = d / "short.bin"
    r["short_bin"].write_bytes(bytes(8 * 8 * 4 * 4 - 1))
    return r


# (id, arguments with {name} for a path of `bad` or {out} / {full}, a fragment the error line holds)
MATRIX = [
    ("info-empty-folder", "data info {empty} --task words8", "{empty}"),
    ("info-text-as-wav", "data info {text_wav}", "{text_wav}"),
    ("info-not-a-corpus", "data info {not_corpus}", "{not_corpus}"),
    ("synth-out-is-a-file", "data synth {text_wav} --per-word 1", "{text_wav}"),
    ("synth-per-word-0", "data synth {out} --per-word 0", "--per-word"),
    ("encode-missing-data", "encode {nope} --codec vq --out {out}", "{nope}"),
    ("encode-empty-data", "encode {empty} --codec vq --out {out}", "{empty}"),
    ("encode-data-is-a-file", "encode {text_wav} --codec vq --out {out}", "{text_wav}"),
    ("encode-out-not-empty", "encode {corpus} --codec vq --out {full}", "{full}"),
    ("encode-missing-codebook", "encode {corpus} --codec vq --codebook {nope}.json --out {out}", "{nope}.json"),
    ("encode-codebook-not-json", "encode {corpus} --codec vq --codebook {text_wav} --out {out}", "{text_wav}"),
    ("encode-bandwidth-7", "encode {corpus} --codec encodec --bandwidth 7 --out {out}", "7"),
    ("encode-bandwidth-for-vq", "encode {corpus} --codec vq --bandwidth 6 --out {out}", "--bandwidth"),
    ("listen-empty-source", "listen {empty} {clip} --out {out}.wav", "{empty}"),
    ("listen-damaged-key", "listen {bad_key_cache} {clip} --out {out}.wav", "{bad_key_cache}"),
    ("listen-text-as-wav", "listen {cache} {text_wav} --out {out}.wav", "{text_wav}"),
    ("listen-out-is-a-folder", "listen {cache} {clip} --out {empty}", "{empty}"),
    ("train-empty-data", "train {empty} --features vq --out {out}", "{empty}"),
    ("train-no-features", "train {corpus} --out {out}", "--features"),
    ("train-bad-speed", "train {corpus} --features vq --speed fast --out {out}", "fast"),
    ("train-out-not-empty", "train {corpus} --features vq --out {full}", "{full}"),
    ("train-damaged-cache", "train {damaged_cache} --epochs 1 --out {out}", "{damaged_cache}"),
    ("train-resume-missing", "train --resume {nope}", "{nope}"),
    ("evaluate-missing-run", "evaluate {nope}", "{nope}"),
    ("evaluate-empty-folder", "evaluate {empty}", "{empty}"),
    ("evaluate-damaged-config", "evaluate {bad_run}", "{bad_run}"),
    ("export-missing-model", "export {nope}.tflite --out {out}", "{nope}.tflite"),
    ("export-text-as-tflite", "export {text_tflite} --out {out}", "{text_tflite}"),
    ("export-out-not-empty", "export {tflite} --out {full}", "{full}"),
    ("export-not-a-run", "export {not_corpus} --out {out}", "{not_corpus}"),
    ("export-bad-target", "export {tflite} --target arm --out {out}", "arm"),
    ("emulate-missing-project", "emulate {nope} {wrong_npy}", "{nope}"),
    ("emulate-damaged-manifest", "emulate {bad_project} {wrong_npy}", "lossykws.json"),
    ("emulate-npy-wrong-shape", "emulate {host} {wrong_npy}", "{wrong_npy}"),
    ("emulate-npy-wrong-dtype", "emulate {host} {int_npy}", "{int_npy}"),
    ("emulate-npz-as-npy", "emulate {host} {npz_npy}", "{npz_npy}"),
    ("emulate-short-bin", "emulate {host} {short_bin}", "{short_bin}"),
    ("emulate-truncated-codes", "emulate {codes_fw} {codes} --target qemu", "{codes}"),
    ("emulate-audio-to-code-frames", "emulate {codes_fw} {text_wav} --target qemu", "{text_wav}"),
]


@pytest.mark.parametrize("args,fragment", [m[1:] for m in MATRIX], ids=[m[0] for m in MATRIX])
def test_cli_bad_input(bad, tmp_path, args, fragment):
    """A non-zero exit (no crash), one line on stderr naming the file or value, no traceback, and
    nothing written: --out absent, a non-empty --out untouched, no temporary left in their folder."""
    full = tmp_path / "full"
    full.mkdir()
    (full / "keep.txt").write_text("mine")
    paths = dict(bad, out=tmp_path / "out", full=full)
    result = run(*[a.format(**paths) for a in args.split()])
    assert 0 < result.returncode < 128, (result.returncode, result.stderr[-2000:])
    assert_one_line_error(result, fragment.format(**paths))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["full"]
    assert [p.name for p in full.iterdir()] == ["keep.txt"] and (full / "keep.txt").read_text() == "mine"
    assert not list(bad["nope"].parent.glob("*.tmp-*")) and not list(bad["nope"].parent.glob("*.partial"))
