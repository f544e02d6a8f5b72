import os
import shutil
from pathlib import Path

import pytest

import lossykws  # noqa: F401  (sets TF_USE_LEGACY_KERAS before any test imports TensorFlow)

ROOT = Path(__file__).resolve().parents[1]
SHARED_CLIPS = ROOT.parent / "shared" / "data" / "speech_commands_test_v0.02"


@pytest.fixture(scope="session")
def shared_clips():
    """The real Speech Commands clips beside the checkout; the test is skipped where they are absent."""
    if not SHARED_CLIPS.is_dir():
        pytest.skip(f"{SHARED_CLIPS} not present")
    return SHARED_CLIPS


def require_tool(name):
    if shutil.which(name) is None:
        pytest.skip(f"{name} not installed (tools/bootstrap installs it)")


@pytest.fixture(autouse=True)
def _no_progress_bars(monkeypatch):
    monkeypatch.delenv("LOSSYKWS_PROGRESS", raising=False)
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
