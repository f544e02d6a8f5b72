"""An offline corpus of synthesized speech in the Speech Commands layout (espeak-ng and flite).

A "speaker" is one voice with its settings (engine, voice, variant, rate, pitch); its id is made of
those settings, so two clips share a speaker exactly when they share a voice, and splits by speaker
stay meaningful. Speaker i says every word of the task once, as a person of Speech Commands did.
The corpus is deterministic for a seed: the synthesizers are deterministic and every random choice
(speakers, placement in the 1 s window, gain, unknown words, noise) comes from seeded generators.

Accuracy on synthesized speech says little about real speech; the corpus exists so that the whole
pipeline runs offline, and as extra training data beside real clips.
"""
import json
import os
import shutil
import subprocess
import tempfile
import time
import zlib
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np

from lossykws.data import audio, datasets
from lossykws.errors import LossykwsError
from lossykws.fsutil import atomic_dir

# Voices that speak English; variants change the glottal source and formants.
ESPEAK_ACCENTS = ("en-us", "en-gb", "en-gb-scotland", "en-gb-x-rp", "en-gb-x-gbclan", "en-gb-x-gbcwmd",
                  "en-029", "en-us-nyc")
ESPEAK_VARIANTS = ("m1", "m2", "m3", "m4", "m5", "m6", "m7", "m8", "f1", "f2", "f3", "f4", "f5", "croak",
                   "klatt", "klatt2", "klatt3", "klatt4", "adam", "belinda", "benjamin", "caleb", "david",
                   "edward", "grandpa", "john", "linda", "max", "michel", "paul", "quincy", "rob",
                   "robert", "steph", "travis", "victor", "zac", "whisperf")
FLITE_VOICES = ("kal", "kal16", "awb", "rms", "slt")
UNKNOWN_WORDS = ("bed", "bird", "cat", "dog", "happy", "house", "marvin", "sheila", "tree", "wow",
                 "backward", "forward", "follow", "learn", "visual", "zero", "one", "two", "three",
                 "four", "five", "six", "seven", "eight", "nine")
FLITE_ESPEAK_SHARE = 0.25   # a quarter of the speakers are flite voices
NOISE_RECORDINGS = 4         # _background_noise_ files of 10 s, for augmentation


def require_tools():
    for tool, package in (("espeak-ng", "espeak-ng"), ("flite", "flite")):
        if shutil.which(tool) is None:
            raise LossykwsError(f"{tool} not found: install the Debian package {package} "
                                "(tools/bootstrap installs it)")


def make_speakers(count, seed):
    """`count` distinct voices with settings, as dicts with an `id` made of the settings."""
    rng = np.random.default_rng([seed, 1])
    speakers, seen = [], set()
    while len(speakers) < count:
        if rng.random() < FLITE_ESPEAK_SHARE:
            voice = FLITE_VOICES[int(rng.integers(len(FLITE_VOICES)))]
            stretch = round(float(rng.uniform(0.8, 1.3)), 2)
            f0 = int(rng.integers(70, 220))
            s = {"engine": "flite", "voice": voice, "stretch": stretch, "f0": f0,
                 "id": f"flite-{voice}-d{int(stretch * 100)}-f{f0}"}
        else:
            accent = ESPEAK_ACCENTS[int(rng.integers(len(ESPEAK_ACCENTS)))]
            variant = ESPEAK_VARIANTS[int(rng.integers(len(ESPEAK_VARIANTS)))]
            rate = int(rng.integers(110, 200))
            pitch = int(rng.integers(15, 85))
            s = {"engine": "espeak-ng", "voice": f"{accent}+{variant}", "rate": rate, "pitch": pitch,
                 "id": f"espeak-{accent}+{variant}-r{rate}-p{pitch}"}
        if s["id"] not in seen:
            seen.add(s["id"])
            speakers.append(s)
    return speakers


def voice_of(speaker):
    """The voice a speaker's id names, without its rate and pitch (distinct voices are counted so)."""
    return f"{speaker['engine']}:{speaker['voice']}"


def say(word, speaker, workdir):
    """Synthesize `word` with a speaker's voice: float32 mono at 16 kHz (any length)."""
    out = Path(workdir) / "say.wav"
    if speaker["engine"] == "flite":
        cmd = ["flite", "-voice", speaker["voice"], "--setf", f"duration_stretch={speaker['stretch']}",
               "--setf", f"int_f0_target_mean={speaker['f0']}", "-t", word, "-o", str(out)]
    else:
        cmd = ["espeak-ng", "-v", speaker["voice"], "-s", str(speaker["rate"]), "-p", str(speaker["pitch"]),
               "-w", str(out), word]
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    samples, info = audio.read_wav(out)
    return audio.resample(samples.mean(axis=1), info.rate, audio.SAMPLE_RATE)


