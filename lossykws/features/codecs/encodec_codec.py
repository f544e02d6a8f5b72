"""The encodec codec: EnCodec's codes as +-1 bits [codebooks, frames, bits], with the pretrained 24 kHz
weights (lossykws.features.codecs.encodec; their checkpoint's SHA-256 is in the key) or a local
codec of the same architecture fitted on the training split (`--encodec-weights fit`:
local_codec, local_codec_fit).

codec/ holds encodec.json (and local_codec.pt). Splits are encoded as int16 codes and become bits
when a split is whole; codes that carry no information are refused. The encoder does not fit a
microcontroller: the cortex-m firmware takes code frames.
"""
import json
from pathlib import Path

import numpy as np

from lossykws.errors import LossykwsError
from lossykws.features.codecs import encodec
from lossykws.features.codecs.base import Codec, Encoder, register


class CodesEncoder(Encoder):
    """Encodes to int16 codes [n, codebooks, frames]; a whole split becomes bits."""
    stored_dtype = np.int16

    @property
    def stored_shape(self):
        return self.shape[:-1]

    def finish(self, split, stored, report):
        if split == "train":
            report["distinct_codes_train"] = encodec.check_informative(stored, "EnCodec codes of the training split")
        return encodec.codes_to_bits(stored, self.shape[-1])


class Encodec(Codec):
    name = "encodec"
    default_model = "encodec-bnn"
    default_augment = 0          # EnCodec's encoder is slow on CPU
    encode_batch = 16            # the 24 kHz model: ~100 MB per clip
    encodec_options = True

    def spec(self, options):
        weights, bandwidth, checkpoint = options["encodec_weights"], options["bandwidth"], options["encodec_checkpoint"]
        if weights == "pretrained":
            bw = encodec.check_bandwidth(encodec.DEFAULT_BANDWIDTH if bandwidth is None else bandwidth)
            path, digest, official = encodec.verify_checkpoint(checkpoint)
            return {"codec": self.name, "weights": "pretrained" if official else "checkpoint",
                    "bandwidth": bw, "checkpoint_sha256": digest}
        if weights == "fit":
            from lossykws.features.codecs import local_codec

            if bandwidth is not None:
                raise LossykwsError("--bandwidth applies to the pretrained EnCodec model; the local codec "
                                    "uses all its codebooks (8 x 80 frames x 10 bits by default)")
            if checkpoint:
                raise LossykwsError("--encodec-checkpoint and --encodec-weights fit exclude each other")
            budget = options["fit_budget_s"]
            if not 0 < float(budget) <= 1800:
                raise LossykwsError(f"--fit-budget must be in (0, 1800] seconds, got {budget}")
            config = options["local_config"] or local_codec.LocalCodecConfig()
            return {"codec": self.name, "weights": "local", "label": local_codec.LABEL,
                    "config": config.to_json(), "fit_budget_s": float(budget), "seed": int(options["seed"]),
                    "fitted_on": "train split"}
        raise LossykwsError(f"unknown EnCodec weights {weights!r}: expected pretrained or fit")

    def build(self, spec, fitting, folder):
        options = fitting.options
        if spec["weights"] == "local":
            from lossykws.features.codecs import local_codec, local_codec_fit

            config = options["local_config"] or local_codec.LocalCodecConfig()
            ec, fitting.report["local_codec"] = local_codec_fit.fit_local_codec(
                fitting.audio(), options["fit_budget_s"], config, seed=options["seed"],
                progress=options["progress"])
        else:
            ec = encodec.EncodecCodec.pretrained(spec["bandwidth"], options["encodec_checkpoint"])
            if ec.settings["sha256"] != spec["checkpoint_sha256"]:
                raise LossykwsError(f"{ec.settings['checkpoint']}: changed while encoding; run again")
        ec.save(folder)
        fitting.report["codec_label"] = ec.label
        return CodesEncoder(ec.encode_codes, ec.bits_shape)

    def encoder(self, codec_dir, spec):
        return encodec.EncodecCodec.load(Path(codec_dir)).encode

    def firmware_input(self, codec_dir, spec):
        from lossykws.codegen.kws_app import CodeFrames

        return CodeFrames(spec.get("label", "EnCodec"))

    def round_trip(self, codec_dir, clip):
        codec = encodec.EncodecCodec.load(codec_dir)
        return codec.decode(codec.encode_codes(clip))[0]

    def saved_label(self, codec_dir):
        settings = Path(codec_dir) / encodec.SETTINGS_FILE
        return json.loads(settings.read_text()).get("label", "") if settings.is_file() else None


CODEC = register(Encodec())
