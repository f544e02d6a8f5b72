import io
import wave

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from lossykws.data import audio
from lossykws.errors import BadAudio

from wavgen import tone, wav_bytes


@pytest.mark.parametrize("bits,encoding,tol", [(8, "pcm", 1 / 64), (16, "pcm", 1 / 16000), (24, "pcm", 1e-6),
                                               (32, "pcm", 1e-7), (32, "float", 0), (64, "float", 1e-7)])
@pytest.mark.parametrize("extensible", [False, True])
def test_every_encoding_decodes(bits, encoding, tol, extensible):
    x = tone(0.1)
    samples, info = audio.decode_wav(wav_bytes(x, bits=bits, encoding=encoding, extensible=extensible))
    assert (info.bits, info.encoding, info.channels, info.frames) == (bits, encoding, 1, len(x))
    assert np.max(np.abs(samples[:, 0] - x)) <= tol + 1e-7


def test_16bit_pcm_matches_the_wave_module():
    x = tone(0.05, freq=1000.0)
    buf = io.BytesIO()
    with wave.open(buf, "wb") as w:
        w.setnchannels(1), w.setsampwidth(2), w.setframerate(16000)
        w.writeframes(np.round(x * 32767).astype("<i2").tobytes())
    samples, _ = audio.decode_wav(buf.getvalue())
    expected = np.frombuffer(buf.getvalue()[44:], "<i2") / 32768.0
    np.testing.assert_array_equal(samples[:, 0], expected.astype(np.float32))


def test_unknown_chunks_are_skipped():
    x = tone(0.01)
    samples, _ = audio.decode_wav(wav_bytes(x, extra_chunk=True))
    assert len(samples) == len(x)


def test_stereo_is_mixed_down_and_rate_converted(tmp_path):
    left, right = tone(1.0, rate=44100, freq=300.0), tone(1.0, rate=44100, freq=300.0) * 0.0
    p = tmp_path / "stereo.wav"
    p.write_bytes(wav_bytes(np.stack([left, right], axis=1), rate=44100))
    clip = audio.load_clip(p)
    assert clip.shape == (16000,) and clip.dtype == np.float32
    # Half the amplitude after the mix-down; the 300 Hz tone survives resampling at the same frequency.
    spectrum = np.abs(np.fft.rfft(clip))
    assert abs(np.argmax(spectrum) - 300) <= 1
    assert abs(np.abs(clip[1000:15000]).max() - 0.25) < 0.01


@pytest.mark.parametrize("rate", [8000, 22050, 24000, 48000])
def test_resampling_keeps_a_tone(rate):
    y = audio.resample(tone(1.0, rate=rate, freq=1000.0), rate, 16000)
    assert abs(len(y) - 16000) <= 1
    assert abs(np.argmax(np.abs(np.fft.rfft(y[:16000]))) - 1000) <= 1


def test_clips_are_padded_or_trimmed_to_one_second(tmp_path):
    short, long = tmp_path / "short.wav", tmp_path / "long.wav"
    short.write_bytes(wav_bytes(tone(0.5)))
    long.write_bytes(wav_bytes(tone(1.5)))
    s, l = audio.load_clip(short), audio.load_clip(long)
    assert s.shape == l.shape == (16000,)
    assert np.all(s[8000:] == 0) and np.any(s[:8000] != 0)


def test_write_then_read_round_trip(tmp_path):
    x = tone(1.0) * 0.9
    audio.write_wav(tmp_path / "x.wav", x)
    y = audio.load_clip(tmp_path / "x.wav")
    assert np.max(np.abs(x - y)) < 1.0 / 32767
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]


BAD = {
    "empty file": b"",
    "not a wav": b"hello world, this is text",
    "riff but not wave": b"RIFF\x10\x00\x00\x00AVI fmt ",
    "no data chunk": wav_bytes(tone(0.01))[:36],
    "zero samples": wav_bytes(np.zeros(0, np.float32)),
    "truncated data": wav_bytes(tone(0.1))[:-100],
    "a-law": wav_bytes(tone(0.01))[:20] + b"\x06\x00" + wav_bytes(tone(0.01))[22:],
    "nan floats": wav_bytes(np.array([0.0, np.nan, 0.1]), bits=32, encoding="float"),
}


@pytest.mark.parametrize("name", list(BAD))
def test_bad_files_raise_bad_audio(name, tmp_path):
    p = tmp_path / "bad.wav"
    p.write_bytes(BAD[name])
    with pytest.raises(BadAudio) as e:
        audio.read_wav(p)
    assert str(p) in str(e.value) and "\n" not in str(e.value)


def test_missing_file_and_folder_are_bad_audio(tmp_path):
    with pytest.raises(BadAudio, match="no such file"):
        audio.read_wav(tmp_path / "nope.wav")
    with pytest.raises(BadAudio, match="is a folder"):
        audio.read_wav(tmp_path)


@settings(max_examples=400, deadline=None)
@given(st.binary(max_size=200))
def test_fuzz_random_bytes_never_crash(data):
    try:
        audio.decode_wav(data)
    except BadAudio:
        pass


@settings(max_examples=400, deadline=None)
@given(st.integers(0, 120), st.integers(0, 255), st.binary(max_size=8))
def test_fuzz_mutated_headers_never_crash(position, value, tail):
    data = bytearray(wav_bytes(tone(0.002), bits=24, extensible=True))
    data[position % len(data)] = value
    try:
        samples, info = audio.decode_wav(bytes(data) + tail)
        assert samples.shape == (info.frames, info.channels)
    except BadAudio:
        pass
