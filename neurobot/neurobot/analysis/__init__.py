"""Offline analysis of recorded runs (ROS-free).

Load an MCAP recording into arrays, draw figures, export aligned windows of activity and
robot state for training.

- :mod:`neurobot.analysis.recording`: MCAP -> per-topic numpy arrays.
- :mod:`neurobot.analysis.figures`: raster, rates, trajectory and weight PNGs.
- :mod:`neurobot.analysis.export`: windowed, binned spike counts + state + command -> .npz.
- :mod:`neurobot.analysis.train_example`: a small numpy network trained on an export
  (used by ``transfer_functions/learned_readout.py``).
"""
