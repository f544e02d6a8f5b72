"""`lossykws encode` and `lossykws listen`: the library calls behind the codec commands."""
import json
from pathlib import Path

import click

from . import audio, cache
from .errors import LossykwsError


def encode(data_dir, codec, out_dir, task, bandwidth=None, encodec_checkpoint=None,
           encodec_weights="pretrained", fit_budget=600.0, vq_k=16, vq_codebook=None, seed=0,
           force=False, as_json=False):
    """Encode every split of the corpus into a feature cache and print bits and MiB per split."""
    report = cache.encode_corpus(list(data_dir), codec, out_dir, task, force=force, bandwidth=bandwidth,
                                 encodec_checkpoint=encodec_checkpoint, encodec_weights=encodec_weights,
                                 fit_budget_s=fit_budget, vq_k=vq_k, vq_codebook=vq_codebook, seed=seed)
    click.echo(json.dumps(report, indent=1) if as_json else cache.format_report(report, out_dir))


def _codec_of(source):
    """(codec name, codec folder) of a cache (key.json) or a run directory (config.json)."""
    source = Path(source)
    if (source / cache.KEY_FILE).is_file():
        return cache.read_key(source)["codec"]["codec"], source / cache.CODEC_DIR
    config = source / "config.json"
    if config.is_file():
        try:
            c = json.loads(config.read_text()).get("codec")
        except (OSError, ValueError, AttributeError) as e:
            raise LossykwsError(f"{config}: unreadable ({e})") from None
        name = c.get("codec") or c.get("name") if isinstance(c, dict) else c
        if name not in cache.CODECS:
            raise LossykwsError(f"{config}: names no known codec ({name!r})")
        return name, source / cache.CODEC_DIR
    raise LossykwsError(f"{source}: neither a feature cache ({cache.KEY_FILE}) nor a run directory (config.json)")


def round_trip(source, clip):
    """A clip (float32 [16000]) through the codec stored in `source`, back to 16 kHz audio."""
    name, folder = _codec_of(source)
    if name == "tf":
        from . import frontend
        from .codecs import vq

        return vq.griffin_lim(frontend.features(clip))
    if name == "vq":
        from .codecs import vq

        cb = vq.load(folder / cache.VQ_CODEBOOK)
        cb.require()
        return cb.decode_audio(cb.encode_audio(clip))
    from .codecs import encodec

    codec = encodec.EncodecCodec.load(folder)
    return codec.decode(codec.encode_codes(clip))[0]


def listen(source, clip, out_path):
    """Write CLIP's round trip through SOURCE's codec to OUT_PATH as a 16 kHz WAV."""
    if not Path(source).is_dir():
        raise LossykwsError(f"{source}: no such folder (expected a feature cache or a run directory)")
    _codec_of(source)                      # a bad source fails before the clip is read
    x = audio.load_clip(clip)
    y = round_trip(source, x)
    audio.write_wav(out_path, y)
    label = ""
    settings = Path(source) / cache.CODEC_DIR / "encodec.json"
    if settings.is_file():
        label = f" ({json.loads(settings.read_text()).get('label', '')})"
    click.echo(f"wrote {out_path}: {clip} through {source}{label}")
