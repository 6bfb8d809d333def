"""Pong, after NEST's ``pynest/examples/pong`` (Wunderlich et al. 2019; Potjans et al. 2011).

Split by role as the original is:

- :mod:`experiments.pong.game`: the numpy game core (ball, paddles, field);
- ``brain_rstdp.py``, ``brain_dopa.py``: the two networks as ordinary PyNN brain files;
- :mod:`experiments.pong.coding`: ball cell -> input spike train, motor spikes -> paddle move;
- :mod:`experiments.pong.learning`: R-STDP eligibility, reward, the dopamine reward current;
- :mod:`experiments.pong.offline`: both players learning in one game without ROS.

Nothing here imports rclpy; the platform imports nothing from here.
"""
