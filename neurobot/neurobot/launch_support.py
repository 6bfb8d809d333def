"""Turn neurobot.bringup descriptions into ROS 2 launch actions (used by launch/*.launch.py).

Imports ``launch``/``launch_ros``, which only a full ROS 2 install has; everything the
bring-up starts is decided in :mod:`neurobot.bringup`, shared with ``neurobot launch``.
"""

from launch.actions import DeclareLaunchArgument, Shutdown
from launch.substitutions import LaunchConfiguration
from launch_ros.actions import Node

from neurobot import bringup

# Only world.launch.py's Gazebo branch reads these; `neurobot launch` has no Gazebo.
GAZEBO_ARGUMENTS = (
    bringup.Argument('gazebo_world', bringup.default_path('worlds', 'maze_default.sdf'),
                     'SDF world for world:=gazebo'),
)


def declared_arguments(arguments=bringup.MAZE_ARGUMENTS):
    """DeclareLaunchArgument actions, each with its default and description."""
    return [DeclareLaunchArgument(a.name, default_value=a.default, description=a.description,
                                  **({'choices': list(a.choices)} if a.choices else {}))
            for a in arguments]


def forwarded_arguments(arguments=bringup.MAZE_ARGUMENTS):
    """``launch_arguments`` passing these arguments' values on to an included launch file."""
    return [(a.name, LaunchConfiguration(a.name)) for a in arguments]


def argument_values(context, arguments=bringup.MAZE_ARGUMENTS) -> dict:
    """The launch arguments' values in this launch context, as strings."""
    return bringup.resolve_arguments(
        arguments, {a.name: LaunchConfiguration(a.name).perform(context) for a in arguments})


def node_actions(builder, context):
    """launch_ros Node actions for the NodeSpecs ``builder(values)`` returns."""
    values = argument_values(context)
    return [Node(package=spec.package, executable=spec.executable, name=spec.name,
                 parameters=[spec.parameters], remappings=spec.remappings, output='screen',
                 ros_arguments=['--log-level', values['log_level']],
                 additional_env=spec.env,
                 on_exit=Shutdown(reason=f'{spec.name} exited') if spec.required else None)
            for spec in builder(values)]
