import numpy as np

from lossykws.augment import AugmentConfig, augment

from wavgen import tone


def _noise():
    return [np.random.default_rng(9).normal(0, 0.1, 40000).astype(np.float32)]


def test_same_seed_epoch_index_gives_the_same_clip():
    clip = tone(1.0)
    a = augment(clip, _noise(), seed=1, epoch=3, index=17)
    b = augment(clip, _noise(), seed=1, epoch=3, index=17)
    np.testing.assert_array_equal(a, b)
    assert a.shape == clip.shape and a.dtype == np.float32


def test_different_seed_epoch_or_index_differ():
    clip = tone(1.0)
    base = augment(clip, _noise(), 1, 3, 17)
    for args in ((2, 3, 17), (1, 4, 17), (1, 3, 18)):
        assert not np.array_equal(base, augment(clip, _noise(), *args))


def test_noise_is_added_at_the_chosen_snr():
    clip = tone(1.0, amplitude=0.3)
    config = AugmentConfig(max_shift_s=0.0, gain_db=0.0, noise_probability=1.0, snr_db=(10.0, 10.0))
    out = augment(clip, _noise(), 0, 0, 0, config)
    added = out - clip
    snr = 10 * np.log10(np.mean(clip.astype(np.float64) ** 2) / np.mean(added.astype(np.float64) ** 2))
    assert abs(snr - 10.0) < 0.1


def test_shift_moves_the_signal_without_wrapping():
    clip = np.zeros(16000, np.float32)
    clip[8000] = 1.0
    config = AugmentConfig(max_shift_s=0.1, gain_db=0.0, noise_probability=0.0)
    out = augment(clip, [], 5, 0, 0, config)
    assert np.count_nonzero(out) == 1 and abs(int(np.argmax(out)) - 8000) <= 1600
