"""Audio to features: the C front end through ctypes, the codecs (codecs/: tf, vq, encodec and the
local codec), and the feature cache that holds a corpus encoded."""
