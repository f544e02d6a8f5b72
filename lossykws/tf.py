"""The single place TensorFlow is imported, so that the Keras 2 requirement is checked once."""
import contextlib
import os
import sys
import tempfile

from lossykws.errors import LossykwsError


@contextlib.contextmanager
def quiet_native_stderr():
    """Hold back what native code writes to fd 2 (TensorFlow's and XLA's start-up log lines about
    CUDA and oneDNN) while importing and starting TensorFlow; replay it if the block fails."""
    try:
        sys.stderr.flush()
        saved = os.dup(2)
    except (OSError, ValueError):  # no real fd 2 (some embedded consoles): nothing to hide
        yield
        return
    with tempfile.TemporaryFile() as held:
        os.dup2(held.fileno(), 2)
        try:
            yield
        except BaseException:
            os.dup2(saved, 2)
            held.seek(0)
            sys.stderr.write(held.read().decode("utf-8", "replace"))
            raise
        finally:
            os.dup2(saved, 2)
            os.close(saved)


def import_tensorflow():
    """Import TensorFlow with tf-keras and return the module.

    Raises LossykwsError when TensorFlow was already imported by the caller in a way that bound
    tf.keras to Keras 3, which larq and the LCE converter cannot use.
    """
    preloaded = "tensorflow" in sys.modules
    os.environ["TF_USE_LEGACY_KERAS"] = "1"
    with quiet_native_stderr():
        import tensorflow as tf

        tf.config.list_physical_devices()   # device discovery logs its CUDA complaints here
    tf.get_logger().setLevel("ERROR")

    bound = tf.keras.layers.Layer.__module__
    if not bound.startswith("tf_keras"):
        hint = " before lossykws" if preloaded else ""
        raise LossykwsError(
            f"TensorFlow was imported{hint} with Keras 3 bound to tf.keras ({bound}); larq and the LCE "
            "converter need tf-keras: import lossykws before TensorFlow, or set TF_USE_LEGACY_KERAS=1 "
            "before importing it"
        )
    return tf
