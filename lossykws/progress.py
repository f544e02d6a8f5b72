"""Progress bars on stderr (tqdm), silent when stderr is not a terminal unless asked for."""
import sys

from tqdm import tqdm


def progress_bar(total=None, desc=None, unit="it", unit_scale=False):
    """A tqdm bar on stderr; disabled when stderr is not a terminal and LOSSYKWS_PROGRESS is unset."""
    import os

    force = os.environ.get("LOSSYKWS_PROGRESS") == "1"
    return tqdm(total=total, desc=desc, unit=unit, unit_scale=unit_scale, file=sys.stderr,
                disable=not (force or sys.stderr.isatty()), leave=False, dynamic_ncols=True)
