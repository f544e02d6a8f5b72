"""The vq codec: the front end's 2x2 time-frequency blocks vector-quantised to 4-bit codes, as bit
planes [64, 64, 4] (lossykws.features.codecs.vq).

The codebook is fitted on the training split's features (or given with --codebook) and saved as
codec/vq_codebook.json; the cortex-m firmware runs the same codebook on raw audio.
"""
import time
from pathlib import Path

from lossykws.features import frontend
from lossykws.features.codecs import vq
from lossykws.features.codecs.base import Codec, Encoder, register


def _given_codebook(options):
    """The codebook given with --codebook, checked against the asked k and block."""
    cb = vq.load(options["vq_codebook"])
    cb.require(k=options["vq_k"], block=tuple(options["vq_block"]))
    return cb


class VectorQuantisation(Codec):
    name = "vq"
    default_model = "vq-bnn"
    default_augment = 4
    on_front_end = True

    def spec(self, options):
        k, block = int(options["vq_k"]), [int(b) for b in options["vq_block"]]
        spec = {"codec": self.name, "frontend_source": frontend.source_hash(), "k": k, "block": block,
                "order": vq.ORDER}
        if options["vq_codebook"]:
            cb = _given_codebook(options)
            spec.update(codebook=str(options["vq_codebook"]), codebook_sha256=cb.to_json()["sha256"])
        else:
            vq.check_params(k, tuple(block))
            spec.update(fitted_on="train split", seed=int(options["seed"]))
        return spec

    def build(self, spec, fitting, folder):
        options = fitting.options
        if options["vq_codebook"]:
            cb = _given_codebook(options)
        else:
            t = time.monotonic()
            cb = vq.fit(fitting.features(), k=options["vq_k"], block=tuple(options["vq_block"]),
                        seed=options["seed"], fingerprint=fitting.fingerprint)
            fitting.report["codec_fit_s"] = round(time.monotonic() - t, 1)
        cb.save(folder / vq.CODEBOOK_FILE)
        nbits = cb.bits
        rows, cols = frontend.FRAMES // cb.block[0], frontend.BINS // cb.block[1]
        return Encoder(lambda clips: vq.bits(cb.encode_audio(clips), nbits), (rows, cols, nbits))

    def stages(self, codec_dir, spec):
        cb = vq.load(Path(codec_dir) / vq.CODEBOOK_FILE)
        return frontend.features_batch, lambda feats: vq.bits(cb.encode(feats), cb.bits)

    def firmware_input(self, codec_dir, spec):
        return vq.load(Path(codec_dir) / vq.CODEBOOK_FILE)   # the firmware takes audio and runs this codebook

    def round_trip(self, codec_dir, clip):
        cb = vq.load(Path(codec_dir) / vq.CODEBOOK_FILE)
        cb.require()
        return cb.decode_audio(cb.encode_audio(clip))


CODEC = register(VectorQuantisation())
