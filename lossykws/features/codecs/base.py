"""The Codec protocol: what the pipeline asks of a codec, stated once per codec module.

A codec is fitted (or loaded) on the training split when a feature cache is built and saved into
the cache's codec/ folder, which a run directory copies; everything later reads it back from
there. The pipeline never asks for a codec by name with `==`: it looks the codec up in the
registry (lossykws.features.codecs.codec(name)) and calls these methods, so a new codec is one
module that subclasses Codec and calls `register`.

    >>> from lossykws.features import codecs
    >>> c = codecs.codec("vq")
    >>> c.bits, c.default_model, c.default_augment, c.on_front_end    # (True, 'vq-bnn', 4, True)
    >>> encode = c.encoder(run_dir / "codec", config["codec"])        # clips -> model features
"""
from dataclasses import dataclass, field
from typing import Callable

REGISTRY = {}


def register(codec):
    """Add a Codec (an instance) to the registry under its name; returns it."""
    REGISTRY[codec.name] = codec
    return codec


@dataclass
class Fitting:
    """What a codec may be fitted on when a cache is built: the training split, loaded on demand.

    audio: () -> float32 [n, 16000]; features: () -> the front end's features [n, 128, 128];
    fingerprint: the training split's (16 hex); options: the encode options (cache.encode_corpus's
    keywords); report: index.json's content, where a codec adds its fit figures."""
    audio: Callable
    features: Callable
    fingerprint: str
    options: dict
    report: dict = field(default_factory=dict)


class Encoder:
    """A fitted codec as the cache uses it: clips float32 [n, 16000] -> features [n, *shape].

    A codec may store something more compact while a split is encoded (EnCodec: int16 codes, not
    float32 bits): `stored_shape`/`stored_dtype` say what `encode` returns, and `finish` turns a
    whole split of it into the features."""
    stored_dtype = "float32"

    def __init__(self, encode, shape):
        self.encode, self.shape = encode, tuple(shape)

    @property
    def stored_shape(self):
        return self.shape

    def finish(self, split, stored, report):
        return stored


class Codec:
    """One codec. Subclasses set the attributes and implement spec, build and round_trip; the
    front end's codecs (on_front_end) implement stages, the others encoder."""
    name = None                  # as in key.json, config.json and --codec/--features
    bits = True                  # features are +-1 bits (stored packed, trained as int8), else float32
    default_model = None         # the model of these features (lossykws.training.models)
    default_augment = 0          # augmented copies of the training audio, encoded with the codec
    default_warp = None          # the augmented copies' frequency warp (VTLP), (lo, hi); None: none
                                 # (docs/accuracy.md measured it)
    on_front_end = False         # features computed from the front end's: a frequency warp applies
    channel_axis = False         # the model takes the features with a channel axis added
    encode_batch = 64            # clips encoded at once when a cache is built
    encodec_options = False      # takes --bandwidth, --encodec-checkpoint and --encodec-weights

    def spec(self, options):
        """key.json's codec entry: what the features depend on (JSON-able); checks the options."""
        raise NotImplementedError

    def build(self, spec, fitting, folder):
        """Fit (on fitting's training split) or load the codec, save it into `folder` (codec/);
        return its Encoder."""
        raise NotImplementedError

    def stages(self, codec_dir, spec):
        """(front end: clips [n, 16000] -> features [n, 128, 128], codec: features -> model
        features) of the codec saved in codec_dir; None for a codec that reads audio."""
        return None

    def encoder(self, codec_dir, spec):
        """clips float32 [n, 16000] -> model features, with the codec saved in codec_dir."""
        front, back = self.stages(codec_dir, spec)
        return lambda clips: back(front(clips))

    def firmware_input(self, codec_dir, spec):
        """What the cortex-m firmware of a run (its codec saved in codec_dir) encodes with: a VQ
        codebook, or CodeFrames when the firmware takes code frames; None when the firmware does
        not run this codec."""
        return None

    def round_trip(self, codec_dir, clip):
        """A clip (float32 [16000]) through the codec saved in codec_dir, back to 16 kHz audio."""
        raise NotImplementedError

    def saved_label(self, codec_dir):
        """How the codec saved in codec_dir labels itself (`lossykws listen`); None: no label."""
        return None
