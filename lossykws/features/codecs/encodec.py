"""The EnCodec codec: speech as the residual-vector-quantised codes of Meta's EnCodec, as +-1 bits.

A 1 s clip at 16 kHz is resampled to the model's rate (24 kHz for the pretrained model), encoded at
a chosen bandwidth into `n_q` codebooks x `frames` codes of `log2(bins)` bits, and the codes become
bits. At the default 6 kbps the 24 kHz model gives 8 codebooks x 75 frames x 10 bits = 6000 bits.

    >>> from lossykws.features.codecs import encodec
    >>> codec = encodec.EncodecCodec.pretrained(bandwidth=6.0)      # needs the checkpoint file
    >>> bits = codec.encode(clips)             # float32 [n, 8, 75, 10], values +-1
    >>> audio = codec.decode(codec.encode_codes(clips))   # float32 [n, 16000], for listening

Bits: channel j of a code is bit j counted from the least significant (LSB first, as the VQ
codec's bit planes), -1 when set and +1 when clear: LCE's sign convention (bit i of a packed word
is set when channel i is negative), so the LCE-packed word of each [codebook, frame] pixel is the
code itself, and `np.packbits(bits < 0)` stores them.

Weights. The pretrained model is the torch hub cache file
$TORCH_HOME/hub/checkpoints/encodec_24khz-d7cc33bc.th (TORCH_HOME defaults to
$XDG_CACHE_HOME/torch, else ~/.cache/torch) or an explicit path. torch does not check a cached file,
so this module does: the file's SHA-256 must start with the hex prefix in its name (d7cc33bc for
the official file, or the official prefix when a renamed file's name has none). Nothing is ever
downloaded. A file whose hash passes but is not the official one (a stand-in for tests, or another
training run of the same architecture) is labelled as such, never as "EnCodec pretrained".

A second source of weights is a codec trained here (`lossykws.features.codecs.local_codec`): the same
classes in a smaller configuration, labelled "local codec".
"""

import json
import os
import re
import warnings
from pathlib import Path

import numpy as np

from lossykws.data import audio
from lossykws.errors import LossykwsError, reason
from lossykws.fsutil import sha256_file

CHECKPOINT_NAME = "encodec_24khz-d7cc33bc.th"
CHECKPOINT_URL = "https://dl.fbaipublicfiles.com/encodec/v0/" + CHECKPOINT_NAME
OFFICIAL_PREFIX = "d7cc33bc"
BANDWIDTHS = (1.5, 3.0, 6.0, 12.0, 24.0)     # kbps of the 24 kHz model: 2, 4, 8, 16, 32 codebooks
DEFAULT_BANDWIDTH = 6.0
INPUT_RATE = audio.SAMPLE_RATE
SETTINGS_FILE = "encodec.json"
_HASH_IN_NAME = re.compile(r"-([a-f0-9]+)\.")


# ---------------------------------------------------------------- bits
def codes_to_bits(codes, bits_per_code):
    """int codes [..., T] in [0, 2**bits) -> float32 [..., T, bits], LSB first, set bit -> -1."""
    c = np.asarray(codes).astype(np.int64)
    shifts = np.arange(bits_per_code, dtype=np.int64)
    set_bits = (c[..., None] >> shifts) & 1
    return (1 - 2 * set_bits).astype(np.float32)


def bits_to_codes(bits):
    """The inverse of codes_to_bits: float [..., T, bits] (negative = set) -> int64 codes [..., T]."""
    b = np.asarray(bits)
    weights = 1 << np.arange(b.shape[-1], dtype=np.int64)
    return ((b < 0).astype(np.int64) * weights).sum(axis=-1)


def check_informative(codes, what="codes"):
    """Refuse codes that carry no information: fewer than 2 distinct values in the whole set."""
    distinct = np.unique(np.asarray(codes)).size
    if distinct < 2:
        raise LossykwsError(f"the {what} carry no information ({distinct} distinct code): untrained "
                            "weights (EnCodec with random weights gives all-zero codes); use the "
                            "pretrained checkpoint or --encodec-weights fit")
    return distinct


def check_bandwidth(bandwidth):
    """The bandwidth as a float if the 24 kHz model supports it, else a one-line error."""
    try:
        bw = float(bandwidth)
    except (TypeError, ValueError):
        bw = None
    if bw not in BANDWIDTHS:
        raise LossykwsError(f"EnCodec 24 kHz does not support a bandwidth of {bandwidth} kbps: "
                            f"choose one of {', '.join(f'{b:g}' for b in BANDWIDTHS)}")
    return bw


# ---------------------------------------------------------------- checkpoint
def hub_checkpoint_path():
    """Where torch hub keeps the pretrained file: $TORCH_HOME/hub/checkpoints/encodec_24khz-d7cc33bc.th."""
    home = os.environ.get("TORCH_HOME") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or "~/.cache", "torch")
    return Path(os.path.expanduser(home)) / "hub" / "checkpoints" / CHECKPOINT_NAME


