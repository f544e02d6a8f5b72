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

from lossykws import cache, code_frame_emulation, emulate, firmware_emulation, training
from lossykws.codecs import encodec, vq
from lossykws.codegen import kws_app
from lossykws.commands_export import export
from lossykws.errors import LossykwsError

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
