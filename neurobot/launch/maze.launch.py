"""The maze closed loop: world, brain and transfer functions.

    ros2 launch neurobot maze.launch.py [world:=embedded|gazebo] [step_ms:=200.0] ...

World and brain come from the included world.launch.py and brain.launch.py; every node
and parameter is described once in neurobot.bringup, which `neurobot launch maze` (for
machines without ROS 2's launch tools) uses too.
"""

from launch import LaunchDescription
from launch.actions import IncludeLaunchDescription, OpaqueFunction
from launch.launch_description_sources import PythonLaunchDescriptionSource
from launch.substitutions import PathJoinSubstitution
from launch_ros.substitutions import FindPackageShare

from neurobot import bringup
from neurobot.launch_support import (GAZEBO_ARGUMENTS, declared_arguments, forwarded_arguments,
                                     node_actions)


def generate_launch_description():
    launch_dir = PathJoinSubstitution([FindPackageShare('neurobot'), 'launch'])
    # Every argument of the included files is declared here too, so that
    # `ros2 launch neurobot maze.launch.py --show-args` lists them all.
    return LaunchDescription([
        *declared_arguments(),
        *declared_arguments(GAZEBO_ARGUMENTS),
        IncludeLaunchDescription(
            PythonLaunchDescriptionSource(PathJoinSubstitution([launch_dir, 'world.launch.py'])),
            launch_arguments=forwarded_arguments(bringup.MAZE_ARGUMENTS + GAZEBO_ARGUMENTS)),
        IncludeLaunchDescription(
            PythonLaunchDescriptionSource(PathJoinSubstitution([launch_dir, 'brain.launch.py'])),
            launch_arguments=forwarded_arguments()),
        OpaqueFunction(function=lambda context: node_actions(bringup.transfer_function_nodes,
                                                             context)),
        OpaqueFunction(function=lambda context: node_actions(bringup.monitor_nodes, context)),
    ])