def verify_checkpoint(path=None):
    """Find and hash-check the checkpoint; return (path, sha256, official).

    `path` None means the torch hub cache file. The expected hash prefix is the one in the file's
    name (torch hub's convention, `name-<hex>.ext`), or the official file's when the name has none.
    """
    if path is None:
        path = hub_checkpoint_path()
        if not path.is_file():
            raise LossykwsError(f"EnCodec pretrained weights not found: put {CHECKPOINT_NAME} "
                                f"(from {CHECKPOINT_URL}) at {path} (or set TORCH_HOME, or pass "
                                "--encodec-checkpoint PATH); lossykws never downloads it")
    path = Path(path)
    if not path.is_file():
        raise LossykwsError(f"{path}: no such EnCodec checkpoint file")
    m = _HASH_IN_NAME.search(path.name)
    prefix = m.group(1) if m else OFFICIAL_PREFIX
    try:
        digest = sha256_file(path)
    except OSError as e:
        raise LossykwsError(f"{path}: cannot read the checkpoint ({e.strerror})") from None
    if not digest.startswith(prefix):
        raise LossykwsError(f"{path}: SHA-256 {digest[:12]}... does not start with {prefix} "
                            f"({'from its name' if m else 'the official file'}): truncated or "
                            f"corrupt; replace it with {CHECKPOINT_NAME} from {CHECKPOINT_URL}")
    return path, digest, digest.startswith(OFFICIAL_PREFIX)


def _quiet_torch():
    import torch

    warnings.filterwarnings("ignore", message=".*weight_norm.*", category=FutureWarning)
    return torch


def load_pretrained_model(path=None):
    """The 24 kHz EnCodec model with the checked checkpoint's weights: (model, path, sha256, official)."""
    path, digest, official = verify_checkpoint(path)
    torch = _quiet_torch()
    from encodec import EncodecModel

    try:
        state = torch.load(path, map_location="cpu", weights_only=True)
        if not isinstance(state, dict):
            raise TypeError(f"a {type(state).__name__}, not a dict of tensors")
        model = EncodecModel.encodec_model_24khz(pretrained=False)
        model.load_state_dict(state)
    except Exception as e:  # noqa: BLE001  (torch raises many kinds for a bad file)
        raise LossykwsError(f"{path}: not a state dict of the EnCodec 24 kHz model ({reason(e)})") from None
    model.eval()
    return model, path, digest, official


