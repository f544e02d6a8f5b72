"""`lossykws demo` reuses a finished run only when it is the run the demo would train now."""
import shutil

import pytest

from lossykws.data import datasets
from lossykws.pipeline import demo

from tiny_corpus import make_corpus, tiny_corpus, tiny_vq_cache, tiny_vq_run  # noqa: F401  (fixtures)


@pytest.fixture
def tiny_recipe():
    return dict(demo._recipe(), epochs=1)


def test_demo_trains_again_on_other_data_and_reuses_on_the_same(tiny_vq_run, tmp_path, capsys, tiny_recipe):
    """A run left by `make demo` on one corpus was reused by `make demo DATA=other`, which then
    reported the first corpus's model as its result."""
    run_dir = tmp_path / "run-vq-bnn"
    shutil.copytree(tiny_vq_run, run_dir)
    other = make_corpus(tmp_path / "other", seed=5)
    fingerprint = datasets.scan([other], "words8").fingerprint()
    assert "trained on other data" in demo.reuse_refused(run_dir, fingerprint, tiny_recipe)

    metrics = demo._train([other], run_dir, fingerprint, tiny_recipe)
    out = capsys.readouterr().out
    assert "not reusing" in out and "trained on other data" in out and "training again" in out
    assert metrics["epochs"] == 1 and metrics["test"]["clips"] == 8

    assert demo.reuse_refused(run_dir, fingerprint, tiny_recipe) is None
    again = demo._train([other], run_dir, fingerprint, tiny_recipe)
    assert "reusing the finished run" in capsys.readouterr().out
    assert again == {k: v for k, v in metrics.items() if k not in ("wall_s", "run_dir")}   # what train adds


def test_demo_trains_again_for_another_recipe(tiny_vq_run, tiny_corpus, tiny_recipe):
    fingerprint = datasets.scan([tiny_corpus], "words8").fingerprint()
    assert demo.reuse_refused(tiny_vq_run, fingerprint, dict(tiny_recipe, augment_copies=0)) is None
    assert "epochs 1 is not 15" in demo.reuse_refused(tiny_vq_run, fingerprint, dict(tiny_recipe, augment_copies=0,
                                                                                      epochs=15))
    assert "augment_copies 0 is not 4" in demo.reuse_refused(tiny_vq_run, fingerprint, tiny_recipe)
    assert "not a lossykws run directory" in demo.reuse_refused(tiny_corpus, fingerprint, tiny_recipe)
