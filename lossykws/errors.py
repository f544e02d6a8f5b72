"""The one exception type users see: a one-line message, printed by the CLI without a traceback."""


class LossykwsError(Exception):
    """An error caused by the user's input or environment, with a message that says what to do."""


class BadAudio(LossykwsError):
    """A WAV file that cannot be decoded into a clip."""

    def __init__(self, path, reason):
        super().__init__(f"{path}: {reason}")
        self.path = str(path)
        self.reason = reason
