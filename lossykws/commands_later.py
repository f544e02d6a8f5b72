"""Commands whose machinery later issues build; until then they say so and exit non-zero."""
from .errors import LossykwsError


def _not_yet(command, issue):
    raise LossykwsError(f"'lossykws {command}' is not available in this version yet (tracked in issue #{issue})")
