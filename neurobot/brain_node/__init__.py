"""brain_node: a NEST brain written in PyNN, run as a ROS 2 node.

Modules:
- ``loader``: executes a PyNN brain file and inventories its populations and projections.
- ``weights``: dense weight-matrix conversion and validation (pure numpy).
- ``stepping``: step-boundary logic for /clock and wall-clock stepping (pure Python).
- ``brain``: the ROS-free ``Brain`` (stepping, inputs, spikes, reset, weights on NEST).
- ``node``: the thin rclpy ``BrainNode`` and ``main``.
"""
