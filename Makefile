# The two commands of the quick start are `make demo` and `make test`; both bootstrap first.
PY := .venv/bin/python
DATA ?=
JOBS ?= 2

.PHONY: bootstrap test demo clean

bootstrap:
	@tools/bootstrap

test: bootstrap
	$(PY) -m pytest -n $(JOBS) -q tests

demo: bootstrap
	.venv/bin/lossykws demo $(foreach d,$(DATA),--data $(d)) --out build/demo

clean:
	rm -rf build .pytest_cache
