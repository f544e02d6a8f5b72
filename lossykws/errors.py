"""The one exception type users see: a one-line message, printed by the CLI without a traceback."""


class LossykwsError(Exception):
    """An error caused by the user's input or environment, with a message that says what to do."""


class BadAudio(LossykwsError):
    """A WAV file that cannot be decoded into a clip."""

    def __init__(self, path, reason):
        super().__init__(f"{path}: {reason}")
        self.path = str(path)
        self.reason = reason


def reason(exc, limit=160):
    """The first line of an exception's message (its type's name when it has none), at most limit
    characters: what goes inside a one-line LossykwsError about a file a library could not read."""
    lines = str(exc).strip().splitlines()
    return (lines[0] if lines else type(exc).__name__)[:limit]
