"""The feature cache and the encode/listen commands: reuse, invalidation, compact files, bad inputs."""
import json
from pathlib import Path

import numpy as np
import pytest
import torch

from lossykws.data import audio
from lossykws.features import cache, frontend
from lossykws.features.codecs import encodec, vq
from lossykws.errors import LossykwsError

from encodec_standin import make_standin_checkpoint, make_zero_codebook_checkpoint
from cli_run import assert_one_line_error, run

torch.set_num_threads(1)
# speakers whose salted hash puts them in train, validation and test (datasets.which_set)
SPEAKERS = {"train": ["00000001", "00000002", "00000003"], "validation": ["00000006"], "test": ["00000009"]}


def make_corpus(root, words=("yes", "no"), seed=0):
    """A tiny corpus of distinct synthetic clips, every split present."""
    rng = np.random.default_rng(seed)
    t = np.arange(16000) / 16000
    for w in words:
        (root / w).mkdir(parents=True, exist_ok=True)
        for s in sum(SPEAKERS.values(), []):
            x = 0.3 * np.sin(2 * np.pi * rng.uniform(150, 2500) * t) * np.exp(-rng.uniform(1, 6) * t)
            audio.write_wav(root / w / f"{s}_nohash_0.wav", x + 0.01 * rng.standard_normal(16000))
    return root


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    return make_corpus(tmp_path_factory.mktemp("corpus"))


@pytest.fixture(scope="module")
def standin(tmp_path_factory):
    return make_standin_checkpoint(tmp_path_factory.mktemp("ckpt"))


# ---------------------------------------------------------------- library
def test_tf_cache_holds_the_front_end_features_and_is_reused(corpus, tmp_path):
    out = tmp_path / "tf"
    r = cache.encode_corpus([corpus], "tf", out, "words8", progress=False)
    assert not r["reused"] and r["splits"]["train"]["clips"] == 6
    split = cache.load_split(out, "train")
    x = np.stack([audio.load_clip(p) for p in split["paths"]])
    np.testing.assert_array_equal(split["x"], frontend.features_batch(x))
    assert [split["label_names"][i] for i in split["labels"]] == [Path(p).parent.name for p in split["paths"]]
    stamp = (out / "train.npz").stat().st_mtime_ns
    again = cache.encode_corpus([corpus], "tf", out, "words8", progress=False)
    assert again["reused"] and (out / "train.npz").stat().st_mtime_ns == stamp


