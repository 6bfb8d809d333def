"""Turn neurobot.bringup descriptions into ROS 2 launch actions (used by launch files).

Imports ``launch``/``launch_ros``, which only a full ROS 2 install has; everything the
bring-up starts is decided in :mod:`neurobot.bringup`, shared with ``neurobot launch``.

An experiment's launch file (``<name>.launch.py``, installed to share/neurobot/launch) is
a few lines calling :func:`experiment_launch_description`; ``world.launch.py`` and
``brain.launch.py`` start the platform's world and one brain on their own.
"""

import difflib
import os
import shlex

from launch import LaunchDescription
from launch.actions import (AppendEnvironmentVariable, DeclareLaunchArgument,
                            IncludeLaunchDescription, OpaqueFunction, SetEnvironmentVariable,
                            Shutdown)
from launch.launch_description_sources import PythonLaunchDescriptionSource
from launch.substitutions import LaunchConfiguration, PathJoinSubstitution
from launch_ros.actions import Node
from launch_ros.substitutions import FindPackageShare

from neurobot import bringup
from neurobot import experiment as experiments
from neurobot.dds import configure_local_dds
from neurobot.launcher import describe_exit
from neurobot.ownership import RunLock

# Only the Gazebo branch reads these; `neurobot launch` has no Gazebo.
GAZEBO_ARGUMENTS = (
    bringup.Argument('gazebo_world', bringup.default_path('worlds', 'maze_default.sdf'),
                     'SDF world for world:=gazebo'),
)


def declared_arguments(arguments=bringup.PLATFORM_ARGUMENTS):
    """DeclareLaunchArgument actions, each with its default and description."""
    return [DeclareLaunchArgument(a.name, default_value=a.default, description=a.description,
                                  **({'choices': list(a.choices)} if a.choices else {}))
            for a in arguments]


def forwarded_arguments(arguments=bringup.PLATFORM_ARGUMENTS):
    """``launch_arguments`` passing these arguments' values on to an included launch file."""
    return [(a.name, LaunchConfiguration(a.name)) for a in arguments]


def argument_values(context, arguments=bringup.PLATFORM_ARGUMENTS) -> dict:
    """The launch arguments' values in this launch context, as strings."""
    return bringup.resolve_arguments(
        arguments, {a.name: LaunchConfiguration(a.name).perform(context) for a in arguments})


def given_arguments(context, arguments) -> dict:
    """The arguments given to this launch, as strings: the others keep their defaults.

    launch gives every declared argument a value, its default when none was given. The
    bring-up is handed only the given ones, as by ``neurobot launch``, so that an
    experiment's defaults that follow another argument apply here too. Given: named on
    the command line, or (from an including launch file) a value other than the default.
    """
    named = {word.split(':=', 1)[0] for word in context.argv if ':=' in word}
    given = {}
    for argument in arguments:
        value = LaunchConfiguration(argument.name).perform(context)
        if argument.name in named or value != argument.default:
            given[argument.name] = value
    return given


def _end_of_run(name: str):
    """on_exit of a required node: the run ends; a failure makes ros2 launch exit 1.

    As ``neurobot launch``: the first required node to exit ends the run, and its
    failure is the run's, in one line. launch returns 1 only for an exception, so a
    failure is raised (launch logs it, shuts the run down and exits 1). Exits while the
    run is already stopping (Ctrl-C, an earlier required node) change nothing.
    """
    def on_exit(event, context):
        if context.is_shutdown:
            return None
        if event.returncode != 0:
            raise RuntimeError(f'run stopped: {name} {describe_exit(event.returncode)}')
        return [Shutdown(reason=f'{name} exited')]
    return on_exit


def spec_actions(specs, log_level: str):
    """launch_ros Node actions for NodeSpecs.

    Each process is labelled with the node's full name (``left/brain``) and runs with
    unbuffered Python output, as under ``neurobot launch``.
    """
    return [Node(package=spec.package, executable=spec.executable, name=spec.name,
                 namespace=spec.namespace or None, parameters=[spec.parameters],
                 remappings=spec.remappings, output='screen', exec_name=spec.full_name,
                 ros_arguments=['--log-level', log_level],
                 additional_env={'PYTHONUNBUFFERED': '1', **spec.env},
                 on_exit=_end_of_run(spec.full_name) if spec.required else None)
            for spec in specs]


