"""Pong between two spiking players (installed to share/neurobot/launch).

    ros2 launch neurobot pong.launch.py [players:=r,rn] [iterations:=1000] [seed:=1] ...

Every node and parameter is described once, in neurobot.bringup and the pong
experiment's description (experiments.pong.experiment), which ``neurobot launch pong``
and ``neurobot run pong`` (for machines without ROS 2's launch tools) use too.
"""

from neurobot.launch_support import experiment_launch_description


def generate_launch_description():
    return experiment_launch_description('pong')
