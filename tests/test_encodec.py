"""The EnCodec codec: bits, bandwidths, the checkpoint's path and hash, and the local codec (tiny)."""
import shutil

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from lossykws.features.codecs import encodec, local_codec, local_codec_fit
from lossykws.errors import LossykwsError
from lossykws.fsutil import sha256_file

from encodec_standin import make_standin_checkpoint

torch.set_num_threads(1)


def clips(n, seed=0):
    """n distinct 1 s clips: decaying tones over a little noise."""
    rng = np.random.default_rng(seed)
    t = np.arange(16000) / 16000
    return np.stack([(0.3 * np.sin(2 * np.pi * rng.uniform(150, 2500) * t) * np.exp(-rng.uniform(1, 6) * t)
                      + 0.01 * rng.standard_normal(16000)).astype(np.float32) for _ in range(n)])


@pytest.fixture(scope="session")
def standin(tmp_path_factory):
    return make_standin_checkpoint(tmp_path_factory.mktemp("ckpt"))


# ---------------------------------------------------------------- bits
@settings(max_examples=50, deadline=None)
@given(st.lists(st.integers(0, 1023), min_size=1, max_size=40))
def test_bits_round_trip(codes):
    c = np.array(codes)
    b = encodec.codes_to_bits(c, 10)
    assert b.shape == (len(codes), 10) and b.dtype == np.float32
    assert set(np.unique(b)) <= {-1.0, 1.0}
    np.testing.assert_array_equal(encodec.bits_to_codes(b), c)


def test_bits_are_lsb_first_and_set_bit_is_minus_one():
    np.testing.assert_array_equal(encodec.codes_to_bits(np.array([1]), 4)[0], [-1, 1, 1, 1])
    np.testing.assert_array_equal(encodec.codes_to_bits(np.array([8]), 4)[0], [1, 1, 1, -1])
    # LCE packs channel i into bit i when negative: the packed word of a pixel is the code itself
    b = encodec.codes_to_bits(np.array([677]), 10)[0]
    assert sum(1 << i for i in range(10) if b[i] < 0) == 677


def test_codes_without_information_are_refused():
    with pytest.raises(LossykwsError, match="no information"):
        encodec.check_informative(np.zeros((4, 8, 75)))
    assert encodec.check_informative(np.array([0, 3])) == 2


@pytest.mark.parametrize("bad", [7, 0, "six", None, 48])
def test_unsupported_bandwidth(bad):
    with pytest.raises(LossykwsError, match="1.5, 3, 6, 12, 24"):
        encodec.check_bandwidth(bad)


# ---------------------------------------------------------------- the checkpoint
def test_hub_path_follows_torch_home_then_xdg(monkeypatch, tmp_path):
    monkeypatch.setenv("TORCH_HOME", str(tmp_path / "th"))
    assert encodec.hub_checkpoint_path() == tmp_path / "th" / "hub" / "checkpoints" / "encodec_24khz-d7cc33bc.th"
    monkeypatch.delenv("TORCH_HOME")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert encodec.hub_checkpoint_path() == tmp_path / "xdg" / "torch" / "hub" / "checkpoints" / encodec.CHECKPOINT_NAME


def test_missing_hub_file_says_where_to_put_it(monkeypatch, tmp_path):
    monkeypatch.setenv("TORCH_HOME", str(tmp_path))
    with pytest.raises(LossykwsError) as e:
        encodec.EncodecCodec.pretrained()
    msg = str(e.value)
    assert "\n" not in msg
    assert str(tmp_path / "hub" / "checkpoints" / "encodec_24khz-d7cc33bc.th") in msg


def test_hub_file_is_hash_checked(monkeypatch, tmp_path, standin):
    monkeypatch.setenv("TORCH_HOME", str(tmp_path))
    hub = encodec.hub_checkpoint_path()
    hub.parent.mkdir(parents=True)
    shutil.copy(standin, hub)          # the stand-in under the official name: its hash is not d7cc33bc
    with pytest.raises(LossykwsError, match="does not start with d7cc33bc"):
        encodec.verify_checkpoint()


def test_standin_loads_and_is_not_labelled_pretrained(standin):
    codec = encodec.EncodecCodec.pretrained(6, standin)
    assert codec.label != "EnCodec pretrained" and "unofficial" in codec.label
    assert codec.bits_shape == (8, 75, 10)
    codes = codec.encode_codes(clips(2))
    assert codes.shape == (2, 8, 75) and codes.min() >= 0 and codes.max() < 1024
    assert np.unique(codes).size > 1
    bits = codec.encode(clips(2))
    assert bits.shape == (2, 8, 75, 10) and bits.dtype == np.float32
    np.testing.assert_array_equal(encodec.bits_to_codes(bits), codes)
    audio = codec.decode(codes)
    assert audio.shape == (2, 16000) and np.all(np.isfinite(audio))


