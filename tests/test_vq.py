"""The VQ codec (lossykws/codecs/vq.py, encoder in firmware/src/vq_encode.c)."""
import json

import numpy as np
import pytest

from lossykws.data import audio
from lossykws.features import frontend
from lossykws.features.codecs import vq
from lossykws.errors import LossykwsError


def _features(n=4, seed=0):
    rng = np.random.default_rng(seed)
    t = np.arange(16000) / 16000.0
    clips = []
    for _ in range(n):
        f0 = rng.uniform(100, 3000)
        x = 0.4 * np.sin(2 * np.pi * f0 * t) * np.hanning(16000) + 0.02 * rng.standard_normal(16000)
        clips.append(x.astype(np.float32))
    return frontend.features_batch(np.stack(clips))


@pytest.fixture(scope="module")
def codebook():
    return vq.fit(_features(), k=16, seed=0, max_vectors=8000)


def _nearest_oracle(features, codewords, block):
    """numpy oracle: the same float32 distances in the same order; argmin keeps the first minimum."""
    vectors = vq._blocks(features, block)
    d = np.zeros(vectors.shape[:-1] + (len(codewords),), np.float32)
    for j in range(codewords.shape[1]):
        diff = vectors[..., j:j + 1] - codewords[:, j].astype(np.float32)
        d = (d + diff * diff).astype(np.float32)
    return np.argmin(d, axis=-1).astype(np.uint8)


def test_gray_code_neighbours_differ_in_one_bit():
    g = vq.gray(np.arange(256))
    assert sorted(g) == list(range(256))
    assert all(bin(int(a ^ b)).count("1") == 1 for a, b in zip(g[:-1], g[1:]))


def test_codewords_are_numbered_by_energy_then_gray(codebook):
    energy = codebook.codewords.mean(axis=1)
    by_rank = energy[vq.gray(np.arange(codebook.k))]
    assert np.all(np.diff(by_rank) >= 0)
    assert codebook.k == 16 and codebook.bits == 4 and codebook.block == (2, 2)


def test_fit_is_deterministic():
    f = _features(2)
    a, b = vq.fit(f, seed=3, max_vectors=4000), vq.fit(f, seed=3, max_vectors=4000)
    assert a.codewords.tobytes() == b.codewords.tobytes() and a.fingerprint == b.fingerprint
    assert a.fingerprint == vq.data_fingerprint(f)


def test_decoding_a_code_gives_its_codeword_exactly(codebook):
    rng = np.random.default_rng(1)
    codes = rng.integers(0, 16, size=(3, 64, 64), dtype=np.uint8)
    decoded = codebook.decode(codes)
    assert decoded.shape == (3, 128, 128) and decoded.dtype == np.float32
    tiles = vq._blocks(decoded, (2, 2))
    assert tiles.tobytes() == codebook.codewords[codes].tobytes()
    assert decoded[0, 2:4, 6:8].ravel().tobytes() == codebook.codewords[codes[0, 1, 3]].tobytes()
    # a decoded distribution encodes back to the same codes (distinct codewords, distance 0)
    assert np.array_equal(codebook.encode(decoded), codes)


def test_bits_unpack_to_codes_exactly():
    codes = np.arange(256, dtype=np.uint8).reshape(16, 16) % 16
    planes = vq.bits(codes, 4)
    assert planes.shape == (16, 16, 4) and planes.dtype == np.float32
    assert set(np.unique(planes)) == {-1.0, 1.0}
    assert list(vq.bits(np.uint8(0b0101), 4)) == [-1.0, 1.0, -1.0, 1.0]  # plane c = bit c, 1 -> -1
    assert np.array_equal(vq.codes_from_bits(planes), codes)


def test_device_packing_is_lce_bitpacking_of_the_bit_planes():
    """LCE packs channel c of a pixel into bit c of an int32 word, set when the value is negative:
    packing the +-1 planes that way gives the word the device computes from the code."""
    codes = np.random.default_rng(2).integers(0, 16, size=(64, 64), dtype=np.uint8)
    planes = vq.bits(codes, 4)
    lce_words = ((planes < 0).astype(np.int64) << np.arange(4)).sum(axis=-1).astype(np.int32)
    assert np.array_equal(frontend.pack_lce(codes, 4), lce_words)


