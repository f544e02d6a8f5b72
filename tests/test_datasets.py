import json
from collections import Counter

import numpy as np
import pytest

from lossykws.data import datasets
from lossykws.errors import LossykwsError

from wavgen import tone, wav_bytes

SPEAKERS = [f"{i:08x}" for i in range(0x1000, 0x1000 + 40)]


def make_corpus(root, words=("yes", "no", "bed"), speakers=SPEAKERS, unknown=("tree",), silence=3,
                noise=True):
    clip = wav_bytes(tone(1.0))
    for w in words:
        (root / w).mkdir(parents=True, exist_ok=True)
        for s in speakers:
            (root / w / f"{s}_nohash_0.wav").write_bytes(clip)
    if unknown:
        (root / "_unknown_").mkdir(exist_ok=True)
        for u in unknown:
            for s in speakers[:5]:
                (root / "_unknown_" / f"{u}_{s}_nohash_1.wav").write_bytes(clip)
    if silence:
        (root / "_silence_").mkdir(exist_ok=True)
        for i in range(silence):
            (root / "_silence_" / f"{i}.wav").write_bytes(clip)
    if noise:
        (root / "_background_noise_").mkdir(exist_ok=True)
        (root / "_background_noise_" / "white.wav").write_bytes(wav_bytes(tone(3.0)))
    return root


def test_names_of_the_layout():
    assert datasets.parse_name("a/0a7c2a8d_nohash_3.wav", "yes") == ("yes", "0a7c2a8d")
    assert datasets.parse_name("x/bed_0a7c2a8d_nohash_0.wav", "_unknown_") == ("bed", "0a7c2a8d")
    assert datasets.parse_name("x/1024.wav", "_silence_") == ("_silence_", "silence-1024")
    assert datasets.parse_name("x/whatever.wav", "yes") is None
    assert datasets.parse_name("x/0a7c2a8d_nohash_3.wav", "_unknown_") is None


def test_splits_are_stable_and_proportioned():
    # Pinned: a speaker must land in the same split on every machine and in every version.
    assert [datasets.which_set(s) for s in ("d21fd169", "3b8e0ce0", "0a7c2a8d")] == ["validation", "test", "train"]
    counts = Counter(datasets.which_set(f"{i:08x}") for i in range(20000))
    assert abs(counts["train"] / 20000 - 0.8) < 0.01
    assert abs(counts["validation"] / 20000 - 0.1) < 0.01


def test_words8_and_kws12_labels(tmp_path):
    root = make_corpus(tmp_path / "c")
    w8 = datasets.scan([root], "words8")
    assert {c.label for c in w8.clips} == {"yes", "no"}
    k12 = datasets.scan([root], "kws12")
    by_label = Counter(c.label for c in k12.clips)
    # "bed" is a folder of a word outside the task: its clips are _unknown_, like the _unknown_ folder's.
    assert by_label["_unknown_"] == len(SPEAKERS) + 5
    assert by_label["_silence_"] == 3
    assert {c.word for c in k12.clips if c.label == "_unknown_"} == {"bed", "tree"}
    assert len(k12.noise) == 1
    missing = {p for p, _ in k12.problems}
    assert "up" in missing and "go" in missing   # labels without clips are reported


def test_no_speaker_in_two_splits(tmp_path):
    corpus = datasets.scan([make_corpus(tmp_path / "c")], "kws12")
    splits = {}
    for c in corpus.clips:
        splits.setdefault(c.speaker, set()).add(c.split)
    assert all(len(s) == 1 for s in splits.values())
    assert {c.split for c in corpus.clips} == set(datasets.SPLITS)
    assert not datasets.summary(corpus)["speakers_in_two_splits"]


def test_official_lists_are_used_when_present(tmp_path):
    root = make_corpus(tmp_path / "c", words=("yes",), unknown=(), silence=0)
    (root / "validation_list.txt").write_text(f"yes/{SPEAKERS[0]}_nohash_0.wav\n")
    (root / "testing_list.txt").write_text(f"yes/{SPEAKERS[1]}_nohash_0.wav\n")
    corpus = datasets.scan([root], "words8")
    split = {c.speaker: c.split for c in corpus.clips}
    assert split[SPEAKERS[0]] == "validation" and split[SPEAKERS[1]] == "test"
    assert Counter(split.values())["train"] == len(SPEAKERS) - 2


def test_two_corpora_mix(tmp_path):
    a = make_corpus(tmp_path / "a", words=("yes",), unknown=(), silence=0)
    b = make_corpus(tmp_path / "b", words=("no",), speakers=["cafe0001", "cafe0002"], unknown=(), silence=0)
    corpus = datasets.scan([a, b], "words8")
    assert Counter(c.label for c in corpus.clips) == {"yes": len(SPEAKERS), "no": 2}