@pytest.mark.parametrize("kbps,n_q", [(1.5, 2), (3, 4), (12, 16), (24, 32)])
def test_bandwidths(standin, kbps, n_q):
    codec = encodec.EncodecCodec.pretrained(kbps, standin)
    assert codec.bits_shape == (n_q, 75, 10)
    assert codec.encode_codes(clips(1)).shape == (1, n_q, 75)


def test_wrong_prefix_truncated_missing_and_junk(tmp_path, standin):
    wrong = tmp_path / "encodec_24khz-deadbeef.th"
    shutil.copy(standin, wrong)
    with pytest.raises(LossykwsError, match="does not start with deadbeef"):
        encodec.verify_checkpoint(wrong)
    truncated = tmp_path / "cut" / standin.name
    truncated.parent.mkdir()
    truncated.write_bytes(standin.read_bytes()[:1 << 20])
    with pytest.raises(LossykwsError, match="truncated or corrupt"):
        encodec.verify_checkpoint(truncated)
    with pytest.raises(LossykwsError, match="no such EnCodec checkpoint"):
        encodec.verify_checkpoint(tmp_path / "absent-12345678.th")
    junk = tmp_path / "junk"
    junk.write_bytes(b"not a checkpoint")
    named = tmp_path / f"junk-{sha256_file(junk)[:8]}.th"
    junk.rename(named)
    with pytest.raises(LossykwsError, match="not a state dict of the EnCodec 24 kHz model"):
        encodec.load_pretrained_model(named)


def test_saved_settings_reload_the_same_checkpoint(tmp_path, standin):
    codec = encodec.EncodecCodec.pretrained(3, standin)
    codec.save(tmp_path / "codec")
    again = encodec.EncodecCodec.load(tmp_path / "codec")
    assert again.bandwidth == 3 and again.settings["sha256"] == codec.settings["sha256"]
    other = tmp_path / f"encodec_24khz-{codec.settings['sha256'][:8]}.th"
    other.write_bytes(b"x")
    with pytest.raises(LossykwsError):
        encodec.EncodecCodec.load(tmp_path / "codec", checkpoint=other)


# ---------------------------------------------------------------- the local codec, tiny
def test_tiny_local_codec_trains_encodes_and_reloads(tmp_path):
    codec, report = local_codec_fit.fit_local_codec(clips(10), 3, local_codec.TINY, progress=False)
    assert codec.label == "local codec" and report["label"] == "local codec"
    assert codec.bits_shape == (2, 80, 4)
    codes = codec.encode_codes(clips(3, seed=1))
    assert codes.shape == (3, 2, 80) and codes.min() >= 0 and codes.max() < 16
    assert report["pretrain_steps"] >= 1 and report["codec_steps"] >= 1 and report["control_steps"] >= 1
    for q in (report["quality"], report["control_quality"]):
        assert set(q) == {"snr_db", "log_mel_l1"} and np.isfinite(list(q.values())).all()
    codec.save(tmp_path / "codec")
    again = encodec.EncodecCodec.load(tmp_path / "codec")
    assert again.label == "local codec"
    np.testing.assert_array_equal(again.encode_codes(clips(3, seed=1)), codes)


def test_local_codec_refuses_silence_and_bad_budgets():
    with pytest.raises(LossykwsError, match="silent"):
        local_codec_fit.fit_local_codec(np.zeros((4, 16000), np.float32), 2, local_codec.TINY, progress=False)
    with pytest.raises(LossykwsError, match="budget"):
        local_codec_fit.fit_local_codec(clips(4), 3600, local_codec.TINY, progress=False)


def test_kmeans_by_matmul_finds_separated_clusters():
    g = torch.Generator().manual_seed(0)
    centres = torch.tensor([[0.0, 0.0], [10.0, 0.0], [0.0, 10.0]])
    x = (centres[:, None] + 0.1 * torch.randn(3, 50, 2, generator=g)).reshape(-1, 2)
    means, counts = local_codec.kmeans(x, 3, 10, g)
    assert sorted(counts.tolist()) == [50, 50, 50]
    assert torch.cdist(centres, means).min(1).values.max() < 0.1


def test_quality_of_a_perfect_and_a_silent_reconstruction():
    x = clips(2)
    assert local_codec.quality(x, x)["log_mel_l1"] == 0
    assert abs(local_codec.quality(x, np.zeros_like(x))["snr_db"]) < 1e-6
