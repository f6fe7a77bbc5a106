# Rolecall: `make demo` shows the product, `make test` runs every test.
# Both install what they need on a fresh Debian machine (apt packages, .venv, npm).

SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
VPY := $(VENV)/bin/python
SUDO := $(shell [ "$$(id -u)" -eq 0 ] || echo sudo)
# command → Debian package providing it
SYSTEM_TOOLS := chromium:chromium node:nodejs npm:npm sipp:sip-tester kamailio:kamailio tshark:tshark ip:iproute2 firefox:firefox-esr espeak-ng:espeak-ng \
	systemd-analyze:systemd pulseaudio:pulseaudio pactl:pulseaudio-utils sox:sox
# libraries with no command (PortAudio for the sound devices, ALSA's PulseAudio plugin)
SYSTEM_LIBS := libportaudio2 libasound2-plugins
EXT := extension

.PHONY: help deps system-deps venv npm protocol build dist test lint typecheck pytest ext-test demo bench soak clean

help:
	@echo "make demo    build everything and show Rolecall working (headless: screenshots in demo-output/)"
	@echo "make test    lint, type-check and run every test (unit, daemon, shim, real Chromium)"
	@echo "make bench   benchmarks as JSON lines"
	@echo "make soak    long reliability runs: load, 500 calls, atheris fuzzing (FUZZ_SECONDS per target)"
	@echo "make build   build the host venv and the extension (extension/dist/{chromium,firefox})"
	@echo "make protocol  regenerate docs/protocol.schema.json and the extension's protocol types"
	@echo "make dist    the host bundle dist/rolecall/, a .deb and the extension packages in dist/"

system-deps:
	@missing=""; \
	for pair in $(SYSTEM_TOOLS); do \
	  command -v "$${pair%%:*}" >/dev/null 2>&1 || missing="$$missing $${pair##*:}"; \
	done; \
	$(PYTHON) -c "import venv, ensurepip" 2>/dev/null || missing="$$missing python3-venv"; \
	[ -e /usr/share/fonts/truetype/wqy/wqy-microhei.ttc ] || missing="$$missing fonts-wqy-microhei"; \
	for package in $(SYSTEM_LIBS); do \
	  dpkg -s "$$package" >/dev/null 2>&1 || missing="$$missing $$package"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "installing system packages:$$missing"; \
	  $(SUDO) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends $$missing; \
	fi

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(VPY) -m pip install -q --upgrade pip
	$(VPY) -m pip install -q -e '.[dev]'
	touch $@

venv: system-deps $(VENV)/.installed

$(EXT)/node_modules/.installed: $(EXT)/package-lock.json
	cd $(EXT) && npm ci --no-audit --no-fund --loglevel=error
	touch $@

npm: system-deps $(EXT)/node_modules/.installed

deps: venv npm

protocol: deps
	$(VPY) -m rolecall.protocol.schema > docs/protocol.schema.json
	cd $(EXT) && npm run --silent gen:protocol

build: deps
	cd $(EXT) && npm run --silent build

# Packages for users (installer/README.md): rebuilt only when their inputs change.
BUNDLE := dist/rolecall/rolecall
BUNDLE_INPUTS := $(shell find host/rolecall -name '*.py') installer/rolecall.spec \
	installer/rolecall_main.py installer/build_bundle.py pyproject.toml
EXT_INPUTS := $(shell find $(EXT)/src $(EXT)/static $(EXT)/manifest -type f) \
	$(EXT)/build.mjs $(EXT)/scripts/package.mjs host/rolecall/_version.py

$(BUNDLE): $(VENV)/.installed $(BUNDLE_INPUTS)
	$(VPY) installer/build_bundle.py

dist/.deb: $(BUNDLE) installer/build_deb.py
	$(VPY) installer/build_deb.py
	touch $@

dist/.extension: $(EXT)/node_modules/.installed $(EXT_INPUTS)
	cd $(EXT) && node scripts/package.mjs
	touch $@

dist: deps $(BUNDLE) dist/.deb dist/.extension

lint: venv
	$(VPY) -m ruff check host tests
	$(VPY) -m ruff format --check host tests

typecheck: deps
	$(VPY) -m mypy
	cd $(EXT) && npm run --silent typecheck

ext-test: npm
	cd $(EXT) && npm test --silent

# Most tests on PYTEST_WORKERS processes (their ports, homes and profiles are all private),
# then the `serial` ones (sound levels, CPU, fd counts) alone. Both phases always run.
PYTEST_WORKERS ?= 2
pytest: build dist
	@status=0; \
	$(VPY) -m pytest -m "not serial" -n $(PYTEST_WORKERS) --dist loadfile || status=$$?; \
	$(VPY) -m pytest -m serial || status=$$?; \
	exit $$status

test: lint typecheck ext-test pytest

demo: build
	$(VPY) -m rolecall.demo

# Long runs of tests/soak/ (minutes) and every atheris target for FUZZ_SECONDS each;
# numbers land in test-output/soak/ and test-output/fuzz/ (see docs/RELIABILITY.md).
FUZZ_SECONDS ?= 300
soak: venv
	ROLECALL_SOAK=1 $(VPY) -m pytest tests/soak -q
	PY=$(VPY) tests/fuzz/run.sh $(FUZZ_SECONDS)

bench: build dist
	$(VPY) tests/bench/run.py

clean:
	rm -rf $(EXT)/dist demo-output bench-output dist build/pyinstaller
