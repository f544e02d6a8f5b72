import json

import pytest

from lossykws.data import datasets, synth
from lossykws.errors import LossykwsError

from conftest import require_tool


@pytest.fixture(scope="module")
def corpus12(tmp_path_factory):
    require_tool("espeak-ng"), require_tool("flite")
    out = tmp_path_factory.mktemp("s") / "kws12"
    stats = synth.synthesize_corpus(out, task="kws12", per_word=12, seed=7, jobs=2)
    return out, stats


def test_layout_and_counts(corpus12):
    out, stats = corpus12
    corpus = datasets.scan([out], "kws12")
    s = datasets.summary(corpus)
    assert not s["problems"]
    assert all(v["total"] == 12 for v in s["per_label"].values())
    assert s["clips"] == stats["clips"] == 12 * 12
    assert s["noise_recordings"] == synth.NOISE_RECORDINGS
    for c in corpus.clips:
        assert c.path.stat().st_size == 44 + 32000      # 16 kHz mono 16-bit, exactly 1 s
    manifest = json.loads((out / "synth.json").read_text())
    assert {sp["id"] for sp in manifest["speakers"]} == {c.speaker for c in corpus.clips if c.label != "_silence_"}
    assert not s["speakers_in_two_splits"]


def test_speakers_are_voices_with_settings():
    speakers = synth.make_speakers(300, seed=0)
    assert len({s["id"] for s in speakers}) == 300
    assert len({synth.voice_of(s) for s in speakers}) >= 20
    assert {s["engine"] for s in speakers} == {"espeak-ng", "flite"}
    assert all("_" not in s["id"] for s in speakers)   # ids must not break <word>_<speaker>_nohash_<n>
    assert speakers == synth.make_speakers(300, seed=0)


def test_deterministic_for_a_seed(corpus12, tmp_path):
    out, _ = corpus12
    again = tmp_path / "again"
    synth.synthesize_corpus(again, task="kws12", per_word=12, seed=7, jobs=1)
    first = sorted(p.relative_to(out) for p in out.rglob("*.wav"))
    assert first == sorted(p.relative_to(again) for p in again.rglob("*.wav"))
    assert all((out / p).read_bytes() == (again / p).read_bytes() for p in first)


def test_refuses_a_non_empty_folder(corpus12):
    out, _ = corpus12
    with pytest.raises(LossykwsError, match="not empty"):
        synth.synthesize_corpus(out, task="kws12", per_word=1)
