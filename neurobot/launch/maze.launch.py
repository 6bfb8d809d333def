"""The maze closed loop: world, brain and transfer functions.

    ros2 launch neurobot maze.launch.py [world:=embedded|gazebo] [step_ms:=200.0] ...

World and brain come from the included world.launch.py and brain.launch.py; every node
and parameter is described once in neurobot.bringup, which `neurobot launch maze` (for
machines without ROS 2's launch tools) uses too.

Frames for rviz (monitoring:=true): every marker on maze/markers is drawn in ``map``,
the maze frame, so rviz needs no tf for them (this is all `neurobot launch` offers: no
tf2 there). Where tf2_ros is installed this file also starts static_transform_publisher
for map -> odom (identity in simulation; from the robot file's maze_origin_in_odom on a
real robot) and base_link -> laser_link (simulation), and maze_markers broadcasts
odom -> base_link from odometry in simulation, so rviz's Odometry and LaserScan displays
resolve too. headless:=false starts rviz2 on config/neurobot.rviz where it is installed.
"""

from launch import LaunchDescription
from launch.actions import IncludeLaunchDescription, OpaqueFunction
from launch.launch_description_sources import PythonLaunchDescriptionSource
from launch.substitutions import PathJoinSubstitution
from launch_ros.substitutions import FindPackageShare

from neurobot import bringup
from neurobot.launch_support import (GAZEBO_ARGUMENTS, declared_arguments, forwarded_arguments,
                                     monitoring_actions, node_actions)


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
        # markers and raster; with tf2_ros installed also the static transforms, with
        # headless:=false and rviz2 installed rviz on config/neurobot.rviz
        OpaqueFunction(function=monitoring_actions),
        # record:=true -> mcap_recorder; live_view:=true -> Foxglove WebSocket server
        OpaqueFunction(function=lambda context: node_actions(bringup.recording_nodes, context)),
        OpaqueFunction(function=lambda context: node_actions(bringup.live_view_nodes, context)),
    ])
