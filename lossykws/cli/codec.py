"""`lossykws encode` and `lossykws listen`: the library calls behind the codec commands."""
import json
from pathlib import Path

import click

from lossykws.data import audio
from lossykws.errors import LossykwsError
from lossykws.features import cache, codecs
from lossykws.features.round_trip import codec_of, round_trip


def encode(data_dir, codec, out_dir, task, bandwidth=None, encodec_checkpoint=None,
           encodec_weights="pretrained", fit_budget=600.0, vq_k=16, vq_codebook=None, seed=0,
           force=False, as_json=False):
    """Encode every split of the corpus into a feature cache and print bits and MiB per split."""
    report = cache.encode_corpus(list(data_dir), codec, out_dir, task, force=force, bandwidth=bandwidth,
                                 encodec_checkpoint=encodec_checkpoint, encodec_weights=encodec_weights,
                                 fit_budget_s=fit_budget, vq_k=vq_k, vq_codebook=vq_codebook, seed=seed)
    click.echo(json.dumps(report, indent=1) if as_json else cache.format_report(report, out_dir))


def listen(source, clip, out_path):
    """Write CLIP's round trip through SOURCE's codec to OUT_PATH as a 16 kHz WAV."""
    if not Path(source).is_dir():
        raise LossykwsError(f"{source}: no such folder (expected a feature cache or a run directory)")
    name, folder = codec_of(source)        # a bad source fails before the clip is read
    x = audio.load_clip(clip)
    y = round_trip(source, x)
    audio.write_wav(out_path, y)
    label = codecs.codec(name).saved_label(folder)
    click.echo(f"wrote {out_path}: {clip} through {source}" + (f" ({label})" if label is not None else ""))
