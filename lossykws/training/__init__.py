"""Models and runs: the Larq and Keras models, training with checkpoints and exact resume,
evaluation, LCE conversion (float and int8) and plots."""
