"""The tf codec: the front end's 128x128 log-STFT itself (lossykws.features.frontend), float32.

Nothing is fitted: codec/tf.json records the front end's definition and its sources' hash. The
models take the features with a channel axis ([128, 128, 1]); the round trip to audio is
Griffin-Lim on the features' magnitudes.
"""
import json

import numpy as np

from lossykws.features import frontend
from lossykws.features.codecs import vq
from lossykws.features.codecs.base import Codec, Encoder, register

SETTINGS_FILE = "tf.json"


class TimeFrequency(Codec):
    name = "tf"
    bits = False
    default_model = "tf-cnn"
    default_augment = 2
    on_front_end = True
    channel_axis = True

    def spec(self, options):
        return {"codec": self.name, "frontend_source": frontend.source_hash()}

    def build(self, spec, fitting, folder):
        (folder / SETTINGS_FILE).write_text(json.dumps(
            {"codec": self.name, "frontend": vq.frontend_definition(), **spec}, indent=1) + "\n")
        return Encoder(frontend.features_batch, (frontend.FRAMES, frontend.BINS))

    def stages(self, codec_dir, spec):
        return frontend.features_batch, lambda feats: np.asarray(feats)[..., None]

    def round_trip(self, codec_dir, clip):
        return vq.griffin_lim(frontend.features(clip))


CODEC = register(TimeFrequency())
