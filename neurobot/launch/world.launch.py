"""The world alone: the embedded MuJoCo world_node, or Gazebo (gz-sim) with the ros_gz bridge.

    ros2 launch neurobot world.launch.py world:=embedded world_maze:=/path/to/maze.yaml
    ros2 launch neurobot world.launch.py world:=gazebo headless:=false

An experiment's own launch file (e.g. maze.launch.py) starts its world itself; this file
is for a world without an experiment. Gazebo needs ros_gz (ros_gz_sim, ros_gz_bridge);
the default SDF world is worlds/maze_default.sdf and the bridge config/gz_bridge.yaml,
with /clock from Gazebo. Like the embedded world, Gazebo runs only with
use_sim_time:=true, and its end ends the launch.
"""

from launch import LaunchDescription
from launch.actions import OpaqueFunction

from neurobot import bringup
from neurobot.launch_support import (GAZEBO_ARGUMENTS, argument_values, declared_arguments,
                                     gazebo_actions, node_actions)

# The embedded world's walls (world_node parameter maze).
WORLD_ARGUMENTS = (
    bringup.Argument('world_maze', '', 'Maze YAML file of the embedded world\'s walls'),
)


def embedded_world(values):
    """The embedded world_node (none for Gazebo or without use_sim_time)."""
    if values['world'] != 'embedded' or not bringup.as_bool(values['use_sim_time'],
                                                          'use_sim_time'):
        return []
    return [bringup.embedded_world_node(values, {'maze': values['world_maze']})]


def generate_launch_description():
    arguments = bringup.PLATFORM_ARGUMENTS + WORLD_ARGUMENTS
    return LaunchDescription([
        *declared_arguments(),
        *declared_arguments(GAZEBO_ARGUMENTS + WORLD_ARGUMENTS),
        OpaqueFunction(function=lambda context: node_actions(embedded_world, context,
                                                             arguments)),
        OpaqueFunction(function=lambda context: gazebo_actions(context,
                                                               argument_values(context))),
    ])
