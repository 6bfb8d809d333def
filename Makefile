# neurobot: every target sets up .venv first (idempotent; see scripts/setup_venv.sh).
#   make maze    the maze experiment: train, evaluate, draw (results/maze/)
#   make demo    a short closed-loop demo of brain_node on the example brain
#   make test    the test suite (unit, brain, node layers)
#   make bench   the benchmarks (prints tables)
VENV := .venv
PY := $(VENV)/bin/python
SETUP_STAMP := $(VENV)/.neurobot-setup

.PHONY: setup maze demo test bench clean

setup: $(SETUP_STAMP)

$(SETUP_STAMP): scripts/setup_venv.sh requirements/venv.txt requirements/constraints.txt \
		neurobot_interfaces/CMakeLists.txt $(wildcard neurobot_interfaces/msg/*.msg) \
		$(wildcard neurobot_interfaces/srv/*.srv) neurobot/setup.py scripts/install_ament_index.py
	bash scripts/setup_venv.sh
	touch $@

maze: setup
	$(VENV)/bin/neurobot maze --run-dir results/maze

demo: setup
	$(VENV)/bin/neurobot-demo

test: setup
	$(PY) -m pytest

bench: setup
	$(PY) bench/run_all.py

clean:
	rm -rf build $(VENV)
