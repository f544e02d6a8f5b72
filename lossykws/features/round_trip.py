"""A clip through a stored codec and back to audio: what `lossykws listen` writes, and what the
notebook plays. The codec is the one a feature cache or a run directory holds.

    >>> y = round_trip("runs/vq-bnn-words8-seed0", audio.load_clip("yes.wav"))
"""
import json
from pathlib import Path

from lossykws.errors import LossykwsError
from lossykws.features import cache, codecs


def codec_of(source):
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
        if name not in codecs.names():
            raise LossykwsError(f"{config}: names no known codec ({name!r})")
        return name, source / cache.CODEC_DIR
    raise LossykwsError(f"{source}: neither a feature cache ({cache.KEY_FILE}) nor a run directory (config.json)")


def round_trip(source, clip):
    """A clip (float32 [16000]) through the codec stored in `source`, back to 16 kHz audio."""
    name, folder = codec_of(source)
    return codecs.codec(name).round_trip(folder, clip)
