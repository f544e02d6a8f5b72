"""lossykws: keyword-spotting firmware from binarized networks trained on lossy codes of speech."""
import os as _os

__version__ = "0.1.0"

# larq and the LCE converter need Keras 2 (tf-keras). TensorFlow reads this variable when tf.keras
# is first resolved, so it is set here, before any module of the package imports TensorFlow.
_os.environ["TF_USE_LEGACY_KERAS"] = "1"
_os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
