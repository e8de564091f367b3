# take-home-grader: `make demo` and `make test` set everything up on a fresh Debian 12 machine (as root).
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEMO_OUT ?= demo-out
JOBS ?= 2
PYTEST_ARGS ?=

.PHONY: demo test install docker gvisor-config image profile-images browser services lint bench clean-docker

demo: install docker image browser services  ## install, then grade the bundled sample submissions into demo-out/
	$(BIN)/python -m grader.demo --out $(DEMO_OUT) --jobs $(JOBS)

test: install docker profile-images browser services  ## install, then run the whole test suite
	$(BIN)/python -m pytest $(PYTEST_ARGS)

install: $(STAMP)

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip wheel
	$(BIN)/python -m pip install --quiet -e ".[test]"
	@touch $(STAMP)

docker:  ## make sure a Docker engine answers (installs and starts Debian's docker.io if needed), with gVisor registered
	@if ! docker info >/dev/null 2>&1; then \
	  if ! command -v dockerd >/dev/null 2>&1 || ! command -v debootstrap >/dev/null 2>&1 || ! command -v runsc >/dev/null 2>&1; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq docker.io debootstrap runsc >/dev/null; \
	  fi; \
	  $(MAKE) --no-print-directory gvisor-config; \
	  if ! docker info >/dev/null 2>&1; then \
	    echo "starting dockerd"; \
	    (nohup dockerd >/var/log/dockerd.log 2>&1 &); \
	    for i in $$(seq 1 60); do docker info >/dev/null 2>&1 && break; sleep 1; done; \
	  fi; \
	  docker info >/dev/null 2>&1 || { echo "dockerd did not start; see /var/log/dockerd.log"; tail -20 /var/log/dockerd.log; exit 1; }; \
	fi
	@command -v debootstrap >/dev/null 2>&1 || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap >/dev/null)
	@if command -v runsc >/dev/null 2>&1 && ! docker info --format '{{json .Runtimes}}' 2>/dev/null | grep -q runsc; then \
	  $(MAKE) --no-print-directory gvisor-config; \
	  kill -HUP $$(pidof dockerd) && sleep 2; \
	fi

gvisor-config:  ## register gVisor (runsc, ptrace platform, no network stack) in /etc/docker/daemon.json
	@mkdir -p /etc/docker
	@$(PYTHON) -c 'import json, os; p="/etc/docker/daemon.json"; c=json.load(open(p)) if os.path.getsize(p if os.path.exists(p) else "/dev/null") else {}; c.setdefault("runtimes", {})["runsc"]={"path": "/usr/bin/runsc", "runtimeArgs": ["--platform=ptrace", "--network=none"]}; json.dump(c, open(p, "w"), indent=1)'

image: install docker  ## build the sandbox image (offline if no registry answers); a no-op when up to date
	$(BIN)/grader image build

profile-images: install docker  ## every runtime profile's image (current, 2024, 2022: the tests run notebooks of each era)
	$(BIN)/grader image build --all

browser:  ## Debian's Chromium for the browser tests and screenshots (never a downloaded browser)
	@command -v chromium >/dev/null 2>&1 || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null)

services:  ## Debian's redis-server and postgresql for the broker and PostgreSQL tests (fixtures start them on free ports)
	@if ! command -v redis-server >/dev/null 2>&1 || ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server postgresql >/dev/null; \
	fi

lint: install  ## ruff, mypy strict, and the architecture contract (stage order, no cycles, module size, thin faces)
	$(BIN)/ruff check grader tests bench
	$(BIN)/ruff format --check grader tests bench
	$(BIN)/mypy
	$(BIN)/python -m pytest -q -p no:cacheprovider tests/unit/test_architecture.py

bench: install docker image
	$(BIN)/python bench/batch.py
	$(BIN)/python bench/leakage.py --runtime
	$(BIN)/python bench/scale.py

clean-docker: install docker
	$(BIN)/grader reap
