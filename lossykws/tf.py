"""The single place TensorFlow is imported, so that the Keras 2 requirement is checked once."""
import os
import sys

from .errors import LossykwsError


def import_tensorflow():
    """Import TensorFlow with tf-keras and return the module.

    Raises LossykwsError when TensorFlow was already imported by the caller in a way that bound
    tf.keras to Keras 3, which larq and the LCE converter cannot use.
    """
    preloaded = "tensorflow" in sys.modules
    os.environ["TF_USE_LEGACY_KERAS"] = "1"
    import tensorflow as tf

    bound = tf.keras.layers.Layer.__module__
    if not bound.startswith("tf_keras"):
        hint = " before lossykws" if preloaded else ""
        raise LossykwsError(
            f"TensorFlow was imported{hint} with Keras 3 bound to tf.keras ({bound}); larq and the LCE "
            "converter need tf-keras: import lossykws before TensorFlow, or set TF_USE_LEGACY_KERAS=1 "
            "before importing it"
        )
    return tf
