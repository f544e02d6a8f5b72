"""A tiny synthetic corpus, its feature cache and a tiny trained vq-bnn run, shared by the tests."""
import numpy as np
import pytest

from lossykws.data import audio, datasets
from lossykws.features import cache
from lossykws.training import run as training

# speakers whose salted hash puts them in train, validation and test (datasets.which_set)
SPEAKERS = {"train": ["00000001", "00000002", "00000003"], "validation": ["00000006"], "test": ["00000009"]}
WORDS = datasets.WORDS8     # every label of the task: training refuses a task label without clips


def make_corpus(root, words=WORDS, per_speaker=1, seed=0):
    """Distinct decaying tones, one pitch range per word so that a model can learn something."""
    rng = np.random.default_rng(seed)
    t = np.arange(16000) / 16000
    for k, w in enumerate(words):
        (root / w).mkdir(parents=True, exist_ok=True)
        for s in sum(SPEAKERS.values(), []):
            for n in range(per_speaker):
                f0 = 300 * (k + 1) * rng.uniform(0.9, 1.1)
                x = 0.3 * np.sin(2 * np.pi * f0 * t) * np.exp(-rng.uniform(1, 6) * t)
                audio.write_wav(root / w / f"{s}_nohash_{n}.wav", x + 0.01 * rng.standard_normal(16000))
    return root


@pytest.fixture(scope="session")
def tiny_corpus(tmp_path_factory):
    return make_corpus(tmp_path_factory.mktemp("tiny-corpus"))


@pytest.fixture(scope="session")
def tiny_vq_cache(tiny_corpus, tmp_path_factory):
    out = tmp_path_factory.mktemp("tiny-cache") / "vq"
    cache.encode_corpus([tiny_corpus], "vq", out, task="words8", progress=False)
    return out


@pytest.fixture(scope="session")
def tiny_vq_run(tiny_vq_cache, tmp_path_factory):
    """A vq-bnn run directory trained for one epoch on the tiny cache (8-8-16-8): read-only for tests."""
    out = tmp_path_factory.mktemp("tiny-run") / "vq"
    training.train_run(tiny_vq_cache, out, epochs=1, batch_size=8, channels=(8, 8, 16, 8), augment_copies=0,
                       progress=False)
    return out
