"""brain_node: a NEST brain written in PyNN, run as a ROS 2 node.

Modules (each states its contract in its docstring):
- ``brain``: the ROS-free ``Brain`` facade (stepping, inputs, spikes, reset, weights).
- ``pynn_setup``: PyNN set-up and running a brain file (with ``loader``, which executes
  the file and names its populations and projections).
- ``inventory``: populations and projections as brain_node sees them.
- ``connections``: synapse handles that stay valid however NEST re-sorts its tables.
- ``weight_cache``: weights read and written through those handles, cached where exact.
- ``weights``: dense weight-matrix conversion and validation (pure numpy).
- ``reset``: the exact reset (snapshot, silence, drain, restore).
- ``spike_reader``: one spike recorder read per step, in canonical order.
- ``inputs``: stimuli, validated and applied at the next step.
- ``nest_fast``: NEST's low-level getters and setters.
- ``stepping``: step-boundary logic for /clock and wall-clock stepping (pure Python).
- ``weight_recorder``: the weight file and its recorder.
- ``node``: the thin rclpy ``BrainNode`` and ``main``.
"""

import os

# NEST prints a welcome banner on its first import unless PYNEST_QUIET is set; several
# brain_node modules import NEST, so the package says it once, before any of them.
os.environ.setdefault('PYNEST_QUIET', '1')
