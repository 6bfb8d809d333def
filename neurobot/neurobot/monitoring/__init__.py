"""Monitoring of a running brain and robot: rviz markers, spike rasters, live views.

The modules without a ``_node`` suffix are ROS-free cores (numpy only); the ``*_node``
modules are the thin ROS 2 nodes around them.
"""