def test_bad_clips_are_reported_and_skipped(tmp_path):
    root = make_corpus(tmp_path / "c", words=("yes",), unknown=(), silence=0)
    (root / "yes" / "deadbeef_nohash_0.wav").write_bytes(b"not a wav at all")
    (root / "yes" / "feedbeef_nohash_0.wav").write_bytes(wav_bytes(tone(0.5), rate=8000))
    (root / "yes" / "badname.wav").write_bytes(wav_bytes(tone(1.0)))
    corpus = datasets.scan([root], "words8")
    problems = dict(corpus.problems)
    assert "not a WAV file" in problems[str(root / "yes" / "deadbeef_nohash_0.wav")]
    assert "8000 Hz" in problems[str(root / "yes" / "feedbeef_nohash_0.wav")]
    assert "file name" in problems[str(root / "yes" / "badname.wav")]
    assert corpus.skipped == 2
    assert len(corpus.clips) == len(SPEAKERS) + 1   # the 8 kHz clip is kept: the loader converts it


def test_missing_folder_and_unknown_task(tmp_path):
    with pytest.raises(LossykwsError, match="no such folder"):
        datasets.scan([tmp_path / "nope"], "words8")
    with pytest.raises(LossykwsError, match="unknown task 'words9'"):
        datasets.scan([tmp_path], "words9")
    (tmp_path / "stuff").mkdir()
    with pytest.raises(LossykwsError, match="no label folders"):
        datasets.scan([tmp_path], "words8")


def test_shared_clips_report(shared_clips):
    corpus = datasets.scan([shared_clips], "kws12")
    s = datasets.summary(corpus)
    assert (s["clips"], len(s["labels"]), s["speakers"]) == (3323, 12, 162)
    assert not s["speakers_in_two_splits"] and not s["problems"]
    assert all(s["per_split"][split]["clips"] > 0 for split in datasets.SPLITS)
    json.dumps(s)


def test_fingerprint_changes_with_the_data(tmp_path):
    root = make_corpus(tmp_path / "c", words=("yes",), unknown=(), silence=0)
    before = datasets.scan([root], "words8").fingerprint()
    assert before == datasets.scan([root], "words8").fingerprint()
    (root / "yes" / f"{SPEAKERS[0]}_nohash_0.wav").write_bytes(wav_bytes(np.zeros(100)))
    assert before != datasets.scan([root], "words8", validate=False).fingerprint()


def test_fingerprint_sees_content_of_the_same_size(tmp_path):
    root = make_corpus(tmp_path / "c", words=("yes",), unknown=(), silence=0)
    before = datasets.scan([root], "words8").fingerprint()
    (root / "yes" / f"{SPEAKERS[0]}_nohash_0.wav").write_bytes(wav_bytes(tone(1.0, freq=500.0)))
    assert before != datasets.scan([root], "words8").fingerprint()


def test_outputs_get_ordinary_permissions(tmp_path):
    import os
    from lossykws.fsutil import atomic_dir, atomic_file
    mask = os.umask(0o022)
    try:
        with atomic_dir(tmp_path / "d") as d:
            (d / "x").write_text("x")
        with atomic_file(tmp_path / "f") as f:
            f.write(b"x")
    finally:
        os.umask(mask)
    assert (tmp_path / "d").stat().st_mode & 0o777 == 0o755
    assert (tmp_path / "f").stat().st_mode & 0o777 == 0o644


def test_speaker_folds_test_every_speaker_once_with_disjoint_splits(tmp_path):
    corpus = datasets.scan([make_corpus(tmp_path / "c", speakers=SPEAKERS[:23], silence=7)], "kws12")
    folds = datasets.speaker_folds(corpus, 5)
    sources = {c.speaker for c in corpus.clips}
    assert len(folds) == 5 and all(set(f) == sources for f in folds)   # each source in one split per fold
    tested = Counter(s for f in folds for s, split in f.items() if split == "test")
    assert set(tested) == sources and set(tested.values()) == {1}
    speakers = {s for s in sources if not s.startswith("silence-")}
    for i, f in enumerate(folds):
        test = {s for s in speakers if f[s] == "test"}
        assert len(test) in (4, 5)                                        # 23 speakers dealt over 5 folds
        # validation is carved from the other folds' speakers, and some of them still train
        others = speakers - test
        assert {s for s in speakers if f[s] == "validation"} < others
        assert 1 <= sum(f[s] == "validation" for s in others) <= 3
        assert sum(f[s] == "train" for s in others) >= 15
        assert sum(f[s] == "test" for s in sources - speakers) in (1, 2)  # 7 silence clips over 5 folds
    assert datasets.speaker_folds(corpus, 5) == folds                      # deterministic
    assert datasets.speaker_folds(corpus, 5, seed=1) != folds
    # the same speakers under another task get the same folds (the dealing depends on the set of sources)
    words8 = datasets.scan([tmp_path / "c"], "words8")
    assert all(f8[s] == f[s] for f8, f in zip(datasets.speaker_folds(words8, 5), folds) for s in f8)


@pytest.mark.parametrize("k", [1, 0, 24])
def test_speaker_folds_refuse_a_bad_k(tmp_path, k):
    corpus = datasets.scan([make_corpus(tmp_path / "c", speakers=SPEAKERS[:23])], "words8")
    with pytest.raises(LossykwsError) as e:
        datasets.speaker_folds(corpus, k)
    assert str(e.value) == f"cannot split 23 speakers into {k} folds: expected 2 to 23 folds"