@pytest.mark.parametrize("block,k", [((2, 2), 16), ((2, 2), 2), ((1, 4), 8), ((4, 2), 32), ((2, 2), 256)])
def test_c_nearest_search_matches_a_numpy_oracle(block, k):
    rng = np.random.default_rng(k)
    feats = rng.normal(size=(2, 128, 128)).astype(np.float32)
    codewords = rng.normal(size=(k, block[0] * block[1])).astype(np.float32)
    got = frontend.vq_encode(feats, codewords, block)
    assert got.shape == (2, 128 // block[0], 128 // block[1])
    assert np.array_equal(got, _nearest_oracle(feats, codewords, block))


def test_encoding_two_frames_at_a_time_gives_the_same_codes(codebook):
    """A device encodes each pair of frames as it arrives: one row of codes."""
    f = _features(1)[0]
    rows = [frontend.vq_encode(f[2 * i:2 * i + 2], codebook.codewords) for i in range(64)]
    assert np.array_equal(np.concatenate(rows), codebook.encode(f))


def test_ties_go_to_the_lowest_index():
    rng = np.random.default_rng(0)
    feats = rng.integers(-2, 3, size=(128, 128)).astype(np.float32)  # many exact ties
    codewords = rng.integers(-1, 2, size=(16, 4)).astype(np.float32)
    codewords[9] = codewords[4]  # a duplicate: code 9 can never win
    got = frontend.vq_encode(feats, codewords)
    assert np.array_equal(got, _nearest_oracle(feats, codewords, (2, 2)))
    assert not np.any(got == 9)


def test_save_and_load_bit_for_bit(codebook, tmp_path):
    path = tmp_path / "vq_codebook.json"
    codebook.save(path)
    loaded = vq.load(path)
    assert loaded.codewords.tobytes() == codebook.codewords.tobytes()
    assert loaded.params() == codebook.params() and loaded.fingerprint == codebook.fingerprint
    assert loaded.fit_info == codebook.fit_info and loaded.frontend == vq.frontend_definition()
    loaded.save(tmp_path / "again.json")
    assert (tmp_path / "again.json").read_bytes() == path.read_bytes()


def test_damaged_or_foreign_codebooks_are_refused(codebook, tmp_path):
    path = tmp_path / "cb.json"
    codebook.save(path)
    d = json.loads(path.read_text())
    d["codewords"][3][1] += 0.5
    path.write_text(json.dumps(d))
    with pytest.raises(LossykwsError, match="checksum"):
        vq.load(path)
    path.write_text('{"format": "something else"}')
    with pytest.raises(LossykwsError, match="not a VQ codebook"):
        vq.load(path)
    path.write_text("{truncated")
    with pytest.raises(LossykwsError, match="not a readable"):
        vq.load(path)
    with pytest.raises(LossykwsError, match="no such codebook"):
        vq.load(tmp_path / "missing.json")
    with pytest.raises(LossykwsError, match="fitted with k=16"):
        codebook.require(k=32)
    with pytest.raises(LossykwsError, match="power of two"):
        vq.fit(_features(1), k=12)


def test_real_clips_round_trip(shared_clips):
    paths = [sorted((shared_clips / w).glob("*.wav"))[0] for w in ("yes", "no", "stop", "go")]
    feats = frontend.features_batch(np.stack([audio.load_clip(p) for p in paths]))
    cb = vq.fit(feats[:3], k=16, seed=0, max_vectors=12288)
    codes = cb.encode(feats[3])
    assert codes.shape == (64, 64) and codes.dtype == np.uint8 and codes.max() < 16
    err = np.mean((cb.decode(codes) - feats[3]) ** 2)
    assert err < 0.25 * np.var(feats[3])  # a held-out clip keeps most of its structure
    x = cb.decode_audio(codes, n_iter=8)
    assert x.shape == (16000,) and x.dtype == np.float32 and np.isfinite(x).all()


def test_griffin_lim_hears_what_the_front_end_sees():
    t = np.arange(16000) / 16000.0
    clip = (0.3 * np.sin(2 * np.pi * 700 * t)).astype(np.float32)
    f = frontend.features(clip)
    back = frontend.features(vq.griffin_lim(f, n_iter=16))
    assert np.all(np.argmax(back[4:], axis=1) == np.argmax(f[4:], axis=1))
    assert np.corrcoef(back.ravel(), f.ravel())[0, 1] > 0.9  # far from the tone, log power is noisy
