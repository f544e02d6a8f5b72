import numpy as np

from lossykws.data.augment import NO_SPEED, NO_WARP, AugmentConfig, augment, change_speed, config_of, params_of, warp_factor, warp_frequency

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
    config = AugmentConfig(speed=NO_SPEED, max_shift_s=0.0, gain_db=0.0, noise_probability=1.0, snr_db=(10.0, 10.0))
    out = augment(clip, _noise(), 0, 0, 0, config)
    added = out - clip
    snr = 10 * np.log10(np.mean(clip.astype(np.float64) ** 2) / np.mean(added.astype(np.float64) ** 2))
    assert abs(snr - 10.0) < 0.1


def test_shift_moves_the_signal_without_wrapping():
    clip = np.zeros(16000, np.float32)
    clip[8000] = 1.0
    config = AugmentConfig(speed=NO_SPEED, max_shift_s=0.1, gain_db=0.0, noise_probability=0.0)
    out = augment(clip, [], 5, 0, 0, config)
    assert np.count_nonzero(out) == 1 and abs(int(np.argmax(out)) - 8000) <= 1600


def _peak_hz(x, rate=16000):
    spectrum = np.abs(np.fft.rfft(x * np.hanning(len(x))))
    return float(np.argmax(spectrum)) * rate / len(x)


def test_speed_factor_scales_pitch_and_keeps_the_length():
    clip = tone(1.0, freq=1000.0)
    for factor in (0.85, 1.0, 1.1):
        out = change_speed(clip, factor)
        assert out.shape == clip.shape and out.dtype == np.float32
        assert abs(_peak_hz(out[4000:12000]) - 1000.0 * factor) <= 4.0


def test_slower_speech_is_centred_and_faster_is_padded_about_the_centre():
    clip = np.zeros(16000, np.float32)
    clip[7900:8100] = 1.0
    for factor in (0.9, 1.2):
        out = change_speed(clip, factor)
        centre = np.average(np.arange(16000), weights=np.abs(out))
        assert abs(centre - 8000) < 20
    fast = change_speed(tone(1.0), 1.25)
    assert not fast[:1000].any() and not fast[-1000:].any() and fast[2000:14000].any()


def test_augment_draws_a_speed_within_the_range():
    clip = tone(1.0, freq=1000.0)
    config = AugmentConfig(speed=(1.2, 1.2), max_shift_s=0.0, gain_db=0.0, noise_probability=0.0)
    assert abs(_peak_hz(augment(clip, [], 0, 0, 0, config)[4000:12000]) - 1200.0) <= 4.0


def test_recorded_params_give_back_the_config():
    config = AugmentConfig(speed=(0.9, 1.1), gain_db=3.0)
    assert config_of({"copies": 2, "params": params_of(config)}) == config
    assert config_of({"copies": 2}) == AugmentConfig(speed=NO_SPEED)   # a run from before the speed factor
    old = params_of(AugmentConfig())
    del old["warp"]                                                      # a run from before the warp
    assert config_of({"copies": 2, "params": old}).warp == NO_WARP


def test_warp_moves_a_formant_by_the_factor_and_keeps_the_band():
    feats = np.zeros((3, 128), np.float32)
    feats[:, 40] = 1.0
    assert np.array_equal(warp_frequency(feats, 1.0), feats)
    for factor in (0.9, 1.1):
        out = warp_frequency(feats, factor)
        centre = np.average(np.arange(128), weights=out[0])
        assert abs(centre - 40 * factor) < 0.5, (factor, centre)
        assert out.shape == feats.shape and out.dtype == np.float32
    ramp = np.tile(np.arange(128, dtype=np.float32), (2, 1))
    for factor in (0.8, 1.2):   # monotone, the ends kept: nothing read from outside the band
        out = warp_frequency(ramp, factor)
        assert np.all(np.diff(out[0]) > 0) and out[0, 0] == 0.0 and out[0, -1] == 127.0


def test_warp_factor_is_seeded_and_leaves_the_audio_draws_alone():
    config = AugmentConfig(warp=(0.9, 1.1))
    factors = [warp_factor(0, c, i, config) for c in (1, 2) for i in range(50)]
    assert all(0.9 <= f <= 1.1 for f in factors) and len(set(factors)) == 100
    assert warp_factor(0, 1, 7, config) == warp_factor(0, 1, 7, config) != warp_factor(1, 1, 7, config)
    assert warp_factor(0, 1, 7) == 1.0                                  # no warp in the default config
    clip = tone(0.7)
    assert np.array_equal(augment(clip, [], 3, 1, 5, config), augment(clip, [], 3, 1, 5, AugmentConfig()))
