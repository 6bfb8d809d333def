"""brain_node on a PyNN brain file (included by maze.launch.py, usable alone).

ros2 launch neurobot brain.launch.py brain:=/path/to/brain.py step_ms:=20.0 use_sim_time:=true
"""

from launch import LaunchDescription
from launch.actions import OpaqueFunction

from neurobot import bringup
from neurobot.launch_support import declared_arguments, node_actions


def generate_launch_description():
    return LaunchDescription([
        *declared_arguments(),
        OpaqueFunction(function=lambda context: node_actions(bringup.brain_nodes, context)),
    ])
