"""Lossy codecs of speech. Each codec NAME is a Codec (base.py) in the registry, stated in
NAME_codec.py over its implementation:

    tf        the front end's 128x128 log-STFT itself, float32 (tf_codec.py over ../frontend.py)
    vq        vector quantisation of the front end's 2x2 time-frequency blocks, bit planes
              (vq_codec.py over vq.py)
    encodec   EnCodec's codes as bits, pretrained weights or a local codec fitted on the training
              split (encodec_codec.py over encodec.py, local_codec.py, local_codec_fit.py)

    >>> from lossykws.features import codecs
    >>> codecs.names()                   # ('tf', 'vq', 'encodec')
    >>> codecs.codec("vq").default_model  # 'vq-bnn'

A codec module is imported when its codec is first asked for, so listing the names (the CLI's
choices) imports neither numpy nor torch.
"""
import importlib

from lossykws.errors import LossykwsError
from lossykws.features.codecs.base import REGISTRY, Codec, Encoder, Fitting, register

BUILTIN = ("tf", "vq", "encodec")   # NAME_codec.py registers codec NAME when it is imported

__all__ = ["BUILTIN", "REGISTRY", "Codec", "Encoder", "Fitting", "codec", "names", "register"]


def names():
    """The codecs' names: the built-in ones, then any registered since."""
    return tuple(dict.fromkeys((*BUILTIN, *REGISTRY)))


def codec(name):
    """The Codec named `name`; a one-line error naming the known ones otherwise."""
    if name in BUILTIN and name not in REGISTRY:
        importlib.import_module(f"{__name__}.{name}_codec")
    found = REGISTRY.get(name) if isinstance(name, str) else None
    if found is None:
        raise LossykwsError(f"unknown codec {name!r}: expected one of {', '.join(names())}")
    return found
