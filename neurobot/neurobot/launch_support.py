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
                 namespace=spec.namespace or None, parameters=[spec.parameters],
                 remappings=spec.remappings, output='screen',
                 ros_arguments=['--log-level', values['log_level']],
                 additional_env=spec.env,
                 on_exit=Shutdown(reason=f'{spec.name} exited') if spec.required else None)
            for spec in builder(values)]


def package_found(name: str) -> bool:
    """Whether a ROS 2 package is installed (ament index), e.g. tf2_ros or rviz2."""
    from ament_index_python.packages import get_package_share_directory
    try:
        get_package_share_directory(name)
    except (LookupError, ValueError, OSError):  # not found, or no ament prefix path at all
        return False
    return True


def monitoring_actions(context):
    """maze_markers and spike_raster; tf transforms and rviz2 where they are installed.

    Where tf2_ros is installed also the static map -> odom (and base_link -> laser_link)
    transforms and odom -> base_link from the markers node, so rviz's Odometry and
    LaserScan displays work; rviz2 on config/neurobot.rviz with headless:=false where
    rviz2 is installed.
    """
    values = argument_values(context)
    tf = package_found('tf2_ros')
    actions = node_actions(lambda v: bringup.monitoring_nodes(v, tf=tf), context)
    if tf:
        for parent, child, x, y, z, yaw in bringup.static_transforms(values):
            actions.append(Node(
                package='tf2_ros', executable='static_transform_publisher',
                name=f'static_tf_{parent}_to_{child}', output='screen',
                arguments=['--x', str(x), '--y', str(y), '--z', str(z), '--yaw', str(yaw),
                           '--frame-id', parent, '--child-frame-id', child]))
    if not bringup.as_bool(values['headless'], 'headless') and package_found('rviz2'):
        actions.append(Node(
            package='rviz2', executable='rviz2', name='rviz2', output='screen',
            arguments=['-d', bringup.default_path('config', 'neurobot.rviz')],
            parameters=[{'use_sim_time': bringup.as_bool(values['use_sim_time'],
                                                         'use_sim_time')}]))
    return actions
