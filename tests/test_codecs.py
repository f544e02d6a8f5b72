"""The codec registry: the codecs by name, a one-line error for an unknown one, and a codec
registered here going through the feature cache with nothing else changed."""
import json
import subprocess
import sys

import numpy as np
import pytest

from lossykws.errors import LossykwsError
from lossykws.features import cache, codecs
from lossykws.features.round_trip import round_trip
from lossykws.training import models

from tiny_corpus import make_corpus


def test_the_registry_lists_tf_vq_encodec_and_states_their_facts():
    assert codecs.names() == ("tf", "vq", "encodec")
    for name in codecs.names():
        c = codecs.codec(name)
        assert c.name == name and models.FEATURES_OF[c.default_model] == name
    assert [codecs.codec(n).bits for n in codecs.names()] == [False, True, True]
    assert [codecs.codec(n).on_front_end for n in codecs.names()] == [True, True, False]


def test_an_unknown_codec_is_a_one_line_error_naming_the_known_ones():
    for name in ("mp3", "", None, ["vq"]):
        with pytest.raises(LossykwsError) as e:
            codecs.codec(name)
        assert str(e.value) == f"unknown codec {name!r}: expected one of tf, vq, encodec"


def test_listing_the_codecs_imports_none_of_them():
    """The CLI's choices come from the registry without loading numpy (nor a codec module)."""
    out = subprocess.run([sys.executable, "-c", "import sys; from lossykws.features import codecs; "
                          "codecs.names(); print(sorted(m for m in sys.modules if m == 'numpy' "
                          "or m.endswith('_codec')))"], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


class SignCodec(codecs.Codec):
    """A codec of the test: the signs of a clip's first 12 samples as bits [3, 4]."""
    name = "sign"
    default_model = "vq-bnn"

    def spec(self, options):
        return {"codec": self.name, "samples": 12}

    def build(self, spec, fitting, folder):
        fitting.report["codec_fit_s"] = 0.0
        (folder / "sign.json").write_text(json.dumps(spec))
        return codecs.Encoder(self.encode, (3, 4))

    @staticmethod
    def encode(clips):
        return np.where(np.asarray(clips)[:, :12] < 0, -1.0, 1.0).reshape(-1, 3, 4)

    def round_trip(self, codec_dir, clip):
        return np.sign(clip)


def test_a_registered_codec_goes_through_the_cache_unchanged(tmp_path, monkeypatch):
    from lossykws.data import audio

    monkeypatch.setitem(codecs.REGISTRY, "sign", SignCodec())
    corpus = make_corpus(tmp_path / "corpus", words=("yes", "no"))
    out = tmp_path / "cache"
    report = cache.encode_corpus([corpus], "sign", out, task="words8", progress=False)
    assert report["kind"] == "bits" and report["splits"]["train"]["bits_per_clip"] == 12
    assert cache.read_key(out)["codec"] == {"codec": "sign", "samples": 12}
    assert json.loads((out / cache.CODEC_DIR / "sign.json").read_text())["samples"] == 12
    split = cache.load_split(out, "test")
    clips = np.stack([audio.load_clip(p) for p in split["paths"]])
    assert np.array_equal(split["x"], SignCodec.encode(clips))
    assert cache.encode_corpus([corpus], "sign", out, task="words8", progress=False)["reused"]
    assert np.array_equal(round_trip(out, clips[0]), np.sign(clips[0]))
    with pytest.raises(LossykwsError, match="apply to --codec encodec, not sign"):
        cache.encode_corpus([corpus], "sign", tmp_path / "other", bandwidth=6.0, progress=False)
