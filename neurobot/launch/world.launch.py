"""The world: the embedded MuJoCo world_node, or Gazebo (gz-sim) with the ros_gz bridge.

    ros2 launch neurobot world.launch.py world:=embedded
    ros2 launch neurobot world.launch.py world:=gazebo headless:=false

Gazebo needs ros_gz (ros_gz_sim, ros_gz_bridge); the world SDF is worlds/maze_default.sdf
(generated from config/mazes/default.yaml: python -m neurobot.world.sdf) and the bridge
config/gz_bridge.yaml, with /clock from Gazebo.
"""

from launch import LaunchDescription
from launch.actions import (AppendEnvironmentVariable, DeclareLaunchArgument,
                            IncludeLaunchDescription, OpaqueFunction)
from launch.conditions import IfCondition
from launch.launch_description_sources import PythonLaunchDescriptionSource
from launch.substitutions import (LaunchConfiguration, PathJoinSubstitution, PythonExpression)
from launch_ros.actions import Node
from launch_ros.substitutions import FindPackageShare

from neurobot import bringup
from neurobot.launch_support import declared_arguments, node_actions


def generate_launch_description():
    share = FindPackageShare('neurobot')
    gazebo = IfCondition(PythonExpression(["'", LaunchConfiguration('world'), "' == 'gazebo'"]))
    gui_flag = PythonExpression(["'-s' if '", LaunchConfiguration('headless'),
                                 "'.lower() == 'true' else ''"])
    return LaunchDescription([
        *declared_arguments(),
        DeclareLaunchArgument('gazebo_world',
                              default_value=PathJoinSubstitution([share, 'worlds',
                                                                  'maze_default.sdf']),
                              description='SDF world for world:=gazebo'),
        OpaqueFunction(function=lambda context: node_actions(bringup.world_nodes, context)),
        # model://neurobot/urdf/omni_robot.urdf in the SDF resolves below <install>/share
        AppendEnvironmentVariable('GZ_SIM_RESOURCE_PATH', PathJoinSubstitution([share, '..']),
                                  condition=gazebo),
        IncludeLaunchDescription(
            PythonLaunchDescriptionSource(PathJoinSubstitution(
                [FindPackageShare('ros_gz_sim'), 'launch', 'gz_sim.launch.py'])),
            launch_arguments=[('gz_args', [LaunchConfiguration('gazebo_world'), ' -r ',
                                           gui_flag])],
            condition=gazebo),
        Node(package='ros_gz_bridge', executable='parameter_bridge', name='gz_bridge',
             parameters=[{'config_file': PathJoinSubstitution([share, 'config',
                                                               'gz_bridge.yaml']),
                          'use_sim_time': True}],
             output='screen', condition=gazebo),
    ])