def test_vq_cache_is_packed_bits_of_a_codebook_fitted_on_train_only(corpus, tmp_path):
    out = tmp_path / "vq"
    r = cache.encode_corpus([corpus], "vq", out, "words8", vq_k=4, progress=False)
    cb = vq.load(out / "codec" / "vq_codebook.json")
    assert cb.k == 4 and cb.fit_info["clips"] == r["splits"]["train"]["clips"] == 6
    for split in ("train", "test"):
        s = cache.load_split(out, split)
        assert s["x"].shape == (len(s["labels"]), 64, 64, 2) and set(np.unique(s["x"])) <= {-1.0, 1.0}
        x = np.stack([audio.load_clip(p) for p in s["paths"]])
        np.testing.assert_array_equal(vq.codes_from_bits(s["x"]), cb.encode_audio(x))
    with np.load(out / "train.npz") as z:
        assert z["packed"].dtype == np.uint8 and z["packed"].shape == (6, 64 * 64 * 2 // 8)
    assert r["splits"]["train"]["bits_per_clip"] == 8192


def test_encodec_cache_with_the_standin(corpus, tmp_path, standin):
    out = tmp_path / "ec"
    r = cache.encode_corpus([corpus], "encodec", out, "words8", encodec_checkpoint=standin, bandwidth=1.5,
                            progress=False)
    assert r["splits"]["train"]["bits_per_clip"] == 2 * 75 * 10 and "unofficial" in r["codec_label"]
    s = cache.load_split(out, "validation")
    assert s["x"].shape == (2, 2, 75, 10)
    codec = encodec.EncodecCodec.load(out / "codec")
    x = np.stack([audio.load_clip(p) for p in s["paths"]])
    np.testing.assert_array_equal(encodec.bits_to_codes(s["x"]), codec.encode_codes(x))


def test_local_codec_cache_is_labelled_and_reused(corpus, tmp_path):
    from lossykws.features.codecs import local_codec

    out = tmp_path / "local"
    kw = dict(encodec_weights="fit", fit_budget_s=2, local_config=local_codec.TINY, progress=False)
    r = cache.encode_corpus([corpus], "encodec", out, "words8", **kw)
    assert r["codec_label"] == "local codec" and "local codec" in cache.format_report(r, out)
    assert r["splits"]["train"]["bits_per_clip"] == 2 * 80 * 4
    assert set(r["local_codec"]["control_quality"]) == {"snr_db", "log_mel_l1"}
    assert cache.encode_corpus([corpus], "encodec", out, "words8", **kw)["reused"]
    with pytest.raises(LossykwsError, match="--bandwidth applies to the pretrained"):
        cache.encode_corpus([corpus], "encodec", out, "words8", bandwidth=6, **kw)


def test_a_changed_key_or_damaged_cache_is_never_reused(corpus, tmp_path):
    out = tmp_path / "tf"
    cache.encode_corpus([corpus], "tf", out, "words8", progress=False)
    with pytest.raises(LossykwsError, match="another dataset"):
        cache.encode_corpus([make_corpus(tmp_path / "other", seed=1)], "tf", out, "words8", progress=False)
    with pytest.raises(LossykwsError, match="codec.codec"):
        cache.encode_corpus([corpus], "vq", out, "words8", progress=False)
    with open(out / "test.npz", "r+b") as f:
        f.write(b"\0\0\0\0")
    with pytest.raises(LossykwsError, match="damaged cache"):
        cache.encode_corpus([corpus], "tf", out, "words8", progress=False)
    r = cache.encode_corpus([corpus], "tf", out, "words8", force=True, progress=False)
    assert not r["reused"] and cache.verify_files(out) is None


def test_a_folder_that_is_not_a_cache_is_left_alone(corpus, tmp_path):
    (tmp_path / "notes.txt").write_text("mine")
    with pytest.raises(LossykwsError, match="not a feature cache"):
        cache.encode_corpus([corpus], "tf", tmp_path, "words8", progress=False)
    assert (tmp_path / "notes.txt").read_text() == "mine"


def test_zero_codes_are_refused(corpus, tmp_path):
    ckpt = make_zero_codebook_checkpoint(tmp_path / "ckpt")
    with pytest.raises(LossykwsError, match="no information"):
        cache.encode_corpus([corpus], "encodec", tmp_path / "ec", "words8", encodec_checkpoint=ckpt,
                            bandwidth=1.5, progress=False)
    assert not (tmp_path / "ec").exists()


# ---------------------------------------------------------------- CLI
def test_encode_and_listen_through_the_cli(corpus, tmp_path, standin):
    out = tmp_path / "ec"
    r = run("encode", corpus, "--codec", "encodec", "--encodec-checkpoint", standin, "--bandwidth", "1.5",
            "--out", out)
    assert r.returncode == 0, r.stderr
    assert "1500 bits/clip" in r.stdout and "unofficial" in r.stdout
    r = run("encode", corpus, "--codec", "encodec", "--encodec-checkpoint", standin, "--bandwidth", "1.5",
            "--out", out)
    assert r.stdout.startswith("reused")
    wav = tmp_path / "round.wav"
    r = run("listen", out, corpus / "yes" / "00000001_nohash_0.wav", "--out", wav)
    assert r.returncode == 0, r.stderr
    samples, info = audio.read_wav(wav)
    assert (info.rate, samples.shape) == (16000, (16000, 1))


@pytest.mark.parametrize("case", ["bandwidth", "missing", "wrong_hash", "truncated", "not_for_tf"])
def test_bad_encodec_inputs_through_the_cli(corpus, tmp_path, standin, case):
    out = tmp_path / "out"
    args, env, expect = ["--codec", "encodec"], {"TORCH_HOME": str(tmp_path / "th")}, []
    if case == "bandwidth":
        args += ["--bandwidth", "7", "--encodec-checkpoint", standin]
        expect = ["1.5, 3, 6, 12, 24"]
    elif case == "missing":
        expect = [str(tmp_path / "th" / "hub" / "checkpoints" / "encodec_24khz-d7cc33bc.th")]
    elif case == "wrong_hash":
        bad = tmp_path / "encodec_24khz-d7cc33bc.th"
        bad.write_bytes(standin.read_bytes())
        args += ["--encodec-checkpoint", bad]
        expect = ["does not start with d7cc33bc"]
    elif case == "truncated":
        cut = tmp_path / "cut" / standin.name
        cut.parent.mkdir()
        cut.write_bytes(standin.read_bytes()[:4096])
        args += ["--encodec-checkpoint", cut]
        expect = ["truncated or corrupt"]
    else:
        args = ["--codec", "tf", "--bandwidth", "6"]
        expect = ["apply to --codec encodec"]
    assert_one_line_error(run("encode", corpus, *args, "--out", out, env=env), *expect)
    assert not out.exists()


def test_cache_of_another_dataset_through_the_cli(corpus, tmp_path):
    out = tmp_path / "tf"
    assert run("encode", corpus, "--codec", "tf", "--out", out).returncode == 0
    other = make_corpus(tmp_path / "other", seed=2)
    key = (out / "key.json").read_text()
    assert_one_line_error(run("encode", other, "--codec", "tf", "--out", out), "another dataset", "--force")
    assert (out / "key.json").read_text() == key
    r = run("encode", other, "--codec", "tf", "--out", out, "--force")
    assert r.returncode == 0 and json.loads((out / "key.json").read_text()) != json.loads(key)


def test_codebook_fitted_with_other_parameters_through_the_cli(corpus, tmp_path):
    cb = vq.fit(frontend.features_batch(np.stack([audio.load_clip(p) for p in sorted(corpus.rglob("*.wav"))])), k=4)
    cb.save(tmp_path / "cb4.json")
    out = tmp_path / "vq"
    assert_one_line_error(run("encode", corpus, "--codec", "vq", "--codebook", tmp_path / "cb4.json", "--vq-k", "16",
                              "--out", out), "fitted with k=4")
    assert not out.exists()
    r = run("encode", corpus, "--codec", "vq", "--codebook", tmp_path / "cb4.json", "--vq-k", "4", "--out", out)
    assert r.returncode == 0, r.stderr
    assert vq.load(out / "codec" / "vq_codebook.json").to_json()["sha256"] == cb.to_json()["sha256"]


def test_bad_listen_inputs_through_the_cli(corpus, tmp_path):
    out = tmp_path / "tf"
    assert run("encode", corpus, "--codec", "tf", "--out", out).returncode == 0
    junk = tmp_path / "junk.wav"
    junk.write_bytes(b"RIFF....WAVEjunk")
    wav = tmp_path / "o.wav"
    assert_one_line_error(run("listen", out, junk, "--out", wav), "junk.wav")
    assert_one_line_error(run("listen", tmp_path / "nothing", junk, "--out", wav), "no such folder")
    assert_one_line_error(run("listen", corpus, corpus / "yes" / "00000001_nohash_0.wav", "--out", wav),
                          "neither a feature cache")
    assert not wav.exists()
    r = run("listen", out, corpus / "yes" / "00000001_nohash_0.wav", "--out", wav)
    assert r.returncode == 0 and audio.read_wav(wav)[0].shape == (16000, 1)


def test_shared_clips_sizes(shared_clips, tmp_path):
    """A handful of real clips: VQ bits are 32x smaller than the float32 input, packed."""
    root = tmp_path / "real"
    for w in ("yes", "no"):
        (root / w).mkdir(parents=True)
        for f in sorted((shared_clips / w).glob("*.wav"))[:4]:
            (root / w / f.name).write_bytes(f.read_bytes())
    r = cache.encode_corpus([root], "vq", tmp_path / "vq", "words8", progress=False)
    for s in r["splits"].values():
        assert s["payload_mib"] == pytest.approx(s["float32_128x128_mib"] / 32, abs=1e-3)


def test_listen_through_a_run_directory(corpus, tmp_path):
    run_dir = tmp_path / "run"
    (run_dir / "codec").mkdir(parents=True)
    clips = np.stack([audio.load_clip(p) for p in sorted(corpus.rglob("*.wav"))])
    vq.fit(frontend.features_batch(clips), k=4).save(run_dir / "codec" / "vq_codebook.json")
    (run_dir / "config.json").write_text(json.dumps({"task": "words8", "codec": {"name": "vq", "k": 4}}))
    wav = tmp_path / "o.wav"
    r = run("listen", run_dir, corpus / "no" / "00000002_nohash_0.wav", "--out", wav)
    assert r.returncode == 0, r.stderr
    assert audio.read_wav(wav)[0].shape == (16000, 1)
    (run_dir / "config.json").write_text(json.dumps({"codec": "mp3"}))
    assert_one_line_error(run("listen", run_dir, corpus / "no" / "00000002_nohash_0.wav", "--out", wav),
                          "no known codec")
