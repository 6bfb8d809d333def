"""The world: the embedded MuJoCo world_node, or Gazebo (gz-sim) with the ros_gz bridge.

    ros2 launch neurobot world.launch.py world:=embedded
    ros2 launch neurobot world.launch.py world:=gazebo headless:=false

Gazebo needs ros_gz (ros_gz_sim, ros_gz_bridge); the world SDF is worlds/maze_default.sdf
(generated from config/mazes/default.yaml: python -m neurobot.world.sdf) and the bridge
config/gz_bridge.yaml, with /clock from Gazebo. Like the embedded world, Gazebo runs only
with use_sim_time:=true, and its end ends the launch.
"""

import shlex

from launch import LaunchDescription
from launch.actions import AppendEnvironmentVariable, IncludeLaunchDescription, OpaqueFunction
from launch.launch_description_sources import PythonLaunchDescriptionSource
from launch.substitutions import LaunchConfiguration, PathJoinSubstitution
from launch_ros.actions import Node
from launch_ros.substitutions import FindPackageShare

from neurobot import bringup
from neurobot.launch_support import (GAZEBO_ARGUMENTS, argument_values, declared_arguments,
                                     node_actions)


def gazebo_actions(context):
    """Gazebo (gz sim) on the maze world (ros_gz_sim's gz_sim.launch.py) and the bridge."""
    values = argument_values(context)
    if values['world'] != 'gazebo' or not bringup.as_bool(values['use_sim_time'],
                                                          'use_sim_time'):
        return []
    world = LaunchConfiguration('gazebo_world').perform(context)
    headless = bringup.as_bool(values['headless'], 'headless')
    # -r: run at once; -s: server only. gz_args goes through a shell: quote the path.
    gz_args = shlex.quote(world) + (' -r -s' if headless else ' -r')
    share = FindPackageShare('neurobot')
    return [
        # model://neurobot/urdf/omni_robot.urdf in the SDF resolves below <install>/share
        AppendEnvironmentVariable('GZ_SIM_RESOURCE_PATH', PathJoinSubstitution([share, '..'])),
        IncludeLaunchDescription(
            PythonLaunchDescriptionSource(PathJoinSubstitution(
                [FindPackageShare('ros_gz_sim'), 'launch', 'gz_sim.launch.py'])),
            launch_arguments=[('gz_args', gz_args), ('on_exit_shutdown', 'true')]),
        Node(package='ros_gz_bridge', executable='parameter_bridge', name='gz_bridge',
             parameters=[{'config_file': PathJoinSubstitution([share, 'config',
                                                               'gz_bridge.yaml']),
                          'use_sim_time': True}],
             ros_arguments=['--log-level', values['log_level']], output='screen'),
    ]


def generate_launch_description():
    return LaunchDescription([
        *declared_arguments(),
        *declared_arguments(GAZEBO_ARGUMENTS),
        OpaqueFunction(function=lambda context: node_actions(bringup.world_nodes, context)),
        OpaqueFunction(function=gazebo_actions),
    ])