def place(speech, rng):
    """Trim silence around `speech`, scale it, and place it at a random offset in a 1 s window."""
    level = np.abs(speech)
    loud = np.flatnonzero(level > 0.02 * max(float(level.max()), 1e-6))
    if len(loud):
        speech = speech[loud[0]:loud[-1] + 1]
    speech = speech[:audio.CLIP_SAMPLES]
    peak = float(np.abs(speech).max()) or 1.0
    speech = speech * np.float32(rng.uniform(0.3, 0.9) / peak)
    clip = np.zeros(audio.CLIP_SAMPLES, np.float32)
    start = int(rng.integers(0, audio.CLIP_SAMPLES - len(speech) + 1))
    clip[start:start + len(speech)] = speech
    # A faint noise floor, as every real recording has.
    clip += rng.normal(0.0, rng.uniform(1e-4, 2e-3), audio.CLIP_SAMPLES).astype(np.float32)
    return clip


def colored_noise(n, rng):
    """White, pink or brown noise of unit peak."""
    white = rng.normal(size=n)
    kind = int(rng.integers(3))
    if kind == 0:
        x = white
    else:
        spectrum = np.fft.rfft(white)
        f = np.maximum(np.fft.rfftfreq(n), 1.0 / n)
        x = np.fft.irfft(spectrum / (np.sqrt(f) if kind == 1 else f), n)
    return (x / np.abs(x).max()).astype(np.float32)


def _speaker_job(args):
    """All clips of one speaker: its words, and its share of _unknown_ words."""
    out, speaker, words, unknown, seed, index = args
    written = []
    with tempfile.TemporaryDirectory() as work:
        for word, folder in [(w, w) for w in words] + [(u, datasets.UNKNOWN) for u in unknown]:
            rng = np.random.default_rng([seed, 2, index, zlib.crc32(word.encode())])
            clip = place(say(word, speaker, work), rng)
            name = f"{speaker['id']}_nohash_0.wav"
            if folder == datasets.UNKNOWN:
                name = f"{word}_{name}"
            audio.write_wav(Path(out) / folder / name, clip)
            written.append(folder)
    return written


def synthesize_corpus(out_dir, task="words8", per_word=300, seed=0, jobs=None, force=False, progress=None):
    """Write a synthesized corpus for `task` into out_dir; return counts and the time taken."""
    labels = datasets.check_task(task)
    require_tools()
    started = time.monotonic()
    words = [w for w in labels if not w.startswith("_")]
    speakers = make_speakers(per_word, seed)
    rng = np.random.default_rng([seed, 3])
    kws12 = datasets.UNKNOWN in labels
    # Speaker i says one unknown word, so that _unknown_ has per_word clips too.
    unknown = [[UNKNOWN_WORDS[int(rng.integers(len(UNKNOWN_WORDS)))]] if kws12 else [] for _ in speakers]
    jobs = jobs or os.cpu_count() or 1
    with atomic_dir(out_dir, force) as tmp:
        for w in words + ([datasets.UNKNOWN, datasets.SILENCE, datasets.NOISE] if kws12 else []):
            (tmp / w).mkdir()
        tasks = [(str(tmp), s, words, unknown[i], seed, i) for i, s in enumerate(speakers)]
        clips = 0
        # Threads, not processes: the work is in espeak-ng and flite subprocesses, and forking a
        # process that has loaded TensorFlow or torch (as a test worker or a notebook has) can deadlock.
        with ThreadPoolExecutor(max_workers=jobs) as pool:
            for written in pool.map(_speaker_job, tasks):
                clips += len(written)
                if progress:
                    progress(len(written))
        if kws12:
            for i in range(per_word):
                r = np.random.default_rng([seed, 4, i])
                audio.write_wav(tmp / datasets.SILENCE / f"synth{i:05d}.wav",
                                colored_noise(audio.CLIP_SAMPLES, r) * np.float32(r.uniform(0.001, 0.1)))
            clips += per_word
            for i in range(NOISE_RECORDINGS):
                r = np.random.default_rng([seed, 5, i])
                audio.write_wav(tmp / datasets.NOISE / f"synth_noise_{i}.wav",
                                colored_noise(10 * audio.SAMPLE_RATE, r) * np.float32(0.5))
        manifest = {"generator": "lossykws.data.synth", "task": task, "seed": seed, "per_word": per_word,
                    "speakers": speakers, "unknown_words": {s["id"]: u for s, u in zip(speakers, unknown)}}
        (tmp / "synth.json").write_text(json.dumps(manifest, indent=1))
    return {"clips": clips, "per_word": per_word, "speakers": len(speakers),
            "voices": len({voice_of(s) for s in speakers}), "seconds": time.monotonic() - started}
