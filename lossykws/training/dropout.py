"""Dropout that a checkpoint can resume exactly.

Keras's Dropout keeps its random state outside the model's variables (an op seed counter, or a
tf.random.Generator that no checkpoint tracks), so a run resumed from a checkpoint draws other
masks than the uninterrupted run and reaches other weights. `SeededDropout` draws its mask with a
stateless generator from (seed, draws), where `draws` is a non-trainable variable of the layer that
counts the training calls: tf.train.Checkpoint saves and restores it with the weights, so the
resumed run draws the masks the uninterrupted one would have. At inference the layer is the
identity and converts to nothing.

    >>> x = SeededDropout(0.3, seed=1, name="dropout")(x)
"""
from lossykws.tf import import_tensorflow

tf = import_tensorflow()


@tf.keras.utils.register_keras_serializable(package="lossykws")
class SeededDropout(tf.keras.layers.Layer):
    """Inverted dropout of `rate`, mask = stateless_uniform(seed=(seed, draws)) >= rate."""

    def __init__(self, rate, seed=0, **kwargs):
        super().__init__(**kwargs)
        if not 0.0 <= float(rate) < 1.0:
            raise ValueError(f"dropout rate {rate}: expected 0 <= rate < 1")
        self.rate, self.seed = float(rate), int(seed)

    def build(self, input_shape):
        # Counted once per step whatever the replicas (like an optimizer's iterations).
        self.draws = self.add_weight(name="draws", shape=(), dtype=tf.int64, initializer="zeros", trainable=False,
                                     synchronization=tf.VariableSynchronization.ON_WRITE,
                                     aggregation=tf.VariableAggregation.ONLY_FIRST_REPLICA)
        super().build(input_shape)

    def call(self, x, training=None):
        if not training or self.rate == 0.0:
            return tf.identity(x)
        seed = tf.stack([tf.constant(self.seed, tf.int64), self.draws.read_value()])
        keep = tf.random.stateless_uniform(tf.shape(x), seed=seed) >= self.rate
        self.draws.assign_add(1)
        return tf.where(keep, x / (1.0 - self.rate), tf.zeros_like(x))

    def get_config(self):
        return {**super().get_config(), "rate": self.rate, "seed": self.seed}
