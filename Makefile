# The two commands of the quick start are `make demo` and `make test`; both bootstrap first.
PY := .venv/bin/python
DATA ?=
JOBS ?= 2

.PHONY: bootstrap test demo notebook docs clean

bootstrap:
	@tools/bootstrap

test: bootstrap
	$(PY) -m pytest -n $(JOBS) -q tests

demo: bootstrap
	.venv/bin/lossykws demo $(foreach d,$(DATA),--data $(d)) --out build/demo

# notebooks/lossy_learning.ipynb in JupyterLab (installs the notebook extra the first time)
notebook: bootstrap
	@test -x .venv/bin/jupyter-lab || $(PY) -m pip install --quiet --disable-pip-version-check -e ".[notebook]"
	.venv/bin/jupyter lab notebooks/lossy_learning.ipynb

# the notebook executed into build/docs/lossy_learning.ipynb, its figures as PNGs in docs/figures/
docs: bootstrap
	$(PY) notebooks/execute.py --out build/docs --figures docs/figures

clean:
	rm -rf build .pytest_cache