# ---------------------------------------------------------------- the codec
class EncodecCodec:
    """An EnCodec model at one bandwidth, encoding 1 s 16 kHz clips to codes and bits.

    # Arguments
        model: an `encodec.EncodecModel` (the pretrained 24 kHz one, or a local codec).
        bandwidth: kbps, or None for all of the model's codebooks.
        label: how results are labelled ("EnCodec pretrained", "local codec", ...).
        settings: what identifies the weights (checkpoint hash, or local codec config); goes into
            cache keys and `encodec.json`.
    """

    name = "encodec"

    def __init__(self, model, bandwidth, label, settings):
        self.model = model
        self.bandwidth = bandwidth
        self.label = label
        self.settings = dict(settings)
        self.frame_rate = int(model.frame_rate)
        self.n_q = int(model.quantizer.get_num_quantizers_for_bandwidth(self.frame_rate, bandwidth))
        self.bits_per_code = int(model.bits_per_codebook)
        self.frames = int(np.ceil(audio.CLIP_SAMPLES * model.sample_rate / INPUT_RATE
                                  / np.prod(model.encoder.ratios)))

    @classmethod
    def pretrained(cls, bandwidth=DEFAULT_BANDWIDTH, checkpoint=None):
        """The 24 kHz model from the hub cache file or `checkpoint`, checked by hash."""
        bw = check_bandwidth(bandwidth)
        model, path, digest, official = load_pretrained_model(checkpoint)
        label = ("EnCodec pretrained" if official else
                 f"EnCodec 24 kHz architecture, unofficial weights {path.name} (sha256 {digest[:8]})")
        settings = {"weights": "pretrained" if official else "checkpoint", "checkpoint": str(path),
                    "sha256": digest}
        return cls(model, bw, label, settings)

    @property
    def bits_shape(self):
        return (self.n_q, self.frames, self.bits_per_code)

    def params(self):
        """Everything the codes depend on, for a cache key (JSON-serialisable)."""
        p = {"codec": "encodec", "label": self.label, "bandwidth": self.bandwidth,
             "model_rate": int(self.model.sample_rate), "bits_shape": list(self.bits_shape),
             "bit_order": "lsb-first, set bit -> -1"}
        p.update({k: v for k, v in self.settings.items() if k != "checkpoint"})
        return p

    def _to_model_rate(self, clips):
        x = np.asarray(clips, dtype=np.float32)
        if x.ndim == 1:
            x = x[None]
        if x.ndim != 2 or x.shape[1] != audio.CLIP_SAMPLES:
            raise LossykwsError(f"EnCodec takes 1 s clips at 16 kHz ([n, {audio.CLIP_SAMPLES}]), got {x.shape}")
        if not np.all(np.isfinite(x)):
            raise LossykwsError("clip has NaN or infinite samples")
        rate = int(self.model.sample_rate)
        return np.stack([audio.resample(c, INPUT_RATE, rate) for c in x]) if rate != INPUT_RATE else x

    def encode_codes(self, clips):
        """int16 codes [n, n_q, frames] of clips float32 [n, 16000] (or one clip [16000])."""
        torch = _quiet_torch()
        x = torch.from_numpy(np.ascontiguousarray(self._to_model_rate(clips)))[:, None]
        with torch.no_grad():
            emb = self.model.encoder(x)
            codes = self.model.quantizer.encode(emb, self.frame_rate, self.bandwidth)  # [n_q, n, T]
        codes = codes.transpose(0, 1).numpy().astype(np.int16)
        if codes.shape[1:] != (self.n_q, self.frames):
            raise LossykwsError(f"EnCodec gave codes of shape {codes.shape[1:]}, expected {(self.n_q, self.frames)}")
        return codes

    def encode(self, clips):
        """+-1 bits float32 [n, n_q, frames, bits_per_code] of clips float32 [n, 16000]."""
        return codes_to_bits(self.encode_codes(clips), self.bits_per_code)

    def decode(self, codes):
        """Audio float32 [n, 16000] at 16 kHz from codes [n, n_q, frames] (the round trip, to listen to)."""
        torch = _quiet_torch()
        c = np.asarray(codes, dtype=np.int64)
        if c.ndim == 2:
            c = c[None]
        if c.shape[1:] != (self.n_q, self.frames) or c.min() < 0 or c.max() >= 2 ** self.bits_per_code:
            raise LossykwsError(f"codes of shape {c.shape[1:]} in [{c.min()}, {c.max()}] do not fit this "
                                f"codec ({self.n_q} x {self.frames} codes of {self.bits_per_code} bits)")
        with torch.no_grad():
            emb = self.model.quantizer.decode(torch.from_numpy(c).transpose(0, 1))
            out = self.model.decoder(emb)[:, 0].numpy()
        rate = int(self.model.sample_rate)
        return np.stack([audio.fit_length(audio.resample(o, rate, INPUT_RATE)) for o in out])

    # ------------------------------------------------------------ persistence in a cache or run
    def save(self, folder):
        """Write encodec.json (and the local codec's weights) into `folder`."""
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        settings = {"codec": "encodec", "label": self.label, "bandwidth": self.bandwidth, **self.settings}
        if self.settings.get("weights") == "local":
            from lossykws.features.codecs import local_codec

            settings["sha256"] = local_codec.save_model(self.model, self.settings["config"], folder)
        (folder / SETTINGS_FILE).write_text(json.dumps(settings, indent=1) + "\n")

    @classmethod
    def load(cls, folder, checkpoint=None):
        """The codec saved by `save`; pretrained weights are found again (and re-checked) by path."""
        path = Path(folder) / SETTINGS_FILE
        try:
            s = json.loads(path.read_text())
        except (OSError, ValueError) as e:
            raise LossykwsError(f"{path}: cannot read the EnCodec settings ({reason(e)})") from None

        def damaged(what):
            return LossykwsError(f"{path}: damaged EnCodec settings ({what}); encode the data again")

        if not isinstance(s, dict):
            raise damaged("not a JSON object")
        if s.get("weights") == "local":
            from lossykws.features.codecs import local_codec

            model = local_codec.load_model(folder)
            return cls(model, None, str(s.get("label", local_codec.LABEL)), {k: s[k] for k in ("weights", "config")})
        if type(s.get("bandwidth")) not in (int, float) or s["bandwidth"] not in BANDWIDTHS:
            raise damaged(f"bandwidth {s.get('bandwidth')!r:.20} is not one of {', '.join(f'{b:g}' for b in BANDWIDTHS)}")
        saved, digest = s.get("checkpoint"), s.get("sha256")
        if not (isinstance(saved, str) and saved.strip() and "\n" not in saved) or not re.fullmatch(r"[0-9a-f]{64}", str(digest)):
            raise damaged("no checkpoint path and SHA-256")
        try:
            codec = cls.pretrained(s["bandwidth"], checkpoint or saved)
        except LossykwsError as e:
            raise e if checkpoint else LossykwsError(f"{path} names a checkpoint that fails: {e}") from None
        if codec.settings["sha256"] != digest:
            raise LossykwsError(f"{codec.settings['checkpoint']}: not the checkpoint these codes were made "
                                f"with (sha256 {codec.settings['sha256'][:8]}, expected {digest[:8]})")
        return codec
