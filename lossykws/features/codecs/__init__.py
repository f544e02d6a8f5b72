"""Lossy codecs of speech, one module per codec: each encodes audio to bits for a binarized network
and decodes back to audio for listening (vq.py: vector quantisation of the front end's 2x2
time-frequency blocks)."""
