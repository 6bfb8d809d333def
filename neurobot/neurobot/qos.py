"""Named QoS profiles, one place for the whole package set.

- sensor data (scan, spikes, rates): best effort, shallow; a late sample is worthless.
- commands and brain I/O that must not be lost (cmd_vel, stimulus, step reports): reliable.
- descriptions (maze, brain description, markers of static things): transient local,
  depth 1, so late joiners get the last one.
- clock: like rclpy's own /clock subscription (reliable, depth 10... see CLOCK).
"""

from rclpy.qos import (DurabilityPolicy, HistoryPolicy, QoSProfile, ReliabilityPolicy,
                       qos_profile_sensor_data)

SENSOR = qos_profile_sensor_data

RELIABLE = QoSProfile(
    history=HistoryPolicy.KEEP_LAST, depth=10,
    reliability=ReliabilityPolicy.RELIABLE, durability=DurabilityPolicy.VOLATILE)

# Brain outputs: reliable with a deeper queue, so a subscriber that falls a few steps
# behind (plotting, recording) loses nothing while stepping runs much faster than real time.
BRAIN_OUTPUT = QoSProfile(
    history=HistoryPolicy.KEEP_LAST, depth=100,
    reliability=ReliabilityPolicy.RELIABLE, durability=DurabilityPolicy.VOLATILE)

DESCRIPTION = QoSProfile(
    history=HistoryPolicy.KEEP_LAST, depth=1,
    reliability=ReliabilityPolicy.RELIABLE, durability=DurabilityPolicy.TRANSIENT_LOCAL)

# /clock: reliable so that no step boundary is missed when the clock publisher is fast;
# compatible with rclpy's built-in time source subscription (best effort subscribers
# still match a reliable publisher).
CLOCK = QoSProfile(
    history=HistoryPolicy.KEEP_LAST, depth=100,
    reliability=ReliabilityPolicy.RELIABLE, durability=DurabilityPolicy.VOLATILE)