def dds_actions():
    """Confine the nodes' DDS to this machine, as ``neurobot launch`` does.

    Nothing changes with NEUROBOT_DDS=system or a Fast DDS profile already chosen
    (see :func:`neurobot.dds.configure_local_dds`).
    """
    environment = dict(os.environ)
    configure_local_dds(environment)
    return [SetEnvironmentVariable(name, value) for name, value in sorted(environment.items())
            if os.environ.get(name) != value]


def check_argument_names(context, arguments):
    """Refuse a command-line argument that looks like a misspelt one of ``arguments``.

    ros2 launch ignores names no launch file declares (an including launch file may use
    them), so ``episods:=3`` would run every episode; ``neurobot launch`` refuses
    unknown names. Only names close to a declared one are refused here.

    Raises:
        ValueError: such a name, with the argument it resembles.
    """
    known = [a.name for a in arguments]
    for word in context.argv:
        name = word.split(':=', 1)[0]
        close = difflib.get_close_matches(name, known, n=1, cutoff=0.8)
        if ':=' in word and name not in known and close:
            raise ValueError(f'unknown argument {name!r} (did you mean {close[0]!r}? '
                             f'--show-args lists the arguments)')


def node_actions(builder, context, arguments=bringup.PLATFORM_ARGUMENTS):
    """launch_ros Node actions for the NodeSpecs ``builder(values)`` returns."""
    values = argument_values(context, arguments)
    return spec_actions(builder(values), values['log_level'])


def package_found(name: str) -> bool:
    """Whether a ROS 2 package is installed (ament index), e.g. tf2_ros or rviz2."""
    from ament_index_python.packages import get_package_share_directory
    try:
        get_package_share_directory(name)
    except (LookupError, ValueError, OSError):  # not found, or no ament prefix path at all
        return False
    return True


def gui_actions(values: dict, tf: bool):
    """Static transforms where tf2_ros is installed; rviz2 with headless:=false.

    With monitoring, the static map -> odom (and base_link -> laser_link) transforms, so
    rviz's Odometry and LaserScan displays work; rviz2 on config/neurobot.rviz with
    headless:=false where rviz2 is installed.
    """
    actions = []
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


def gazebo_actions(context, values: dict):
    """Gazebo (gz sim) on the SDF world (ros_gz_sim's gz_sim.launch.py) and the bridge.

    Only with world:=gazebo and use_sim_time:=true; the bridge config is
    config/gz_bridge.yaml, with /clock from Gazebo.
    """
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


def experiment_launch_description(name: str) -> LaunchDescription:
    """The launch description of the registered experiment ``name``.

    Declares the platform's and the experiment's arguments (so ``--show-args`` lists
    them) and starts what :func:`neurobot.bringup.nodes` describes, the same nodes as
    ``neurobot launch <name>``, as it does: on local DDS, holding the run directory's
    lock, ending with the first required node and exiting 1 when that one failed. Where
    tf2_ros is installed also static transforms (and odom -> base_link from
    maze_markers in simulation), rviz2 with headless:=false, and Gazebo with
    world:=gazebo.

    Raises:
        ValueError: no experiment of that name is registered.
    """
    experiment = experiments.get(name)
    arguments = bringup.experiment_arguments(experiment)
    locks = []  # the run directory's lock, held until the launch process ends

    def actions(context):
        check_argument_names(context, arguments + GAZEBO_ARGUMENTS)
        given = given_arguments(context, arguments)
        values = bringup.resolve(experiment, given)
        tf = package_found('tf2_ros')
        specs = bringup.nodes(experiment, given, tf=tf)
        locks.append(RunLock(values['run_dir']))  # two runs would write the same files
        return (dds_actions() + gazebo_actions(context, values)
                + spec_actions(specs, values['log_level']) + gui_actions(values, tf))

    return LaunchDescription([
        *declared_arguments(arguments),
        *declared_arguments(GAZEBO_ARGUMENTS),
        OpaqueFunction(function=actions),
    ])
