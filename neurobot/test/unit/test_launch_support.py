"""``ros2 launch neurobot <name>.launch.py`` starts what ``neurobot launch <name>`` starts.

Each registered experiment's launch description is turned into launch_ros ``Node``
actions, as ``ros2 launch`` does, and their names, namespaces, parameters (read back from
the parameter files launch_ros writes) and remaps are compared with the NodeSpecs of
:func:`neurobot.bringup.nodes` for the same command line, which ``neurobot launch``
starts. Both build from that one function; what only launch does, and what these tests
check, is to tell the given arguments from the declared defaults it fills in. Skipped
where ``launch``/``launch_ros`` are not installed (the pip-only venv).
"""

import pytest
import yaml

from neurobot import bringup, experiment

EXPERIMENTS = sorted(experiment.registered())

# Non-default platform values, so that a default taken in one path and not in the other
# shows up; record:=true adds mcap_recorder with a list parameter.
GIVEN = ({}, {'seed': '7', 'log_level': 'warn', 'record': 'true', 'record_topics': 'a, b'})


def experiment_given(name: str, given: dict, run_dir) -> dict:
    """``given`` with other values for some of the experiment's own arguments.

    Each argument with a choice or an int range gets a value other than its default;
    run_dir is a private directory (a launch holds its lock).
    """
    values = dict(given, run_dir=str(run_dir))
    for argument in experiment.get(name).arguments:
        if argument.choices and len(argument.choices) > 1:
            values[argument.name] = next(c for c in argument.choices if c != argument.default)
        elif argument.kind == 'int' and argument.low is not None:
            values[argument.name] = str(max(argument.low, 1) + 2)
    return values


# ------------------------------------------------- with ROS 2's launch tools installed

def launched_nodes(name: str, given: dict):
    """The launch_ros Node actions of ``<name>.launch.py`` for ``given``, expanded.

    As ``ros2 launch``: the command-line values become launch configurations, each
    DeclareLaunchArgument fills in its default, the OpaqueFunction returns the actions.
    """
    from launch import LaunchContext
    from launch_ros.actions import Node

    from neurobot.launch_support import experiment_launch_description

    context = LaunchContext(argv=[f'{k}:={v}' for k, v in given.items()])
    context.launch_configurations.update(given)
    actions = []
    for entity in experiment_launch_description(name).entities:
        actions += entity.visit(context) or []
    nodes = [a for a in actions if isinstance(a, Node) and a.node_package == 'neurobot']
    for node in nodes:
        node._perform_substitutions(context)  # what Node.execute does before starting it
    return context, nodes


class ParamsLoader(yaml.SafeLoader):
    """Reads a parameter file as rcl does.

    launch_ros writes list values as ``!!python/tuple`` sequences, which rcl's parser
    takes as plain sequences.
    """


ParamsLoader.add_constructor('tag:yaml.org,2002:python/tuple',
                             lambda loader, node: loader.construct_sequence(node))


def parameter_files(context, node) -> list:
    """The --params-file paths on the node's command line."""
    from launch.utilities import perform_substitutions

    words = []
    for word in node.cmd:
        try:
            words.append(perform_substitutions(context, word))
        except Exception:  # noqa: BLE001 - a placeholder filled in only at execution
            words.append(None)
    return [words[i + 1] for i, word in enumerate(words[:-1]) if word == '--params-file']


def assert_launch_starts_the_specs(name: str, given: dict) -> list:
    """Compare the launched Node actions with the NodeSpecs; return the specs.

    A bad value must fail the launch with the message ``neurobot launch`` gives.
    """
    pytest.importorskip('launch')
    pytest.importorskip('launch_ros.actions')
    from launch_ros.actions import Node

    from neurobot.launch_support import package_found

    try:
        specs = bringup.nodes(experiment.get(name), given, tf=package_found('tf2_ros'))
    except ValueError as error:
        with pytest.raises(ValueError) as launched:
            launched_nodes(name, given)
        assert str(launched.value) == str(error)
        return []
    context, nodes = launched_nodes(name, given)
    assert [n.node_name.rsplit('/', 1)[1] for n in nodes] == [s.name for s in specs]
    for node, spec in zip(nodes, specs):
        assert node.node_executable == spec.executable
        # no namespace: left open, so that an including file's PushRosNamespace applies
        assert node.expanded_node_namespace == ('/' + spec.namespace if spec.namespace
                                                else Node.UNSPECIFIED_NODE_NAMESPACE)
        assert list(node.expanded_remapping_rules or []) == list(spec.remappings)
        files = parameter_files(context, node)
        assert len(files) == 1, node.node_name
        with open(files[0]) as stream:
            written = yaml.load(stream, ParamsLoader)  # noqa: S506 - a safe loader
        key = node.node_name if spec.namespace else '/**'
        assert written == {key: {'ros__parameters': spec.parameters}}
    return specs


@pytest.mark.parametrize('given', GIVEN)
@pytest.mark.parametrize('name', EXPERIMENTS)
def test_ros2_launch_starts_the_nodes_of_neurobot_launch(name, given, tmp_path):
    specs = assert_launch_starts_the_specs(name, experiment_given(name, given, tmp_path))
    assert specs, 'these values are valid for every experiment'


@pytest.mark.parametrize('name', EXPERIMENTS)
def test_ros2_launch_remaps_a_real_robots_topics_or_refuses_as_neurobot_launch(name,
                                                                             tmp_path):
    robot = tmp_path / 'robot.yaml'
    robot.write_text('remappings: {cmd_vel: /base/cmd_vel, odom: /base/odom}\n')
    specs = assert_launch_starts_the_specs(name, {'use_sim_time': 'false',
                                                  'robot': str(robot),
                                                  'run_dir': str(tmp_path / 'run')})
    assert not specs or any(s.remappings for s in specs)


@pytest.mark.parametrize('name', EXPERIMENTS)
def test_ros2_launch_refuses_a_misspelt_argument_name(name, tmp_path):
    pytest.importorskip('launch')
    pytest.importorskip('launch_ros.actions')
    with pytest.raises(ValueError, match=r"'run_dirr' \(did you mean 'run_dir'"):
        launched_nodes(name, {'run_dirr': str(tmp_path)})
