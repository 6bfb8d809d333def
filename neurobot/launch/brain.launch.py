"""brain_node on a PyNN brain file, alone.

ros2 launch neurobot brain.launch.py brain:=/path/to/brain.py step_ms:=20.0 use_sim_time:=true \
    brain_args:='{"maze_cells": 9}'
"""

from launch import LaunchDescription
from launch.actions import OpaqueFunction

from brain_node.arguments import parse
from neurobot import bringup
from neurobot.launch_support import declared_arguments, node_actions

BRAIN_ARGUMENTS = (
    bringup.Argument('brain_args', '{}', 'Arguments of the brain file, a JSON object'),
)


def brain(values):
    """One brain_node on the brain argument, with the brain_args argument."""
    return [bringup.brain_node(values, brain_args=parse(values['brain_args']))]


def generate_launch_description():
    arguments = bringup.PLATFORM_ARGUMENTS + BRAIN_ARGUMENTS
    return LaunchDescription([
        *declared_arguments(arguments),
        OpaqueFunction(function=lambda context: node_actions(brain, context, arguments)),
    ])
