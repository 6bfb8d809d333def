"""Named QoS profiles, one place for the whole package set.

- sensor data (scan, spikes, rates): best effort, shallow; a late sample is worthless.
- commands and brain I/O that must not be lost (cmd_vel, stimulus, step reports): reliable.
- events (contact reports): reliable with a deep queue, like brain outputs.
- descriptions (maze, brain description, markers of static things): transient local,
  depth 1, so late joiners get the last one.
- clock: reliable, so no step boundary is lost when the clock runs fast.
- lockstep: announcements and the data of synchronous participants are reliable and
  transient local, so a subscriber whose DDS endpoint matches a little late (discovery
  is asynchronous) still receives everything published before; round counting relies
  on every message arriving.
- brain outputs in lockstep (spikes, rates, step reports): transient local with depth 1,
  the latest message only. Lockstep needs no more: a participant cannot fall more than
  the current round behind on them, because the brain does not step again before every
  transfer participant has received the round (one message per topic and round). People
  watch these topics (``ros2 topic echo``, rqt_plot), and a deep transient-local history
  would replay stale samples to every late subscriber.
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

# Events that must not be lost (the world's contact reports): reliable and deep, because
# an advance_world call publishes a burst of them (one per sensor period) within a few ms.
EVENTS = QoSProfile(
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

# /lockstep/done announcements (see neurobot.lockstep). As deep as LOCKSTEP_DATA: a
# recording needs the announcements of the rounds whose data it has (they say which
# round a command without header was published in).
LOCKSTEP = QoSProfile(
    history=HistoryPolicy.KEEP_LAST, depth=1000,
    reliability=ReliabilityPolicy.RELIABLE, durability=DurabilityPolicy.TRANSIENT_LOCAL)

# Brain outputs in lockstep (see the module docstring): a late subscriber gets the
# current round's message, never a backlog.
LOCKSTEP_LATEST = QoSProfile(
    history=HistoryPolicy.KEEP_LAST, depth=1,
    reliability=ReliabilityPolicy.RELIABLE, durability=DurabilityPolicy.TRANSIENT_LOCAL)

# Data topics between lockstep participants (sensors, spikes, commands, stimuli).
# Volatile subscribers (rviz, rqt, recorders) still match these publishers. The depth is
# what a transient-local recorder started with the run gets from before it matched: the
# loop does not wait for it, and at 30x real time 100 rounds went by in the ~0.5 s it
# took to discover the publishers, so recordings lost their first 20 s of simulated
# time; 1000 rounds (some MB per publisher) cover several seconds of discovery.
LOCKSTEP_DATA = QoSProfile(
    history=HistoryPolicy.KEEP_LAST, depth=1000,
    reliability=ReliabilityPolicy.RELIABLE, durability=DurabilityPolicy.TRANSIENT_LOCAL)
